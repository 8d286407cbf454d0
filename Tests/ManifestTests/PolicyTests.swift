import Foundation
import Manifest
import Testing

@Suite("policy and almanac.yaml")
struct PolicyTests {
    private let root = """
        policy:
          maxScheduleAhead: 30d
          minSpacing: 1h
          maxPostsPerDay: 2
        history: {keep: 7d, maxPerJob: 50}
        maxParallel: 4
        status: {path: out/status, branch: bot}
        defaults: {timezone: Europe/London, timeout: 10m, retry: 1, catchup: none, notify: {webhook: "https://h.example/x"}}
        """

    private func post(_ name: String, _ at: String, channel: String = "news") -> String {
        "kind: post\nname: \(name)\nat: \(at)\ncontent: {channel: \(channel)}\npublish: {run: [./pub]}\n"
    }

    @Test("root settings are read with their positions")
    func rootSettings() throws {
        let m = load(["almanac.yaml": root, "a.yaml": job("a")])
        #expect(lines(m) == [])
        let config = m.config
        #expect(config.policy.maxScheduleAhead == Located(.seconds(30 * 86_400), at: SourceLocation(file: "almanac.yaml", line: 2, column: 21)))
        #expect(config.policy.maxPostsPerDay?.value == 2)
        #expect(config.history == RootConfig.History(keep: .seconds(7 * 86_400), maxPerJob: 50))
        #expect(config.maxParallel == 4)
        #expect(config.status == RootConfig.StatusOutput(path: "out/status", branch: "bot"))
        let spec = try #require(m.jobs.first)
        #expect(spec.timeZone.identifier == "Europe/London")
        #expect(spec.timeout == .seconds(600))
        #expect(spec.retry.maxAttempts == 2)
        #expect(spec.catchup.mode == CatchupPolicy.Mode.none)
        #expect(spec.notify.count == 1)
    }

    @Test("maxScheduleAhead names the limit and where it was set")
    func scheduleAhead() {
        let m = load(["almanac.yaml": root, "posts/far.yaml": post("far", "2027-03-01T09:00:00Z")])
        #expect(lines(m) == ["posts/far.yaml:3:5: error: at: 2027-03-01T09:00:00Z exceeds maxScheduleAhead 30d set at almanac.yaml:2:21"])
        #expect(m.invalidFiles == ["posts/far.yaml"])
    }

    @Test("minSpacing names both posts")
    func spacing() {
        let m = load(["almanac.yaml": root,
                      "posts/a.yaml": post("a", "2026-12-01T09:00:00Z"),
                      "posts/b.yaml": post("b", "2026-12-01T09:20:00Z"),
                      "posts/c.yaml": post("c", "2026-12-01T09:20:00Z", channel: "other")])
        #expect(lines(m) == ["posts/b.yaml:3:5: error: at: 20m after post `a` (posts/a.yaml:3:5) on channel `news`: below minSpacing 1h set at almanac.yaml:3:15"])
        #expect(m.jobs.map(\.name) == ["a", "c"])
    }

    @Test("maxPostsPerDay counts per channel per UTC day")
    func perDay() {
        let m = load(["almanac.yaml": root,
                      "p.yaml": [post("a", "2026-12-01T01:00:00Z"), post("b", "2026-12-01T05:00:00Z"),
                                 post("c", "2026-12-01T23:00:00Z"), post("d", "2026-12-02T01:00:00Z")].joined(separator: "---\n")])
        #expect(lines(m) == ["p.yaml:15:5: error: at: more than 2 posts to channel `news` on 2026-12-01 (UTC): exceeds maxPostsPerDay 2 set at almanac.yaml:4:19"])
    }

    @Test("a subdirectory almanac.yaml overrides per key, nearest wins")
    func subdirectoryOverride() throws {
        let m = load([
            "almanac.yaml": "policy: {allowPosts: false, allowSchedules: true}\ndefaults: {timezone: Europe/London}\n",
            "team/almanac.yaml": "policy: {allowPosts: true}\ndefaults: {timezone: America/New_York}\n",
            "team/deep/p.yaml": post("ok", "2026-12-01T09:00:00Z"),
            "team/j.yaml": job("team-job"),
            "p.yaml": post("blocked", "2026-12-01T09:00:00Z"),
            "j.yaml": job("root-job"),
        ])
        #expect(lines(m) == ["p.yaml:1:1: error: posts are not allowed here (allowPosts: false set at almanac.yaml:1:22)"])
        #expect(m.jobs.map(\.name) == ["ok", "root-job", "team-job"])
        #expect(m.job(named: "team-job")?.timeZone.identifier == "America/New_York")
        #expect(m.job(named: "root-job")?.timeZone.identifier == "Europe/London")
        #expect(m.config.policy.allowPosts?.value == false)
    }

    @Test("allowSchedules: false refuses recurring schedules")
    func allowSchedules() {
        let m = load(["almanac.yaml": "policy:\n  allowSchedules: false\n", "a.yaml": job("a"), "b.yaml": "name: b\nrun: x\n"])
        #expect(lines(m) == ["a.yaml:2:11: error: schedule: recurring schedules are not allowed here (allowSchedules: false set at almanac.yaml:2:19)"])
        #expect(m.jobs.map(\.name) == ["b"])
    }

    @Test("global keys only at the root; config keys checked")
    func configProblems() {
        let m = load(["almanac.yaml": "polcy: {}\nmaxParallel: 0\n", "sub/almanac.yaml": "history: {keep: 1d}\n"])
        #expect(lines(m) == [
            "almanac.yaml:1:1: error: unknown key `polcy` (did you mean `policy`?)",
            "almanac.yaml:2:14: error: maxParallel: 0 is out of range 1-10000",
            "sub/almanac.yaml:1:1: error: `history` is only read from the root almanac.yaml",
        ])
    }
}
