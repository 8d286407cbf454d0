import Foundation
import Journal
import Logging
import Scheduler
import ServiceLifecycle
import Synchronization

// `almanac run` in every mode is one ServiceGroup (ServiceSession.drive). The group starts the
// services together and, on SIGTERM/SIGINT or when the runner's loop ends (`--for`, a journal
// fault), shuts them down in reverse order of this list, each after the one before has ended:
//
//   HTTP server (when listening) · cluster (with --database) · status writer · drain · trigger inbox ·
//   compaction · source · fire loop
//
// so firing stops first, then the watcher or poller, the inbox and compaction; then running
// children get the drain timeout while `/readyz` still answers "draining"; then status is
// written a last time; the server closes last.

/// Starts the runner (the first reconcile, recovery), then fires jobs until it stops: a graceful
/// shutdown (or a cancellation) stops it; when it ends by itself (`--for`, a journal fault) the
/// group shuts down. A failed start fails the group.
///
/// The start runs inside the group so the HTTP server answers `/healthz` (and `/readyz` 503)
/// while a large tree is reconciled; the other services wait for it at `gate`.
struct FireLoopService: Service {
    let runner: Runner
    let end: Date?
    let log: RunnerLog
    let gate: StartGate
    let setup: @Sendable () async throws -> Void

    func run() async throws {
        do {
            try await setup()
        } catch {
            gate.open(started: false)
            throw error
        }
        gate.open(started: true)
        let runner = self.runner, log = self.log
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await runner.run(until: end)
            } onGracefulShutdown: {
                log(.notice, "almanac: shutting down: no new fires, draining")
                Task { await runner.stop() }
            }
        } onCancel: {
            Task { await runner.stop() }
        }
    }
}

/// Waits for the shutdown (or the group's cancellation), then drains: running children get the
/// drain timeout, what is left is journaled `interrupted` (`Runner.shutdown`).
struct DrainService: Service {
    let runner: Runner
    let gate: StartGate

    func run() async {
        try? await gracefulShutdown()
        if await gate.wait() { await runner.shutdown() }
    }
}

/// A background loop (a Task the daemon already has: the watcher, the poller, the trigger
/// inbox, compaction) as a service: started once the runner is, cancelled at shutdown, after `stop`.
struct LoopService: Service {
    let start: @Sendable () -> Task<Void, Never>
    var stop: @Sendable () -> Void = {}
    /// Set by `ServiceSession.drive`; nil starts at once.
    var gate: StartGate?

    func run() async {
        if let gate, !(await gate.wait()) { return }
        let task = start()
        let stop = self.stop
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await task.value
            } onGracefulShutdown: {
                stop()
                task.cancel()
            }
        } onCancel: {
            stop()
            task.cancel()
        }
        // A loop that ended by itself still returns only at its turn: a service ending out of
        // order would make the group cancel the others mid-drain.
        try? await gracefulShutdown()
    }
}

/// Status write-back: debounced writes while running, one last flush once the runner has drained.
struct StatusWriterService: Service {
    let writeBack: StatusWriteBack
    let log: RunnerLog
    let gate: StartGate

    func run() async {
        let writeBack = self.writeBack, log = self.log
        guard await gate.wait() else { return }
        await LoopService(start: { Task { await writeBack.run(log: log) } }).run()
        guard writeBack.isWriting else { return }
        do { try await writeBack.flush() } catch { log(.error, "almanac: final status write-back failed: \(error)") }
    }
}

/// Opens once the runner has started (or failed to): what waits for it learns which.
final class StartGate: Sendable {
    private let state = Mutex<(started: Bool?, waiters: [CheckedContinuation<Bool, Never>])>((nil, []))

    func open(started: Bool) {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.started = started
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: started) }
    }

    /// Whether the runner started; waits until it is known. The fire loop always opens the
    /// gate (its start either returns or throws), so no waiter is left behind.
    func wait() async -> Bool {
        await withCheckedContinuation { continuation in
            let known = state.withLock { state -> Bool? in
                if let started = state.started { return started }
                state.waiters.append(continuation)
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
    }
}

extension Logger {
    /// For the group's own messages when nobody listens (`almanac run` without `--listen`,
    /// whose lines go through `RunnerLog`).
    static let quiet = Logger(label: "almanac.lifecycle", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// Beside peers (`--database`): keeps this runner's lease and contends for the leader's from
/// the moment it joined, and once a second takes over lapsed peers' attempts and adopts their
/// retries and triggers (`Runner.syncWithPeers`). Listed before the status writer and the
/// drain, so it stops after both: the leases are released only once this runner's last
/// attempt is journaled and its last status (as leader) written.
struct ClusterService: Service {
    let cluster: any ClusterJournal
    let runner: Runner
    let writeBack: StatusWriteBack?
    let reload: @Sendable () async -> ReloadOutcome
    let clock: SystemClock
    let log: RunnerLog
    /// Opened by the setup once `join` answered; false when the start failed before it.
    let joined: StartGate
    let gate: StartGate

    func run() async {
        guard await joined.wait() else { return }
        let (cluster, runner, writeBack, reload, log, gate, clock) = (cluster, runner, writeBack, reload, log, gate, clock)
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await cluster.hold { membership in
                        switch membership {
                        case .leading(let term):
                            guard await runner.currentRole != .leader else { return }
                            await runner.setRole(.leader)
                            writeBack?.setWriting(true)
                            log(.notice, "almanac: now leading the cluster (term \(term)): this runner writes desired state, "
                                + "compaction and status")
                            // Not awaited here: the lease keeper must keep renewing while a large tree reconciles.
                            Task { _ = await reload() }
                        case .following(let reason):
                            guard await runner.currentRole != .follower else { return }
                            await runner.setRole(.follower)
                            writeBack?.setWriting(false)
                            log(.warning, "almanac: no longer leading the cluster: \(reason)")
                            Task { _ = await reload() }
                        case .lost(let reason):
                            await runner.fence(reason)
                        }
                    }
                }
                group.addTask {
                    guard await gate.wait() else { return }
                    while !Task.isCancelled {
                        await runner.syncWithPeers()
                        try? await Task.sleep(for: .seconds(1))
                    }
                }
                group.addTask {
                    // The machine's clock drifts, or is stepped: the runner follows the database's.
                    while !Task.isCancelled {
                        try? await Task.sleep(for: ClusterClock.interval)
                        await ClusterClock.measure(cluster, for: clock, log: log)
                    }
                }
                group.addTask {
                    // A peer's trigger or pause wakes the sync at once; the loop above is the fallback.
                    guard await gate.wait() else { return }
                    await cluster.wakeups { await runner.syncWithPeers() }
                }
            }
        }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await task.value
            } onGracefulShutdown: {
                // The group tells this service only once the drain (after it in the list) ended.
                task.cancel()
            }
        } onCancel: {
            task.cancel()
        }
    }
}
