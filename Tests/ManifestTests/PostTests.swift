import Foundation
import Manifest
import Testing

@Suite("posts")
struct PostTests {
    private func date(_ text: String) -> Date {
        let f = ISO8601DateFormatter()
        return f.date(from: text) ?? .distantPast
    }

    @Test("a posts: list shares the keys beside it; local times read in the timezone")
    func postsList() throws {
        let m = load(["posts/launch.yaml": """
            kind: post
            timezone: Europe/Paris
            publish: {webhook: "https://hooks.example/x"}
            content: {channel: news, platform: mastodon}
            posts:
              - name: p1
                at: 2026-12-01T09:00
                content: {title: Hello, nsfw: false, media: [a.png, b.png]}
              - name: p2
                at: "2026-12-02 09:30"
                content: {title: World, channel: other, extra: {count: 3, tag: NO}}
            """])
        #expect(lines(m) == [])
        let p1 = try #require(m.job(named: "p1")), p2 = try #require(m.job(named: "p2"))
        #expect(p1.kind == .post)
        #expect(p1.trigger == .at(date("2026-12-01T08:00:00Z")))
        #expect(p1.triggerText == "at 2026-12-01T08:00:00Z")
        #expect(p2.trigger == .at(date("2026-12-02T08:30:00Z")))
        #expect(p1.content == ["channel": .string("news"), "platform": .string("mastodon"), "title": .string("Hello"),
                               "nsfw": .bool(false), "media": .array([.string("a.png"), .string("b.png")])])
        #expect(p2.channel == "other")
        #expect(p2.content["extra"] == .object(["count": .number(3), "tag": .string("NO")]))
        #expect(p1.publish == [PublishTarget(kind: .webhook(url: "https://hooks.example/x", method: "POST", headers: [:]))])
        #expect(p1.fields["content"] == #"{"channel":"news","media":["a.png","b.png"],"nsfw":false,"platform":"mastodon","title":"Hello"}"#)
        #expect(p1.fields["cancelled"] == "false")
        #expect(p1.fields["run"] == nil)
    }

    @Test("at: accepts RFC 3339 with offsets and fractions", arguments: [
        ("2026-12-01T09:00:00Z", "2026-12-01T09:00:00Z"),
        ("2026-12-01T09:00:00+02:00", "2026-12-01T07:00:00Z"),
        ("2026-12-01T09:00:00.250-05:30", "2026-12-01T14:30:00Z"),
        ("2026-12-01t09:00z", "2026-12-01T09:00:00Z"),
        ("2027-07-01 09:00", "2027-07-01T09:00:00Z"),
    ])
    func atForms(text: String, utc: String) throws {
        let m = load(["p.yaml": "kind: post\nname: p\nat: \"\(text)\"\ncontent: {title: t}\npublish: {run: [./pub]}\n"])
        #expect(lines(m) == [])
        #expect(try #require(m.jobs.first).triggerText == "at " + utc)
    }

    @Test("bad and past at: values", arguments: [
        ("2026-02-30T09:00", "p.yaml:3:5: error: at: `2026-02-30T09:00` is not a date-time (RFC 3339 like 2026-12-01T09:00:00Z, or local 2026-12-01T09:00 / 2026-12-01 09:00 read in `timezone`)"),
        ("tomorrow", "p.yaml:3:5: error: at: `tomorrow` is not a date-time (RFC 3339 like 2026-12-01T09:00:00Z, or local 2026-12-01T09:00 / 2026-12-01 09:00 read in `timezone`)"),
        ("2026-01-01T00:00:00Z", "p.yaml:3:5: warning: at: 2026-01-01T00:00:00Z is in the past (now 2026-11-23T12:00:00Z); the catch-up policy decides whether it still publishes"),
    ])
    func badAt(text: String, expected: String) {
        let m = load(["p.yaml": "kind: post\nname: p\nat: \(text)\ncontent: {title: t}\npublish: {run: [./pub]}\n"])
        #expect(lines(m) == [expected])
        #expect(m.isValid == expected.contains("warning"))
    }

    @Test("a post needs at:, content and publish; run: doesn't apply")
    func postRequirements() {
        let m = load(["p.yaml": "kind: post\nname: p\nrun: x\n"])
        #expect(lines(m) == [
            "p.yaml:1:1: error: a post needs `at:` (or `schedule:` for a recurring post)",
            "p.yaml:1:1: error: missing `content` (title, body, channel, …)",
            "p.yaml:1:1: error: missing `publish` (a webhook or run target, or a list of them)",
            "p.yaml:3:1: error: `run` does not apply to posts (a post publishes through `publish:`)",
        ])
    }

    @Test("several publish targets, a recurring post, cancellation")
    func publishTargets() throws {
        let m = load(["p.yaml": """
            kind: post
            name: weekly
            schedule: "0 9 * * MON"
            cancelled: true
            content: {title: t}
            publish:
              - {name: x, webhook: "https://api.example/${ACCOUNT}", method: put, headers: {Authorization: "Bearer ${TOKEN}"}}
              - {name: y, run: ["./post.sh", "--dry"]}
            """], environment: ["ACCOUNT": "acme", "TOKEN": "tok"])
        #expect(lines(m) == [])
        let spec = try #require(m.jobs.first)
        #expect(spec.cancelled)
        #expect(spec.publish.map(\.name) == ["x", "y"])
        #expect(spec.publish.first?.kind == .webhook(url: "https://api.example/acme", method: "PUT", headers: ["Authorization": "Bearer tok"]))
        #expect(spec.publish.first?.kindTemplate == .webhook(url: "https://api.example/${ACCOUNT}", method: "PUT",
                                                              headers: ["Authorization": "Bearer ${TOKEN}"]))
        #expect(spec.fields["publish"]?.contains("tok\"") == false)
        #expect(spec.publish.last?.kind == .run(.argv(["./post.sh", "--dry"])))
    }

    @Test("publish target names must be unique within a post")
    func duplicateTargetNames() {
        let m = load(["p.yaml": "kind: post\nname: p\nat: 2026-12-01T09:00:00Z\ncontent: {title: t}\npublish: [{name: a, run: x}, {name: a, run: y}]\n"])
        #expect(lines(m) == ["p.yaml:5:37: error: publish[1].name: `a` is used by another target of this post"])
    }
}
