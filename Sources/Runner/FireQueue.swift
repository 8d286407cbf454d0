import Foundation
import Journal

/// What is due at a given instant: a scheduled occurrence, a retry, a caught-up or a manual run.
struct Fire: Sendable, Hashable {
    enum Reason: String, Sendable {
        case schedule, retry, catchup, manual, recovery
        /// Owed because an upstream job in the spec's `after:` succeeded (`upstream` names it).
        case after
    }

    /// When to act (the scheduled time plus the job's jitter, or a retry's time).
    var at: Date
    var key: OccurrenceKey
    var attempt: Int
    var reason: Reason
    /// The job's generation when this fire was queued: a changed or removed job leaves stale
    /// scheduled fires in the heap, and they are dropped when popped rather than searched for.
    var generation: Int
    /// The job whose success this `after` fire is owed to.
    var upstream: String? = nil

    /// What the journal's `triggeredBy` and the child's `ALMANAC_TRIGGER` say: the reason, or
    /// `after:<upstream>`.
    var triggeredBy: String {
        guard reason == .after, let upstream else { return reason.rawValue }
        return Cause.after(upstream).rawValue
    }
}

/// A binary min-heap of fires ordered by time, then by insertion: robfig/cron's "one loop owns
/// all entries, sorted by next fire", with O(log n) insertion for 100,000 jobs.
struct FireQueue: Sendable {
    private var heap: [(fire: Fire, order: UInt64)] = []
    private var counter: UInt64 = 0

    var count: Int { heap.count }
    var first: Fire? { heap.first?.fire }

    mutating func push(_ fire: Fire) {
        counter += 1
        heap.append((fire, counter))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Fire? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast().fire
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, less(left, smallest) { smallest = left }
            if right < heap.count, less(right, smallest) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        let x = heap[a], y = heap[b]
        return x.fire.at < y.fire.at || (x.fire.at == y.fire.at && x.order < y.order)
    }
}
