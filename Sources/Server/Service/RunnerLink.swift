import Foundation
import Journal
import Scheduler
import Daemon

/// The server's view of the runner: empty until `RunnerService` has started it, then the handle.
///
/// The server starts listening before the first reconcile finishes, so `/healthz` answers at
/// once while `/readyz` says 503 until the runner is up.
package actor RunnerLink {
    private(set) var handle: RunnerHandle?
    /// Called by `POST /api/v1/sync` and a valid push webhook; the git poller may replace it.
    private var syncHook: (@Sendable () async -> ReloadOutcome)?

    package init() {}

    /// Hands over the running runner (RunnerHooks.started).
    package func attach(_ handle: RunnerHandle) async {
        self.handle = handle
        if syncHook == nil { syncHook = handle.reload }
    }

    /// Whether the runner stopped firing and drains (a shutdown, `--for`, a journal fault).
    var draining: Bool { handle?.runner.isStopping ?? false }

    /// Replaces what a sync does (the git poller's "fetch now").
    package func setSyncHook(_ hook: @escaping @Sendable () async -> ReloadOutcome) {
        syncHook = hook
    }

    /// Runs the sync hook and says how it went; nil when there is none yet.
    func sync() async -> ReloadOutcome? {
        guard let syncHook else { return nil }
        return await syncHook()
    }

    /// The handle, or a 503 while the runner is not up.
    func require() throws(APIError) -> RunnerHandle {
        guard let handle else { throw APIError(.serviceUnavailable, "the runner is starting") }
        return handle
    }
}
