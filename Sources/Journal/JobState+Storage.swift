import Foundation

extension JobState {
    /// The stored properties of a JobState, boxed so the state's `jobs` dictionary holds one
    /// pointer per bucket instead of ~260 bytes (100,000 jobs mean 262,144 buckets).
    ///
    /// The synthesized `Codable` of this struct is the snapshot format of a JobState.
    struct Values: Sendable, Hashable, Codable {
        var applied: AppliedVersion?
        var removed = false
        var paused = false
        var pausedHash: String?
        var lastOccurrence: Date?
        var nextScheduled: Date?
        var queued: [OccurrenceKey] = []
        var running: [Execution] = []
        var history: [Execution] = []
        var pendingRetry: PendingRetry?
        var lastSync: String?
        var publications: [String: Publication] = [:]
        /// Optional so snapshots written before engagement was journaled still decode.
        var engagement: [PostEngagement]?
        var stats = JobStats()
    }

    /// Copy-on-write storage: mutated only when uniquely referenced.
    final class Storage: @unchecked Sendable {
        var values: Values

        init(_ values: Values) { self.values = values }
    }
}

extension JobState: CustomReflectable {
    /// The stored fields, so `print` and test failures show them rather than the box.
    package var customMirror: Mirror {
        Mirror(self, children: Mirror(reflecting: storage.values).children, displayStyle: .struct)
    }
}
