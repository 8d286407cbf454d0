import Foundation
import Journal
import Scheduler
import Processes
import Publishing
import Daemon
import JournalTestSupport
import Testing

@Suite("the runner's log lines")
struct EventLogTests {
    private let at = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a scan with no activity logs a skip, not a failure mark")
    func skippedIsNotAFailure() throws {
        let event = JournalEvent(at: at, type: .finished, job: "scan", scheduledAt: at, attempt: 1,
                                 outcome: "skipped", reason: "no activity")
        let line = try #require(EventLog.line(event))
        #expect(line.hasPrefix("⤼ scan@"))
        #expect(line.hasSuffix("skipped: no activity"))
        #expect(!line.contains("✗"))
    }

    @Test("publish targets: a single unnamed one is not called 0, a named one by its name", arguments: [
        ("0", "→ launch@2027-01-15T08:00:00Z publishing"),
        ("1", "→ launch@2027-01-15T08:00:00Z publishing to target 2"),
        ("blog", "→ launch@2027-01-15T08:00:00Z publishing to blog"),
    ])
    func targets(target: String, expected: String) throws {
        let event = JournalEvent(at: at, type: .processing, job: "launch", scheduledAt: at, target: target)
        #expect(EventLog.line(event) == expected)
    }
}
