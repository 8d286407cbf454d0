import Foundation
import Testing
@testable import Scheduler
@testable import Processes
@testable import Publishing
@testable import Daemon

@Suite("Outbound proxies from the environment")
struct ProxyEnvironmentTests {
    @Test("reads http_proxy, https_proxy and no_proxy the way curl does", arguments: [
        // (environment, URL, expected "host:port" or nil for direct)
        (["http_proxy": "http://proxy.internal:3128"], "http://hooks.example/x", "proxy.internal:3128"),
        (["http_proxy": "http://proxy.internal:3128"], "https://hooks.example/x", nil),
        (["HTTPS_PROXY": "proxy.internal:8443"], "https://hooks.example/x", "proxy.internal:8443"),
        (["https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:2"], "https://hooks.example/x", "lower:1"),
        (["HTTP_PROXY": "http://p"], "http://hooks.example/x", "p:80"),
        (["http_proxy": "socks5://s.internal"], "http://hooks.example/x", "s.internal:1080"),
        (["https_proxy": "https://tls-proxy:443"], "https://hooks.example/x", nil),
        (["http_proxy": ""], "http://hooks.example/x", nil),
        (["http_proxy": "http://p:1", "no_proxy": "example.com, .internal"], "http://api.example.com/x", nil),
        (["http_proxy": "http://p:1", "no_proxy": "example.com"], "http://example.com/x", nil),
        (["http_proxy": "http://p:1", "no_proxy": "example.com"], "http://notexample.com/x", "p:1"),
        (["http_proxy": "http://p:1", "NO_PROXY": "*.svc"], "http://a.b.svc/x", nil),
        (["http_proxy": "http://p:1", "no_proxy": "*"], "http://anything/x", nil),
        (["http_proxy": "http://p:1"], "http://127.0.0.1:8080/x", nil),
        (["http_proxy": "http://p:1"], "http://localhost/x", nil),
        (["http_proxy": "http://p:1"], "http://[::1]:9/x", nil),
    ] as [([String: String], String, String?)])
    func selection(environment: [String: String], url: String, expected: String?) throws {
        let proxy = ProxyEnvironment(environment).proxy(for: try #require(URL(string: url)))
        #expect(proxy.map { "\($0.host):\($0.port)" } == expected)
    }

    @Test("credentials in the proxy URL become Basic proxy authorization")
    func credentials() throws {
        let proxy = try #require(ProxyEnvironment.proxy("http://bot:s%40cret@proxy.internal:3128"))
        #expect(proxy.authorization == .basic(username: "bot", password: "s@cret"))
        #expect(ProxyEnvironment.proxy("http://proxy.internal:3128")?.authorization == nil)
    }

    @Test("a request goes through the configured proxy: the proxy sees the CONNECT, the failure names neither it nor its password")
    func throughProxy() async throws {
        let proxy = try await TestHTTPServer()
        proxy.script("receiver.invalid", .status(403))  // Hummingbird keeps the CONNECT target's host only
        let environment = ["http_proxy": "http://bot:pr0xy-pass@127.0.0.1:\(proxy.port)"]
        let outcome = try await HTTPSender.with(environment: environment) { sender in
            let target = PublishDestination.Webhook(url: try #require(URL(string: "http://receiver.invalid:8080/hook")), timeout: .seconds(5))
            let request = PublishRequest(post: "p", scheduledAt: Date(timeIntervalSince1970: 0), attempt: 1, content: [:])
            return await WebhookPublisher(sender: sender).publish(request, to: target)
        }
        let connect = try #require(proxy.requests().first)
        #expect(connect.method == "CONNECT" && connect.path == "receiver.invalid", "\(connect.path)")
        #expect(connect.headers["proxy-authorization"] == "Basic " + Data("bot:pr0xy-pass".utf8).base64EncodedString())
        guard case .failed(let failure) = outcome else { Issue.record("published"); return }
        #expect(failure.errorClass == .connection && failure.message.hasPrefix("cannot reach receiver.invalid:8080"), "\(failure)")
        #expect(!failure.description.contains("pr0xy-pass") && !failure.description.contains("\(proxy.port)"))
    }
}
