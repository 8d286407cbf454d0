import Foundation

/// Maps short byte strings (JSON keys, event type names) to values without building Strings.
///
/// Replay looks up about a dozen keys per line; a `switch` over `String` costs a string
/// comparison per case. This buckets the names by length and compares raw bytes, so a lookup
/// is one array index and a few `memcmp`s on a handful of candidates.
struct KeyTable<Value: Sendable>: Sendable {
    private let buckets: [[(name: [UInt8], value: Value)]]

    init(_ entries: [(String, Value)]) {
        let longest = entries.map(\.0.utf8.count).max() ?? 0
        var buckets = Array(repeating: [(name: [UInt8], value: Value)](), count: longest + 1)
        for (name, value) in entries { buckets[name.utf8.count].append((Array(name.utf8), value)) }
        self.buckets = buckets
    }

    func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> Value? {
        guard bytes.count < buckets.count, let base = bytes.baseAddress else { return nil }
        for entry in buckets[bytes.count] where entry.name.withUnsafeBufferPointer({ name in
            name.baseAddress.map { memcmp($0, base, bytes.count) == 0 } ?? false
        }) {
            return entry.value
        }
        return nil
    }
}
