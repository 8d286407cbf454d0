import Foundation
import Hummingbird
import HummingbirdTesting
import JournalTestSupport
import Testing
@testable import Server

/// What the dashboard renders around its live part: the run strip, the search and filter
/// hooks, the job page's cron expression, trigger and result columns, and the backfill form.
@Suite("the dashboard's pages")
struct DashboardTests {
    static let yaml = """
        name: report
        schedule: "*/30 * * * *"
        run: ["sh", "-c", "echo '{\\"message\\": \\"3 rows <ok>\\", \\"items\\": {\\"processed\\": 3, \\"failed\\": 0}}' > \\"$ALMANAC_RESULT\\""]
        ---
        name: broken
        schedule: "0 4 * * *"
        run: ["false"]
        ---
        name: resting
        schedule: "0 5 * * *"
        run: ["true"]
        """

    @Test("overview: a strip mark per run linking to its row, data-name/data-flags for search and filters, the tools outside the live part")
    func overview() async throws {
        let fixture = try await ServerFixture(yaml: Self.yaml)
        #expect(await fixture.runner.trigger("report"))
        #expect(await fixture.runner.trigger("broken"))
        #expect(try await fixture.waitForHistory("report", count: 1))
        #expect(try await fixture.waitForHistory("broken", count: 1))
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/jobs/resting/pause", method: .post, headers: bearer) { #expect($0.status == .ok) }
            try await client.execute(uri: "/", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains(#"<tr data-name="report" data-flags="">"#))
                #expect(page.contains(#"<tr data-name="broken" data-flags="failing">"#))
                #expect(page.contains(#"<tr data-name="resting" data-flags="paused">"#))
                #expect(page.contains(#"<a class=ok href="/jobs/report#run-"#), "a green mark for report's run")
                #expect(page.contains(#"<a class=bad href="/jobs/broken#run-"#), "a red mark for broken's run")
                #expect(page.contains("<input id=q type=search"))
                #expect(page.contains("<option value=failing>failing</option>"))
                let tools = try #require(page.range(of: "id=q")), live = try #require(page.range(of: "<div id=live>"))
                #expect(tools.lowerBound < live.lowerBound, "the search box is outside the part that is replaced")
                #expect(page.contains("<span id=conn"))
            }
            try await client.execute(uri: "/jobs/report", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains(#"<body data-job="report">"#))
                #expect(page.contains("<code class=expr>*/30 * * * *</code>"))
                #expect(page.contains("<td>manual</td>"), "who triggered the run")
                #expect(page.contains("3 rows &lt;ok&gt;") && !page.contains("3 rows <ok>"), "the result message, escaped")
                #expect(page.contains("failed 0 · processed 3"))
                #expect(page.contains(#"<tr id="run-"#))
                #expect(page.contains(#"data-action="/api/v1/jobs/report/backfill""#))
            }
            try await client.execute(uri: "/api/v1/jobs/report/executions", method: .get) { response in
                let executions = response.object["executions"] as? [[String: Any]] ?? []
                let result = executions.first?["result"] as? [String: Any]
                #expect(result?["message"] as? String == "3 rows <ok>", "the API carries the result as JSON: \(executions)")
            }
        }
        try await fixture.close()
    }
}
