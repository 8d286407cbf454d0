import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import JournalTestSupport
import Manifest
import Testing
@testable import Server

@Suite("HTTP API")
struct APITests {
    @Test("lists jobs with status rows, and health and readiness answer")
    func reads() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.object["ready"] as? Bool == true)
            }
            try await client.execute(uri: "/api/v1/jobs", method: .get) { response in
                #expect(response.status == .ok)
                let jobs = response.object["jobs"] as? [[String: Any]] ?? []
                #expect(jobs.compactMap { $0["name"] as? String } == ["hello", "launch", "other"])
                #expect(jobs.first?["schedule"] as? String == "At 03:00, in UTC")
            }
            try await client.execute(uri: "/api/v1/jobs/other", method: .get) { response in
                #expect((response.object["nextFires"] as? [String])?.count == 5)
                #expect((response.object["spec"] as? [String: String])?["trigger"] == "cron */5 * * * *")
            }
            try await client.execute(uri: "/api/v1/jobs/missing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.errorMessage == "no job named 'missing'")
            }
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                #expect(response.object["openapi"] as? String == "3.0.3")
            }
        }
        try await fixture.close()
    }

    @Test("state-changing endpoints are disabled without a token, and need the right one")
    func writeAuth() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app(ServerSettings(port: 0)).test(.router) { client in
            try await client.execute(uri: "/api/v1/jobs/hello/trigger", method: .post, headers: bearer) { response in
                #expect(response.status == .forbidden)
                #expect(response.errorMessage.contains("disabled"))
            }
        }
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/jobs/hello/trigger", method: .post) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] != nil)
            }
            try await client.execute(uri: "/api/v1/jobs/hello/pause", method: .post, headers: [.authorization: "Bearer s3cres"]) {
                #expect($0.status == .unauthorized)
                #expect($0.errorMessage == "wrong token")
            }
            try await client.execute(uri: "/api/v1/sync", method: .post, headers: [.authorization: "Basic s3cret"]) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/jobs/hello/trigger", method: .post, headers: bearer) {
                #expect($0.status == .accepted)
            }
        }
        #expect(try await fixture.waitForHistory("hello", count: 1))
        let finished = await fixture.runner.journalState().jobs["hello"]?.history ?? []
        #expect(finished.map(\.triggeredBy) == ["manual"])
        try await fixture.close()
    }

    @Test("a read token guards reads; the API token reads too")
    func readAuth() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app(ServerSettings(port: 0, apiToken: "s3cret", readToken: "look")).test(.router) { client in
            try await client.execute(uri: "/api/v1/jobs", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/jobs", method: .get, headers: [.authorization: "Bearer look"]) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/api/v1/jobs", method: .get, headers: bearer) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/jobs/hello/trigger", method: .post, headers: [.authorization: "Bearer look"]) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
        try await fixture.close()
    }

    @Test("bad names, bad JSON, bad queries and oversize bodies get 4xx with a JSON error", arguments: [
        ("/api/v1/jobs/Bad%20Name", HTTPRequest.Method.get, "", HTTPResponse.Status.badRequest),
        ("/api/v1/jobs/..%2F..%2Fetc", .get, "", .badRequest),
        ("/api/v1/jobs/hello/executions?limit=0", .get, "", .badRequest),
        ("/api/v1/jobs/hello/executions?limit=abc", .get, "", .badRequest),
        ("/api/v1/jobs/hello/executions?before=yesterday", .get, "", .badRequest),
        ("/api/v1/jobs/hello/trigger", .post, "{not json", .badRequest),
        ("/api/v1/jobs/hello/pause", .post, "[1, 2]", .badRequest),
        ("/api/v1/jobs/hello/trigger", .post, "<70,000 bytes>", .contentTooLarge),
        ("/api/v1/jobs/nope/trigger", .post, "", .notFound),
        ("/api/v1/posts/hello/cancel", .post, "", .notFound),
        ("/api/v1/nothing", .get, "", .notFound),
    ])
    func badInput(uri: String, method: HTTPRequest.Method, body: String, status: HTTPResponse.Status) async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.router) { client in
            let bytes = body == "<70,000 bytes>" ? String(repeating: "x", count: 70_000) : body
            try await client.execute(uri: uri, method: method, headers: bearer, body: bytes.isEmpty ? nil : ByteBuffer(string: bytes)) {
                #expect($0.status == status)
                #expect(($0.object["error"] as? [String: Any])?["status"] as? Int == Int(status.code))
            }
        }
        try await fixture.close()
    }

    @Test("executions page newest first and follow nextBefore to the end")
    func pagination() async throws {
        let fixture = try await ServerFixture()
        for run in 1...5 {
            #expect(await fixture.runner.trigger("hello"))
            #expect(try await fixture.waitForHistory("hello", count: run))
            try await Task.sleep(for: .milliseconds(5))
        }
        try await fixture.app().test(.router) { client in
            var seen: [String] = []
            var uri = "/api/v1/jobs/hello/executions?limit=2"
            for _ in 0..<5 {
                let page = try await client.execute(uri: uri, method: .get) { $0.object }
                let executions = page["executions"] as? [[String: Any]] ?? []
                seen += executions.compactMap { $0["startedAt"] as? String }
                #expect(executions.allSatisfy { $0["status"] as? String == "success" && $0["outputTail"] as? String == "hi <b>&\n" })
                // The runner's own lateness, journaled with each attempt (well under a second here).
                #expect(executions.allSatisfy { ($0["lateUs"] as? Int).map { $0 >= 0 && $0 < 1_000_000 } ?? false }, "\(executions.map { $0["lateUs"] ?? "none" })")
                guard let next = page["nextBefore"] as? String else { break }
                uri = "/api/v1/jobs/hello/executions?limit=2&before=" + next.replacingOccurrences(of: "+", with: "%2B")
            }
            #expect(seen.count == 5)
            #expect(Set(seen).count == 5)
            #expect(seen == seen.sorted(by: >))
        }
        try await fixture.close()
    }

    @Test("pause and resume are journaled, shown in status, and idempotent")
    func pauseResume() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/jobs/other/pause", method: .post, headers: bearer,
                                     body: ByteBuffer(string: #"{"by": "alice"}"#)) {
                #expect($0.status == .ok)
                #expect($0.object["changed"] as? Bool == true)
            }
            try await client.execute(uri: "/api/v1/jobs/other/pause", method: .post, headers: bearer) {
                #expect($0.object["changed"] as? Bool == false)
            }
            try await client.execute(uri: "/api/v1/jobs/other", method: .get) { response in
                let job = response.object["job"] as? [String: Any] ?? [:]
                #expect(job["paused"] as? Bool == true)
                #expect(job["nextFire"] == nil)
            }
            try await client.execute(uri: "/api/v1/plan", method: .get) { #expect($0.object["paused"] as? [String] == ["other"]) }
            try await client.execute(uri: "/api/v1/jobs/other/resume", method: .post, headers: bearer) {
                #expect($0.object["changed"] as? Bool == true)
            }
        }
        let types = try FileJournal.events(file: fixture.directory.appendingPathComponent("journal.jsonl"))
            .filter { $0.job == "other" }.map(\.type)
        #expect(types.filter { $0 == .paused || $0 == .resumed } == [.paused, .resumed])
        #expect(await fixture.runner.isOverridden("other") == false)
        try await fixture.close()
    }

    @Test("a pause shows in status and plan until the files change the job; then both show it gone")
    func pauseEndsWithFiles() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/jobs/other/pause", method: .post, headers: bearer) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/plan", method: .get) { #expect($0.object["paused"] as? [String] == ["other"]) }
            let edited = ServerFixture.yaml.replacingOccurrences(of: "*/5 * * * *", with: "*/10 * * * *")
            let files = [SourceFile(path: "jobs.yaml", bytes: Array(edited.utf8))]
            try await fixture.runner.apply(ManifestLoader.load(files: files, environment: [:], now: Date()))
            try await client.execute(uri: "/api/v1/plan", method: .get) { #expect($0.object["paused"] as? [String] == []) }
            try await client.execute(uri: "/api/v1/jobs/other", method: .get) { response in
                let job = response.object["job"] as? [String: Any] ?? [:]
                #expect(job["paused"] as? Bool == false)
                #expect(job["nextFire"] != nil)
            }
        }
        let resumed = try FileJournal.events(file: fixture.directory.appendingPathComponent("journal.jsonl"))
            .filter { $0.job == "other" && $0.type == .resumed }
        #expect(resumed.map(\.reason) == ["files changed"])
        try await fixture.close()
    }

    @Test("cancelling a pending post journals each target and shows it cancelled")
    func cancelPost() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/posts/launch/cancel", method: .post, headers: bearer) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/posts/launch/cancel", method: .post, headers: bearer) {
                #expect($0.object["changed"] as? Bool == false)
            }
            try await client.execute(uri: "/api/v1/posts", method: .get) { response in
                let post = (response.object["posts"] as? [[String: Any]])?.first ?? [:]
                #expect(post["state"] as? String == "cancelled")
                #expect((post["targets"] as? [[String: Any]])?.compactMap { $0["target"] as? String } == ["a", "b"])
            }
        }
        #expect(await fixture.runner.isOverridden("launch"))
        try await fixture.close()
    }

    @Test("trigger is rate limited per client")
    func rateLimit() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app(ServerSettings(port: 0, apiToken: "s3cret", triggersPerMinute: 2)).test(.router) { client in
            for expected in [HTTPResponse.Status.accepted, .accepted, .tooManyRequests] {
                try await client.execute(uri: "/api/v1/jobs/other/trigger", method: .post, headers: bearer) {
                    #expect($0.status == expected)
                    if expected == .tooManyRequests { #expect($0.headers[.retryAfter] != nil) }
                }
            }
        }
        _ = await fixture.runner.waitUntilIdle(timeout: .seconds(10))
        try await fixture.close()
    }
}
