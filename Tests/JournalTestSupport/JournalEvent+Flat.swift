import Foundation
import Journal

// Test support: events built and read in the journal line's flat form (any key on any type),
// so tables of test events stay one line each. Library code builds typed records.

extension JournalEvent {
    /// The event of `type` with the given line fields; fields `type` does not carry are dropped.
    package init(
        seq: UInt64 = 0, at: Date, type: EventType, job: String? = nil, scheduledAt: Date? = nil,
        attempt: Int? = nil, triggeredBy: String? = nil, hash: String? = nil, revision: String? = nil,
        fields: [String: String]? = nil, source: String? = nil, kind: String? = nil, enabled: Bool? = nil,
        outcome: String? = nil, exitCode: Int? = nil, signal: Int? = nil, durationMs: Int? = nil, lateUs: Int? = nil,
        outputTail: String? = nil, errorClass: String? = nil, cpuUserMs: Int? = nil, cpuSystemMs: Int? = nil,
        maxRSSKB: Int? = nil, logPath: String? = nil, result: String? = nil, pid: Int? = nil,
        reason: String? = nil, retryAt: Date? = nil, message: String? = nil, messages: [String]? = nil,
        target: String? = nil, url: String? = nil, status: Int? = nil, commit: String? = nil,
        snapshot: JournalState? = nil, v: Int = 1
    ) {
        var values: [RecordKey: FieldValue] = [:]
        func put(_ key: RecordKey, _ value: FieldValue?) { if let value { values[key] = value } }
        put(.job, job.map(FieldValue.string))
        put(.scheduledAt, scheduledAt.map(FieldValue.date))
        put(.attempt, attempt.map(FieldValue.int))
        put(.triggeredBy, triggeredBy.map(FieldValue.string))
        put(.hash, hash.map(FieldValue.string))
        put(.revision, revision.map(FieldValue.string))
        put(.fields, fields.map(FieldValue.map))
        put(.source, source.map(FieldValue.string))
        put(.kind, kind.map(FieldValue.string))
        put(.enabled, enabled.map(FieldValue.bool))
        put(.outcome, outcome.map(FieldValue.string))
        put(.exitCode, exitCode.map(FieldValue.int))
        put(.signal, signal.map(FieldValue.int))
        put(.durationMs, durationMs.map(FieldValue.int))
        put(.lateUs, lateUs.map(FieldValue.int))
        put(.outputTail, outputTail.map(FieldValue.string))
        put(.errorClass, errorClass.map(FieldValue.string))
        put(.cpuUserMs, cpuUserMs.map(FieldValue.int))
        put(.cpuSystemMs, cpuSystemMs.map(FieldValue.int))
        put(.maxRSSKB, maxRSSKB.map(FieldValue.int))
        put(.logPath, logPath.map(FieldValue.string))
        put(.result, result.map(FieldValue.json))
        put(.pid, pid.map(FieldValue.int))
        put(.reason, reason.map(FieldValue.string))
        put(.retryAt, retryAt.map(FieldValue.date))
        put(.message, message.map(FieldValue.string))
        put(.messages, messages.map(FieldValue.strings))
        put(.target, target.map(FieldValue.string))
        put(.url, url.map(FieldValue.string))
        put(.status, status.map(FieldValue.int))
        put(.commit, commit.map(FieldValue.string))
        let record = JournalRecord(type, values: values, snapshot: snapshot ?? JournalState())
        self.init(seq: seq, at: at, record, v: v)
    }

    private func value(_ key: RecordKey) -> FieldValue? { record.values[key] }

