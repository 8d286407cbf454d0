import Foundation

/// The part of a GitHub push webhook's payload the server reads: the pushed `ref`.
///
/// GitHub's payload is large and mostly irrelevant; only `ref` decides whether the watched
/// branch moved. Beside `RequesterBody` for the same reason: fuzzed without Hummingbird.
package enum PushPayload {
    /// The pushed ref (`refs/heads/main`), or `""` when the payload has none.
    package static func ref(from body: [UInt8]) throws(BodyError) -> String {
        struct Push: Decodable { var ref: String? }
        do {
            return try JSONDecoder().decode(Push.self, from: Data(body)).ref ?? ""
        } catch {
            throw BodyError("the push payload is not JSON with a ref")
        }
    }

    /// Whether `ref` names `branch` (`refs/heads/<branch>`), byte for byte: git names refs by
    /// their bytes, while Swift's `==` on strings would take `cafe\u{301}` for `café`, another branch.
    package static func names(branch: String, ref: String) -> Bool {
        ref.utf8.elementsEqual(("refs/heads/" + branch).utf8)
    }
}
