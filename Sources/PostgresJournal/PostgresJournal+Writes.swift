import AlmanacCore
import Foundation
import Journal
import Logging
import PostgresNIO

// Appends and claims: one transaction each, holding the head row; beside peers a write whose
// answer was lost (a terminated session, a restarted server) is retried once where its claim
// rows can tell whether it committed.
extension PostgresJournal {
    package func append(_ events: [JournalEvent]) async throws -> [JournalEvent] {
        try checkOpen()
        guard !events.isEmpty else { return [] }
        if events.contains(where: { $0.type == .snapshot }) {
            throw JournalError(kind: .invalidEvent, path: url.description, message: "snapshot events are written only by compact()")
        }
        let leads = joined != nil && events.contains { Self.desiredState.contains($0.type) }
        // An attempt's end whose answer was lost (a terminated session, a restarted server) is
        // sent once more: its claim, closed in the same transaction, says whether it committed.
        // Other writes are not retried: written twice, they could not be told from two.
        return try await onceMore("recording an attempt's end", if: joined != nil && !Self.ends(events).isEmpty) { resuming in
            try await self.appendOnce(events, leads: leads, resuming: resuming)
        }
    }

    /// Appends `events` in one transaction. `resuming` after a lost answer: when the claims the
    /// events end are already closed by this runner, the first try committed, and nothing is
    /// written again (the events are returned as given; the next read brings their numbers).
    func appendOnce(_ events: [JournalEvent], leads: Bool, resuming: Bool) async throws(JournalError) -> [JournalEvent] {
        let written = try await write("append") { connection, head in
            if leads { try await self.requireLeaderLease(on: connection) }
            if resuming {
                switch try await self.committed(ending: Self.ends(events), on: connection) {
                case true?: return ([], true)
                case false?: break
                case nil:
                    throw JournalError(kind: .database, path: self.url.description,
                                       message: "an end's answer was lost and its claim cannot tell whether it was written")
                }
            }
            let stored = try await self.numbered(events, after: head)
            try await self.insertClaims(of: stored.filter { $0.type == .started }, on: connection)
            try await self.fenceAndClose(stored, on: connection)
            return (stored, false)
        }
        return written.result ? events : written.events
    }

    package func claimed(_ started: [JournalEvent]) async throws -> [JournalEvent?] {
        try await claimed(started, exclusive: [])
    }

    /// Claims as `claim(_:)` does; for a job in `exclusive` (`concurrency: forbid`) the claim
    /// is also refused while any runner holds an open claim of the same job: then the attempt
    /// is claimed closed and journaled `skipped: overlap` instead, once, whichever runner asked
    /// first (every claim holds the head row's lock, so the check cannot race another claim).
    package func claimed(_ started: [JournalEvent], exclusive: Set<String>) async throws -> [JournalEvent?] {
        try checkOpen()
        var wanted: [(event: JournalEvent, claim: OccurrenceKey, attempt: Int)] = []
        for event in started {
            guard case .started(var record) = event.record, let scheduledAt = record.scheduledAt else {
                throw JournalError(kind: .invalidEvent, path: url.description,
                                   message: "a claim records a started event with its scheduled time, not \(event.type.rawValue)")
            }
            let key = OccurrenceKey(job: record.job, scheduledAt: RFC3339.normalized(scheduledAt))
            (record.scheduledAt, record.attempt) = (key.scheduledAt, record.attempt ?? 1)
            // Beside peers the journal says which runner ran each attempt (history, status, API).
            if joined != nil { record.runner = runner }
            var claiming = event
            claiming.record = .started(record)
            wanted.append((claiming, key, record.attempt ?? 1))
        }
        guard !wanted.isEmpty else { return [] }
        let exclusive = exclusive.intersection(wanted.map(\.claim.job))
        let fenced = joined != nil
        // The answer was lost, not necessarily the write (a terminated session, a restarted
        // server): once more, on a fresh connection, where what this runner's lost transaction
        // committed is found and counted won, its `started` already journaled.
        return try await onceMore("a claim", if: fenced) { resuming in
            try await self.claimOnce(wanted, exclusive: exclusive, fenced: fenced, resuming: resuming)
        }
    }

    /// Runs `body` (not resuming); when it fails on the database and `retryable`, runs it once
    /// more, resuming, 200 ms later: the one retry of a write whose answer was lost.
    private func onceMore<T: Sendable>(_ what: String, if retryable: Bool,
                                       _ body: (_ resuming: Bool) async throws -> T) async throws -> T {
        let first: Result<T, any Error>
        do {
            first = .success(try await body(false))
        } catch {
            first = .failure(error)
        }
        guard case .failure(let error) = first, retryable, (error as? JournalError)?.kind == .database else { return try first.get() }
        logger.error("almanac: \(what) failed (\(error)); trying once more")
        try? await Task.sleep(for: .milliseconds(200))
        return try await body(true)
    }

    /// One try of `claim(_:exclusive:)`; `resuming` after a lost answer, when this runner's
    /// open claims among `wanted` are what the lost try committed, and count as won.
    func claimOnce(_ wanted: [(event: JournalEvent, claim: OccurrenceKey, attempt: Int)], exclusive: Set<String>,
                   fenced: Bool, resuming: Bool) async throws(JournalError) -> [JournalEvent?] {
        try await write("claim") { [wanted] connection, head in
            if fenced { try await self.requireOwnLease(on: connection) }
            var busy = try await self.jobsWithOpenClaims(exclusive, on: connection)
            let claims = wanted.map { Claim(key: $0.claim, attempt: $0.attempt) }
            let taken = try await self.insertClaims(wanted.map { ($0.claim, $0.attempt) }, on: connection)
            let already = resuming ? try await self.openClaims(claims.filter { !taken.contains($0) }, on: connection) : []
            // Per wanted event: its index in `written` when won now; won with no index when
            // found committed by a lost try (its event was numbered then: given back with seq 0).
            var won = [Bool](repeating: false, count: wanted.count)
            var writtenAt: [Int: Int] = [:]
            var written: [JournalEvent] = []
            var overlapped: [Claim] = []
            var seen = Set<Claim>()
            for (index, item) in wanted.enumerated() {
                let claim = claims[index]
                if already.contains(claim), seen.insert(claim).inserted {
                    won[index] = true
                    continue
                }
                // The first of duplicates in one batch gets it, as with the file backend.
                guard taken.contains(claim), seen.insert(claim).inserted else { continue }
                if exclusive.contains(item.claim.job) {
                    guard busy.insert(item.claim.job).inserted else {
                        overlapped.append(claim)
                        written.append(JournalEvent(at: item.event.at, .skipped(.init(
                            job: item.claim.job, scheduledAt: item.claim.scheduledAt, attempt: item.attempt,
                            triggeredBy: item.event.triggeredBy, reason: .overlap,
                            message: "an earlier attempt still runs in the cluster (concurrency: forbid)"))))
                        continue
                    }
                }
                won[index] = true
                writtenAt[index] = written.count
                written.append(item.event)
            }
            try await self.closeClaims(overlapped, on: connection)
            let numbered = try await self.numbered(written, after: head)
            let claimed: [JournalEvent?] = wanted.indices.map { index in
                guard won[index] else { return nil }
                return writtenAt[index].map { numbered[$0] } ?? wanted[index].event
            }
            return (numbered, claimed)
        }.result
    }
}
