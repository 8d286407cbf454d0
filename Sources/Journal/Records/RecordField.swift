import Foundation

/// One property of a record payload and the line key it is stored under.
///
/// A payload lists its fields once (`RecordPayload.fields`); the line codec, the snapshot's
/// `Codable` form and the tests' builders all work from that list, so adding a property to a
/// record is the property plus one line in its list.
package struct RecordField<Root>: Sendable {
    package let key: RecordKey
    package let kind: FieldKind
    package let get: @Sendable (Root) -> FieldValue?
    package let set: @Sendable (inout Root, FieldValue) -> Void

    package static func string(_ key: RecordKey, _ get: @escaping @Sendable (Root) -> String?,
                               _ set: @escaping @Sendable (inout Root, String) -> Void) -> Self {
        Self(key: key, kind: .string, get: { get($0).map(FieldValue.string) },
             set: { root, value in if case .string(let v) = value { set(&root, v) } })
    }

    /// A vocabulary (an open set of strings with named values), stored as its raw string.
    package static func word<Word: Vocabulary>(_ key: RecordKey, _ get: @escaping @Sendable (Root) -> Word?,
                                                     _ set: @escaping @Sendable (inout Root, Word) -> Void) -> Self {
        Self(key: key, kind: .string, get: { get($0).map { FieldValue.string($0.rawValue) } },
             set: { root, value in if case .string(let v) = value { set(&root, Word(rawValue: v)) } })
    }

    package static func int(_ key: RecordKey, _ get: @escaping @Sendable (Root) -> Int?,
                            _ set: @escaping @Sendable (inout Root, Int) -> Void) -> Self {
        Self(key: key, kind: .int, get: { get($0).map(FieldValue.int) },
             set: { root, value in if case .int(let v) = value { set(&root, v) } })
    }

    package static func bool(_ key: RecordKey, _ get: @escaping @Sendable (Root) -> Bool?,
                             _ set: @escaping @Sendable (inout Root, Bool) -> Void) -> Self {
        Self(key: key, kind: .bool, get: { get($0).map(FieldValue.bool) },
             set: { root, value in if case .bool(let v) = value { set(&root, v) } })
    }

    package static func date(_ key: RecordKey, _ get: @escaping @Sendable (Root) -> Date?,
                             _ set: @escaping @Sendable (inout Root, Date) -> Void) -> Self {
        Self(key: key, kind: .date, get: { get($0).map(FieldValue.date) },
             set: { root, value in if case .date(let v) = value { set(&root, v) } })
    }

    package static func strings(_ key: RecordKey, _ get: @escaping @Sendable (Root) -> [String]?,
                                _ set: @escaping @Sendable (inout Root, [String]) -> Void) -> Self {
        Self(key: key, kind: .strings, get: { get($0).map(FieldValue.strings) },
             set: { root, value in if case .strings(let v) = value { set(&root, v) } })
    }

    package static func map(_ key: RecordKey, _ get: @escaping @Sendable (Root) -> [String: String]?,
                            _ set: @escaping @Sendable (inout Root, [String: String]) -> Void) -> Self {
        Self(key: key, kind: .map, get: { get($0).map(FieldValue.map) },
             set: { root, value in if case .map(let v) = value { set(&root, v) } })
    }

    package static func numbers(_ key: RecordKey, _ get: @escaping @Sendable (Root) -> [String: Double]?,
                                _ set: @escaping @Sendable (inout Root, [String: Double]) -> Void) -> Self {
        Self(key: key, kind: .numbers, get: { get($0).map(FieldValue.numbers) },
             set: { root, value in if case .numbers(let v) = value { set(&root, v) } })
    }

    package static func json(_ key: RecordKey, _ get: @escaping @Sendable (Root) -> String?,
                             _ set: @escaping @Sendable (inout Root, String) -> Void) -> Self {
        Self(key: key, kind: .json, get: { get($0).map(FieldValue.json) },
             set: { root, value in if case .json(let v) = value { set(&root, v) } })
    }

    /// This field of a nested value (`ExecutionMetrics` inside `Finished`) as a field of `Outer`.
    ///
    /// Closures, not a key path: replay sets a million of these, and a closure call is cheaper
    /// than applying a `WritableKeyPath`.
    package func lifted<Outer>(_ read: @escaping @Sendable (Outer) -> Root,
                               _ modify: @escaping @Sendable (inout Outer, (inout Root) -> Void) -> Void) -> RecordField<Outer> {
        let (get, set) = (self.get, self.set)
        return RecordField<Outer>(key: key, kind: kind, get: { get(read($0)) },
                                  set: { outer, value in modify(&outer) { set(&$0, value) } })
    }
}

/// A record's payload: a value with a blank form and its list of fields.
package protocol RecordPayload: Sendable, Hashable {
    /// What decoding starts from before the line's fields are set.
    static var blank: Self { get }
    /// Every stored property, with its line key; the codec writes them in `RecordKey` order.
    static var fields: [RecordField<Self>] { get }
    /// Keys a line of this type must carry (`job` for a job's records).
    static var required: [RecordKey] { get }
}

extension RecordPayload {
    package static var required: [RecordKey] { [] }
}

/// A payload's fields indexed by key, and sorted into line order, built once per type.
struct FieldIndex<Root>: Sendable {
    let ordered: [RecordField<Root>]
    let byKey: [RecordField<Root>?]
    let requiredMask: UInt64

    init(_ fields: [RecordField<Root>], required: [RecordKey]) {
        ordered = fields.sorted { $0.key.rawValue < $1.key.rawValue }
        var byKey = [RecordField<Root>?](repeating: nil, count: RecordKey.allCases.count)
        for field in fields { byKey[field.key.rawValue] = field }
        self.byKey = byKey
        requiredMask = required.reduce(0) { $0 | 1 << UInt64($1.rawValue) }
    }
}
