import Foundation
import Journal
import JournalTestSupport
import Testing

@Suite("posts survive crashes through the real binary", .serialized)
struct PostCrashTests {
    /// 50 posts due over ~20 seconds; the runner is SIGKILLed at 50 random moments and
    /// restarted. Every post must reach the receiver, every repeat must carry the same key,
    /// and the journal must show each post published exactly once.
    @Test("50 posts, 50 SIGKILLs: each post published once, repeats always with the same key")
    func killWhilePublishing() async throws {
        let server = try await TestHTTPServer()
        let temp = try TempDirectory()
        let posts = temp.url.appendingPathComponent("posts")
        let state = temp.url.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: posts, withIntermediateDirectories: true)
        let first = Date().addingTimeInterval(3).timeIntervalSince1970.rounded(.up)
        var yaml = ""
        for i in 0..<50 {
            let at = Date(timeIntervalSince1970: first + Double(i) * 0.4)
            yaml += """
                kind: post
                name: post-\(i)
                at: "\(RFC3339Test.formatMillis(at))"
                content: {title: "Post \(i)"}
                publish: {webhook: "\(server.url("/posts"))"}
                ---

                """
        }
        try yaml.write(to: posts.appendingPathComponent("batch.yaml"), atomically: true, encoding: .utf8)
        let log = temp.url.appendingPathComponent("runner.log")
        let end = Date(timeIntervalSince1970: first + 21)
        var kills = 0
        while kills < 50 {
            let process = try launchAlmanac(["run", posts.path, "--state", state.path], log: log)
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...600)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            kills += 1
            if Date() > end && kills >= 50 { break }
        }
        let remaining = max(2, Int(end.timeIntervalSinceNow.rounded(.up)) + 2)
        let final = try launchAlmanac(["run", posts.path, "--state", state.path, "--for", "\(remaining)s"], log: log)
        while final.isRunning { try await Task.sleep(for: .milliseconds(50)) }  // the receiver answers from this pool
        final.waitUntilExit()
        #expect(final.terminationStatus == 0)

        let requests = server.requests(to: "/posts")
        var keysByPost: [String: Set<String>] = [:]
        for request in requests {
            guard let post = request.json?["post"] as? String else { continue }
            keysByPost[post, default: []].insert(request.headers["idempotency-key"] ?? "none")
        }
        #expect(keysByPost.count == 50, "posts seen by the receiver: \(keysByPost.count)")
        for (post, keys) in keysByPost {
            #expect(keys.count == 1, "\(post) was sent with different keys: \(keys)")
            #expect(keys.first?.hasPrefix("\(post)@") == true)
        }
        let events = try FileJournal.events(file: state.appendingPathComponent("journal.jsonl"))
        var published: [String: Int] = [:]
        for event in events where event.type == .published { published[event.job ?? "", default: 0] += 1 }
        #expect(published.count == 50)
        if published.count < 50, let missing = (0..<50).map({ "post-\($0)" }).first(where: { published[$0] == nil }) {
            for event in events where event.job == missing {
                print("DEBUG \(event.seq) \(event.type) \(event.scheduledAt.map(RFC3339Test.formatMillis) ?? "") a=\(event.attempt ?? 0) \(event.outcome ?? "") \(event.errorClass ?? "") \(event.reason ?? "") \(event.message ?? "") \(event.target ?? "")")
            }
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            print("DEBUG LOG TAIL:\n" + text.split(separator: "\n").suffix(40).joined(separator: "\n"))
        }
        #expect(published.values.allSatisfy { $0 == 1 }, "published more than once: \(published.filter { $0.value > 1 })")
    }
}

extension RFC3339Test {
    static func formatMillis(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
