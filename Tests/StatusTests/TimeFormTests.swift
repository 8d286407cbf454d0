import Foundation
import Journal
import JournalTestSupport
import Manifest
import Status
import Testing

@Suite("zone names and time forms")
struct TimeFormTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    var manifest: Manifest {
        ManifestLoader.load(files: [SourceFile(path: "a.yaml", bytes: Array("""
            name: in-utc
            schedule: "0 3 * * *"
            timezone: UTC
            run: ["true"]
            ---
            name: in-london
            schedule: "0 3 * * *"
            timezone: Europe/London
            run: ["true"]
            ---
            name: in-new-york
            schedule: "0 3 * * *"
            timezone: America/New_York
            run: ["true"]
            """.utf8))], environment: [:], now: now)
    }

    @Test("UTC reads UTC, never GMT, in status text, JSON and STATUS.md")
    func utcIsUTC() throws {
        let report = StatusReport.make(manifest: manifest, state: JournalState(), now: now)
        #expect(report.jobs.first { $0.name == "in-utc" }?.timeZone == "UTC")
        let text = StatusRenderer.text(report)
        let json = StatusRenderer.json(report)
        let markdown = StatusFiles.markdown(report, state: JournalState())
        for output in [text, json, markdown] { #expect(!output.contains("GMT"), "\(output)") }
        #expect(json.contains(#""timeZone" : "UTC""#))
    }

    @Test("the next-fire column in the job's zone has one form: a numeric offset on every row")
    func oneFormPerColumn() throws {
        let report = StatusReport.make(manifest: manifest, state: JournalState(), now: now)
        let rows = StatusRenderer.text(report).split(separator: "\n").dropFirst().filter { $0.hasPrefix("in-") }
        #expect(rows.count == 3)
        for row in rows {
            let next = try #require(row.split(separator: " ").first { $0.contains("T03:00:00") })
            #expect(next.hasSuffix(":00") && !next.hasSuffix("Z"), "\(row)")
        }
        let markdown = StatusFiles.markdown(report, state: JournalState())
        let utcRow = try #require(markdown.split(separator: "\n").first { $0.hasPrefix("| in-utc |") })
        let cells = utcRow.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        // next fire (UTC) in Z form, next fire (job zone) with its offset.
        #expect(cells[2].hasSuffix("Z"))
        #expect(cells[3].hasSuffix("+00:00"))
    }
}
