import Foundation
import Journal
import Logging
import PostgresNIO
import Synchronization

// Talking to the database at all: bounded calls, errors in the journal's words, and the
// connections of its own the probe and the wake-up listener use.
extension PostgresJournal {

    func checkOpen() throws(JournalError) {
        if closed { throw JournalError(kind: .notWritable, path: url.description, message: "the journal is closed") }
    }

    /// One connection made and closed, so a refused connection or a wrong password is reported
    /// at once in the server's words; the pool would retry it quietly until `timeout`.
    static func probe(_ url: DatabaseURL, timeout: Duration, logger: Logger) async throws(JournalError) {
        try await database("connect", at: url, timeout: timeout) {
            try await connect(url, logger: logger).close()
        }
    }

    /// One connection of its own, outside the pool (the probe; the wake-up listener's session).
    static func connect(_ url: DatabaseURL, logger: Logger) async throws -> PostgresConnection {
        let tls: PostgresConnection.Configuration.TLS = switch url.tls {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: tlsConfiguration))
        case .require: .require(try NIOSSLContext(configuration: tlsConfiguration))
        }
        let configuration = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user,
                                                             password: url.password, database: url.database, tls: tls)
        return try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
    }

    /// Runs `body`, turning any error into a `JournalError` about `operation`, within `timeout`.
    func database<T: Sendable>(_ operation: String, _ body: @escaping @Sendable () async throws -> T) async throws(JournalError) -> T {
        try await Self.database(operation, at: url, timeout: timeout, body)
    }

    /// Runs `body`, turning any error into a `JournalError` about `operation`; gives up after
    /// `timeout`, since the connection pool waits for a database that does not answer for as
    /// long as it keeps trying to connect (over a minute), and a statement sent to a server
    /// that froze waits for its answer whatever the task's cancellation says. Whichever ends
    /// first, `body` or the timeout, answers; a `body` still waiting is cancelled and left to
    /// end on its own.
    static func database<T: Sendable>(_ operation: String, at url: DatabaseURL, timeout: Duration,
                                      _ body: @escaping @Sendable () async throws -> T) async throws(JournalError) -> T {
        let first = FirstAnswer<T>()
        let outcome: Result<T, any Error> = await withCheckedContinuation { continuation in
            first.wait(continuation)
            let work = Task {
                do {
                    first.answer(.success(try await body()))
                } catch {
                    first.answer(.failure(error))
                }
            }
            first.onTimeout = Task {
                try await Task.sleep(for: timeout)
                if first.answer(.failure(TimedOut())) { work.cancel() }
            }
        }
        switch outcome {
        case .success(let value):
            return value
        case .failure(let error as JournalError):
            throw error
        case .failure(is TimedOut):
            throw JournalError(kind: .database, path: url.description, message: "\(operation): no answer from the database within \(timeout)")
        case .failure(let error):
            throw JournalError.database(error, operation, at: url)
        }
    }

    private struct TimedOut: Error {}
}

/// The first of several answers, handed to one waiting continuation; later ones are dropped.
private final class FirstAnswer<T: Sendable>: Sendable {
    private let state = Mutex<(waiter: CheckedContinuation<Result<T, any Error>, Never>?, answered: Bool)>((nil, false))
    private let timer = Mutex<Task<Void, any Error>?>(nil)

    /// The timeout's task, cancelled once an answer is in.
    var onTimeout: Task<Void, any Error>? {
        get { timer.withLock { $0 } }
        set {
            let answered = state.withLock { $0.answered }
            if answered { newValue?.cancel() } else { timer.withLock { $0 = newValue } }
        }
    }

    func wait(_ continuation: CheckedContinuation<Result<T, any Error>, Never>) {
        state.withLock { $0.waiter = continuation }
    }

    /// Resumes the waiter with `result` if nothing answered before; true if this answer counted.
    @discardableResult
    func answer(_ result: Result<T, any Error>) -> Bool {
        let waiter = state.withLock { state -> CheckedContinuation<Result<T, any Error>, Never>? in
            guard !state.answered else { return nil }
            state.answered = true
            defer { state.waiter = nil }
            return state.waiter
        }
        guard let waiter else { return false }
        timer.withLock { $0?.cancel() }
        waiter.resume(returning: result)
        return true
    }
}
