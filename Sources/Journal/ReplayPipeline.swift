import Foundation

/// Replays a large journal on two threads: one reads and decodes lines, the caller applies them.
///
/// Decoding is about two thirds of replay and the reducer the rest, so overlapping them cuts
/// the wall time of a big replay (a daemon restart, `status` on a long journal) by about a
/// third on two cores. Events still reach `JournalState.apply` one by one in file order, so the
/// state is exactly what the sequential loop builds.
///
/// Events travel in batches of reusable slots: the decoder fills a batch, the caller applies
/// each event, resets its slot (releasing its Strings on the applying thread) and hands the
/// batch back.
enum ReplayPipeline {
    /// Events per batch: big enough to make hand-offs rare, small enough to stay in cache.
    static let batchSize = 1024
    /// Batches in flight; the decoder runs at most this far ahead.
    static let batchCount = 4

    /// Decodes everything `reader` yields on a new thread and applies it to a fresh state here.
    static func run(_ reader: JournalLineReader) throws(JournalError) -> JournalState {
        let empty = Handoff<EventBatch>(), full = Handoff<EventBatch?>()
        for _ in 0..<batchCount { empty.put(EventBatch(capacity: batchSize)) }
        let outcome = DecoderOutcome()
        let decoder = Thread {
            defer { full.put(nil) }  // the last message: the decoder touches nothing after it
            do throws(JournalError) {
                while true {
                    let batch = empty.take()
                    defer { full.put(batch) }
                    while batch.count < batch.capacity {
                        guard try reader.next(into: &batch.events[batch.count]) else { return }
                        batch.count += 1
                    }
                }
            } catch {
                outcome.error = error
            }
        }
        decoder.stackSize = 8 << 20  // snapshot lines are decoded on this thread too
        decoder.start()

        var state = JournalState()
        while let batch = full.take() {
            for i in 0..<batch.count {
                state.apply(batch.events[i])
                batch.events[i] = EventCodec.blank
            }
            batch.count = 0
            empty.put(batch)
        }
        if let error = outcome.error { throw error }
        return state
    }
}

/// Reusable event slots; owned by one thread at a time, passed on through a `Handoff`.
final class EventBatch: @unchecked Sendable {
    let capacity: Int
    let events: UnsafeMutablePointer<JournalEvent>
    var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        events = .allocate(capacity: capacity)
        events.initialize(repeating: EventCodec.blank, count: capacity)
    }

    deinit {
        events.deinitialize(count: capacity)
        events.deallocate()
    }
}

/// A blocking FIFO between two threads; the lock orders every access to what passes through it.
final class Handoff<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []

    func put(_ item: Item) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    func take() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        return items.removeFirst()
    }
}

/// The decoder thread's error, read by the caller after the thread's last message.
private final class DecoderOutcome: @unchecked Sendable {
    var error: JournalError?
}
