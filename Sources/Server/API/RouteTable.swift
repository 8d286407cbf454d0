import Hummingbird

/// Which methods each path serves, for `405 Method Not Allowed` with an `Allow` header.
///
/// Hummingbird's router answers 404 for a known path asked with another method; RFC 9110 wants
/// 405 listing the methods there are. The table is the route list itself (`buildRouter`
/// registers from it), so the two cannot disagree. A pattern segment `{name}` matches any one
/// segment. Every GET route also answers HEAD (the router's `autoGenerateHeadEndpoints`).
struct RouteTable: Sendable {
    private var entries: [(segments: [Substring], methods: [HTTPRequest.Method])] = []

    init(_ routes: [(HTTPRequest.Method, String)]) {
        for (method, path) in routes {
            let segments = Self.segments(path)
            if let index = entries.firstIndex(where: { $0.segments == segments }) {
                entries[index].methods.append(method)
            } else {
                entries.append((segments, [method]))
            }
        }
    }

    /// The methods `path` serves, HEAD beside GET, in a fixed order; nil for a path no route has.
    func methods(for path: String) -> [HTTPRequest.Method]? {
        let asked = Self.segments(path)
        guard let entry = entries.first(where: { Self.matches($0.segments, asked) }) else { return nil }
        let served = entry.methods.contains(.get) ? entry.methods + [.head] : entry.methods
        return [.get, .head, .post].filter(served.contains) + served.filter { ![.get, .head, .post].contains($0) }
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func matches(_ pattern: [Substring], _ asked: [Substring]) -> Bool {
        pattern.count == asked.count && zip(pattern, asked).allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") || $0 == $1 }
    }
}

/// Turns the router's 404 into 405 with `Allow` when the path is a route's but the method is
/// not one of its own. Only a request the router found no handler for is looked up, so served
/// requests pay nothing; handlers answer their own 404s as `APIError`, never `HTTPError`.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let methods = table.methods(for: request.uri.path), !methods.contains(request.method) else { throw error }
            let allow = methods.map(\.rawValue).joined(separator: ", ")
            throw APIError(.methodNotAllowed, "\(request.method.rawValue) is not allowed on \(request.uri.path); allowed: \(allow)",
                           headers: [.allow: allow])
        }
    }
}
