import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

@Suite("HTTP API and dashboard never show a ${VAR} value")
struct SecretAPITests {
    @Test("a job printing its secret, with a ${DIR} workdir: the API and the dashboard show *** and the templates")
    func masked() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-private-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let secret = "hunter22-api-token"
        let fixture = try await ServerFixture(yaml: """
            name: leaky
            schedule: "0 3 * * *"
            run: ["sh", "-c", "echo token=$TOKEN; pwd"]
            workdir: "${DIR}"
            env: {TOKEN: "${SECRET}"}
            """, environment: ["SECRET": secret, "DIR": dir.path])
        #expect(await fixture.runner.trigger("leaky"))
        #expect(try await fixture.waitForHistory("leaky", count: 1))
        try await fixture.app().test(.router) { client in
            for uri in ["/api/v1/jobs", "/api/v1/jobs/leaky", "/api/v1/jobs/leaky/executions", "/jobs/leaky", "/"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let body = String(buffer: response.body)
                    #expect(response.status == .ok, "\(uri)")
                    #expect(!body.contains(secret) && !body.contains(dir.path), "\(uri) shows a value")
                }
            }
            try await client.execute(uri: "/api/v1/jobs/leaky", method: .get) { response in
                #expect((response.object["spec"] as? [String: String])?["workdir"] == "${DIR}")
                #expect((response.object["spec"] as? [String: String])?["env"]?.contains("${SECRET}") == true)
            }
            try await client.execute(uri: "/api/v1/jobs/leaky/executions", method: .get) { response in
                let executions = response.object["executions"] as? [[String: Any]] ?? []
                #expect(executions.first?["outputTail"] as? String == "token=***\n***\n")
            }
        }
        try await fixture.close()
    }
}
