import CronSchedule
import Foundation
import Journal
import Manifest

/// The per-job status file as JSON, written by hand: sorted keys, two-space indents, one key
/// per line, absent values left out.
///
/// Foundation's JSONEncoder costs tens of microseconds per small object on Linux; a status
/// write-back renders 10,000 of these files, so the bytes are built directly.
enum StatusJSON {
    /// A JSON value already encoded, keyed for sorting.
    typealias Member = (key: String, value: String)

    static func file(_ job: JobStatus, recent: [Execution]) -> String {
        let members: [Member] = [
            ("job", object(jobMembers(job), indent: 1)),
            ("recent", array(recent.map { object(executionMembers($0), indent: 2) }, indent: 1)),
        ]
        return object(members, indent: 0) + "\n"
    }

    static func jobMembers(_ job: JobStatus) -> [Member] {
        var members: [Member] = [
            ("name", string(job.name)), ("kind", string(job.kind)), ("schedule", string(job.schedule)),
            ("timeZone", string(job.timeZone)), ("enabled", job.enabled ? "true" : "false"),
            ("paused", job.paused ? "true" : "false"), ("running", String(job.running)), ("runs", String(job.runs)),
            ("successes", String(job.successes)),
        ]
        add(&members, "nextFire", job.nextFire.map(date))
        add(&members, "lastRun", job.lastRun.map(date))
        add(&members, "lastScheduledAt", job.lastScheduledAt.map(date))
        add(&members, "lastOutcome", job.lastOutcome.map(string))
        add(&members, "lastExitCode", job.lastExitCode.map { String($0) })
        add(&members, "lastSuccess", job.lastSuccess.map(date))
        add(&members, "lastFailure", job.lastFailure.map(date))
        add(&members, "successRate", job.successRate.map(fraction))
        add(&members, "averageDurationMs", job.averageDurationMs.map { String($0) })
        add(&members, "p95DurationMs", job.p95DurationMs.map { String($0) })
        add(&members, "problem", job.problem.map(string))
        add(&members, "source", job.source.map(string))
        return members
    }

    static func executionMembers(_ execution: Execution) -> [Member] {
        var members: [Member] = [
            ("job", string(execution.key.job)), ("scheduledAt", date(execution.key.scheduledAt)),
            ("attempt", String(execution.attempt)), ("startedAt", date(execution.startedAt)),
        ]
        add(&members, "triggeredBy", execution.triggeredBy.map(string))
        add(&members, "finishedAt", execution.finishedAt.map(date))
        add(&members, "outcome", execution.outcome.map(string))
        add(&members, "exitCode", execution.exitCode.map { String($0) })
        add(&members, "signal", execution.signal.map { String($0) })
        add(&members, "durationMs", execution.durationMs.map { String($0) })
        add(&members, "errorClass", execution.errorClass.map(string))
        add(&members, "cpuUserMs", execution.cpuUserMs.map { String($0) })
        add(&members, "cpuSystemMs", execution.cpuSystemMs.map { String($0) })
        add(&members, "maxRSSKB", execution.maxRSSKB.map { String($0) })
        add(&members, "outputTail", execution.outputTail.map(string))
        add(&members, "message", execution.message.map(string))
        return members
    }

    static func add(_ members: inout [Member], _ key: String, _ value: String?) {
        if let value { members.append((key, value)) }
    }

    static func object(_ members: [Member], indent: Int) -> String {
        guard !members.isEmpty else { return "{}" }
        let pad = String(repeating: "  ", count: indent + 1)
        let body = members.sorted { $0.key < $1.key }.map { pad + string($0.key) + " : " + $0.value }
        return "{\n" + body.joined(separator: ",\n") + "\n" + String(repeating: "  ", count: indent) + "}"
    }

    static func array(_ items: [String], indent: Int) -> String {
        guard !items.isEmpty else { return "[]" }
        let pad = String(repeating: "  ", count: indent + 1)
        return "[\n" + items.map { pad + $0 }.joined(separator: ",\n") + "\n" + String(repeating: "  ", count: indent) + "]"
    }

    static func date(_ value: Date) -> String { string(RFC3339.format(value)) }

    /// 0…1 with four decimals, without `String(format:)` (slow on Linux).
    static func fraction(_ value: Double) -> String {
        let scaled = Int((value * 10_000).rounded())
        let decimals = String(scaled % 10_000)
        return "\(scaled / 10_000)." + String(repeating: "0", count: 4 - decimals.count) + decimals
    }

    static func string(_ text: String) -> String { JSONValue.quoted(text) }
}
