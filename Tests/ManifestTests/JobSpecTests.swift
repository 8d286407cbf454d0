import CronSchedule
import Foundation
import Manifest
import Testing

@Suite("job fields")
struct JobSpecTests {
    @Test("every job field is read")
    func everyField() throws {
        let text = """
        kind: job
        name: nightly-backup
        schedule: "0 3 * * *"
        timezone: Europe/London
        run: ["./scripts/backup.sh", "--full"]
        workdir: ../tools
        env: {BUCKET: "b1", DEBUG: NO}
        timeout: 2m
        retry: {max: 3, backoff: exponential, initial: 1s, maxDelay: 30s}
        nonRetryableExitCodes: [2, 64]
        concurrency: replace
        catchup: {window: 2h, policy: all}
        jitter: 30s
        enabled: false
        notify: [{on: [failure, recovered], webhook: "https://hooks.example/T0/B0", headers: {X-Team: ops}}]
        after: [prepare]
        limits: {memory: 512M, cpu: 10m}
        ---
        name: prepare
        run: make prepare
        """
        let m = load(["jobs.d/backup.yaml": text])
        #expect(lines(m) == [])
        let spec = try #require(m.job(named: "nightly-backup"))
        #expect(spec.kind == .job)
        guard case .cron = spec.trigger else { Issue.record("expected cron"); return }
        #expect(spec.triggerText == "cron 0 3 * * *")
        #expect(spec.timeZone.identifier == "Europe/London")
        #expect(spec.command == .argv(["./scripts/backup.sh", "--full"]))
        #expect(spec.workdir == "tools")
        #expect(spec.environment == ["BUCKET": "b1", "DEBUG": "NO"])
        #expect(spec.timeout == .seconds(120))
        #expect(spec.retry == RetryPolicy(maxAttempts: 4, backoff: .exponential(initial: .seconds(1), maxDelay: .seconds(30))))
        #expect(spec.retry.delay(beforeRetry: 1) == .seconds(1))
        #expect(spec.retry.delay(beforeRetry: 3) == .seconds(4))
        #expect(spec.retry.delay(beforeRetry: 9) == .seconds(30))
        #expect(spec.nonRetryableExitCodes == [2, 64])
        #expect(spec.concurrency == .replace)
        #expect(spec.catchup == CatchupPolicy(mode: .all, window: .seconds(7200)))
        #expect(spec.jitter == .seconds(30))
        #expect(spec.enabled == false)
        #expect(spec.notify == [NotifySpec(on: [.failure, .recovered],
                                           target: .webhook(url: "https://hooks.example/T0/B0", headers: ["X-Team": "ops"]))])
        #expect(spec.after == ["prepare"])
        #expect(spec.limits == Limits(memory: 512 << 20, cpu: .seconds(600)))
        #expect(spec.location == SourceLocation(file: "jobs.d/backup.yaml", line: 2, column: 7))

        let prepare = try #require(m.job(named: "prepare"))
        #expect(prepare.trigger == .manual)
        #expect(prepare.command == .shell("make prepare"))
        #expect(prepare.workdir == "jobs.d")
        #expect(prepare.retry == .none)
        #expect(prepare.concurrency == .forbid)
        #expect(prepare.catchup == CatchupPolicy(mode: .latest, window: .seconds(3600)))
        #expect(prepare.timeZone.secondsFromGMT(for: testNow) == 0)
        #expect(prepare.fields["timezone"] == "UTC")
        #expect(prepare.enabled)
    }

    @Test("defaults, shorthands and alternatives", arguments: [
        ("retry: 2", "retry", "max=2 exponential 1s..5m"),
        ("retry: {delays: [1m, 5m, 15m]}", "retry", "max=3 delays 1m,5m,15m"),
        ("retry: {max: 5, delays: [1m]}", "retry", "max=5 delays 1m"),
        ("retry: {max: 2, backoff: fixed, initial: 10s}", "retry", "max=2 fixed 10s"),
        ("catchup: none", "catchup", "none window=1h"),
        ("catchup: {window: 30m}", "catchup", "latest window=30m"),
        ("limits: {memory: 2G}", "limits", "memory=2147483648"),
        ("limits: {memory: 1048576, cpu: 1h}", "limits", "memory=1048576 cpu=1h"),
        ("limits: {memory: 64MiB}", "limits", "memory=67108864"),
        ("after: prepare", "after", "prepare"),
        ("nonRetryableExitCodes: [64, 2]", "nonRetryableExitCodes", "2,64"),
        ("workdir: /srv/app", "workdir", "/srv/app"),
        ("workdir: ./sub/../bin", "workdir", "jobs.d/bin"),
    ])
    func variants(line: String, field: String, expected: String) throws {
        var files = ["jobs.d/a.yaml": job("a", line + "\n")]
        files["prepare.yaml"] = "name: prepare\nrun: x\n"
        let m = load(files)
        #expect(lines(m) == [])
        #expect(try #require(m.job(named: "a")).fields[field] == expected)
    }

    @Test("every: shorthand becomes a schedule", arguments: [
        ("every: {frequency: weekly, hour: 9, minute: 0, dayOfWeek: 1}", "every weekly 09:00 dayOfWeek=1"),
        ("every: {frequency: weekly, hour: 9, dayOfWeek: fri}", "every weekly 09:00 dayOfWeek=5"),
        ("every: {frequency: monthly, hour: 23, minute: 30, dayOfMonth: 31}", "every monthly 23:30 dayOfMonth=31"),
        ("every: daily", "every daily 00:00"),
    ])
    func every(line: String, trigger: String) throws {
        let m = load(["a.yaml": "name: a\nrun: x\n" + line + "\n"])
        #expect(lines(m) == [])
        let spec = try #require(m.jobs.first)
        #expect(spec.triggerText == trigger)
        guard case .cron = spec.trigger else { Issue.record("expected cron"); return }
    }

    @Test("a scan reads repo, branch and since")
    func scan() throws {
        let m = load(["scan.yaml": """
            kind: scan
            name: weekly-digest
            every: {frequency: weekly, hour: 8, dayOfWeek: mon}
            repo: "https://${GH_TOKEN}@github.com/acme/app.git"
            branch: main
            since: 7d
            run: ["./digest.sh"]
            """], environment: ["GH_TOKEN": "ghp_secret"])
        #expect(lines(m) == [])
        let spec = try #require(m.jobs.first)
        #expect(spec.kind == .scan)
        #expect(spec.repo == "https://ghp_secret@github.com/acme/app.git")
        #expect(spec.fields["repo"] == "https://${GH_TOKEN}@github.com/acme/app.git")
        #expect(spec.branch == "main")
        #expect(spec.since == .seconds(604_800))
    }

    @Test("a scan without a schedule or repo is an error")
    func scanNeedsSchedule() {
        let m = load(["scan.yaml": "kind: scan\nname: s\nrun: x\n"])
        #expect(lines(m) == [
            "scan.yaml:1:1: error: a scan needs `schedule:` or `every:`",
            "scan.yaml:1:1: error: missing `repo` (a URL or path of the repository to scan)",
        ])
    }

    @Test("strings keep YAML 1.1 traps as written")
    func yaml11Traps() throws {
        let m = load(["a.yaml": "name: on\nrun: [NO, yes, 0777, 1e3, ~x, 'true']\nenv: {A: off, B: 010, C: 1_000, D: .inf}\n"])
        #expect(lines(m) == [])
        let spec = try #require(m.jobs.first)
        #expect(spec.name == "on")
        #expect(spec.command == .argv(["NO", "yes", "0777", "1e3", "~x", "true"]))
        #expect(spec.environment == ["A": "off", "B": "010", "C": "1_000", "D": ".inf"])
    }

    @Test("booleans and integers are strict", arguments: [
        ("enabled: yes", "a.yaml:4:10: error: enabled: expected true or false, found `yes`"),
        ("enabled: NO", "a.yaml:4:10: error: enabled: expected true or false, found `NO`"),
        ("retry: {max: 0777}", "a.yaml:4:14: error: retry.max: expected an integer, found `0777`"),
        ("retry: {max: 1e3}", "a.yaml:4:14: error: retry.max: expected an integer, found `1e3`"),
        ("retry: {max: 101}", "a.yaml:4:14: error: retry.max: 101 is out of range 0-100"),
        ("nonRetryableExitCodes: [2, 300]", "a.yaml:4:28: error: nonRetryableExitCodes[1]: 300 is out of range 0-255"),
        ("timeout: 5 min", "a.yaml:4:10: error: timeout: `5 min` is not a duration: unexpected character ` ` (units are d, h, m, s, ms) (e.g. 500ms, 30s, 2m, 1h30m, 7d)"),
        ("timeout: 0s", "a.yaml:4:10: error: timeout: must be longer than 0s"),
        ("concurrency: paralel", "a.yaml:4:14: error: concurrency: `paralel` is not one of forbid, allow, replace"),
        ("catchup: {policy: lates}", "a.yaml:4:19: error: catchup.policy: `lates` is not one of none, latest, all (did you mean `latest`?)"),
        ("limits: {memory: lots}", "a.yaml:4:18: error: limits.memory: expected a size like 512M, 2G or 1048576, found `lots`"),
        ("retry: {backoff: fixed}", "a.yaml:4:8: error: retry: missing `max` (how many retries)"),
        ("env: {1X: a}", "a.yaml:4:7: error: env: `1X` is not a variable name ([A-Za-z_][A-Za-z0-9_]*)"),
        ("workdir: ../../..", "a.yaml:4:10: error: workdir: `../../..` climbs above the watched root"),
        ("run: []", "a.yaml:3:6: error: run: the argv list is empty"),
        ("notify: [{on: [failur], webhook: 'https://h'}]", "a.yaml:4:15: error: notify[0].on: `failur` is not one of failure, success, retry, recovered, missed (did you mean `failure`?)"),
        ("notify: {on: failure}", "a.yaml:4:9: error: notify: needs `webhook: URL` or `run: command`"),
        ("notify: {webhook: ftp://x}", "a.yaml:4:19: error: notify.webhook: expected an http:// or https:// URL"),
        ("after: [a]", "a.yaml:4:8: error: after: cycle a → a (a job cannot run after itself)"),
        ("after: [ghost]", "a.yaml:4:8: error: after: no job named `ghost`"),
    ])
    func strict(line: String, expected: String) {
        let text = "name: a\nschedule: \"0 3 * * *\"\nrun: [x]\n".replacingOccurrences(of: line.hasPrefix("run:") ? "run: [x]\n" : "\u{0}", with: "")
        let m = load(["a.yaml": text + line + "\n"])
        #expect(lines(m) == [expected])
        #expect(m.jobs.isEmpty)
        #expect(!m.isValid)
    }
}

@Suite("job spec storage")
struct JobSpecStorageTests {
    @Test("a copied spec is independent of the original, hot and cold fields alike")
    func copyOnWrite() {
        let original = JobSpec(name: "a", command: .argv(["/bin/true"]))
        var copy = original
        copy.name = "b"
        copy.retry = RetryPolicy(maxAttempts: 3, backoff: .fixed(.seconds(1)))
        copy.environment["X"] = "1"
        #expect(original.name == "a" && original.retry == .none && original.environment.isEmpty)
        #expect(copy.name == "b" && copy.retry.maxAttempts == 3 && copy.environment == ["X": "1"])
        #expect(original != copy)
        copy.name = "a"
        copy.retry = .none
        copy.environment = [:]
        #expect(original == copy)
        #expect(original.hashValue == copy.hashValue)
    }
}
