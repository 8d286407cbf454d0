import Foundation
import GitSync
import Journal
import JournalTestSupport
import Testing

@Suite("plan and validate between git revisions", .serialized)
struct RevisionCLITests {
    @Test("plan --repo --base --head: exit 0 unchanged, 2 with a Markdown plan, 1 with file:line errors; validate --rev")
    func revisions() async throws {
        let fixture = try RepoFixture()
        let c1 = try await fixture.push(["jobs.d/a.yaml": RepoSourceTests.jobA, "jobs.d/b.yaml": RepoSourceTests.jobB])
        let c2 = try await fixture.push(
            ["jobs.d/a.yaml": RepoSourceTests.jobA.replacingOccurrences(of: "0 3", with: "30 4"),
             "jobs.d/c.yaml": "name: c\nschedule: \"@daily\"\nrun: [\"true\"]\n"],
            removing: ["jobs.d/b.yaml"])
        let c3 = try await fixture.push(["jobs.d/a.yaml": "name: a\nschedule: \"61 * * * *\"\nrun: [\"true\"]\n"])
        let repo = fixture.remoteURL.path

        let (same, sameOut, _) = try almanac(["plan", "jobs.d", "--repo", repo, "--base", c1.hex, "--head", c1.hex])
        #expect(same == 0)
        #expect(sameOut.contains("No changes"))

        let (changed, markdown, _) = try almanac(["plan", "jobs.d", "--repo", repo, "--base", c1.hex, "--head", "main~1",
                                                  "--format", "markdown"])
        #expect(changed == 2)
        #expect(markdown.hasPrefix("### Almanac plan\n\nPlan: 1 to add, 1 to change, 1 to remove.\n"))
        #expect(markdown.contains("| + | **c** | job | add"))
        #expect(markdown.contains("`trigger`: cron 0 3 * * * → cron 30 4 * * *"))
        #expect(markdown.contains("| - | **b** | job | remove"))
        #expect(markdown.contains("<summary>next fires of <b>a</b></summary>"))
        #expect(markdown.contains("`jobs.d/a.yaml:1:7`"))

        let (broken, brokenOut, _) = try almanac(["plan", "jobs.d", "--repo", repo, "--base", c2.hex, "--head", c3.hex])
        #expect(broken == 1)
        #expect(brokenOut.contains("jobs.d/a.yaml:2:11: error: schedule: minute field: 61 is out of range 0-59"))

        let (valid, _, validErr) = try almanac(["validate", "jobs.d", "--rev", c2.hex, "--repo", repo])
        #expect(valid == 0)
        #expect(validErr.contains("ok: 2 job(s) valid in jobs.d at \(c2.hex)"))
        let (invalid, invalidOut, _) = try almanac(["validate", "jobs.d", "--rev", "main", "--repo", repo])
        #expect(invalid == 1)
        #expect(invalidOut == "jobs.d/a.yaml:2:11: error: schedule: minute field: 61 is out of range 0-59\n")
        let (missing, _, missingErr) = try almanac(["validate", "--rev", "nope", "--repo", repo])
        #expect(missing == 1)
        #expect(missingErr.hasPrefix("error: git_revparse_single(nope) failed"))
    }

    @Test("plan --repo: a job whose file was broken at base and is fixed at head reads as fixed, not as new")
    func fixedAtHead() async throws {
        let fixture = try RepoFixture()
        let broken = try await fixture.push(["jobs.d/a.yaml": "name: a\nschedule: \"61 * * * *\"\nrun: [\"true\"]\n",
                                             "jobs.d/b.yaml": RepoSourceTests.jobB])
        let fixed = try await fixture.push(["jobs.d/a.yaml": RepoSourceTests.jobA,
                                            "jobs.d/c.yaml": "name: c\nschedule: \"@daily\"\nrun: [\"true\"]\n"])
        let repo = fixture.remoteURL.path
        let (status, out, _) = try almanac(["plan", "jobs.d", "--repo", repo, "--base", broken.hex, "--head", fixed.hex])
        #expect(status == 2)
        #expect(out.contains("+ a (job, fixed (was invalid at base))"))
        #expect(out.contains("+ c (job, add)"))
        let (_, json, _) = try almanac(["plan", "jobs.d", "--repo", repo, "--base", broken.hex, "--head", fixed.hex,
                                        "--format", "json"])
        #expect(json.contains("\"fixesInvalidBase\""))
    }

    @Test("run --repo applies the pushed commit, runs the job and commits status to almanac-status")
    func runFromRepository() async throws {
        let fixture = try RepoFixture()
        let commit = try await fixture.push([
            "jobs.d/tick.yaml": "name: tick\nschedule: \"* * * * * *\"\nrun: [\"/bin/sh\", \"./hello.sh\"]\n",
            "jobs.d/hello.sh": "echo hello from the worktree\n",
        ])
        let (status, _, err) = try almanac([
            "run", "--repo", fixture.remoteURL.path, "--state", fixture.state.path, "--for", "3s",
            "--poll", "1s", "--status-interval", "1s",
        ])
        #expect(status == 0, "\(err)")
        let state = try FileJournal.replay(file: fixture.state.appendingPathComponent("journal.jsonl")).state
        #expect(state.jobs["tick"]?.applied?.revision == commit.hex)
        #expect(state.jobs["tick"]?.history.first?.metrics.outputTail == "hello from the worktree\n")
        let remote = try GitRepository.open(fixture.remoteURL)
        let files = try await remote.files(at: remote.resolve("almanac-status"), under: "status")
        #expect(files.keys.sorted() == ["STATUS.md", "tick.json"])
        #expect(String(decoding: files["STATUS.md"] ?? [], as: UTF8.self).contains("✓ success"))
    }
}

@Suite("an unset ${VAR} between git revisions", .serialized)
struct RevisionUnsetVariableTests {
    @Test("validate --rev and plan --repo warn, positioned and naming the variable, with the exit codes they would have anyway")
    func warnings() async throws {
        let fixture = try RepoFixture()
        let base = try await fixture.push(["jobs.d/a.yaml": RepoSourceTests.jobA])
        let head = try await fixture.push(["jobs.d/d.yaml": "name: d\nschedule: \"@daily\"\nrun: [\"deploy\"]\nenv: {TOKEN: \"${ALMANAC_TEST_PROD_TOKEN}\"}\n"])
        let repo = fixture.remoteURL.path
        let warning = "jobs.d/d.yaml:4:15: warning: environment variable ALMANAC_TEST_PROD_TOKEN is not set here; the runner needs it"

        let (valid, validOut, validErr) = try almanac(["validate", "jobs.d", "--rev", head.hex, "--repo", repo])
        #expect(valid == 0, "\(validErr)")
        #expect(validOut == warning + "\n")
        #expect(validErr.contains("ok: 2 job(s) valid"))

        let (planned, plan, _) = try almanac(["plan", "jobs.d", "--repo", repo, "--base", base.hex, "--head", head.hex,
                                              "--format", "markdown"])
        #expect(planned == 2)
        #expect(plan.contains(warning))
        #expect(plan.contains("| + | **d** | job | add"))
    }
}
