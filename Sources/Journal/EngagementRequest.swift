import AlmanacCore
import Foundation

/// A request to record engagement numbers for a post: which post, optionally which target
/// and occurrence, and the numbers.
///
/// `record(in:)` turns it into an `engagement` record against the journal's state, filling
/// in what was left out: the target, when the post published to one only; the occurrence,
/// the target's latest published one. The CLI, the API and the runner's inbox all go through
/// it, so they accept and refuse the same requests.
package struct EngagementRequest: Sendable, Hashable {
    package var post: String
    package var target: String?
    package var scheduledAt: Date?
    package var metrics: [String: Double]
    package var source: EngagementSource

    package init(post: String, target: String? = nil, scheduledAt: Date? = nil, metrics: [String: Double], source: EngagementSource) {
        self.post = post
        self.target = target
        self.scheduledAt = scheduledAt
        self.metrics = metrics
        self.source = source
    }

    /// The record to journal, or why the request cannot be recorded.
    package func record(in state: JournalState) throws(EngagementRefusal) -> JournalRecord.Engagement {
        if let problem = EngagementMetric.problem(metrics) { throw EngagementRefusal(.invalid, problem) }
        guard let job = state.jobs[post], job.applied?.kind == "post" || !job.publications.isEmpty || !job.engagement.isEmpty else {
            throw EngagementRefusal(.unknownPost, "no post named '\(post)' in the journal")
        }
        let published = job.publications.values.filter { $0.state == .published }
        let target: String
        if let named = self.target {
            target = named
        } else {
            target = try Self.onlyTarget(published, post: post, at: scheduledAt)
        }
        let known = Set(job.publications.keys).union(job.engagement.map(\.target))
        guard known.contains(target) else {
            throw EngagementRefusal(.invalid, "post '\(post)' has no target '\(target)'"
                                    + (known.isEmpty ? "" : "; its targets: " + known.sorted().joined(separator: ", ")))
        }
        let latest = published.first { $0.target == target }?.scheduledAt
        guard let occurrence = scheduledAt ?? latest else {
            throw EngagementRefusal(.invalid, "post '\(post)' is not published to '\(target)' yet")
        }
        let seen = occurrence == latest || job.engagement.contains { $0.scheduledAt == occurrence && $0.target == target }
            || job.history.contains { $0.key.scheduledAt == occurrence && $0.metrics.outcome?.succeeded == true }
        guard seen else {
            throw EngagementRefusal(.invalid, "post '\(post)' has no published occurrence at \(RFC3339.format(occurrence)) on '\(target)'")
        }
        let earlier = job.engagement.last { $0.target == target }
        let content = job.applied?.field("content").flatMap { JSONValue.parse(Data($0.utf8)) }
        return JournalRecord.Engagement(job: post, scheduledAt: occurrence, target: target,
                                        channel: content?["channel"]?.stringValue ?? earlier?.channel,
                                        timezone: job.applied?.field("timezone") ?? earlier?.timezone,
                                        metrics: metrics, source: source)
    }

    /// The one target published (at `occurrence`, when given); several or none is a refusal.
    private static func onlyTarget(_ published: [Publication], post: String, at occurrence: Date?) throws(EngagementRefusal) -> String {
        let names = published.filter { occurrence == nil || $0.scheduledAt == occurrence }.map(\.target).sorted()
        guard !names.isEmpty else { throw EngagementRefusal(.invalid, "post '\(post)' is not published yet") }
        guard names.count == 1 else {
            throw EngagementRefusal(.invalid, "post '\(post)' published to several targets (\(names.joined(separator: ", "))): name one (--target)")
        }
        return names[0]
    }
}

/// Why engagement numbers were not recorded.
package struct EngagementRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Kind: Sendable, Hashable {
        /// No post by that name.
        case unknownPost
        /// The numbers, target or occurrence do not fit the post.
        case invalid
    }

    package var kind: Kind
    package var message: String

    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var description: String { message }
}
