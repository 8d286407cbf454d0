import CGit2

/// A git object id (SHA-1), held as its 40-character lowercase hex form.
///
/// Hex is what journals, logs and JSON carry, so the public value is the string; conversion
/// to `git_oid` happens only at the C boundary.
package struct GitOID: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The 40 hex digits.
    package let hex: String

    /// Validates `hex` (exactly 40 hex digits, any case); nil when it is not an object id.
    package init?(hex: String) {
        let lower = hex.lowercased()
        guard lower.utf8.count == 40, lower.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
        else { return nil }
        self.hex = lower
    }

    init(_ oid: git_oid) {
        var copy = oid
        var buffer = [CChar](repeating: 0, count: 41)
        _ = git_oid_fmt(&buffer, &copy)
        buffer[40] = 0
        hex = String(decoding: buffer[0..<40].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    init(_ pointer: UnsafePointer<git_oid>) {
        self.init(pointer.pointee)
    }

    /// The C value; `hex` is validated at construction, so parsing cannot fail.
    var raw: git_oid {
        var oid = git_oid()
        _ = git_oid_fromstrn(&oid, hex, 40)
        return oid
    }

    /// The first seven digits, as `git log --oneline` shows.
    package var short: String { String(hex.prefix(7)) }

    package var description: String { hex }

    package static func < (lhs: GitOID, rhs: GitOID) -> Bool { lhs.hex < rhs.hex }

    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let oid = GitOID(hex: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not an object id: \(text)"))
        }
        self = oid
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
