import Foundation

/// Where a record's fields are read from: a journal line, or the snapshot's `Codable` form.
protocol FieldSource {
    associatedtype Failure: Error
    /// The payload built from `blank` with every field the source holds for `index`.
    mutating func payload<P: RecordPayload>(_ index: FieldIndex<P>) throws(Failure) -> P
    /// The state of a `snapshot` record.
    mutating func snapshot() throws(Failure) -> JournalState
}

/// Where a record's fields are written to.
protocol FieldSink {
    associatedtype Failure: Error
    mutating func write<P: RecordPayload>(_ payload: P, _ index: FieldIndex<P>) throws(Failure)
    mutating func write(snapshot: JournalState) throws(Failure)
}

extension JournalRecord {
    /// The record of `type` whose fields `source` holds: the one place a type picks its payload.
    static func make<Source: FieldSource>(_ type: EventType, from source: inout Source) throws(Source.Failure) -> JournalRecord {
        let i = FieldIndexes.self
        switch type {
        case .applied: return .applied(try source.payload(i.applied))
        case .removed: return .removed(try source.payload(i.removed))
        case .diagnostics: return .diagnostics(try source.payload(i.diagnostics))
        case .scheduled: return .scheduled(try source.payload(i.scheduled))
        case .queued: return .queued(try source.payload(i.queued))
        case .started: return .started(try source.payload(i.started))
        case .finished: return .finished(try source.payload(i.finished))
        case .retry: return .retry(try source.payload(i.retry))
        case .skipped: return .skipped(try source.payload(i.skipped))
        case .cancelled: return .cancelled(try source.payload(i.cancelled))
        case .interrupted: return .interrupted(try source.payload(i.finished))
        case .triggered: return .triggered(try source.payload(i.queued))
        case .processing: return .processing(try source.payload(i.postTarget))
        case .published: return .published(try source.payload(i.postTarget))
        case .synced: return .synced(try source.payload(i.synced))
        case .paused: return .paused(try source.payload(i.override))
        case .resumed: return .resumed(try source.payload(i.override))
        case .notified: return .notified(try source.payload(i.notified))
        case .runnerStarted: return .runnerStarted(try source.payload(i.runnerLife))
        case .runnerStopped: return .runnerStopped(try source.payload(i.runnerLife))
        case .engagement: return .engagement(try source.payload(i.engagement))
        case .snapshot: return .snapshot(try source.snapshot())
        }
    }

    /// Writes the payload's fields (not `seq`, `at`, `type` or `v`) to `sink`.
    func write<Sink: FieldSink>(to sink: inout Sink) throws(Sink.Failure) {
        let i = FieldIndexes.self
        switch self {
        case .applied(let p): try sink.write(p, i.applied)
        case .removed(let p): try sink.write(p, i.removed)
        case .diagnostics(let p): try sink.write(p, i.diagnostics)
        case .scheduled(let p): try sink.write(p, i.scheduled)
        case .queued(let p), .triggered(let p): try sink.write(p, i.queued)
        case .started(let p): try sink.write(p, i.started)
        case .finished(let p), .interrupted(let p): try sink.write(p, i.finished)
        case .retry(let p): try sink.write(p, i.retry)
        case .skipped(let p): try sink.write(p, i.skipped)
        case .cancelled(let p): try sink.write(p, i.cancelled)
        case .processing(let p), .published(let p): try sink.write(p, i.postTarget)
        case .synced(let p): try sink.write(p, i.synced)
        case .paused(let p), .resumed(let p): try sink.write(p, i.override)
        case .notified(let p): try sink.write(p, i.notified)
        case .runnerStarted(let p), .runnerStopped(let p): try sink.write(p, i.runnerLife)
        case .engagement(let p): try sink.write(p, i.engagement)
        case .snapshot(let state): try sink.write(snapshot: state)
        }
    }
}

/// Each payload's fields, indexed once.
enum FieldIndexes {
    static let applied = index(JournalRecord.Applied.self)
    static let removed = index(JournalRecord.Removed.self)
    static let diagnostics = index(JournalRecord.Diagnostics.self)
    static let scheduled = index(JournalRecord.Scheduled.self)
    static let queued = index(JournalRecord.Queued.self)
    static let started = index(JournalRecord.Started.self)
    static let finished = index(JournalRecord.Finished.self)
    static let retry = index(JournalRecord.Retry.self)
    static let skipped = index(JournalRecord.Skipped.self)
    static let cancelled = index(JournalRecord.Cancelled.self)
    static let postTarget = index(JournalRecord.PostTarget.self)
    static let synced = index(JournalRecord.Synced.self)
    static let override = index(JournalRecord.Override.self)
    static let notified = index(JournalRecord.Notified.self)
    static let runnerLife = index(JournalRecord.RunnerLife.self)
    static let engagement = index(JournalRecord.Engagement.self)

    private static func index<P: RecordPayload>(_: P.Type) -> FieldIndex<P> { FieldIndex(P.fields, required: P.required) }
}

extension JournalRecord {
    /// The record of `type` holding `values`: the flat key → value view of a line, for
    /// backends that store fields as columns and for tests. Keys `type` does not carry are
    /// dropped; a missing `job` is left empty.
    package init(_ type: EventType, values: [RecordKey: FieldValue], snapshot: JournalState = JournalState()) {
        var source = ValuesSource(values: values, state: snapshot)
        self = JournalRecord.make(type, from: &source)
    }

    /// The payload's fields by key (not `seq`, `at`, `type`, `v` or a snapshot's state).
    package var values: [RecordKey: FieldValue] {
        var sink = ValuesSink()
        write(to: &sink)
        return sink.values
    }
}

private struct ValuesSource: FieldSource {
    typealias Failure = Never
    let values: [RecordKey: FieldValue]
    let state: JournalState

    func payload<P: RecordPayload>(_ index: FieldIndex<P>) -> P {
        var payload = P.blank
        for field in index.ordered { if let value = values[field.key] { field.set(&payload, value) } }
        return payload
    }

    func snapshot() -> JournalState { state }
}

private struct ValuesSink: FieldSink {
    typealias Failure = Never
    var values: [RecordKey: FieldValue] = [:]

    mutating func write<P: RecordPayload>(_ payload: P, _ index: FieldIndex<P>) {
        for field in index.ordered { if let value = field.get(payload) { values[field.key] = value } }
    }

    mutating func write(snapshot: JournalState) {}
}
