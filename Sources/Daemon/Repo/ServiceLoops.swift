import AlmanacCore
import Foundation
import GitSync
import Journal
import Manifest
import Scheduler
import Processes
import Publishing

/// The background loops every runner service shares: the log observer, manual-run requests,
/// journal compaction.
enum ServiceLoops {
    /// Logs each notice (one line per journaled event) and passes it on to `also`.
    static func observer(log: RunnerLog,
                         also: (@Sendable (RunnerNotice) -> Void)? = nil) -> @Sendable (RunnerNotice) -> Void {
        { notice in
            switch notice {
            case .recorded(let event): if let line = EventLog.line(event) { log(EventLog.level(event), line) }
            case .problem(let message): log(.error, "almanac: \(message)")
            case .info(let message): log(message)
            case .launched: break
            }
            also?(notice)
        }
    }

    /// Jobs to child processes, posts to their publishers, scans to the repository scanner.
    static func executor(root: URL, stateDirectory: URL, environment: [String: String], journal: any JournalBackend, clock: any RunnerClock,
                         launcher: ProcessLauncher, sender: HTTPSender, credentials: GitCredentials = .none,
                         observer: (@Sendable (RunnerNotice) -> Void)?) -> RoutingLauncher {
        let processes = ProcessJobLauncher(root: root, stateDirectory: stateDirectory, environment: environment)
        return RoutingLauncher(
            job: processes,
            post: PostLauncher(journal: journal, clock: clock, root: root, stateDirectory: stateDirectory,
                               environment: environment, sender: sender, launcher: launcher, observer: observer),
            scan: ScanLauncher(processes: processes, journal: journal, clock: clock, credentials: credentials))
    }

    /// The notifier for `notify:` targets; each delivery is journaled through the runner.
    static func notifier(_ runner: Runner, stateDirectory: URL, launcher: ProcessLauncher, sender: HTTPSender) async {
        let log = stateDirectory.appendingPathComponent("logs/notify.log").path
        await runner.setNotifier(Notifier(launcher: launcher, sender: sender, logPath: log) { delivery in
            await runner.recordDelivery(delivery)
        })
    }

    /// Picks up `almanac trigger` requests from `STATE/triggers/` every 250 ms.
    static func triggers(_ stateDirectory: URL, runner: Runner, log: RunnerLog) -> Task<Void, Never> {
        let inbox = TriggerInbox(stateDirectory: stateDirectory)
        return Task {
            while !Task.isCancelled {
                // A runner stopping on a journal fault leaves the requests for the next one.
                for request in inbox.pending() where runner.journalFault == nil {
                    if let range = request.backfill {
                        do {
                            let plan = try await runner.backfill(request.job, from: range.from, to: range.to, rerun: range.rerun,
                                                                 parallel: range.parallel)
                            log("almanac: backfill of \(request.job) by \(request.requestedBy): \(plan.runs.count) occurrence(s) "
                                + "from \(RFC3339.format(range.from)) to \(RFC3339.format(plan.to)) queued, "
                                + "\(plan.items.count - plan.runs.count) skipped")
                        } catch {
                            log(.warning, "almanac: backfill of \(request.job) refused: \(error)")
                        }
                        inbox.remove(request)
                        continue
                    }
                    if let engagement = request.engagement {
                        do {
                            // A refused write stops the runner; the request stays for the next one.
                            guard let recorded = try await runner.recordEngagement(engagement) else { continue }
                            log("almanac: engagement of \(recorded.job) (\(recorded.target)) recorded by \(request.requestedBy): "
                                + recorded.metrics.keys.sorted().joined(separator: ", "))
                        } catch {
                            log(.warning, "almanac: engagement of \(request.job) refused: \(error)")
                        }
                        inbox.remove(request)
                        continue
                    }
                    if !(await runner.trigger(request.job, by: request.requestedBy)) {
                        log(.warning, "almanac: trigger for unknown job '\(request.job)' ignored")
                    }
                    inbox.remove(request)
                }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// Compacts at start when the journal file passed 64 MiB, then after 100,000 more events
    /// or a day, with `history()`'s retention. A small journal keeps every line as written.
    /// Beside peers only the leader compacts (`leads`), counting every runner's events.
    static func compaction(_ journal: any JournalBackend, clock: any RunnerClock,
                           history: @escaping @Sendable () async -> RootConfig.History?,
                           log: RunnerLog, leads: @escaping @Sendable () async -> Bool) -> Task<Void, Never> {
        let file = (journal as? FileJournal)?.fileURL.path
        let size = file.flatMap { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) } ?? 0
        return Task {
            var lastCompaction = ContinuousClock.now
            var seqAtLastCompaction: UInt64? = size > 64 << 20 ? nil : await journal.state().lastSeq
            while !Task.isCancelled {
                let seq = await journal.state().lastSeq
                if await leads(), seqAtLastCompaction.map({ seq >= $0 + 100_000 }) ?? true
                    || ContinuousClock.now - lastCompaction > .seconds(86_400) {
                    let history = await history()
                    let retention = Retention(keep: history?.keep ?? .seconds(30 * 86_400), maxPerJob: history?.maxPerJob ?? 1000)
                    do {
                        try await journal.compact(now: clock.now(), retention: retention)
                    } catch {
                        log(.error, "almanac: journal compaction failed: \(error)")
                    }
                    lastCompaction = ContinuousClock.now
                    seqAtLastCompaction = await journal.state().lastSeq
                }
                try? await Task.sleep(for: .seconds(60))
            }
        }
    }
}
