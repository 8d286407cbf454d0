/// A job's canonical fields packed into one string: `<bytes>:<key><bytes>:<value>`, sorted by key.
///
/// The journal state holds the applied fields of every job; as a dictionary that is about a
/// kilobyte per job (13 entries in 32 buckets, plus a heap string for each longer value), as one
/// length-prefixed string it is one small allocation. Length prefixes make it unambiguous for
/// any text, and sorting makes equal fields equal strings.
struct PackedFields: Sendable, Hashable {
    private let text: String

    init(_ fields: [String: String]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fields.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 8 })
        for key in fields.keys.sorted() {
            Self.append(key, to: &bytes)
            Self.append(fields[key] ?? "", to: &bytes)
        }
        text = String(decoding: bytes, as: UTF8.self)
    }

    /// The fields as a dictionary, built on each call.
    var dictionary: [String: String] {
        var out: [String: String] = [:]
        forEach { key, value in out[key] = value }
        return out
    }

    /// The value of one field, without building the dictionary.
    func value(of name: String) -> String? {
        var found: String?
        forEach { key, value in if found == nil, key == name { found = value } }
        return found
    }

    private static func append(_ part: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: String(part.utf8.count).utf8)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(contentsOf: part.utf8)
    }

    private func forEach(_ body: (String, String) -> Void) {
        let utf8 = Array(text.utf8)
        var index = 0
        func part() -> String? {
            var length = 0
            while index < utf8.count, let digit = Self.digit(utf8[index]) {
                length = length * 10 + digit
                index += 1
            }
            guard index < utf8.count, utf8[index] == UInt8(ascii: ":"), index + 1 + length <= utf8.count else { return nil }
            let start = index + 1
            index = start + length
            return String(decoding: utf8[start..<index], as: UTF8.self)
        }
        while index < utf8.count, let key = part(), let value = part() { body(key, value) }
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }
}
