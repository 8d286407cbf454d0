import AlmanacCore
import Foundation
import Journal
import Testing

/// `posts metrics` and `posts suggest` through the real binary: posts published by a real
/// runner to a webhook on 127.0.0.1 that answers with metrics, numbers added by the CLI (with
/// no runner up, and through a running runner's inbox) and the API, then the ranking.
@Suite("when to post", .serialized)
struct PostingTimesTests {
    /// The `hour`:00 UTC of the `weekday` (0 = Sunday) `weeksBack` weeks before the latest one before today.
    static func past(weekday: Int, hour: Int, weeksBack: Int, now: Date = Date()) -> Date {
        var day = Civil.floorDiv(Int64(now.timeIntervalSince1970), Civil.secondsPerDay) - 1
        while Civil.weekday(days: day) != weekday { day -= 1 }
        day -= Int64(7 * weeksBack)
        return Date(timeIntervalSince1970: Double(day * Civil.secondsPerDay + Int64(hour * 3600)))
    }

    /// Six Tuesday 09:00 posts (40…50 likes), five Thursday 18:00 (20…28), one Saturday 10:00
    /// (500: a lucky post alone in its slot), all past and inside their catch-up window, published
    /// by `run --for` to a receiver that answers each with its likes.
    static func publishedPosts(_ temp: TempDirectory, server: TestHTTPServer) async throws -> (posts: URL, state: URL) {
        let likes: [String: Int] = Dictionary(uniqueKeysWithValues:
            (0..<6).map { ("tue-\($0)", 40 + 2 * $0) } + (0..<5).map { ("thu-\($0)", 20 + 2 * $0) } + [("sat-0", 500)])
        server.script("/posts", .respond { request in
            let post = request.json?["post"] as? String ?? ""
            return .ok(#"{"url": "https://social.example/\#(post)", "metrics": {"likes": \#(likes[post] ?? 0), "Not-A-Name": 1}}"#)
        })
        let posts = temp.url.appendingPathComponent("posts")
        let state = temp.url.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: posts, withIntermediateDirectories: true)
        let times = (0..<6).map { ("tue-\($0)", past(weekday: 2, hour: 9, weeksBack: $0)) }
            + (0..<5).map { ("thu-\($0)", past(weekday: 4, hour: 18, weeksBack: $0)) } + [("sat-0", past(weekday: 6, hour: 10, weeksBack: 1))]
        let yaml = times.map { name, at in
            """
            kind: post
            name: \(name)
            at: "\(RFC3339.format(at))"
            catchup: {window: 70d}
            content: {title: "\(name)", channel: blog}
            publish: {webhook: "\(server.url("/posts"))"}
            """
        }.joined(separator: "\n---\n")
        try yaml.write(to: posts.appendingPathComponent("posts.yaml"), atomically: true, encoding: .utf8)
        // Off the cooperative pool: the receiver answers from it.
        let (status, _, err) = try await offThePool { try almanac(["run", posts.path, "--state", state.path, "--for", "6s"]) }
        #expect(status == 0, "\(err)")
        let published = try FileJournal.events(file: state.appendingPathComponent("journal.jsonl")).filter { $0.type == .published }
        #expect(published.count == 12, "\(err)")
        return (posts, state)
    }

