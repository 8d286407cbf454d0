import Foundation

/// Replays a large journal on two threads: one reads and decodes lines, the caller applies them.
///
/// Decoding is about two thirds of replay and the reducer the rest, so overlapping them cuts
/// the wall time of a big replay (a daemon restart, `status` on a long journal) by about a
/// third on two cores. Events still reach `JournalState.apply` one by one in file order, so the
/// state is exactly what the sequential loop builds.
///
/// Events travel in batches of reusable slots: the decoder fills a batch in place, the caller
/// applies each event, clears the fields it used (releasing its Strings on the applying thread)
/// and hands the batch back. Nothing is allocated per event beyond what the state keeps.
enum ReplayPipeline {
    /// Events per batch: big enough to make hand-offs rare, small enough to stay in cache.
    static let batchSize = 1024
    /// Batches in flight; the decoder runs at most this far ahead.
    static let batchCount = 4

    /// Decodes everything `reader` yields on a new thread and applies it to a fresh state here.
    static func run(_ reader: JournalLineReader) throws(JournalError) -> JournalState {
        let empty = Handoff<EventBatch>(), full = Handoff<EventBatch?>()
        for _ in 0..<batchCount { empty.put(EventBatch(capacity: batchSize)) }
        let outcome = Outcome()
        let decoder = Thread {
            defer { full.put(nil) }  // the last message: the decoder touches nothing after it
            do throws(JournalError) {
                while true {
                    let batch = empty.take()
                    defer { full.put(batch) }
                    while batch.count < batch.capacity {
                        guard try reader.next(into: &batch.events[batch.count], dirty: &batch.dirty[batch.count]) else { return }
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
                EventCodec.clear(&batch.events[i], batch.dirty[i])
                batch.dirty[i] = 0
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
    /// Per slot, the fields its event has set (see `EventCodec.decode(_:into:dirty:)`).
    let dirty: UnsafeMutablePointer<UInt64>
    var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        events = .allocate(capacity: capacity)
        events.initialize(repeating: EventCodec.blank, count: capacity)
        dirty = .allocate(capacity: capacity)
        dirty.initialize(repeating: 0, count: capacity)
    }

    deinit {
        events.deinitialize(count: capacity)
        events.deallocate()
        dirty.deallocate()
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
private final class Outcome: @unchecked Sendable {
    var error: JournalError?
}
