import Foundation
import Journal
import JournalTestSupport
import Manifest
import Reconciler
import Testing

private func load(_ files: [String: String], now: Date) -> Manifest {
    ManifestLoader.load(files: files.sorted { $0.key < $1.key }.map { SourceFile(path: $0.key, bytes: Array($0.value.utf8)) },
                        environment: ["SECRET": "hunter2"], now: now)
}

/// The state after applying `manifest`, built through the journal's own reducer.
private func applied(_ manifest: Manifest, at now: Date) -> JournalState {
    var state = JournalState()
    var seq: UInt64 = 0
    for job in manifest.jobs {
        seq += 1
        state.apply(JournalEvent(seq: seq, at: now, .applied(.init(
            job: job.name, hash: job.contentHash, kind: job.kind.rawValue, enabled: job.enabled,
            source: job.location.description, fields: job.fields))))
    }
    return state
}

private let now = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21

@Suite("reconciler")
struct ReconcilerTests {
    let base = """
        name: backup
        schedule: "0 3 * * *"
        timezone: Europe/London
        run: ["backup.sh"]
        env: {TOKEN: "${SECRET}"}
        ---
        name: report
        schedule: "0 9 * * 1-5"
        run: ["report.sh"]
        """

    @Test("an empty journal plans every job as added, with its next fires")
    func addsEverything() {
        let plan = Reconciler.plan(desired: load(["jobs.yaml": base], now: now), state: JournalState(), now: now)
        #expect(plan.changes.map(\.name) == ["backup", "report"])
        #expect(plan.changes.allSatisfy { $0.action == .add })
        #expect(plan.changes[0].newNextFires.count == 5)
        #expect(plan.hasChanges && !plan.hasErrors)
    }

    @Test("planning again after applying gives no changes (idempotent)")
    func idempotent() {
        let manifest = load(["jobs.yaml": base], now: now)
        let plan = Reconciler.plan(desired: manifest, state: applied(manifest, at: now), now: now)
        #expect(plan.changes.isEmpty)
        #expect(!plan.hasChanges)
    }

    @Test("a schedule change lists the field with old and new next fires")
    func scheduleChange() throws {
        let old = load(["jobs.yaml": base], now: now)
        let new = load(["jobs.yaml": base.replacingOccurrences(of: "0 3 * * *", with: "30 4 * * *")], now: now)
        let plan = Reconciler.plan(desired: new, state: applied(old, at: now), now: now)
        let change = try #require(plan.changes.first)
        #expect(plan.changes.count == 1)
        #expect(change.name == "backup" && change.action == .change)
        #expect(change.fields.map(\.field) == ["trigger"])
        #expect(change.fields.first?.old?.contains("0 3 * * *") == true)
        #expect(change.fields.first?.new?.contains("30 4 * * *") == true)
        #expect(change.oldNextFires.count == 5 && change.newNextFires.count == 5)
        #expect(change.oldNextFires != change.newNextFires)
    }

    @Test("disabling a job is a suspend, enabling it again an enable")
    func suspendAndEnable() {
        let old = load(["jobs.yaml": base], now: now)
        let disabled = load(["jobs.yaml": base + "\nenabled: false"], now: now)
        let plan = Reconciler.plan(desired: disabled, state: applied(old, at: now), now: now)
        #expect(plan.changes.map(\.action) == [.suspend])
        let back = Reconciler.plan(desired: old, state: applied(disabled, at: now), now: now)
        #expect(back.changes.map(\.action) == [.enable])
    }

    @Test("a job gone from the files is removed; a job in a broken file is kept at its last good version")
    func removeAndKeep() {
        let old = load(["a.yaml": base, "b.yaml": "name: other\nschedule: \"@daily\"\nrun: [\"x\"]\n"], now: now)
        let state = applied(old, at: now)
        let removed = Reconciler.plan(desired: load(["a.yaml": base], now: now), state: state, now: now)
        #expect(removed.changes.map { "\($0.action.rawValue) \($0.name)" } == ["remove other"])
        let broken = load(["a.yaml": base, "b.yaml": "name: other\nschedule: \"61 * * * *\"\nrun: [\"x\"]\n"], now: now)
        let kept = Reconciler.plan(desired: broken, state: state, now: now)
        #expect(kept.changes.isEmpty)
        #expect(kept.kept == ["other"])
        #expect(kept.hasErrors)
    }

    @Test("plans never show a substituted secret, only its template")
    func noSecrets() {
        let plan = Reconciler.plan(desired: load(["jobs.yaml": base], now: now), state: JournalState(), now: now)
        for text in [PlanRenderer.text(plan), PlanRenderer.json(plan), PlanRenderer.markdown(plan)] {
            #expect(!text.contains("hunter2"))
        }
    }

    @Test("catch-up: `all` runs every missed fire in the window; older ones are skipped")
    func catchUpAll() throws {
        let manifest = load(["jobs.yaml": """
            name: ticker
            schedule: "*/10 * * * *"
            run: ["x"]
            catchup: {window: 25m, policy: all}
            """], now: now)
        let start = Date(timeIntervalSince1970: 1_790_000_400)  // a round 10 minutes
        var state = applied(manifest, at: start.addingTimeInterval(-1))
        state.apply(JournalEvent(seq: 10, at: start, .started(.init(job: "ticker", scheduledAt: start, attempt: 1))))
        let later = start.addingTimeInterval(3600 + 60)
        let catchUp = try #require(Reconciler.catchUps(jobs: manifest.jobs, state: state, now: later).first)
        #expect(catchUp.run == [40, 50, 60].map { start.addingTimeInterval(Double($0) * 60) })
        #expect(catchUp.skipped == 3)
        #expect(catchUp.firstSkipped == start.addingTimeInterval(600))
    }

    @Test("the three renderings agree on the summary and the JSON parses")
    func renderings() throws {
        let plan = Reconciler.plan(desired: load(["jobs.yaml": base], now: now), state: JournalState(), now: now)
        #expect(PlanRenderer.text(plan).hasPrefix("Plan: 2 to add, 0 to change, 0 to remove."))
        #expect(PlanRenderer.markdown(plan).contains("| + | **backup** |"))
        let object = try JSONSerialization.jsonObject(with: Data(PlanRenderer.json(plan).utf8)) as? [String: Any]
        #expect((object?["changes"] as? [Any])?.count == 2)
        #expect(object?["hasChanges"] as? Bool == true)
    }
}
