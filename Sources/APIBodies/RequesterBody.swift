import Foundation

/// The optional `{"by": "who"}` body of the API's state-changing endpoints, decoded to who asked.
///
/// Apart from Server (no Hummingbird, no NIO) so the fuzz harness for request bodies links only
/// Foundation, and so the rule the server enforces sits beside the one the OpenAPI document
/// publishes (`byPattern`): schemathesis (`make api-check`) fails on any body the schema allows
/// and the server refuses, or the other way round.
package enum RequesterBody {
    /// Who asked when there is no body or no `by`.
    package static let anonymous = "api"
    /// The most Unicode scalars a `by` may hold: JSON Schema's `maxLength` counts code points,
    /// not Swift `Character`s, so the limit is checked in scalars too.
    package static let maxScalars = 64

    /// The line terminators a `by` may not hold: every scalar `Character.isNewline` knows.
    package static let newlines: Set<Unicode.Scalar> = ["\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}"]

    /// The `by` schema's `pattern` as JSON string content (what goes between the quotes in the
    /// OpenAPI document): one line, and not starting with a scalar that `requester` refuses.
    package static var byPattern: String {
        let newline = #"\\n\\r\\u000b\\u000c\\u0085\\u2028\\u2029"#
        return "^[^" + newline + CombiningScalars.jsonPatternClass + "][^" + newline + "]*$"
    }

    /// `"api"` without a body or `by`, else `"api:" + by`.
    package static func requester(from body: [UInt8]) throws(BodyError) -> String {
        guard !body.isEmpty else { return anonymous }
        struct Body: Decodable { var by: String? }
        let decoded: Body
        do {
            decoded = try JSONDecoder().decode(Body.self, from: Data(body))
        } catch {
            throw BodyError("the body must be a JSON object like {\"by\": \"alice\"}")
        }
        guard let by = decoded.by else { return anonymous }
        let scalars = by.unicodeScalars
        guard !scalars.isEmpty, scalars.count <= maxScalars, !scalars.contains(where: newlines.contains) else {
            throw BodyError("by must be 1 to 64 characters on one line")
        }
        // A leading combining mark (U+0301, a ZWJ, a spacing vowel sign) would join the prefix's
        // `:` into one Character: the journaled requester would no longer read as `api:` + by.
        guard let first = scalars.first, !CombiningScalars.joinsPrevious(first) else {
            throw BodyError("by must not start with a combining mark")
        }
        return "api:" + by
    }
}

/// A request body the API refuses, with the reason a client is shown (Server answers 400).
package struct BodyError: Error, Equatable, CustomStringConvertible {
    package let message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
