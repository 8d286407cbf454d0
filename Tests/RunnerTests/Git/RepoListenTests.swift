import Foundation
import GitSync
import Journal
import JournalTestSupport
import Testing
@testable import Server

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `almanac run --repo … --listen …`: the push webhook and `POST /api/v1/sync` fetch at once,
/// long before the next poll.
@Suite("run --repo with --listen", .serialized)
struct RepoListenTests {
    struct Reply {
        var status: Int
        var text: String
        var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:] }
    }

    static func request(_ url: String, method: String = "GET", body: String? = nil, headers: [String: String] = [:]) async -> Reply? {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        guard let (data, response) = try? await URLSession.shared.data(for: request) else { return nil }
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, text: String(decoding: data, as: UTF8.self))
    }

    static func jobNames(_ base: String) async -> [String] {
        let jobs = await request(base + "/api/v1/jobs")?.object["jobs"] as? [[String: Any]] ?? []
        return jobs.compactMap { $0["name"] as? String }.sorted()
    }

    static func githubPush(_ base: String, ref: String, secret: String) async -> Reply? {
        let body = #"{"ref": "\#(ref)", "after": "0000000"}"#
        return await request(base + "/hooks/github", method: "POST", body: body, headers: [
            "Content-Type": "application/json", "X-GitHub-Event": "push", "X-Hub-Signature-256": GitHubSignature.header(body: Array(body.utf8), secret: secret),
        ])
    }

    /// `almanac run --repo` on the fixture's remote with the server on a free port; the poll is
    /// an hour away, so only a sync or a webhook can bring a new commit in.
    static func launch(_ fixture: RepoFixture, environment: [String: String]) throws -> (Process, String, URL) {
        let port = try ListenTests.freePort()
        let log = fixture.temp.url.appendingPathComponent("runner.log")
        let process = try launchAlmanac([
            "run", "--repo", fixture.remoteURL.path, "--state", fixture.state.path, "--poll", "1h", "--no-status",
            "--listen", "127.0.0.1:\(port)",
        ], log: log, environment: environment)
        return (process, "http://127.0.0.1:\(port)", log)
    }

    @Test("a signed push webhook and POST /api/v1/sync apply new commits at once; /readyz and /metrics see the fetch")
    func webhookFetches() async throws {
        let fixture = try RepoFixture()
        let idle = #"schedule: "0 0 1 1 *"\#nrun: ["true"]\#n"#
        try await fixture.push(["jobs.d/one.yaml": "name: one\n" + idle])
        let (process, base, log) = try Self.launch(fixture, environment: [
            "ALMANAC_WEBHOOK_SECRET": "hook-secret", "ALMANAC_API_TOKEN": "api-token",
        ])
        defer { if process.isRunning { process.terminate() } }

        var names: [String] = []
        for _ in 0..<100 where names != ["one"] {
            try await Task.sleep(for: .milliseconds(100))
            names = await Self.jobNames(base)
        }
        #expect(names == ["one"], "\(text(log) ?? "")")
        #expect(await Self.request(base + "/readyz")?.status == 200)

        let second = try await fixture.push(["jobs.d/two.yaml": "name: two\n" + idle])
        let other = await Self.githubPush(base, ref: "refs/heads/feature", secret: "hook-secret")
        #expect(other?.status == 200)
        let forged = await Self.githubPush(base, ref: "refs/heads/main", secret: "wrong")
        #expect(forged?.status == 401)
        try await Task.sleep(for: .milliseconds(300))
        #expect(await Self.jobNames(base) == ["one"], "neither a push to another branch nor a forged one fetches")
        let accepted = await Self.githubPush(base, ref: "refs/heads/main", secret: "hook-secret")
        #expect(accepted?.status == 202)
        for _ in 0..<50 where names != ["one", "two"] {
            try await Task.sleep(for: .milliseconds(100))
            names = await Self.jobNames(base)
        }
        #expect(names == ["one", "two"], "the webhook fetched within 5 s; the poll is an hour away")

        let third = try await fixture.push(["jobs.d/three.yaml": "name: three\n" + idle])
        #expect(await Self.request(base + "/api/v1/sync", method: "POST")?.status == 401)
        let synced = await Self.request(base + "/api/v1/sync", method: "POST", headers: ["Authorization": "Bearer api-token"])
        #expect(synced?.status == 200)
        #expect(await Self.jobNames(base) == ["one", "three", "two"], "sync returns after the fetch is applied")
        let metrics = await Self.request(base + "/metrics")?.text ?? ""
        #expect(metrics.contains("almanac_last_git_fetch_timestamp_seconds"))
        #expect(metrics.contains("almanac_git_fetch_failing 0"))

        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let state = try FileJournal.replay(file: fixture.state.appendingPathComponent("journal.jsonl")).state
        #expect(state.jobs["two"]?.applied?.revision == second.hex)
        #expect(state.jobs["three"]?.applied?.revision == third.hex)
    }

    @Test("a remote that goes away: /readyz says why (no credentials in it), the last good revision keeps running")
    func unreachableRemote() async throws {
        let fixture = try RepoFixture()
        try await fixture.push(["jobs.d/one.yaml": "name: one\nschedule: \"0 0 1 1 *\"\nrun: [\"true\"]\n"])
        let (process, base, _) = try Self.launch(fixture, environment: ["ALMANAC_API_TOKEN": "api-token"])
        defer { if process.isRunning { process.terminate() } }
        for _ in 0..<100 where await Self.request(base + "/readyz")?.status != 200 {
            try await Task.sleep(for: .milliseconds(100))
        }
        try FileManager.default.removeItem(at: fixture.remoteURL)
        let sync = await Self.request(base + "/api/v1/sync", method: "POST", headers: ["Authorization": "Bearer api-token"])
        #expect(sync?.status == 502, "a failed fetch is not `done`")
        let error = sync?.object["error"] as? [String: Any]
        #expect(error?["status"] as? Int == 502)
        #expect((error?["message"] as? String)?.contains("fetch of") == true, "\(sync?.text ?? "")")
        let ready = await Self.request(base + "/readyz")
        #expect(ready?.status == 503)
        let reasons = ready?.object["reasons"] as? [String] ?? []
        #expect(reasons.contains { $0.hasPrefix("git unreachable") }, "\(reasons)")
        #expect(await Self.jobNames(base) == ["one"])
        #expect(await Self.request(base + "/metrics")?.text.contains("almanac_git_fetch_failing 1") == true)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("a restart while the remote is gone runs the revision fetched last and says so; a first start has nothing to run")
    func restartOffline() async throws {
        let fixture = try RepoFixture()
        let commit = try await fixture.push(["jobs.d/tick.yaml": "name: tick\nschedule: \"* * * * * *\"\nrun: [\"true\"]\n"])
        let args = ["run", "--repo", fixture.remoteURL.path, "--state", fixture.state.path, "--for", "2s", "--no-status"]
        #expect(try almanac(args).0 == 0)
        let journal = fixture.state.appendingPathComponent("journal.jsonl")
        let before = try FileJournal.replay(file: journal).state.jobs["tick"]?.history.count ?? 0
        try FileManager.default.removeItem(at: fixture.remoteURL)
        let (status, out, err) = try almanac(args)
        #expect(status == 0, "\(err)")
        #expect((out + err).contains("running \(commit.short), the revision fetched last, until a fetch works"), "\(out)\(err)")
        #expect((out + err).contains("no repository at \(fixture.remoteURL.path)"), "libgit2's 'unsupported URL protocol' explained")
        let state = try FileJournal.replay(file: journal).state
        #expect((state.jobs["tick"]?.history.count ?? 0) > before, "the offline restart ran the job")
        let fresh = fixture.temp.url.appendingPathComponent("fresh")
        let (refused, _, why) = try almanac(["run", "--repo", fixture.remoteURL.path, "--state", fresh.path, "--for", "1s"])
        #expect(refused == 1)
        #expect(why.contains("no repository at \(fixture.remoteURL.path)"), "\(why)")
    }
}
