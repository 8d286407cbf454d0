import Foundation
import Manifest
import Testing

@Suite("environment substitution")
struct EnvironmentTests {
    private let text = """
        name: deploy
        run: ["curl", "-H", "Authorization: Bearer ${API_TOKEN}", "${BASE:-https://example.com}/deploy"]
        env: {TOKEN: "${API_TOKEN}", REGION: "${REGION:-eu}", LITERAL: "$${HOME}", PLAIN: "a$b"}
        notify: {on: [failure], webhook: "https://hooks.example/${HOOK_ID}", headers: {X-Key: "${API_TOKEN}"}}
        """
    private let environment = ["API_TOKEN": "s3cret", "HOOK_ID": "T0B0"]

    @Test("values are substituted for running")
    func substituted() throws {
        let m = load(["a.yaml": text], environment: environment)
        #expect(lines(m) == [])
        let spec = try #require(m.jobs.first)
        #expect(spec.command == .argv(["curl", "-H", "Authorization: Bearer s3cret", "https://example.com/deploy"]))
        #expect(spec.environment == ["TOKEN": "s3cret", "REGION": "eu", "LITERAL": "${HOME}", "PLAIN": "a$b"])
        #expect(spec.environmentTemplate["TOKEN"] == "${API_TOKEN}")
        #expect(spec.notify.first?.target == .webhook(url: "https://hooks.example/T0B0", headers: ["X-Key": "s3cret"]))
    }

    @Test("fields and the hash never contain a substituted secret")
    func noSecretInFields() throws {
        let first = try #require(load(["a.yaml": text], environment: environment).jobs.first)
        for (key, value) in first.fields { #expect(!value.contains("s3cret"), "field \(key) leaks the secret") }
        #expect(first.fields["env"]?.contains("${API_TOKEN}") == true)
        var rotated = environment
        rotated["API_TOKEN"] = "other"
        let second = try #require(load(["a.yaml": text], environment: rotated).jobs.first)
        #expect(first.contentHash == second.contentHash)
    }

    @Test("a missing variable is an error at its position")
    func missing() {
        let m = load(["a.yaml": "name: a\nrun: [\"curl\", \"${MISSING}\"]\nenv: {X: \"pre-${ALSO_MISSING}\"}\n"])
        #expect(lines(m) == [
            "a.yaml:2:16: error: run[1]: environment variable `MISSING` is not set (give a default with `${MISSING:-…}`)",
            "a.yaml:3:15: error: env.X: environment variable `ALSO_MISSING` is not set (give a default with `${ALSO_MISSING:-…}`)",
        ])
        #expect(m.jobs.isEmpty)
    }

    @Test("malformed references are errors", arguments: [
        ("run: \"echo ${OPEN\"", "a.yaml:2:12: error: run: unterminated `${` (write `$${` for a literal)"),
        ("run: \"echo ${1BAD}\"", "a.yaml:2:12: error: run: `${1BAD}` is not a variable reference ([A-Za-z_][A-Za-z0-9_]*)"),
    ])
    func malformed(line: String, expected: String) {
        #expect(lines(load(["a.yaml": "name: a\n" + line + "\n"])) == [expected])
    }
}
