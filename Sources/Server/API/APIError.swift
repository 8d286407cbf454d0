import Foundation
import Hummingbird
import NIOCore

/// The Server module's one error type: an HTTP status and a message, rendered as
/// `{"error": {"status": N, "message": "..."}}`.
///
/// Every failure a client can cause (bad name, bad JSON, oversize body, missing token) is one
/// of these, so it becomes a 4xx with a readable message, never a crash or a bare 500.
package struct APIError: HTTPResponseError, CustomStringConvertible, Sendable {
    package let status: HTTPResponse.Status
    package let message: String
    /// Extra headers, e.g. `Retry-After` on 429 or `WWW-Authenticate` on 401.
    package var headers: HTTPFields

    package init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    package var description: String { "\(status.code) \(message)" }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    /// The JSON response, without needing a request (the error middleware uses it too).
    func response() -> Response {
        struct Body: Encodable {
            struct Inner: Encodable {
                var status: Int
                var message: String
            }
            var error: Inner
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Body(error: .init(status: status.code, message: message)))) ?? Data("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func notFound(_ what: String) -> APIError { APIError(.notFound, what) }
    static func badRequest(_ why: String) -> APIError { APIError(.badRequest, why) }
}

/// Turns every error — Hummingbird's own `HTTPError` for unknown routes and oversize bodies
/// included — into the JSON error shape, and anything unexpected into a logged 500.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response()
        } catch let error as HTTPError {
            let message = error.body ?? (error.status == .notFound ? "no such route: \(request.uri.path)" : error.status.reasonPhrase)
            return APIError(error.status, message, headers: error.headers).response()
        } catch let error as any HTTPResponseError {
            return APIError(error.status, error.status.reasonPhrase).response()
        } catch {
            context.logger.error("request failed", metadata: ["path": .string(request.uri.path), "error": .string("\(error)")])
            return APIError(.internalServerError, "internal error").response()
        }
    }
}
