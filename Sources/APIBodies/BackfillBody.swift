import Foundation

/// The body of `POST /api/v1/jobs/{name}/backfill`: the range and the options of `almanac
/// backfill` (`by` is read by `RequesterBody`, like every state-changing endpoint's).
package struct BackfillBody: Sendable, Equatable {
    /// RFC 3339 instants, as sent: the server parses them as it parses every time it is given.
    package var from: String
    package var to: String
    package var rerun: Bool
    package var parallel: Int
    package var dryRun: Bool

    package init(from: String, to: String, rerun: Bool, parallel: Int, dryRun: Bool) {
        (self.from, self.to, self.rerun, self.parallel, self.dryRun) = (from, to, rerun, parallel, dryRun)
    }

    /// The most occurrences a backfill runs at once through the API.
    package static let maxParallel = 100

    package static func decode(_ body: [UInt8]) throws(BodyError) -> BackfillBody {
        struct Body: Decodable {
            var from: String
            var to: String
            var rerun: Bool?
            var parallel: Int?
            var dryRun: Bool?
        }
        let decoded: Body
        do {
            decoded = try JSONDecoder().decode(Body.self, from: Data(body))
        } catch {
            throw BodyError(#"the body must be a JSON object like {"from": "2026-03-01T00:00:00Z", "to": "2026-03-08T00:00:00Z"}"#)
        }
        let parallel = decoded.parallel ?? 1
        guard (1...maxParallel).contains(parallel) else { throw BodyError("parallel must be an integer from 1 to \(maxParallel)") }
        return BackfillBody(from: decoded.from, to: decoded.to, rerun: decoded.rerun ?? false, parallel: parallel,
                            dryRun: decoded.dryRun ?? false)
    }
}
