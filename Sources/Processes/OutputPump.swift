import Dispatch
import Glibc
import Manifest
import Synchronization
import Scheduler

/// Copies a child's stdout and stderr from a pipe to its log file, masking its secrets on the
/// way, so no `${VAR}` value ever reaches the disk (and so the tail, the journal, the API).
///
/// Only children with secrets get one: the others write straight to the log, as before. The
/// pipe is read on its own serial queue with a dispatch read source (no thread per child);
/// each read goes through a `SecretMask.Stream`, which holds back the few bytes that could
/// begin a secret split across two reads. At end of file (every writer gone) the held bytes
/// are written and the pipe and the pump's own descriptor of the log are closed.
final class OutputPump: Sendable {
    private let queue = DispatchQueue(label: "almanac.output-mask")
    private let readFD: Int32
    private let logFD: Int32
    private let state: Mutex<State>

    private struct State {
        var stream: SecretMask.Stream
        var drained = false
        var waiters: [Int: @Sendable () -> Void] = [:]
        var nextWaiter = 0
    }

    /// A pump from `readFD` (non-blocking) to `logFD`; it owns and closes both.
    init(readFD: Int32, logFD: Int32, mask: SecretMask) {
        self.readFD = readFD
        self.logFD = logFD
        state = Mutex(State(stream: SecretMask.Stream(mask)))
    }

    /// Starts reading; call once.
    func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: readFD, queue: queue)
        let box = SourceBox(source)
        source.setEventHandler { [self] in
            if pumpAvailable() { box.cancel() }
        }
        source.setCancelHandler { [self] in
            close(readFD)
            close(logFD)
            let waiters = state.withLock { state in
                state.drained = true
                defer { state.waiters = [:] }
                return Array(state.waiters.values)
            }
            waiters.forEach { $0() }
        }
        source.activate()
    }

    /// Calls `body` once everything the child wrote is in the log, or after `patience` if a
    /// process that outlived the child (a `cmd &`) still holds the pipe open: its later output
    /// still reaches the log, masked, but the execution does not wait for it.
    func whenDrained(patience: Duration, _ body: @escaping @Sendable () -> Void) {
        let id = state.withLock { state -> Int? in
            guard !state.drained else { return nil }
            state.nextWaiter += 1
            state.waiters[state.nextWaiter] = body
            return state.nextWaiter
        }
        guard let id else { return body() }
        queue.asyncAfter(deadline: .now() + RunningProcess.interval(patience)) { [self] in
            state.withLock { $0.waiters.removeValue(forKey: id) }?()
        }
    }

    /// Reads what the pipe holds and writes it masked; true at end of file (or a read error).
    private func pumpAvailable() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if n > 0 {
                let masked = state.withLock { $0.stream.feed(chunk[..<n]) }
                writeAll(masked)
                continue
            }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN { return false }
            writeAll(state.withLock { $0.stream.finish() })
            return true
        }
    }

    /// Appends `bytes` to the log; a failing write (disk full) drops the rest of this piece.
    private func writeAll(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(logFD, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            if n > 0 {
                offset += n
            } else if n < 0, errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
