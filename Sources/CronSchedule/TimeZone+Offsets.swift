import Foundation
import Synchronization

/// A zone's UTC offsets as a sorted transition table, built once per zone identifier.
///
/// `TimeZone.secondsFromGMT` costs ~58 ns and `nextDaylightSavingTimeTransition` ~500 ns; a
/// binary search over a few hundred `Int64`s costs ~15 ns, and answering "is there a
/// transition between these two instants" is what lets `next` take its fast path. The table
/// covers 1850–2400; outside it the nearest edge offset is held constant.
final class ZoneOffsets: Sendable {
    /// Transition instants (Unix seconds), ascending.
    let transitions: [Int64]
    /// `offsets[i]` is the offset (seconds east of UTC) before `transitions[i]`; the last one after all.
    let offsets: [Int64]

    init(transitions: [Int64], offsets: [Int64]) {
        self.transitions = transitions
        self.offsets = offsets
    }

    static let tableStart: Int64 = -3_786_825_600  // 1850-01-01
    static let tableEnd: Int64 = 13_569_465_600  // 2400-01-01

    /// Reads the transitions of `zone` from Foundation.
    convenience init(zone: TimeZone) {
        var transitions: [Int64] = []
        var offsets: [Int64] = [Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(Self.tableStart))))]
        var cursor = Date(timeIntervalSince1970: Double(Self.tableStart))
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor),
            next.timeIntervalSince1970 < Double(Self.tableEnd), next > cursor
        {
            let t = Int64(next.timeIntervalSince1970.rounded(.down))
            let offset = Int64(zone.secondsFromGMT(for: next))
            if let last = offsets.last, offset != last {
                transitions.append(t)
                offsets.append(offset)
            }
            cursor = next
        }
        self.init(transitions: transitions, offsets: offsets)
    }

    private static let cache = Mutex<[String: ZoneOffsets]>([:])

    /// The shared table for `zone`, built on first use.
    static func of(_ zone: TimeZone) -> ZoneOffsets {
        if let hit = cache.withLock({ $0[zone.identifier] }) { return hit }
        let built = ZoneOffsets(zone: zone)
        return cache.withLock { table in
            if let raced = table[zone.identifier] { return raced }
            table[zone.identifier] = built
            return built
        }
    }

    /// Whether the zone never changes offset (UTC, fixed zones): everything is one wall-clock shift.
    var isFixed: Bool { transitions.isEmpty }

    /// Index of the segment holding instant `u`: the number of transitions at or before `u`.
    @inline(__always)
    func segment(_ u: Int64) -> Int {
        var lo = 0
        var hi = transitions.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if transitions[mid] <= u { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    @inline(__always)
    func offset(at u: Int64) -> Int64 { offsets[segment(u)] }

    /// Whether any transition falls in the closed instant range `lo...hi`.
    @inline(__always)
    func hasTransition(from lo: Int64, through hi: Int64) -> Bool {
        let i = segment(lo - 1)
        return i < transitions.count && transitions[i] <= hi
    }

    /// How a wall-clock time maps to instants.
    enum Resolution: Equatable {
        /// Exactly one instant.
        case unique(Int64)
        /// The wall time happens twice (fall back): first and second occurrence.
        case ambiguous(Int64, Int64)
        /// The wall time is skipped (spring forward). `early`/`late` are the instants read with
        /// the offset before/after the transition (Python's fold 0/1); `end` is the first wall
        /// time after the gap.
        case gap(early: Int64, late: Int64, end: Int64)
    }

    /// Maps a wall-clock second count to instant(s) in this zone.
    func resolve(wall w: Int64) -> Resolution {
        let window: Int64 = 16 * 3600
        var i = segment(w - window)
        var first: Int64?
        var last: Int64?
        while true {
            let start = i == 0 ? Int64.min : transitions[i - 1]
            if start > w + window { break }
            let end = i == transitions.count ? Int64.max : transitions[i]
            let u = w - offsets[i]
            if u >= start && u < end {
                if first == nil { first = u } else { last = u }
            }
            if i == transitions.count { break }
            i += 1
        }
        if let first {
            guard let last else { return .unique(first) }
            return .ambiguous(first, last)
        }
        var k = max(segment(w - window) - 1, 0)
        while k < transitions.count && transitions[k] <= w + window {
            let t = transitions[k]
            let (before, after) = (offsets[k], offsets[k + 1])
            if t + before <= w && w < t + after {
                return .gap(early: w - before, late: w - after, end: t + after)
            }
            k += 1
        }
        return .unique(w - offsets[segment(w)])
    }

    /// The instant Python's zoneinfo gives a wall time with `fold` (PEP 495).
    func instant(wall: Int64, fold: Bool) -> Int64 {
        switch resolve(wall: wall) {
        case .unique(let u): u
        case .ambiguous(let a, let b): fold ? b : a
        case .gap(let early, let late, _): fold ? late : early
        }
    }

    /// The wall time of an instant and whether it is the second occurrence of that wall time.
    func local(_ u: Int64) -> (wall: Int64, fold: Bool) {
        let i = segment(u)
        let wall = u + offsets[i]
        guard i > 0, offsets[i - 1] > offsets[i] else { return (wall, false) }
        let earlier = wall - offsets[i - 1]
        return (wall, earlier < transitions[i - 1])
    }
}
