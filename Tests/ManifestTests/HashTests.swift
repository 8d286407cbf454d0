import Foundation
import Testing
@testable import Manifest

@Suite("content hash")
struct HashTests {
    @Test("the hash is stable: same text, same hash, across runs")
    func stable() throws {
        let first = try #require(load(["a.yaml": job("a", "timeout: 5m\n")]).jobs.first)
        let again = try #require(load(["a.yaml": "# reordered\nrun: [\"true\"]\ntimeout: 300s\nschedule: \"0 3 * * *\"\nname: a\n"]).jobs.first)
        #expect(first.contentHash == again.contentHash)
        #expect(first.contentHash.count == 64)
    }

    @Test("the hash changes when any field changes", arguments: [
        "timeout: 6m\n", "enabled: false\n", "jitter: 1s\n", "env: {A: b}\n", "retry: 1\n", "concurrency: allow\n",
        "timezone: Europe/Paris\n", "workdir: sub\n",
    ])
    func changes(extra: String) throws {
        let base = try #require(load(["a.yaml": job("a", "timeout: 5m\n")]).jobs.first)
        let text = extra.hasPrefix("timeout") ? job("a", extra) : job("a", "timeout: 5m\n" + extra)
        let changed = try #require(load(["a.yaml": text]).jobs.first)
        #expect(base.contentHash != changed.contentHash)
    }
}

@Suite("content hash pinning")
struct HashPinTests {
    @Test("the hash of a fixed spec is pinned, so it can't drift between versions or machines")
    func pinned() throws {
        let spec = JobSpec(name: "pinned", triggerText: "cron 0 3 * * *", command: .argv(["true"]),
                           environment: ["A": "b"], timeout: .seconds(60))
        #expect(spec.fields["timezone"] == "UTC")
        #expect(spec.contentHash == "a7debbafb55cf31e64939f9b59bc248f1ba1b31f2b02113e33e0eae1597853e3")
    }
}

@Suite("content hash pinning across rewrites")
struct HashRewritePinTests {
    /// Hashes computed by the hand-written SHA-256, RFC 3339 and JSON escaping before they moved
    /// to swift-crypto and AlmanacCore: journals store these, so a drift would make every job
    /// look changed after an upgrade.
    static let documents: [(String, String, String)] = [
        ("job", job("a", "timeout: 5m\nenv: {A: \"tab\\tnl\\nsoh\\u0001 quote\\\" é ✓\"}\ntimezone: Europe/Paris\n"),
         "a6244b14f73ed356736d95ecfc311107f9328d704a1e2e82ee0e169665ce14e8"),
        ("post", """
            kind: post
            name: p
            at: "2026-12-01T09:00:00.750+02:00"
            content: {title: "Hello \\"world\\"", count: 3, ratio: 0.5, big: 1000000000000000, list: [1, "x", null, true]}
            publish: {webhook: "https://hooks.example/x"}
            """, "965f7d2d2036543838e1cea2e31c01977d883aada35af3c877e84d38a0b5b2f5"),
        ("local post", "kind: post\nname: q\ntimezone: America/New_York\nat: 2026-03-08T02:30\ncontent: {t: x}\npublish: {run: [./pub]}\n",
         "7e83d80ba1e9887aab6daf1e75cf52e2caae56bda8ccebed75e55b46f22e2c32"),
    ]

    @Test("hashes of fixed documents are what the hand-written code computed", arguments: documents)
    func pinned(label: String, text: String, hash: String) throws {
        let manifest = load(["a.yaml": text])
        #expect(lines(manifest).filter { $0.contains("error") } == [])
        let spec = try #require(manifest.jobs.first)
        #expect(spec.contentHash == hash, "\(label): \(spec.fields)")
    }
}
