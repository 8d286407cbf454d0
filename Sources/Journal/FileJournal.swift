#if canImport(Glibc)
import AlmanacCore
import Glibc
#endif
import Dispatch
import Executors
import Foundation

/// The file backend: `STATE/journal.jsonl`, one writer (guarded by `STATE/lock`), group commit.
///
/// Appends are encoded on the actor and queued; one flush at a time writes everything queued
/// with a single `write` and a single `fdatasync` on a private dispatch queue (so blocking I/O
/// never stalls Swift's cooperative threads), then applies the events to the in-memory state
/// and resumes every waiting appender. While a flush is in flight, new appends pile up for
/// the next one: under load many events share one fsync, and each append still returns only
/// after its own bytes are durable.
///
/// Read-only instances (for `status`, `history`, `plan` while a runner runs) take no lock and
/// only replay.
package actor FileJournal: JournalBackend {
    /// The journal's own thread (Executors): claims a fire waits on never queue behind other
    /// work on the cooperative pool; file I/O still goes to the `io` queue.
    package nonisolated let thread: DedicatedExecutor
    package nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }
    package nonisolated let directory: URL
    package nonisolated let fileURL: URL
    package nonisolated let isReadOnly: Bool
    /// The warning from opening, when a torn last line was dropped (a writer truncated it away).
    package nonisolated let droppedTornLine: String?
    /// Number of `fdatasync` calls so far: with group commit, fewer than appended batches under load.
    package internal(set) var fsyncCount = 0
    /// Events made durable by this instance.
    package private(set) var appendedEvents = 0

    var current: JournalState
    var nextSeq: UInt64
    var claims: Set<Claim>
    private let lock: LockFile?
    var fd: Int32
    private let io = DispatchQueue(label: "almanac.journal.io")
    private var pending = Batch()
    private var flushing = false
    var compacting = false
    private var closed = false
    var failure: JournalError?
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    var compactionWaiters: [CheckedContinuation<Void, Never>] = []

    /// Events encoded and waiting for the next write + fsync, with their appenders.
    private struct Batch {
        var bytes: [UInt8] = []
        var events: [JournalEvent] = []
        var waiters: [CheckedContinuation<Void, any Error>] = []
    }

    /// Opens the journal in `directory`: a writer locks, replays and truncates a torn tail.
    ///
    /// Throws `locked(pid:)` if another writer holds the state dir, `corruptLine(line:)` if a
    /// line before the last is damaged (the file is left as it is), or an I/O error.
    package init(directory: URL, readOnly: Bool = false, thread: DedicatedExecutor = .journal) throws(JournalError) {
        self.thread = thread
        let dir = directory.standardizedFileURL.path
        let file = dir + "/journal.jsonl"
        self.directory = directory
        self.fileURL = URL(fileURLWithPath: file)
        self.isReadOnly = readOnly
        guard !readOnly else {
            let report = try ReplayReport.replay(path: file)
            (current, nextSeq, claims) = (report.state, report.state.lastSeq + 1, [])
            (droppedTornLine, lock, fd) = (report.droppedTornLine, nil, -1)
            return
        }
        try PosixFile.makeDirectories(dir)
        let lock = try LockFile.acquire(directory: dir)
        var fd: Int32 = -1
        do {
            let report = try ReplayReport.replay(path: file)
            let created = !PosixFile.exists(file)
            fd = try PosixFile.open(file, O_WRONLY | O_APPEND | O_CREAT)
            if report.droppedTornLine != nil {
                try PosixFile.truncate(fd, to: report.validBytes, path: file)
                try PosixFile.sync(fd, path: file)
            }
            if created { try PosixFile.syncDirectory(dir) }
            (current, nextSeq, claims) = (report.state, report.state.lastSeq + 1, report.state.claims)
            droppedTornLine = report.droppedTornLine
        } catch {
            if fd >= 0 { Glibc.close(fd) }
            lock.release()
            throw error
        }
        (self.lock, self.fd) = (lock, fd)
    }

    deinit {
        if !closed {
            if fd >= 0 { Glibc.close(fd) }
            lock?.release()
        }
    }

    /// The pid of the runner holding `directory`'s lock, or nil when none does (`status`,
    /// `trigger`): read from the kernel's lock table, so a crashed runner never looks alive.
    package static func lockHolder(directory: URL) -> Int? {
        LockFile.holder(directory: directory.standardizedFileURL.path)
    }

    /// Replays `file` without opening it for writing (no lock, nothing modified).
    package static func replay(file: URL) throws(JournalError) -> ReplayReport {
        try ReplayReport.replay(path: file.standardizedFileURL.path)
    }

    package func state() -> JournalState { current }

    package func append(_ events: [JournalEvent]) async throws -> [JournalEvent] {
        try checkWritable()
        guard !events.isEmpty else { return [] }
        var seq = nextSeq
        var bytes: [UInt8] = []
        var stored: [JournalEvent] = []
        stored.reserveCapacity(events.count)
        for var event in events {
            guard event.type != .snapshot else { throw invalid("snapshot events are written only by compact()") }
            event.seq = seq
            let (line, normalized) = try encode(event)
            bytes += line
            stored.append(normalized)
            seq += 1
        }
        nextSeq = seq
        for event in stored where event.type == .started {
            if let key = event.key { claims.insert(Claim(key: key, attempt: event.attempt ?? 1)) }
        }
        try await commit(bytes, stored)
        return stored
    }

    package func claimed(_ started: [JournalEvent]) async throws -> [JournalEvent?] {
        try checkWritable()
        var won: [Bool] = []
        var taken: [Claim] = []
        var events: [JournalEvent] = []
        for event in started {
            guard case .started(var record) = event.record, let scheduledAt = record.scheduledAt else {
                throw invalid("a claim records a started event with its scheduled time, not \(event.type.rawValue)")
            }
            let claim = Claim(key: OccurrenceKey(job: record.job, scheduledAt: RFC3339.normalized(scheduledAt)),
                              attempt: record.attempt ?? 1)
            guard !claims.contains(claim) else {
                won.append(false)
                continue
            }
            // Taken before the write, not by `append` afterwards: a concurrent claim of the same
            // attempt that runs while this one waits for its write must already see it.
            claims.insert(claim)
            taken.append(claim)
            (record.scheduledAt, record.attempt) = (claim.key.scheduledAt, claim.attempt)
            var claiming = event
            claiming.record = .started(record)
            events.append(claiming)
            won.append(true)
        }
        guard !events.isEmpty else { return won.map { _ in nil } }
        var stored: IndexingIterator<[JournalEvent]>
        do {
            stored = try await append(events).makeIterator()
        } catch {
            for claim in taken { claims.remove(claim) }
            throw error
        }
        return won.map { $0 ? stored.next() : nil }
    }

    package func close() async throws {
        guard !closed else { return }
        while flushing || compacting || !pending.waiters.isEmpty {
            await withCheckedContinuation { idleWaiters.append($0) }
        }
        closed = true
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        lock?.release()
    }

    // MARK: group commit

    private func commit(_ bytes: [UInt8], _ events: [JournalEvent]) async throws {
        try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
            pending.bytes += bytes
            pending.events += events
            pending.waiters.append(waiter)
            startFlushing()
        }
    }

    func startFlushing() {
        guard !flushing, !compacting, !pending.waiters.isEmpty else { return }
        flushing = true
        Task { await flushLoop() }
    }

    /// Writes and fsyncs batch after batch until nothing is queued (or compaction starts).
    private func flushLoop() async {
        while !compacting, !pending.waiters.isEmpty {
            let batch = pending
            pending = Batch()
            // Where the file ended before this batch: a failed write is cut back to it, so what an
            // appender was told failed is not in the file either (a full disk may take half a line).
            let end = lseek(fd, 0, SEEK_END)
            do {
                if let failure { throw failure }
                // On the journal's own thread, not the I/O queue: a fire waits for this claim, and
                // a dispatch worker at normal priority may wait tens of ms for a CPU under load.
                // Appends that arrive meanwhile queue on the thread and form the next batch.
                try PosixFile.writeAll(fd, batch.bytes, path: fileURL.path)
                try PosixFile.sync(fd, path: fileURL.path)
                fsyncCount += 1
                appendedEvents += batch.events.count
                for event in batch.events { current.apply(event) }
                for waiter in batch.waiters { waiter.resume() }
            } catch {
                if failure == nil {
                    if end >= 0 { _ = ftruncate(fd, end) }
                    let cause = (error as? JournalError).map(\.cause) ?? "\(error)"
                    failure = JournalError(kind: .failed, path: fileURL.path,
                                           message: "an earlier append failed (\(cause)); restart to recover")
                }
                for waiter in batch.waiters { waiter.resume(throwing: error) }
            }
        }
        flushing = false
        resumeIdleWaiters()
    }

    /// Claims whose `started` events are queued but not yet durable.
    var pendingClaims: Set<Claim> {
        Set(pending.events.compactMap { event in
            event.type == .started ? event.key.map { Claim(key: $0, attempt: event.attempt ?? 1) } : nil
        })
    }

    func resumeIdleWaiters() {
        let waiters = idleWaiters
        idleWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until no flush is in flight (compaction then owns the file).
    func waitForFlush() async {
        while flushing { await withCheckedContinuation { idleWaiters.append($0) } }
    }

    /// Runs blocking file work on the journal's own dispatch queue.
    func onIO<T: Sendable>(_ work: @escaping @Sendable () throws(JournalError) -> T) async throws(JournalError) -> T {
        let result: Result<T, JournalError> = await withCheckedContinuation { continuation in
            io.async { continuation.resume(returning: Result { () throws(JournalError) in try work() }) }
        }
        return try result.get()
    }

    // MARK: helpers

    /// The line for `event` and the event as a replay will read it back (dates in ms, tail cut…).
    func encode(_ event: JournalEvent) throws(JournalError) -> ([UInt8], JournalEvent) {
        try JournalLine.encode(event, source: fileURL.path)
    }

    func checkWritable() throws(JournalError) {
        if isReadOnly { throw JournalError(kind: .notWritable, path: fileURL.path, message: "the journal was opened read-only") }
        if closed { throw JournalError(kind: .notWritable, path: fileURL.path, message: "the journal is closed") }
        if let failure { throw failure }
    }

    func invalid(_ message: String) -> JournalError { .invalid(message, path: fileURL.path) }
}
