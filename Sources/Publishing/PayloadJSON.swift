import Foundation
import Scheduler
import Processes

/// A JSON document as a value: a post's `content:` and what publishers send and parse.
///
/// `[String: Any]` is neither `Sendable` nor `Hashable`; this enum is both, round-trips
/// through `Codable`, and keeps integers apart from doubles so `{"count": 3}` is not sent
/// as `3.0`. Free-form content fields pass through untouched.
public enum PayloadJSON: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([PayloadJSON])
    case object([String: PayloadJSON])

    /// Decodes any JSON value; integers that fit in `Int` stay `.int`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([PayloadJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: PayloadJSON].self))
        }
    }

    /// Encodes the value as the JSON it stands for.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The member `key` of an object, or nil for anything else.
    public subscript(key: String) -> PayloadJSON? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    /// A string, or an integer rendered as text (ids come both ways); nil otherwise.
    public var text: String? {
        switch self {
        case .string(let value): value
        case .int(let value): String(value)
        default: nil
        }
    }

    /// Compact JSON with sorted keys and unescaped slashes: same value, same bytes.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a PayloadJSON cannot fail except for a non-finite double, which becomes null.
        return (try? encoder.encode(self)) ?? (try? encoder.encode(Self.finite(self))) ?? Data("null".utf8)
    }

    /// Parses `data` as one JSON value; nil when it is not JSON.
    public static func parse(_ data: Data) -> PayloadJSON? {
        try? JSONDecoder().decode(PayloadJSON.self, from: data)
    }

    /// The value with NaN and infinities replaced by null, which JSON cannot carry.
    private static func finite(_ value: PayloadJSON) -> PayloadJSON {
        switch value {
        case .double(let number) where !number.isFinite: .null
        case .array(let items): .array(items.map(finite))
        case .object(let members): .object(members.mapValues(finite))
        default: value
        }
    }
}

extension PayloadJSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    /// A string literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer literal.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A floating-point literal.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// `true` or `false`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An array literal.
    public init(arrayLiteral elements: PayloadJSON...) { self = .array(elements) }
    /// A dictionary literal; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, PayloadJSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    /// `nil` as JSON null.
    public init(nilLiteral: ()) { self = .null }
}
