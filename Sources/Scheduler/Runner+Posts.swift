import AlmanacCore
import Foundation
import Journal
import Manifest
import Reconciler

extension Runner {
    /// Whether this occurrence of a post already ran, is running, or waits for a retry.
    func handled(_ key: OccurrenceKey, in state: JobState?) -> Bool {
        guard let state else { return false }
        return state.history.contains { $0.key == key } || state.running.contains { $0.key == key } || state.pendingRetry?.key == key
    }

    /// A one-shot post due while no runner was up: published now if within its catch-up
    /// window (default 1h), otherwise journaled as failed (`missed`) and announced — never
    /// dropped silently.
    func catchUpPosts(state: JournalState, now: Date) async {
        var missed: [JournalEvent] = []
        for post in jobs.values.sorted(by: { $0.name < $1.name }) where post.kind == .post && post.enabled && !post.cancelled {
            guard case .at(let date) = post.trigger, date <= now else { continue }
            let key = OccurrenceKey(job: post.name, scheduledAt: date)
            if handled(key, in: state.jobs[post.name]) { continue }
            if now.timeIntervalSince(date) <= post.catchup.window.timeInterval {
                queue.push(Fire(at: now, key: key, attempt: 1, reason: .catchup, generation: generations[post.name, default: 0]))
                continue
            }
            missed.append(JournalEvent(at: now, .finished(.init(
                job: post.name, scheduledAt: key.scheduledAt, attempt: 1, triggeredBy: .catchup,
                metrics: ExecutionMetrics(outcome: .failure, errorClass: .missed),
                message: "due \(Runner.utcText(date)) while no runner was up; outside the catch-up window"))))
            announceMissed(post, key: key)
        }
        if !missed.isEmpty {
            do {
                for event in try await settle(missed) { notify(.recorded(event)) }
            } catch {
                // Said and acted on by `settle` (Runner+JournalFault).
            }
        }
    }

    /// Before a post fires, removing its file or setting `cancelled: true` cancels it (each
    /// target journaled `cancelled`); after it was published, nothing changes.
    func cancelPosts(plan: Plan, desired: [String: JobSpec], state: JournalState, now: Date) async {
        var events: [JournalEvent] = []
        for change in plan.changes {
            guard let old = jobs[change.name], old.kind == .post, case .at(let date) = old.trigger, date > now else { continue }
            let reason: CancelReason
            if change.action == .remove {
                reason = .removed
            } else if let new = desired[change.name], new.cancelled, !old.cancelled {
                reason = .cancelled
            } else {
                continue
            }
            let key = OccurrenceKey(job: old.name, scheduledAt: date)
            if handled(key, in: state.jobs[old.name]) { continue }
            for (index, target) in old.publish.enumerated() {
                events.append(JournalEvent(at: now, .cancelled(.init(job: old.name, scheduledAt: key.scheduledAt, attempt: 1,
                                                                      reason: reason, target: target.journalName(index: index)))))
            }
        }
        if !events.isEmpty { await record(events) }
    }
}

extension PublishTarget {
    /// The target's name in the journal (`target` of publication events): its `name:`, else its index.
    package func journalName(index: Int) -> String {
        name ?? String(index)
    }
}

extension Runner {
    /// A post's instant in messages: UTC, whole seconds (as `ALMANAC_SCHEDULED_AT`).
    package static func utcText(_ date: Date) -> String {
        RFC3339.format(date, precision: .seconds)
    }
}

extension Runner {
    /// Journals engagement numbers of a post (`posts metrics` through the inbox, the API):
    /// the request resolved against the journal's state, then one `engagement` record.
    /// Returns nil when the journal refused the write (the runner stops on it).
    package func recordEngagement(_ request: EngagementRequest) async throws(EngagementRefusal) -> JournalRecord.Engagement? {
        let engagement = try request.record(in: await journal.state())
        return await record([JournalEvent(at: clock.now(), .engagement(engagement))]) ? engagement : nil
    }
}
