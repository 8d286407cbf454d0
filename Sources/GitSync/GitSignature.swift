import CGit2
import Foundation

/// Who made a commit or tag, and when.
///
/// Time is passed in by the caller (never `Date()` inside GitSync), so commits made by the
/// runner are reproducible in tests.
package struct GitSignature: Sendable, Hashable, Codable {
    /// The person's or bot's name.
    package let name: String
    /// Their e-mail address.
    package let email: String
    /// The instant of the signature.
    package let time: Date
    /// The signer's UTC offset in minutes, as git records it (0 for a bot writing in UTC).
    package let offsetMinutes: Int

    /// Creates a signature; `offsetMinutes` is the local UTC offset git will record.
    package init(name: String, email: String, time: Date, offsetMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    init(_ signature: UnsafePointer<git_signature>) {
        let value = signature.pointee
        name = value.name.map { String(cString: $0) } ?? ""
        email = value.email.map { String(cString: $0) } ?? ""
        time = Date(timeIntervalSince1970: TimeInterval(value.when.time))
        offsetMinutes = Int(value.when.offset)
    }
}
