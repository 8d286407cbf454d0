import Foundation
import Testing

/// The resident set of process `pid` in KiB (`VmRSS` of /proc/PID/status), nil once it is gone.
func residentKB(_ pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.dropFirst("VmRSS:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
    }
    return nil
}

@Suite("repository mode's memory")
struct RepoMemoryTests {
    /// A runner in its own process (other tests' allocations would swamp this one's), polling a
    /// local bare repository every 20 ms: a few hundred fetches in eight seconds. Each fetch
    /// used to leak twice in libgit2 1.5's `git_remote_lookup` (docs/git.md): 60 → 110 MB here.
    @Test("RSS stays flat over a few hundred polls of an unchanged repository")
    func flatOverPolls() async throws {
        let fixture = try RepoFixture()
        try await fixture.push(["jobs.d/a.yaml": "name: a\nschedule: \"0 3 * * *\"\nrun: [\"true\"]\n"])
        let log = fixture.temp.url.appendingPathComponent("runner.log")
        let runner = try launchAlmanac(
            ["run", "--repo", fixture.remoteURL.path, "--state", fixture.state.path, "--poll", "20ms",
             "--no-status", "--for", "12s"],
            log: log)
        defer { if runner.isRunning { runner.terminate() } }
        try await Task.sleep(for: .seconds(3))  // clone, first apply, allocator warm-up
        let warm = try #require(residentKB(runner.processIdentifier))
        try await Task.sleep(for: .seconds(8))
        let later = try #require(residentKB(runner.processIdentifier))
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(later - warm < 5 * 1024, "RSS grew from \(warm) KiB to \(later) KiB; runner log:\n\(output)")
        #expect(!output.contains("failed"), "\(output)")
        runner.terminate()
        runner.waitUntilExit()
    }
}
