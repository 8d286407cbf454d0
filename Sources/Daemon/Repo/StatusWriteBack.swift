import Foundation
import Journal
import Manifest
import Status
import Synchronization
import Scheduler
import Processes
import Publishing

/// Renders the status files from the journal and hands them to a sink, debounced.
///
/// The runner's observer calls `markDirty()` on every journaled event (cheap: one flag); the
/// loop writes at most once per `interval`, and only when something was recorded since the last
/// write, so a burst of fires costs one commit. Rendering is deterministic and sinks write only
/// changed bytes, so an idle runner never commits.
package final class StatusWriteBack: Sendable {
    package let sink: any StatusSink
    package let journal: any JournalBackend
    package let clock: any RunnerClock
    package let interval: Duration
    /// Executions listed per job file.
    package let recent: Int
    private let dirty = Mutex(true)
    /// Beside peers only the leader writes status (`setWriting`); a sole runner always does.
    private let writing = Mutex(true)
    private let manifest = Mutex<Manifest?>(nil)

    package init(sink: any StatusSink, journal: any JournalBackend, clock: any RunnerClock,
                interval: Duration = .seconds(10), recent: Int = 10) {
        self.sink = sink
        self.journal = journal
        self.clock = clock
        self.interval = interval
        self.recent = recent
    }

    /// Something was journaled: write at the next tick.
    package func markDirty() {
        dirty.withLock { $0 = true }
    }

    /// The desired state the status describes (schedules in words, next fires, problems).
    package func update(_ manifest: Manifest) {
        self.manifest.withLock { $0 = manifest }
        markDirty()
    }

    /// Starts or stops writing: a runner that became leader writes at the next tick, one that
    /// stopped leading leaves status to the new leader.
    package func setWriting(_ on: Bool) {
        writing.withLock { $0 = on }
        if on { markDirty() }
    }

    /// Whether this runner writes status now.
    package var isWriting: Bool { writing.withLock { $0 } }

    /// An observer to chain into `Runner.Options.observer`.
    package func observe(_ notice: RunnerNotice) {
        if case .recorded = notice { markDirty() }
    }

    /// Renders and writes now, whatever the flag; true when the sink changed anything.
    @discardableResult
    package func flush() async throws -> Bool {
        dirty.withLock { $0 = false }
        let state = await journal.state()
        let now = clock.now()
        let report = StatusReport.make(manifest: manifest.withLock { $0 }, state: state, now: now)
        return try await sink.write(StatusFiles.render(report, state: state, recent: recent), now: now)
    }

    /// Writes whenever dirty, at most once per `interval`, until cancelled; problems go to `log`.
    package func run(log: RunnerLog) async {
        while !Task.isCancelled {
            if isWriting, dirty.withLock({ $0 }) {
                do {
                    if try await flush() { log(.debug, "almanac: status written") }
                } catch {
                    log(.error, "almanac: status write-back failed: \(error)")
                }
            }
            try? await Task.sleep(for: interval)
        }
    }
}
