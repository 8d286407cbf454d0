import Foundation

/// Up to 16 bytes of a short name packed into two little-endian words, plus its length.
///
/// Journal keys and event type names are all at most 16 bytes, so a name fits in two
/// registers and comparing names is comparing three integers, with no String and no `memcmp`.
struct PackedName: Hashable, Sendable {
    var low: UInt64
    var high: UInt64
    var count: Int

    static let maxCount = 16

    /// Packs `bytes` (at most 16 of them); nil for longer names.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= Self.maxCount else { return nil }
        (low, high, count) = (0, 0, bytes.count)
        for (i, byte) in bytes.enumerated() {
            if i < 8 { low |= UInt64(byte) << (8 * UInt64(i)) } else { high |= UInt64(byte) << (8 * UInt64(i - 8)) }
        }
    }

    init(low: UInt64, high: UInt64, count: Int) {
        (self.low, self.high, self.count) = (low, high, count)
    }
}

/// Maps short byte strings (JSON keys, event type names) to values without building Strings.
///
/// Replay looks up about a dozen keys per line. Each name is packed into a `PackedName`; a
/// multiplicative hash with a multiplier chosen at start-up so that no two names share a slot
/// makes a lookup one multiply, one array index and three integer comparisons.
struct KeyTable<Value: Sendable>: Sendable {
    private struct Slot: Sendable {
        var name: PackedName
        var value: Value
    }

    private let slots: [Slot?]
    private let multiplier: UInt64
    private let shift: UInt64

    /// Builds the table; names longer than 16 bytes are not supported (none of ours are).
    init(_ entries: [(String, Value)]) {
        let packed: [(PackedName, Value)] = entries.compactMap { name, value in
            var name = name
            return name.withUTF8 { PackedName($0) }.map { ($0, value) }
        }
        var bits: UInt64 = 4
        while (1 << bits) < 4 * max(packed.count, 1) { bits += 1 }
        var multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        var attempts = 0
        while true {
            var slots = [Slot?](repeating: nil, count: 1 << bits)
            var collided = false
            for (name, value) in packed {
                let index = Self.index(name, multiplier: multiplier, shift: 64 - bits)
                if slots[index] != nil { collided = true; break }
                slots[index] = Slot(name: name, value: value)
            }
            if !collided {
                (self.slots, self.multiplier, self.shift) = (slots, multiplier, 64 - bits)
                return
            }
            multiplier = multiplier &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407 | 1
            attempts += 1
            if attempts % 1000 == 0 { bits += 1 }  // very unlikely: give the search more room
        }
    }

    @inline(__always)
    private static func index(_ name: PackedName, multiplier: UInt64, shift: UInt64) -> Int {
        let mixed = (name.low &+ name.high &* 0x0100_0000_01B3 &+ UInt64(name.count)) &* multiplier
        return Int(truncatingIfNeeded: mixed >> shift)
    }

    @inline(__always)
    func lookup(_ name: PackedName) -> Value? {
        guard let slot = slots[Self.index(name, multiplier: multiplier, shift: shift)], slot.name == name else { return nil }
        return slot.value
    }

    func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> Value? {
        PackedName(bytes).flatMap(lookup)
    }
}
