import Foundation

/// The body of `POST /api/v1/posts/{name}/metrics`: the numbers of `almanac posts metrics`,
/// with its `--target` and `--scheduled` (`by` is read by `RequesterBody`).
///
/// Names and values are checked again where they are journaled (`EngagementMetric`); here
/// only what the OpenAPI document states: an object of 1 to 32 numbers, optional strings.
package struct MetricsBody: Sendable, Equatable {
    package var metrics: [String: Double]
    package var target: String?
    /// An RFC 3339 instant, as sent: the server parses it.
    package var scheduledAt: String?

    package init(metrics: [String: Double], target: String? = nil, scheduledAt: String? = nil) {
        (self.metrics, self.target, self.scheduledAt) = (metrics, target, scheduledAt)
    }

    /// The most metrics one request records.
    package static let maxMetrics = 32

    package static func decode(_ body: [UInt8]) throws(BodyError) -> MetricsBody {
        struct Body: Decodable {
            var metrics: [String: Double]
            var target: String?
            var scheduledAt: String?
        }
        let decoded: Body
        do {
            decoded = try JSONDecoder().decode(Body.self, from: Data(body))
        } catch {
            throw BodyError(#"the body must be a JSON object like {"metrics": {"likes": 12, "comments": 3}}"#)
        }
        guard (1...maxMetrics).contains(decoded.metrics.count) else {
            throw BodyError("metrics must hold 1 to \(maxMetrics) numbers")
        }
        if let target = decoded.target, target.isEmpty || target.unicodeScalars.count > 64 {
            throw BodyError("target must be 1 to 64 characters")
        }
        return MetricsBody(metrics: decoded.metrics, target: decoded.target, scheduledAt: decoded.scheduledAt)
    }
}
