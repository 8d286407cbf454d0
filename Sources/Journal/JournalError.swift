import AlmanacCore
import Foundation

/// What went wrong with the journal, phrased for the person running almanac.
package struct JournalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category, for code that must react differently (e.g. exit codes).
    package enum Kind: Sendable, Hashable {
        /// Another process holds the state dir's lock file.
        case locked(pid: Int?)
        /// A line other than the last does not parse; the journal was left untouched.
        case corruptLine(line: Int)
        /// A system call failed; `errno` is its error number.
        case io(errno: Int32)
        /// An event cannot be written as given (e.g. `result` is not JSON).
        case invalidEvent
        /// The journal was opened read-only, or has been closed.
        case notWritable
        /// An earlier write or fsync failed; the writer stops rather than guess what is on disk.
        case failed
        /// The database backend could not be reached or refused a statement.
        case database
        /// A shared journal refused a write about an attempt whose claim this runner no longer
        /// holds: its lease lapsed and a peer took the attempt over.
        case fenced
        /// A shared journal refused a desired-state write (`applied`, `removed`, diagnostics, a
        /// compaction) from a runner that does not hold the leader lease now; it goes on firing.
        case notLeader
    }

    package var kind: Kind
    /// The file or directory concerned.
    package var path: String
    package var message: String

    package init(kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// Whether a write or fsync failed (now or earlier): the disk is full, gone or read-only,
    /// so nothing more can be recorded and a runner must stop rather than fire unrecorded work.
    package var isWriteFailure: Bool {
        switch kind {
        case .io, .failed, .database, .fenced: true
        default: false
        }
    }

    /// The cause in a few words, then the file: `No space left on device (/state/journal.jsonl)`,
    /// for one log line, `/readyz` and `status`.
    package var reason: String { "\(cause) (\(path))" }

    /// The system's words for a failed call (`No space left on device`), else the message.
    package var cause: String {
        switch kind {
        case .io(let code): String(cString: strerror(code))
        default: message
        }
    }

    package var description: String {
        switch kind {
        case .corruptLine(let line): "\(path):\(line): \(message)"
        default: "\(path): \(message)"
        }
    }

    static func locked(directory: String, pid: Int?) -> JournalError {
        let holder = pid.map { "pid \($0)" } ?? "another process"
        return JournalError(kind: .locked(pid: pid), path: directory,
                            message: "state dir \(directory) is locked by \(holder); is another almanac runner using it?")
    }

    static func system(_ operation: String, path: String, errno code: Int32 = errno) -> JournalError {
        JournalError(kind: .io(errno: code), path: path, message: "\(operation) failed: \(String(cString: strerror(code)))")
    }

    static func corrupt(path: String, line: Int, reason: String) -> JournalError {
        JournalError(kind: .corruptLine(line: line), path: path,
                     message: "corrupt journal line (\(reason)); the journal was not modified. "
                         + "`almanac journal verify --state \(directory(of: path))` lists every damaged line; "
                         + "`almanac journal repair --state \(directory(of: path))` moves them aside into "
                         + "\(JournalRepair.quarantineName) and keeps every good event (or restore a backup)")
    }

    /// The state directory of a journal file, for the commands a message suggests.
    private static func directory(of path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        return ShellWord.quoted(directory.isEmpty ? "." : directory)
    }

    static func invalid(_ message: String, path: String) -> JournalError {
        JournalError(kind: .invalidEvent, path: path, message: message)
    }
}
