import Foundation
import Manifest
import Testing

@Suite("diagnostics")
struct DiagnosticsTests {
    @Test("a cron error points at the schedule scalar")
    func cronError() {
        let m = load(["jobs.d/backup.yaml": "name: backup\nrun: [x]\nschedule: \"61 3 * * *\"\n"])
        #expect(m.diagnostics.count == 1)
        let line = lines(m).first ?? ""
        #expect(line.hasPrefix("jobs.d/backup.yaml:3:11: error: schedule: "))
        #expect(line.contains("61"))
        #expect(m.invalidFiles == ["jobs.d/backup.yaml"])
    }

    @Test("unknown keys get a did-you-mean hint", arguments: [
        ("timezon: UTC", "a.yaml:4:1: error: unknown key `timezon` (did you mean `timezone`?)"),
        ("timeZone: UTC", "a.yaml:4:1: error: unknown key `timeZone` (did you mean `timezone`?)"),
        ("schedul: x", "a.yaml:4:1: error: unknown key `schedul` (did you mean `schedule`?)"),
        ("colour: red", "a.yaml:4:1: error: unknown key `colour`"),
        ("retry: {max: 3, backof: fixed}", "a.yaml:4:17: error: retry: unknown key `backof` (did you mean `backoff`?)"),
        ("at: 2026-12-01T09:00:00Z", "a.yaml:4:1: error: `at` only applies to posts (kind: post)"),
        ("repo: x", "a.yaml:4:1: error: `repo` only applies to scans (kind: scan)"),
        ("timezone: Europe/Lndon", "a.yaml:4:11: error: timezone: unknown time zone `Europe/Lndon` (IANA names like Europe/London) (did you mean `Europe/London`?)"),
    ])
    func unknownKeys(line: String, expected: String) {
        let m = load(["a.yaml": job("a", line + "\n")])
        #expect(lines(m) == [expected])
    }

    @Test("name, kind and trigger problems", arguments: [
        ("schedule: '@daily'\nrun: y\n", "a.yaml:1:1: error: missing `name`"),
        ("name: Nightly Backup\nrun: y\n", "a.yaml:1:7: error: name: `Nightly Backup` is not a valid name (use lowercase letters, digits, `.`, `_`, `-`, starting with a letter or digit, at most 63 characters)"),
        ("name: a\nkind: cron\nrun: y\n", "a.yaml:2:7: error: kind: `cron` is not one of job, post, scan"),
        ("name: a\nrun: y\nschedule: '@daily'\nevery: daily\n", "a.yaml:4:1: error: give only one of `schedule`, `every`"),
        ("name: a\nschedule: '@daily'\n", "a.yaml:1:1: error: missing `run` (an argv list like [\"./backup.sh\"] or a shell string)"),
        ("name: a\nrun: y\nevery: {frequency: weekly, hour: 24}\n", "a.yaml:3:34: error: every.hour: 24 is out of range 0-23"),
        ("name: a\nrun: y\nevery: {hour: 2}\n", "a.yaml:3:8: error: every: missing `frequency` (daily, weekly or monthly)"),
        ("- a\n- b\n", "a.yaml:1:1: error: expected a mapping, found a list"),
    ])
    func specProblems(text: String, expected: String) {
        #expect(lines(load(["a.yaml": text])) == [expected])
    }

    @Test("all problems in all files are reported, sorted, in one run")
    func everything() {
        let m = load([
            "b.yaml": "name: b\nrun: x\ntimeout: forever\nenabled: maybe\n",
            "a.yaml": "name: a\nrun: x\nretry: {max: -1}\n",
            "c.yaml": job("c"),
        ])
        #expect(lines(m) == [
            "a.yaml:3:14: error: retry.max: -1 is out of range 0-100",
            "b.yaml:3:10: error: timeout: `forever` is not a duration: expected a number (e.g. 500ms, 30s, 2m, 1h30m, 7d)",
            "b.yaml:4:10: error: enabled: expected true or false, found `maybe`",
        ])
        #expect(m.jobs.map(\.name) == ["c"])
        #expect(m.invalidFiles == ["a.yaml", "b.yaml"])
    }

    @Test("one bad document doesn't stop the others")
    func multiDocument() {
        let m = load(["jobs.yaml": job("one") + "---\nname: two\nrun: x\nenabled: nope\n---\n" + job("three")])
        #expect(m.jobs.map(\.name) == ["one", "three"])
        #expect(lines(m) == ["jobs.yaml:7:10: error: enabled: expected true or false, found `nope`"])
        #expect(m.invalidFiles == ["jobs.yaml"])
    }

    @Test("a duplicate name is an error naming both places")
    func duplicateNames() {
        let m = load(["jobs.d/a.yaml": job("backup"), "jobs.d/deep/b.yaml": "# comment\n" + job("backup")])
        #expect(lines(m) == [
            "jobs.d/a.yaml:1:7: error: name: `backup` is also defined at jobs.d/deep/b.yaml:2:7",
            "jobs.d/deep/b.yaml:2:7: error: name: `backup` is also defined at jobs.d/a.yaml:1:7",
        ])
        #expect(m.jobs.isEmpty)
        #expect(m.invalidFiles == ["jobs.d/a.yaml", "jobs.d/deep/b.yaml"])
    }

    @Test("non-YAML files and dot paths are ignored")
    func ignoredPaths() {
        let m = load(["README.md": "# hi", ".git/x.yaml": "bad: [", "a/.hidden/x.yml": "bad: [", "x.yml": job("x")])
        #expect(lines(m) == [])
        #expect(m.jobs.map(\.name) == ["x"])
    }

    @Test("an empty tree is valid with default settings")
    func emptyTree() {
        let m = load([:])
        #expect(m.isValid && m.jobs.isEmpty)
        #expect(m.config.history.keep == .seconds(30 * 86_400))
        #expect(m.config.history.maxPerJob == 1000)
        #expect(m.config.status.path == "status" && m.config.status.branch == "almanac-status")
    }

    @Test("diagnostics encode as JSON and describe themselves")
    func diagnosticCodable() throws {
        let d = Diagnostic(location: SourceLocation(file: "a.yaml", line: 2, column: 3), message: "m", severity: .warning)
        #expect(d.description == "a.yaml:2:3: warning: m")
        let back = try JSONDecoder().decode(Diagnostic.self, from: JSONEncoder().encode(d))
        #expect(back == d)
    }
}
