import Crypto
import Foundation
import Hummingbird

/// Headers every response carries, so a browser treats the dashboard and the API as what they are.
///
/// The Content-Security-Policy allows nothing but the dashboard's own inline style and script,
/// named by their SHA-256 (they are constants, `HTML.style` and `HTML.script`), and fetches
/// back to this origin: an injected `<script>` or `style=` would not run even if escaping
/// failed. Framing is denied twice (CSP `frame-ancestors` and the older `X-Frame-Options`),
/// content types are not sniffed, and no referrer leaves the dashboard.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
        "default-src 'none'; script-src '\(digest(HTML.script))'; style-src '\(digest(HTML.style))'; "
            + "connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    }

    /// `sha256-<base64>` of `text` as the page carries it.
    static func digest(_ text: String) -> String {
        "sha256-" + Data(SHA256.hash(data: Array(text.utf8))).base64EncodedString()
    }

    /// One header field (Hummingbird exports `HTTPFields`, not its element's own name).
    typealias Field = HTTPFields.Element

    /// swift-http-types names the first two; the others are built from their (valid) names.
    private let fields: [Field] = [Field(name: .contentSecurityPolicy, value: Self.policy),
                                   Field(name: .xContentTypeOptions, value: "nosniff")]
        + [("X-Frame-Options", "DENY"), ("Referrer-Policy", "no-referrer")].compactMap { name, value in
            Field.Name(name).map { Field(name: $0, value: value) }
        }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        for field in fields { response.headers[field.name] = field.value }
        return response
    }
}