    package var hash: String? { if case .string(let v) = value(.hash) { v } else { nil } }
    package var revision: String? { if case .string(let v) = value(.revision) { v } else { nil } }
    package var fields: [String: String]? { if case .map(let v) = value(.fields) { v } else { nil } }
    package var source: String? { if case .string(let v) = value(.source) { v } else { nil } }
    package var kind: String? { if case .string(let v) = value(.kind) { v } else { nil } }
    package var enabled: Bool? { if case .bool(let v) = value(.enabled) { v } else { nil } }
    package var outcome: Outcome? { if case .string(let v) = value(.outcome) { Outcome(rawValue: v) } else { nil } }
    package var exitCode: Int? { if case .int(let v) = value(.exitCode) { v } else { nil } }
    package var signal: Int? { if case .int(let v) = value(.signal) { v } else { nil } }
    package var durationMs: Int? { if case .int(let v) = value(.durationMs) { v } else { nil } }
    package var lateUs: Int? { if case .int(let v) = value(.lateUs) { v } else { nil } }
    package var outputTail: String? { if case .string(let v) = value(.outputTail) { v } else { nil } }
    package var errorClass: FailureClass? { if case .string(let v) = value(.errorClass) { FailureClass(rawValue: v) } else { nil } }
    package var cpuUserMs: Int? { if case .int(let v) = value(.cpuUserMs) { v } else { nil } }
    package var cpuSystemMs: Int? { if case .int(let v) = value(.cpuSystemMs) { v } else { nil } }
    package var maxRSSKB: Int? { if case .int(let v) = value(.maxRSSKB) { v } else { nil } }
    package var logPath: String? { if case .string(let v) = value(.logPath) { v } else { nil } }
    package var result: String? { if case .json(let v) = value(.result) { v } else { nil } }
    package var pid: Int? { if case .int(let v) = value(.pid) { v } else { nil } }
    /// The `reason` of any type, as its string.
    package var reason: String? { if case .string(let v) = value(.reason) { v } else { nil } }
    package var retryAt: Date? { if case .date(let v) = value(.retryAt) { v } else { nil } }
    package var message: String? { if case .string(let v) = value(.message) { v } else { nil } }
    package var messages: [String]? { if case .strings(let v) = value(.messages) { v } else { nil } }
    package var target: String? { if case .string(let v) = value(.target) { v } else { nil } }
    package var url: String? { if case .string(let v) = value(.url) { v } else { nil } }
    package var status: Int? { if case .int(let v) = value(.status) { v } else { nil } }
    package var commit: String? { if case .string(let v) = value(.commit) { v } else { nil } }
    package var snapshot: JournalState? { if case .snapshot(let state) = record { state } else { nil } }
}

// Literals for the vocabularies, so test tables can say `outcome == "success"`.
extension Outcome: ExpressibleByStringLiteral {
    package init(stringLiteral value: String) { self.init(rawValue: value) }
}
extension FailureClass: ExpressibleByStringLiteral {
    package init(stringLiteral value: String) { self.init(rawValue: value) }
}
extension Cause: ExpressibleByStringLiteral {
    package init(stringLiteral value: String) { self.init(rawValue: value) }
}
extension SkipReason: ExpressibleByStringLiteral {
    package init(stringLiteral value: String) { self.init(rawValue: value) }
}
extension CancelReason: ExpressibleByStringLiteral {
    package init(stringLiteral value: String) { self.init(rawValue: value) }
}
extension PublicationState: ExpressibleByStringLiteral {
    package init(stringLiteral value: String) { self.init(rawValue: value) }
}

// The metrics of an execution read directly, as test expectations name them.
extension Execution {
    package var outcome: Outcome? { metrics.outcome }
    package var exitCode: Int? { metrics.exitCode }
    package var signal: Int? { metrics.signal }
    package var durationMs: Int? { metrics.durationMs }
    package var lateUs: Int? { metrics.lateUs }
    package var errorClass: FailureClass? { metrics.errorClass }
    package var cpuUserMs: Int? { metrics.cpuUserMs }
    package var cpuSystemMs: Int? { metrics.cpuSystemMs }
    package var maxRSSKB: Int? { metrics.maxRSSKB }
    package var pid: Int? { metrics.pid }
    package var logPath: String? { metrics.logPath }
    package var result: String? { metrics.result }
    package var outputTail: String? { metrics.outputTail }
}

extension JournalBackend {
    /// Claims (occurrence `key`, `attempt`) with `event`, a `started` record, its job, time and
    /// attempt set from `key` and `attempt`; the backend checks the record (`claim(_:)`).
    package func claim(_ key: OccurrenceKey, attempt: Int, event: JournalEvent) async throws -> Bool {
        var claiming = event
        if case .started(var started) = event.record {
            (started.job, started.scheduledAt, started.attempt) = (key.job, key.scheduledAt, attempt)
            claiming.record = .started(started)
        }
        return try await claim([claiming]).first ?? false
    }
}
