import Foundation
import Journal
import Manifest

/// Which `after:` runs an occurrence's end makes due, and which a restart still owes: decided
/// from the specs and the journal alone, so the runner and its tests ask the same question.
///
/// Exactly once rests on two things. The dependent's occurrence key is derived from the
/// upstream's (its scheduled instant plus n ms, n the upstream's 1-based position in `after:`),
/// so the same upstream occurrence always owes the same key, and the journal's claim on that key
/// refuses a second start. And the runner journals the owed run (`triggered`) in the same write
/// as, and ahead of, the upstream's `finished`: a crash either loses both (the upstream attempt
/// is then interrupted and retried under its policy) or keeps the owed run, which `pending`
/// hands to the next start.
package enum AfterPlanner {
    /// One run of `key.job` owed because `upstream` succeeded.
    package struct Run: Sendable, Hashable {
        package var key: OccurrenceKey
        package var upstream: String

        package init(key: OccurrenceKey, upstream: String) {
            self.key = key
            self.upstream = upstream
        }

        /// `after:<upstream>`, as journaled and passed to the child in `ALMANAC_TRIGGER`.
        package var triggeredBy: String { Cause.after(upstream).rawValue }
    }

    /// The runs owed because the occurrence `upstream` ended with `outcome`.
    ///
    /// Only `success` counts (`partial` does not). A dependent that is disabled, cancelled,
    /// paused, not loaded or on a cycle owes nothing; one whose run for this occurrence is
    /// already pending or claimed is not owed twice.
    package static func due(upstream: OccurrenceKey, outcome: Outcome, graph: AfterGraph, jobs: [String: JobSpec],
                           state: JournalState) -> [Run] {
        guard outcome == .success else { return [] }
        return graph.dependents(of: upstream.job).compactMap { name -> Run? in
            guard let spec = jobs[name], spec.enabled, !spec.cancelled, !graph.cyclicJobs.contains(name),
                  !(state.jobs[name]?.paused ?? false), let key = key(for: spec, after: upstream),
                  !state.isClaimed(key, attempt: 1),
                  !state.pendingTriggers.contains(where: { $0.key == key && $0.isAfterTrigger })
            else { return nil }
            return Run(key: key, upstream: upstream.job)
        }
    }

    /// The key of `dependent`'s run after the occurrence `upstream`, or nil when it does not
    /// list it. The n-ms offset keeps it apart from the dependent's own scheduled occurrence at
    /// the same instant and from a run owed to another upstream of the same instant.
    package static func key(for dependent: JobSpec, after upstream: OccurrenceKey) -> OccurrenceKey? {
        guard let position = dependent.after.firstIndex(of: upstream.job) else { return nil }
        // In whole milliseconds, as the journal stores instants, so the key compares equal to
        // its replayed self.
        let milliseconds = (upstream.scheduledAt.timeIntervalSince1970 * 1000).rounded() + Double(position + 1)
        return OccurrenceKey(job: dependent.name, scheduledAt: Date(timeIntervalSince1970: milliseconds / 1000))
    }

    /// The upstream occurrences whose success would owe `dependent` the run keyed `key`: the
    /// inverse of `key(for:after:)`, one per entry of its `after:`.
    package static func upstreams(of dependent: JobSpec, owing key: OccurrenceKey) -> [OccurrenceKey] {
        let milliseconds = (key.scheduledAt.timeIntervalSince1970 * 1000).rounded()
        return dependent.after.enumerated().map { position, upstream in
            OccurrenceKey(job: upstream, scheduledAt: Date(timeIntervalSince1970: (milliseconds - Double(position + 1)) / 1000))
        }
    }

    /// The `after:` runs journaled as owed but never started, skipped or cancelled (a crash or
    /// a shutdown came first), oldest first, for jobs still loaded, enabled, not paused and not
    /// on a cycle (a paused job's owed run waits for a start after its resume).
    package static func pending(state: JournalState, jobs: [String: JobSpec], graph: AfterGraph) -> [Run] {
        state.pendingTriggers.compactMap { event -> Run? in
            guard let key = event.key, let upstream = event.triggeredBy?.upstream,
                  let spec = jobs[key.job], spec.enabled, !spec.cancelled, !graph.cyclicJobs.contains(key.job),
                  !(state.jobs[key.job]?.paused ?? false), !state.isClaimed(key, attempt: 1)
            else { return nil }
            return Run(key: key, upstream: upstream)
        }
    }
}
