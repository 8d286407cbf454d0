import CoreMetrics
import Foundation
import Journal
import Prometheus
import Scheduler
import Daemon

/// The runner's Prometheus metrics, fed from its observer (every journaled event) through
/// swift-metrics into a swift-prometheus registry of its own.
///
/// Its own registry and factory rather than the global `MetricsSystem.bootstrap`, so tests and
/// several servers in one process never share counters. Its labels stay low-cardinality
/// (outcome, class, reason); the series with a `job` label are `JobMetrics`, read from the
/// journal's state at scrape time.
package final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory

    package init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30),
            .seconds(60), .seconds(300), .seconds(900), .seconds(3600),
        ]
        // Fires start within a millisecond when all is well: the lateness needs finer buckets.
        factory.durationHistogramBuckets["almanac_fire_lateness_seconds"] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(100), .seconds(1), .seconds(10), .seconds(60),
        ]
        self.factory = factory
    }

    /// The observer to hang on `RunnerHooks.observer`.
    package func observe(_ notice: RunnerNotice) {
        let event: JournalEvent
        switch notice {
        case .recorded(let recorded):
            event = recorded
        case .problem:
            Counter(label: "almanac_problems_total", factory: factory).increment()
            return
        case .launched(_, let planned, let at):
            // From the child's real start, not the journal's `started` (the planned instant when claimed ahead).
            let late = max(0, at.timeIntervalSince(planned))
            Timer(label: "almanac_fire_lateness_seconds", factory: factory).recordNanoseconds(Int64(late * 1e9))
            return
        case .info:
            return
        }
        Counter(label: "almanac_journal_events_total", dimensions: [("type", event.type.rawValue)], factory: factory).increment()
        switch event.record {
        case .started:
            // `after:<job>` counts as `after`: a label value per upstream job would be unbounded.
            let trigger = event.isAfterTrigger ? "after" : event.triggeredBy?.rawValue ?? "schedule"
            Counter(label: "almanac_fires_total", dimensions: [("trigger", trigger)], factory: factory).increment()
        case .finished(let f) where f.target == nil:
            let outcome = f.metrics.outcome?.rawValue ?? "unknown"
            Counter(label: "almanac_outcomes_total", dimensions: [("outcome", outcome), ("class", f.metrics.errorClass?.rawValue ?? "none")],
                    factory: factory).increment()
            if let ms = f.metrics.durationMs {
                Timer(label: "almanac_execution_duration_seconds", factory: factory).recordMilliseconds(ms)
            }
        case .retry(let r):
            Counter(label: "almanac_retries_total", dimensions: [("class", r.errorClass?.rawValue ?? "failure")], factory: factory).increment()
        case .skipped(let s):
            Counter(label: "almanac_skipped_total", dimensions: [("reason", s.reason?.rawValue ?? "unknown")], factory: factory).increment()
        case .published:
            Counter(label: "almanac_published_total", factory: factory).increment()
        case .synced:
            Gauge(label: "almanac_last_sync_timestamp_seconds", factory: factory).record(event.at.timeIntervalSince1970)
        default:
            break
        }
    }

    /// The text exposition, with the gauges read at scrape time (running attempts, journal
    /// size, last reconcile) brought up to date first, then the per-job series unless `perJob` is off.
    func exposition(_ handle: RunnerHandle?, perJob: Bool = true) async -> [UInt8] {
        if let handle {
            let running = await handle.runner.runningCount
            Gauge(label: "almanac_running", factory: factory).record(running)
            let queued = await handle.runner.queuedCount
            Gauge(label: "almanac_queued_fires", factory: factory).record(queued)
            let size = (try? FileManager.default.attributesOfItem(atPath: handle.journalPath)[.size] as? Int) ?? 0
            Gauge(label: "almanac_journal_bytes", factory: factory).record(size)
            if let plan = handle.runner.lastPlan {
                Gauge(label: "almanac_last_reconcile_timestamp_seconds", factory: factory).record(plan.now.timeIntervalSince1970)
                Gauge(label: "almanac_reconcile_problems", factory: factory).record(plan.diagnostics.count)
            }
            // 0 once a write or fsync failed: the runner stops firing and exits (Runner+JournalFault).
            Gauge(label: "almanac_journal_writable", factory: factory).record(handle.runner.journalFault == nil ? 1 : 0)
            if let git = handle.git?.reading {
                if let fetched = git.lastFetch {
                    Gauge(label: "almanac_last_git_fetch_timestamp_seconds", factory: factory).record(fetched.timeIntervalSince1970)
                }
                Gauge(label: "almanac_git_fetch_failing", factory: factory).record(git.lastError == nil ? 0 : 1)
            }
        }
        // Up means doing its job: a runner whose journal refuses writes fires nothing, so it reads 0.
        Gauge(label: "almanac_up", factory: factory).record(handle == nil || handle?.runner.journalFault != nil ? 0 : 1)
        var out = registry.emitToBuffer()
        if perJob, let handle { JobMetrics.render(await handle.runner.journalState(), into: &out) }
        return out
    }
}
