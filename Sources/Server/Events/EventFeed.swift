import DequeModule
import Journal
import Scheduler
import Synchronization

/// The runner's recent journal events, for `GET /api/v1/events`.
///
/// Fed from the runner's observer (each event once it is durable), so a live stream costs no
/// journal read. Kept in seq order even when two writers' notices cross (a post's publisher
/// and the runner append from their own tasks), and bounded: a stream resuming from further
/// back than it holds reads the journal instead (`JournalBackend.events(after:limit:)`).
package final class EventFeed: Sendable {
    /// At most this many streams at once; one more is answered 503 (each holds a connection).
    package static let maxStreams = 64

    private struct State {
        var recent = Deque<JournalEvent>()
        var listeners: [UInt64: AsyncStream<Void>.Continuation] = [:]
        var nextListener: UInt64 = 0
    }

    private let state = Mutex(State())
    private let capacity: Int

    package init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The observer to hang on `RunnerHooks.observer`: records the event and wakes the streams.
    package func observe(_ notice: RunnerNotice) {
        guard case .recorded(let event) = notice, event.type != .snapshot else { return }
        let wake = state.withLock { state -> [AsyncStream<Void>.Continuation] in
            var index = state.recent.endIndex
            while index > state.recent.startIndex, state.recent[index - 1].seq > event.seq { index -= 1 }
            if index > state.recent.startIndex, state.recent[index - 1].seq == event.seq { return [] }
            state.recent.insert(event, at: index)
            if state.recent.count > capacity { state.recent.removeFirst(state.recent.count - capacity) }
            return Array(state.listeners.values)
        }
        for listener in wake { listener.yield() }
    }

    /// The events recorded after `seq`, in order; nil when the feed does not reach back that
    /// far (it starts with this process, and drops the oldest past its capacity).
    func events(after seq: UInt64) -> [JournalEvent]? {
        state.withLock { state in
            guard let first = state.recent.first else { return nil }
            guard first.seq <= seq &+ 1 else { return nil }
            var low = state.recent.startIndex, high = state.recent.endIndex
            while low < high {
                let middle = (low + high) / 2
                if state.recent[middle].seq <= seq { low = middle + 1 } else { high = middle }
            }
            return Array(state.recent[low...])
        }
    }

    /// Whether another stream may open now.
    var hasRoom: Bool { state.withLock { $0.listeners.count < Self.maxStreams } }

    /// A stream woken after each new event (and by whoever else holds the continuation: a
    /// stream's own ticker); nil when `maxStreams` are open. Ending the stream unregisters it.
    func listen() -> (AsyncStream<Void>, AsyncStream<Void>.Continuation)? {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id: UInt64? = state.withLock { state in
            guard state.listeners.count < Self.maxStreams else { return nil }
            defer { state.nextListener += 1 }
            state.listeners[state.nextListener] = continuation
            return state.nextListener
        }
        guard let id else { return nil }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.listeners.removeValue(forKey: id) }
        }
        return (stream, continuation)
    }
}
