import APIBodies
import Foundation
import Hummingbird
import NIOCore

/// `POST /hooks/github`: a push to the watched branch starts a sync at once.
///
/// The `X-Hub-Signature-256` HMAC of the raw body is checked before the body is parsed or
/// anything else happens; without `ALMANAC_WEBHOOK_SECRET` the hook is disabled.
struct WebhookHandler: Sendable {
    let link: RunnerLink
    let secret: String?
    let branch: String?

    func github(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        guard let secret else { throw APIError(.forbidden, "the GitHub webhook is disabled: set ALMANAC_WEBHOOK_SECRET") }
        let body = try await APIHandlers.readBody(request)
        let bytes = Array(buffer: body)
        guard GitHubSignature.verify(Self.header(request, "x-hub-signature-256"), body: bytes, secret: secret) else {
            throw APIError(.unauthorized, "bad or missing X-Hub-Signature-256")
        }
        let event = Self.header(request, "x-github-event") ?? ""
        switch event {
        case "ping":
            return try json(["result": "pong"])
        case "push":
            let ref: String
            do {
                ref = try PushPayload.ref(from: bytes)
            } catch {
                throw APIError.badRequest(error.message)
            }
            if let branch, !PushPayload.names(branch: branch, ref: ref) {
                return try json(["result": "ignored: \(ref) is not the watched branch \(branch)"])
            }
            let link = self.link
            Task { _ = await link.sync() }
            return try json(["result": "sync started for \(ref)"], status: .accepted)
        default:
            return try json(["result": "ignored event '\(event.prefix(40))'"])
        }
    }

    /// A header by its lowercase name (no force-unwrapped `HTTPField.Name` literals).
    static func header(_ request: Request, _ name: String) -> String? {
        request.headers.first { $0.name.canonicalName == name }?.value
    }
}
