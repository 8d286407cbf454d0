import Foundation
import Journal

/// Where `almanac run` keeps its journal: the file in the state directory (the embedded
/// default), or a journal shared with peers, opened by what the CLI injects, so this module
/// never links a database driver.
package enum JournalStore: Sendable {
    case file
    /// Opens the shared journal (connects, migrates, replays); `location` names it for logs.
    case shared(location: String, open: @Sendable () async throws -> any ClusterJournal)

    /// The journal opened; for a shared one also the state directory's lock, which keeps what
    /// is local (logs, the trigger inbox, worktrees) to one runner as the file journal's does.
    func open(stateDirectory: URL) async throws -> (journal: any JournalBackend, cluster: (any ClusterJournal)?, lock: LockFile?) {
        switch self {
        case .file:
            return (try FileJournal(directory: stateDirectory), nil, nil)
        case .shared(_, let open):
            let lock = try LockFile.acquire(directory: stateDirectory.path)
            do {
                let journal = try await open()
                return (journal, journal, lock)
            } catch {
                lock.release()
                throw error
            }
        }
    }
}
