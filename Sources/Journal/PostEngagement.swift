import Foundation

/// The engagement numbers journaled for one (occurrence, target) of a post, merged.
///
/// Each `engagement` record sets the metrics it names; the latest value of a metric wins, so
/// a collecting job may report `likes` every hour and the state holds the newest count.
package struct PostEngagement: Sendable, Hashable, Codable {
    /// The occurrence's scheduled time: the slot a person schedules.
    package var scheduledAt: Date
    package var target: String
    package var channel: String?
    package var timezone: String?
    package var metrics: [String: Double]
    /// When the latest numbers were recorded.
    package var at: Date

    package init(scheduledAt: Date, target: String, channel: String? = nil, timezone: String? = nil,
                metrics: [String: Double], at: Date) {
        self.scheduledAt = scheduledAt
        self.target = target
        self.channel = channel
        self.timezone = timezone
        self.metrics = metrics
        self.at = at
    }
}

extension [PostEngagement] {
    /// Folds one record in: merged into its (occurrence, target) entry, or appended.
    mutating func record(_ record: JournalRecord.Engagement, at: Date) {
        guard let scheduledAt = record.scheduledAt else { return }
        if let index = firstIndex(where: { $0.scheduledAt == scheduledAt && $0.target == record.target }) {
            self[index].metrics.merge(record.metrics) { _, new in new }
            self[index].at = at
            self[index].channel = record.channel ?? self[index].channel
            self[index].timezone = record.timezone ?? self[index].timezone
        } else {
            append(PostEngagement(scheduledAt: scheduledAt, target: record.target, channel: record.channel,
                                  timezone: record.timezone, metrics: record.metrics, at: at))
        }
    }
}