    static func suggestion(_ arguments: [String]) throws -> [String: Any] {
        let (status, out, err) = try almanac(["posts", "suggest", "--format", "json"] + arguments)
        #expect(status == 0, "\(err)")
        return (try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]) ?? [:]
    }

    static func slots(_ json: [String: Any], _ key: String) -> [String] {
        (json[key] as? [[String: Any]] ?? []).map { "\($0["slot"] ?? "?") median \($0["median"] ?? "?") n=\($0["samples"] ?? "?")" }
    }

    @Test("the publish answers' likes and the CLI's numbers rank Tuesday 09:00 first; a lone lucky slot is not ranked")
    func suggestFromPublishedPosts() async throws {
        let server = try await TestHTTPServer()
        let temp = try TempDirectory()
        let (posts, state) = try await Self.publishedPosts(temp, server: server)
        let journal = state.appendingPathComponent("journal.jsonl")
        let recorded = try FileJournal.events(file: journal).filter { $0.type == .engagement }
        #expect(recorded.count == 12)
        #expect(!(try String(contentsOf: journal, encoding: .utf8)).contains("Not-A-Name"))

        // No runner up: the CLI journals itself. tue-0 grew from 40 to 60 likes; the latest value wins.
        let (ok, okOut, okErr) = try almanac(["posts", "metrics", "tue-0", "likes=60", "comments=4", "--state", state.path])
        #expect(ok == 0 && okOut.hasPrefix("recorded: tue-0 (target 0, ") && okOut.contains("comments=4 likes=60"), "\(okOut)\(okErr)")

        let json = try Self.suggestion(["--channel", "blog", "--state", state.path])
        #expect(Self.slots(json, "ranked") == ["Tue 09:00 median 47 n=6", "Thu 18:00 median 24 n=5"], "\(json)")
        #expect(Self.slots(json, "notEnoughData") == ["Sat 10:00 median 500 n=1"], "\(json)")
        #expect(json["metric"] as? String == "likes" && json["zone"] as? String == "UTC" && json["samples"] as? Int == 12)
        #expect((json["notEnoughData"] as? [[String: Any]])?.first?["note"] as? String == "not enough data (n < 5)")

        let (text, table, _) = try almanac(["posts", "suggest", "--channel", "blog", "--state", state.path])
        #expect(text == 0 && table == """
            channel blog: median likes per slot, times in UTC, 12 sample(s)
            rank  slot       median  n
            1     Tue 09:00  47      6
            2     Thu 18:00  24      5
            not enough data (n < 5):
            -     Sat 10:00  500     1

            """, "\(table)")
        let tokyo = try Self.suggestion(["--channel", "blog", "--tz", "Asia/Tokyo", "--state", state.path])
        #expect(Self.slots(tokyo, "ranked").first == "Tue 18:00 median 47 n=6")

        // What is refused, with exit 1 and a reason.
        for (arguments, says) in [
            (["posts", "metrics", "nosuch", "likes=1"], "no post named 'nosuch'"),
            (["posts", "metrics", "tue-1", "likes=1", "--target", "9"], "has no target '9'"),
            (["posts", "suggest", "--channel", "nope"], "no engagement recorded for channel 'nope'"),
            (["posts", "suggest", "--channel", "blog", "--metric", "views"], "available: comments, likes"),
        ] {
            let (status, _, err) = try almanac(arguments + ["--state", state.path])
            #expect(status == 1 && err.contains(says), "\(arguments): \(err)")
        }
        let (bad, _, badErr) = try almanac(["posts", "metrics", "tue-1", "likes=many", "--state", state.path])
        #expect(bad != 0 && badErr.contains("'likes=many': expected NAME=NUMBER"), "\(badErr)")

        // validate notes a post ahead in a slot that is not among the best; it stays valid.
        let ahead = Date().addingTimeInterval(8 * 86_400)
        let saturday = Self.past(weekday: 6, hour: 23, weeksBack: 0, now: ahead.addingTimeInterval(86_400))
        let tuesday = Self.past(weekday: 2, hour: 9, weeksBack: 0, now: ahead.addingTimeInterval(7 * 86_400))
        try """
            kind: post
            name: late-night
            at: "\(RFC3339.format(saturday))"
            content: {title: Later, channel: blog}
            publish: {webhook: "https://example.invalid/hook"}
            ---
            kind: post
            name: well-timed
            at: "\(RFC3339.format(tuesday))"
            content: {title: Later, channel: blog}
            publish: {webhook: "https://example.invalid/hook"}
            """.write(to: posts.appendingPathComponent("later.yaml"), atomically: true, encoding: .utf8)
        let (valid, notes, validErr) = try almanac(["validate", posts.path, "--state", state.path])
        #expect(valid == 0, "\(notes)\(validErr)")
        let lines = notes.split(separator: "\n").filter { $0.contains(": note: ") }
        #expect(lines.count == 1 && lines.first?.contains("post late-night is scheduled Sat 23:00 UTC, not among channel `blog`'s best slots "
                                                              + "by median likes: Tue 09:00 (47, n=6), Thu 18:00 (24, n=5)") == true, "\(notes)")
        await server.stop()
    }

    @Test("with a runner up, posts metrics goes through its inbox; the API records and suggests")
    func throughTheRunner() async throws {
        let server = try await TestHTTPServer()
        let temp = try TempDirectory()
        let (posts, state) = try await Self.publishedPosts(temp, server: server)
        let port = try ListenTests.freePort()
        let base = "http://127.0.0.1:\(port)"
        let runner = try launchAlmanac(["run", posts.path, "--state", state.path, "--listen", "127.0.0.1:\(port)"],
                                       log: temp.url.appendingPathComponent("runner.log"), environment: ["ALMANAC_API_TOKEN": "pt-token"])
        defer { if runner.isRunning { kill(runner.processIdentifier, SIGKILL) } }
        for _ in 0..<100 where await RepoListenTests.request(base + "/readyz")?.status != 200 {
            try await Task.sleep(for: .milliseconds(100))
        }
        let (queued, queuedOut, queuedErr) = try almanac(["posts", "metrics", "thu-0", "likes=90", "--state", state.path])
        #expect(queued == 0 && queuedOut.hasPrefix("queued: thu-0 (target 0, "), "\(queuedOut)\(queuedErr)")
        let journal = state.appendingPathComponent("journal.jsonl")
        var fromCLI: [JournalEvent] = []
        for _ in 0..<50 {
            fromCLI = try FileJournal.events(file: journal).filter {
                if case .engagement(let e) = $0.record { e.source == .cli } else { false }
            }
            if !fromCLI.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(fromCLI.count == 1 && fromCLI.first?.job == "thu-0")

        func record(_ post: String, _ body: String, token: String? = "pt-token") async -> RepoListenTests.Reply? {
            var headers = ["Content-Type": "application/json"]
            if let token { headers["Authorization"] = "Bearer \(token)" }
            return await RepoListenTests.request(base + "/api/v1/posts/\(post)/metrics", method: "POST", body: body, headers: headers)
        }
        let recorded = await record("thu-1", #"{"metrics": {"likes": 91}, "by": "collector"}"#)
        #expect(recorded?.status == 200 && recorded?.object["target"] as? String == "0" && recorded?.object["source"] as? String == "api",
                "\(recorded?.text ?? "")")
        #expect(await record("thu-1", #"{"metrics": {"likes": 91}}"#, token: nil)?.status == 401)
        #expect(await record("nosuch", #"{"metrics": {"likes": 1}}"#)?.status == 404)
        #expect(await record("thu-1", #"{"metrics": {"Likes": 1}}"#)?.status == 400)
        #expect(await record("thu-1", #"{"metrics": {}}"#)?.status == 400)

        // Thursday: 20→90, 22→91, 24, 26, 28 — its median is now 28, still below Tuesday's 45.
        let answer = await RepoListenTests.request(base + "/api/v1/posts/suggestions?channel=blog")
        #expect(answer?.status == 200, "\(answer?.text ?? "")")
        #expect(Self.slots(answer?.object ?? [:], "ranked") == ["Tue 09:00 median 45 n=6", "Thu 18:00 median 28 n=5"], "\(answer?.text ?? "")")
        #expect(await RepoListenTests.request(base + "/api/v1/posts/suggestions?channel=nope")?.status == 404)
        #expect(await RepoListenTests.request(base + "/api/v1/posts/suggestions?channel=blog&tz=Mars/Olympus")?.status == 400)
        #expect(await RepoListenTests.request(base + "/api/v1/posts/suggestions")?.status == 400)
        kill(runner.processIdentifier, SIGTERM)
        runner.waitUntilExit()
        await server.stop()
    }
}
