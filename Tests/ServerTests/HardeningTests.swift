import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Server

/// What a browser and a conformance checker expect of any HTTP server: 405 with `Allow`, HEAD
/// beside GET, security headers on every answer, and the Host allow-list against DNS rebinding.
@Suite("HTTP hardening")
struct HardeningTests {
    @Test("a known path asked with another method is 405 with Allow; HEAD answers like GET without a body; unknown paths stay 404")
    func methodNotAllowed() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.router) { client in
            for (path, method, allow) in [("/api/v1/jobs", HTTPRequest.Method.delete, "GET, HEAD"),
                                          ("/api/v1/jobs/hello", .put, "GET, HEAD"),
                                          ("/api/v1/jobs/hello/trigger", .get, "POST"),
                                          ("/metrics", .post, "GET, HEAD"),
                                          ("/", .options, "GET, HEAD"),
                                          ("/hooks/github", .patch, "POST")] {
                try await client.execute(uri: path, method: method) { response in
                    #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                    #expect(response.headers[.allow] == allow, "\(method) \(path)")
                    #expect(response.errorMessage.contains("allowed: \(allow)"))
                }
            }
            try await client.execute(uri: "/api/v1/nosuch", method: .delete) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/v1/jobs/hello/nosuch", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/healthz", method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == 0)
            }
        }
        try await fixture.close()
    }

    @Test("every answer carries CSP, nosniff, frame denial and no-referrer; the CSP admits exactly the page's own script and style")
    func securityHeaders() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.router) { client in
            for (path, method) in [("/", HTTPRequest.Method.get), ("/api/v1/jobs", .get), ("/nosuch", .get),
                                   ("/api/v1/jobs/hello/trigger", .post), ("/api/v1/jobs", .delete)] {
                try await client.execute(uri: path, method: method) { response in
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(path)")
                    #expect(response.headers[values: .init("X-Frame-Options")!] == ["DENY"], "\(path)")
                    #expect(response.headers[values: .init("Referrer-Policy")!] == ["no-referrer"], "\(path)")
                    let policy = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"), "\(path)")
                }
            }
            try await client.execute(uri: "/", method: .get) { response in
                let page = String(buffer: response.body)
                let policy = response.headers[.contentSecurityPolicy] ?? ""
                for (open, close) in [("<script>", "</script>"), ("<style>", "</style>")] {
                    let inline = try #require(page.range(of: open).flatMap { start in
                        page.range(of: close, range: start.upperBound..<page.endIndex).map { page[start.upperBound..<$0.lowerBound] }
                    })
                    let hash = "'sha256-" + Data(SHA256.hash(data: Array(inline.utf8))).base64EncodedString() + "'"
                    #expect(policy.contains(hash), "\(open) is admitted by its hash")
                }
                #expect(page.components(separatedBy: "<script").count == 2, "one inline script, nothing else to admit")
                #expect(!page.contains(" style=") && !page.contains(" onclick="), "no inline attributes the policy would block")
            }
        }
        try await fixture.close()
    }

    @Test("the allow-list: IP literals, localhost, the machine's name and configured names pass; other names do not")
    func allowList() {
        let list = HostAllowList(configured: ["almanac.example.com", ".corp.example", "*.lab.example", " Mixed.Case. "], machine: "buildbox")
        for host in ["127.0.0.1:8080", "10.1.2.3", "[::1]:8080", "[2001:db8::1]", "localhost", "LOCALHOST:80", "app.localhost",
                     "buildbox:8080", "almanac.example.com", "almanac.example.com.:443", "corp.example", "a.b.corp.example",
                     "x.lab.example", "mixed.case"] {
            #expect(list.allows(host), "\(host)")
        }
        for host in ["evil.example", "almanac.example.com.evil.example", "lab.example", "buildbox.evil.example",
                     "notlocalhost", "127.0.0.1.nip.io", "xcorp.example", ""] {
            #expect(!list.allows(host), "\(host)")
        }
        #expect(list.allows(nil), "HTTP/1.0 without Host")
        #expect(HostAllowList(configured: ["*"], machine: nil).allows("anything.example"))
    }

    @Test("over a real socket: a foreign Host is 421 while reads are open, unless it carries a token or is the webhook; a read token turns the check off")
    func hostCheck() async throws {
        let fixture = try await ServerFixture()
        var settings = ServerSettings(port: 0, apiToken: "s3cret")
        settings.allowedHosts = ["almanac.example.com"]
        try await fixture.app(settings).test(.live) { client in
            let port = try #require(client.port)
            try await TestClient.withClient(host: "127.0.0.1", port: port) { raw in
                func get(_ path: String, host: String, headers: HTTPFields = [:], method: HTTPRequest.Method = .get) async throws -> TestClient.Response {
                    try await raw.execute(TestClient.Request(path, method: method, authority: host, headers: headers))
                }
                let refused = try await get("/api/v1/jobs", host: "rebind.evil.example")
                #expect(refused.status == .misdirectedRequest)
                #expect(String(buffer: refused.body ?? ByteBuffer()).contains("ALMANAC_ALLOWED_HOSTS"))
                #expect(try await get("/", host: "rebind.evil.example:8080").status == .misdirectedRequest)
                #expect(try await get("/api/v1/jobs", host: "127.0.0.1:\(port)").status == .ok)
                #expect(try await get("/api/v1/jobs", host: "localhost:\(port)").status == .ok)
                #expect(try await get("/api/v1/jobs", host: "almanac.example.com").status == .ok)
                #expect(try await get("/api/v1/jobs", host: "rebind.evil.example", headers: bearer).status == .ok)
                // The webhook proves itself by its HMAC: without a secret it is 403, never 421.
                #expect(try await get("/hooks/github", host: "hooks.example", method: .post).status == .forbidden)
            }
        }
        let guarded = ServerSettings(port: 0, apiToken: "s3cret", readToken: "look")
        try await fixture.app(guarded).test(.live) { client in
            let port = try #require(client.port)
            try await TestClient.withClient(host: "127.0.0.1", port: port) { raw in
                let anonymous = try await raw.execute(TestClient.Request("/api/v1/jobs", method: .get, authority: "rebind.evil.example"))
                #expect(anonymous.status == .unauthorized, "with a read token the token decides")
                let reader = try await raw.execute(TestClient.Request("/api/v1/jobs", method: .get, authority: "rebind.evil.example",
                                                                      headers: [.authorization: "Bearer look"]))
                #expect(reader.status == .ok)
            }
        }
        try await fixture.close()
    }

    @Test("the OpenAPI document and the routes agree: every documented operation is served and answers a status it documents")
    func documentMatchesRoutes() async throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        // (path, method, documented statuses), Sendable for the test client's closure.
        let operations: [(String, String, Set<String>)] = paths.flatMap { path, operations in
            operations.map { method, operation in
                (path, method, Set(((operation as? [String: Any])?["responses"] as? [String: Any] ?? [:]).keys))
            }
        }
        let fixture = try await ServerFixture()
        try await fixture.app().test(.router) { client in
            for (path, method, documented) in operations {
                // The event stream answers 200 with a body that never ends (this client reads
                // whole bodies): a refused parameter shows the route is served.
                let concrete = path == "/api/v1/events" ? path + "?heartbeat=0" : path.replacingOccurrences(of: "{name}", with: "hello")
                let asked = try #require(HTTPRequest.Method(method.uppercased()))
                try await client.execute(uri: concrete, method: asked) { response in
                    #expect(response.status != .methodNotAllowed && response.headers[.allow] == nil, "\(method) \(path)")
                    #expect(documented.contains(String(response.status.code)), "\(method) \(path) answered \(response.status.code)")
                }
            }
        }
        try await fixture.close()
    }
}
