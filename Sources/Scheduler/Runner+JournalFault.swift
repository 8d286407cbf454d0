import Foundation
import Journal

/// Why a runner stopped on its own: its journal refused a write (disk full, I/O error,
/// read-only file system), so nothing it fired could be recorded any more.
package struct JournalFault: Sendable, Equatable {
    /// `journal: No space left on device (/var/lib/almanac/journal.jsonl)`: the `/readyz` reason.
    package var reason: String
    /// When the first refused write happened.
    package var at: Date
}

extension Runner {
    /// The exit status of `almanac run` after a journal fault: EX_TEMPFAIL from sysexits.h, so a
    /// supervisor (`Restart=on-failure`) restarts it, and an operator can tell it from a bad start (1).
    package static let journalFaultExitCode: Int32 = 75

    /// The journal's refusal that stopped this runner, if one did; nil while all is well.
    package nonisolated var journalFault: JournalFault? { fault.withLock { $0 } }

    /// Appends through the journal, stopping the runner first when the write is refused.
    func append(_ events: [JournalEvent]) async throws -> [JournalEvent] {
        try await refusing { try await journal.append(events) }
    }

    /// Journals missed occurrences (`JournalBackend.settle`), stopping the runner first when the write is refused.
    func settle(_ events: [JournalEvent]) async throws -> [JournalEvent] {
        try await refusing { try await journal.settle(events) }
    }

    private func refusing(_ write: () async throws -> [JournalEvent]) async throws -> [JournalEvent] {
        do {
            return try await write()
        } catch {
            journalRefused(error)
            throw error
        }
    }

    /// Reacts to a failed journal write. A refused write (a write or fsync failed) is said once,
    /// with the cause and the file, and stops the runner: no new work is fired (it could not be
    /// recorded, so a restart might run it again), running children drain as at SIGTERM, and the
    /// service then exits non-zero. The writes that fail while it drains say nothing more — a
    /// zombie that logs once per fire and still reports ready is what this replaces.
    /// Other failures (an event that cannot be encoded) are reported as problems, each time.
    func journalRefused(_ error: any Error) {
        guard let error = error as? JournalError, error.isWriteFailure else {
            notify(.problem("journal write failed: \(error)"))
            return
        }
        let now = clock.now()
        let first = fault.withLock { fault in
            guard fault == nil else { return false }
            fault = JournalFault(reason: "journal: " + error.reason, at: now)
            return true
        }
        guard first else { return }
        notify(.problem("journal: \(error.reason): the journal refuses writes; firing stopped, running jobs drain, "
            + "then the runner exits with status \(Self.journalFaultExitCode) so a supervisor restarts it"))
        stop()
    }
}
