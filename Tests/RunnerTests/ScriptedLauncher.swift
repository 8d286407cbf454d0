import Foundation
import Journal
import JournalTestSupport
import Manifest
import Scheduler
import Processes
import Publishing
import Daemon
import Synchronization

/// Ends each attempt at once with the outcome a test scripts, at the virtual clock's time:
/// the DST-week tests are about which occurrences fire, not about processes.
final class ScriptedLauncher: JobLauncher {
    typealias Script = @Sendable (_ key: OccurrenceKey, _ attempt: Int) -> Outcome

    let clock: VirtualClock
    let script: Script
    let starts = Mutex<[(OccurrenceKey, Int, String)]>([])

    init(clock: VirtualClock, script: @escaping Script = { _, _ in .success }) {
        self.clock = clock
        self.script = script
    }

    var started: [(OccurrenceKey, Int, String)] { starts.withLock { $0 } }

    func start(_ job: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String) async throws -> any ExecutionHandle {
        starts.withLock { $0.append((occurrence, attempt, triggeredBy)) }
        let now = clock.now()
        let outcome = script(occurrence, attempt)
        return Finished(report: ExecutionReport(
            outcome: outcome, exitCode: outcome == .success ? 0 : 1, startedAt: now, finishedAt: now.addingTimeInterval(0.25),
            outputTail: "scripted \(outcome.rawValue)\n", errorClass: outcome == .success ? nil : .exit))
    }

    struct Finished: ExecutionHandle {
        let report: ExecutionReport
        var pid: Int32? { nil }
        func wait() async -> ExecutionReport { report }
        func terminate(grace: Duration) {}
    }
}

/// Temp directories that clean up after the test.
final class TempDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

func utc(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: text) else { preconditionFailure("bad test date \(text)") }
    return date
}

func manifest(_ yaml: String, path: String = "jobs.yaml", now: Date) -> Manifest {
    ManifestLoader.load(files: [SourceFile(path: path, bytes: Array(yaml.utf8))], environment: ["HOME": "/tmp"], now: now)
}
