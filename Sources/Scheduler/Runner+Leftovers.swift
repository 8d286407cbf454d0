import Foundation
import Journal

extension Runner {
    /// Stops what a previous runner of this state directory left running: every process marked
    /// with an attempt the journal does not show finished (SIGTERM, SIGKILL after the kill
    /// grace). Returns the stopped pids by attempt, for recovery's `interrupted` records.
    ///
    /// Runs before any retry or catch-up is queued, so a leftover never overlaps the attempt
    /// that replaces it. A marked attempt the journal shows finished (a grandchild the job
    /// left behind on purpose, say) is not ours to end — except beside peers, where the end may
    /// be a peer's takeover of the attempt this process still runs for a runner that died: there
    /// every process a previous life of this state directory left is stopped.
    func stopLeftovers(state: JournalState) async -> [RunKey: [Int32]] {
        let leftovers = launcher.leftovers().filter { leftover in
            let marker = leftover.marker
            return role != .sole
                || !(state.jobs[marker.job]?.history.contains { marker.marks($0.key, attempt: $0.attempt) } ?? false)
        }
        guard !leftovers.isEmpty else { return [:] }
        let forced = await launcher.stopLeftovers(leftovers, grace: options.killGrace)
        var stopped: [RunKey: [Int32]] = [:]
        for leftover in leftovers {
            let marker = leftover.marker
            // The journal's own key, so the record matches its claim to the millisecond.
            let key = state.jobs[marker.job]?.running.first { marker.marks($0.key, attempt: $0.attempt) }?.key
            stopped[RunKey(key: key ?? marker.key, attempt: marker.attempt), default: []].append(leftover.pid)
        }
        for (runKey, pids) in stopped.sorted(by: { $0.key.key.description < $1.key.key.description }) {
            let how = pids.contains(where: forced.contains) ? "SIGKILL after the grace" : "SIGTERM"
            notify(.info("✝ \(runKey.key)#\(runKey.attempt): stopped \(pids.count) process(es) a previous runner left (\(how)): "
                + pids.map(String.init).joined(separator: ", ")))
        }
        return stopped
    }
}
