import Foundation

extension JournalRecord {
    /// Engagement numbers of one published post target (`engagement`): likes, comments, …
    ///
    /// Recorded from the publish answer (`source: publish`) and later by `almanac posts
    /// metrics` or the API; each record sets the metrics it names, and the latest value of a
    /// metric wins. `channel` is the post's `content.channel` when recorded, so suggestions
    /// survive the post's file being deleted.
    package struct Engagement: JobRecord, RecordPayload {
        package var job: String
        /// The occurrence the numbers belong to.
        package var scheduledAt: Date?
        package var target: String
        package var channel: String?
        /// The post's `timezone`, for slots read in the post's own zone.
        package var timezone: String?
        package var metrics: [String: Double]
        package var source: EngagementSource?

        package init(job: String, scheduledAt: Date? = nil, target: String, channel: String? = nil, timezone: String? = nil,
                    metrics: [String: Double], source: EngagementSource? = nil) {
            self.job = job
            self.scheduledAt = scheduledAt
            self.target = target
            self.channel = channel
            self.timezone = timezone
            self.metrics = metrics
            self.source = source
        }

        package static let blank = Self(job: "", target: "", metrics: [:])
        /// Like every job record, only `job`: a line without `scheduledAt` replays to nothing
        /// (there is no occurrence to hold the numbers), and the writers always give both.
        package static let required: [RecordKey] = [.job]
        package static let fields: [RecordField<Self>] = [
            .string(.job, { $0.job }, { $0.job = $1 }),
            .date(.scheduledAt, { $0.scheduledAt }, { $0.scheduledAt = $1 }),
            .word(.source, { $0.source }, { $0.source = $1 }),
            .string(.target, { $0.target.isEmpty ? nil : $0.target }, { $0.target = $1 }),
            .string(.timezone, { $0.timezone }, { $0.timezone = $1 }),
            .string(.channel, { $0.channel }, { $0.channel = $1 }),
            .numbers(.metrics, { $0.metrics.isEmpty ? nil : $0.metrics }, { $0.metrics = $1 }),
        ]
    }
}

/// Where engagement numbers came from (`source` of `engagement`).
package struct EngagementSource: Vocabulary {
    package let rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }

    /// The publish answer's `metrics` object.
    package static let publish = Self(rawValue: "publish")
    /// `almanac posts metrics`.
    package static let cli = Self(rawValue: "cli")
    /// `POST /api/v1/posts/{name}/metrics`.
    package static let api = Self(rawValue: "api")
}

/// The rules a metric's name and value follow, wherever they come from.
package enum EngagementMetric {
    /// At most this many metrics per record.
    package static let maxCount = 32

    /// A name: a lower-case letter, then up to 39 lower-case letters, digits or `_`.
    package static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), bytes.count <= 40 else { return false }
        return bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
            || $0 == UInt8(ascii: "_") }
    }

    /// Why `metrics` cannot be recorded, or nil when it can.
    package static func problem(_ metrics: [String: Double]) -> String? {
        if metrics.isEmpty { return "no metrics given (e.g. likes=12 comments=3)" }
        if metrics.count > maxCount { return "at most \(maxCount) metrics per record" }
        for name in metrics.keys.sorted() {
            if !isValidName(name) { return "metric name '\(name)': use a lower-case letter, then letters, digits or _ (at most 40)" }
            if !(metrics[name] ?? .nan).isFinite { return "metric \(name): not a finite number" }
        }
        return nil
    }
}
