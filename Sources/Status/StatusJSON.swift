import CronSchedule
import Foundation
import Journal

/// The per-job status file as JSON, written by hand: sorted keys, two-space indents, one key
/// per line, absent values left out.
///
/// Foundation's JSONEncoder costs tens of microseconds per small object on Linux, and even
/// string concatenation adds up over the 10,000 files of a large status write-back, so each
/// file is appended to one byte buffer, members in sorted order as written below.
enum StatusJSON {
    static func file(_ job: JobStatus, recent: some Sequence<Execution>) -> [UInt8] {
        var json = JSONWriter(capacity: 1024)
        json.beginObject()
        json.key("job")
        write(job, to: &json)
        json.key("recent")
        json.beginArray()
        for execution in recent {
            json.element()
            write(execution, to: &json)
        }
        json.endArray()
        json.endObject()
        var bytes = json.bytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// The job's members, keys in sorted order (`StatusJSONTests` checks it).
    static func write(_ job: JobStatus, to json: inout JSONWriter) {
        json.beginObject()
        json.member("after", job.after) { $0.strings($1) }
        json.member("averageDurationMs", job.averageDurationMs) { $0.int($1) }
        json.member("dependents", job.dependents) { $0.strings($1) }
        json.member("enabled", job.enabled) { $0.bool($1) }
        json.member("kind", job.kind) { $0.string($1) }
        json.member("lastExitCode", job.lastExitCode) { $0.int($1) }
        json.member("lastFailure", job.lastFailure) { $0.date($1) }
        json.member("lastOutcome", job.lastOutcome) { $0.string($1) }
        json.member("lastRun", job.lastRun) { $0.date($1) }
        json.member("lastScheduledAt", job.lastScheduledAt) { $0.date($1) }
        json.member("lastSuccess", job.lastSuccess) { $0.date($1) }
        json.member("name", job.name) { $0.string($1) }
        json.member("nextFire", job.nextFire) { $0.date($1) }
        json.member("p95DurationMs", job.p95DurationMs) { $0.int($1) }
        json.member("paused", job.paused) { $0.bool($1) }
        json.member("problem", job.problem) { $0.string($1) }
        json.member("retries", job.retries) { $0.int($1) }
        json.member("running", job.running) { $0.int($1) }
        json.member("runs", job.runs) { $0.int($1) }
        json.member("schedule", job.schedule) { $0.string($1) }
        json.member("source", job.source) { $0.string($1) }
        json.member("successRate", job.successRate) { $0.fraction($1) }
        json.member("successes", job.successes) { $0.int($1) }
        json.member("timeZone", job.timeZone) { $0.string($1) }
        json.endObject()
    }

    /// One execution's members, keys in sorted order.
    static func write(_ execution: Execution, to json: inout JSONWriter) {
        json.beginObject()
        json.member("attempt", execution.attempt) { $0.int($1) }
        json.member("cpuSystemMs", execution.metrics.cpuSystemMs) { $0.int($1) }
        json.member("cpuUserMs", execution.metrics.cpuUserMs) { $0.int($1) }
        json.member("durationMs", execution.metrics.durationMs) { $0.int($1) }
        json.member("errorClass", execution.metrics.errorClass?.rawValue) { $0.string($1) }
        json.member("exitCode", execution.metrics.exitCode) { $0.int($1) }
        json.member("finishedAt", execution.finishedAt) { $0.date($1) }
        json.member("job", execution.key.job) { $0.string($1) }
        json.member("lateUs", execution.metrics.lateUs) { $0.int($1) }
        json.member("maxRSSKB", execution.metrics.maxRSSKB) { $0.int($1) }
        json.member("message", execution.message) { $0.string($1) }
        json.member("outcome", execution.metrics.outcome?.rawValue) { $0.string($1) }
        json.member("outputTail", execution.metrics.outputTail) { $0.string($1) }
        json.member("runner", execution.runner) { $0.string($1) }
        json.member("scheduledAt", execution.key.scheduledAt) { $0.date($1) }
        json.member("signal", execution.metrics.signal) { $0.int($1) }
        json.member("startedAt", execution.startedAt) { $0.date($1) }
        json.member("triggeredBy", execution.triggeredBy?.rawValue) { $0.string($1) }
        json.endObject()
    }
}
