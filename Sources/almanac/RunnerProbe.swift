import Foundation

/// Tells whether a runner holds a state directory, without touching its lock: the lock file
/// holds the runner's pid, and a signal-0 `kill` says whether that process lives.
enum RunnerProbe {
    static func isRunning(_ stateDirectory: URL) -> Bool {
        let lock = stateDirectory.appendingPathComponent("lock")
        guard let text = try? String(contentsOf: lock, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
