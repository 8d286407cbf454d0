import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

@Suite("after: in the API and the dashboard")
struct AfterAPITests {
    static let yaml = """
        name: extract
        schedule: "0 3 * * *"
        run: ["true"]
        ---
        name: load
        run: ["true"]
        after: [extract]
        ---
        name: report
        run: ["true"]
        after: [extract, load]
        """

    @Test("the job detail has after: and the jobs that run after it; the job page links both")
    func edges() async throws {
        let fixture = try await ServerFixture(yaml: Self.yaml)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/jobs/extract", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.object["after"] as? [String] == [])
                #expect(response.object["dependents"] as? [String] == ["load", "report"])
            }
            try await client.execute(uri: "/api/v1/jobs/report", method: .get) { response in
                #expect(response.object["after"] as? [String] == ["extract", "load"])
                #expect(response.object["dependents"] as? [String] == [])
                #expect((response.object["job"] as? [String: Any])?["after"] as? [String] == ["extract", "load"])
            }
            try await client.execute(uri: "/jobs/load", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("<th>Runs after</th><td><a href=\"/jobs/extract\">extract</a>"), "\(html)")
                #expect(html.contains("<th>Then runs</th><td><a href=\"/jobs/report\">report</a>"))
            }
            try await client.execute(uri: "/jobs/extract", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(!html.contains("Runs after"))
                #expect(html.contains("<a href=\"/jobs/load\">load</a>, <a href=\"/jobs/report\">report</a>"))
            }
        }
        try await fixture.close()
    }
}
