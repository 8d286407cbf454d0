import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Scheduler
import Processes
import Publishing
import Daemon
import Testing
@testable import Server

/// Counts sync-hook calls.
actor SyncCounter {
    var count = 0
    func hit() { count += 1 }
}

@Suite("GitHub webhook, metrics and a real socket")
struct WebhookAndLiveTests {
    static func signed(_ body: String, secret: String = "hook-secret") -> HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[HTTPField.Name("X-Hub-Signature-256")!] = GitHubSignature.header(body: Array(body.utf8), secret: secret)
        headers[HTTPField.Name("X-GitHub-Event")!] = "push"
        return headers
    }

    @Test("a signed push to the watched branch syncs; a bad signature or another branch does not")
    func github() async throws {
        let fixture = try await ServerFixture()
        let counter = SyncCounter()
        await fixture.link.setSyncHook { await counter.hit(); return .done }
        let push = #"{"ref": "refs/heads/main", "after": "abc"}"#
        let settings = ServerSettings(port: 0, webhookSecret: "hook-secret", watchedBranch: "main")
        try await fixture.app(settings).test(.router) { client in
            try await client.execute(uri: "/hooks/github", method: .post, headers: Self.signed(push), body: ByteBuffer(string: push)) {
                #expect($0.status == .accepted)
            }
            try await client.execute(uri: "/hooks/github", method: .post, headers: Self.signed(push, secret: "guess"),
                                     body: ByteBuffer(string: push)) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/hooks/github", method: .post, body: ByteBuffer(string: push)) {
                #expect($0.status == .unauthorized)
            }
            let other = #"{"ref": "refs/heads/feature"}"#
            try await client.execute(uri: "/hooks/github", method: .post, headers: Self.signed(other), body: ByteBuffer(string: other)) {
                #expect($0.status == .ok)
                #expect(($0.object["result"] as? String)?.hasPrefix("ignored") == true)
            }
            let garbage = "not json"
            try await client.execute(uri: "/hooks/github", method: .post, headers: Self.signed(garbage), body: ByteBuffer(string: garbage)) {
                #expect($0.status == .badRequest)
            }
        }
        for _ in 0..<100 where await counter.count == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await counter.count == 1)
        try await fixture.app(ServerSettings(port: 0)).test(.router) { client in
            try await client.execute(uri: "/hooks/github", method: .post, headers: Self.signed(push), body: ByteBuffer(string: push)) {
                #expect($0.status == .forbidden)
            }
        }
        try await fixture.close()
    }

    @Test("POST /api/v1/sync answers 200 only when the reload worked: 502 for a failed fetch, 503 for a failed apply",
          arguments: [(ReloadOutcome.done, 200), (.remoteFailed("fetch of origin failed: unreachable"), 502),
                      (.failed("reload failed: jobs.d: no such directory"), 503)])
    func syncOutcome(outcome: ReloadOutcome, status: Int) async throws {
        let fixture = try await ServerFixture()
        await fixture.link.setSyncHook { outcome }
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/sync", method: .post, headers: bearer) { response in
                #expect(response.status.code == status)
                switch outcome {
                case .done: #expect(response.object["sync"] as? String == "done")
                case .remoteFailed(let why), .failed(let why): #expect(response.errorMessage == why)
                }
            }
        }
        try await fixture.close()
    }

    @Test("over a real socket: reads, an authorised trigger, and the metrics that follow")
    func live() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.live) { client in
            try await client.execute(uri: "/api/v1/jobs", method: .get) { response in
                #expect(response.status == .ok)
                #expect((response.object["jobs"] as? [Any])?.count == 3)
            }
            try await client.execute(uri: "/api/v1/jobs/hello/trigger", method: .post) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/jobs/hello/trigger", method: .post, headers: bearer) { #expect($0.status == .accepted) }
            #expect(try await fixture.waitForHistory("hello", count: 1))
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"almanac_fires_total{trigger="manual"} 1"#))
                #expect(text.contains(#"almanac_outcomes_total{outcome="success",class="none"} 1"#))
                #expect(text.contains("almanac_journal_bytes"))
                #expect(text.contains("almanac_last_reconcile_timestamp_seconds"))
            }
            try await client.execute(uri: "/", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(html.contains(">hello</a>"))
                #expect(html.contains(">other</a>"))
            }
            try await client.execute(uri: "/jobs/hello", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("hi &lt;b&gt;&amp;"))
                #expect(!html.contains("hi <b>"))
                #expect(html.contains("<svg"))
            }
        }
        try await fixture.close()
    }
}
