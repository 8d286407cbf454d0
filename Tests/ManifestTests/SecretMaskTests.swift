import Foundation
import Manifest
import Testing

@Suite("secret masking")
struct SecretMaskTests {
    @Test("every occurrence becomes ***; the longest secret wins where two start together")
    func masks() {
        let mask = SecretMask(["hunter22", "hunter22-long"])
        #expect(mask.mask("a hunter22 b hunter22-long c") == "a *** b *** c")
        #expect(mask.mask("nothing here") == "nothing here")
        #expect(mask.mask("hunter22hunter22") == "******")
    }

    @Test("values shorter than four characters are not masked", arguments: ["", "1", "eu", "abc"])
    func shortValues(value: String) {
        let mask = SecretMask([value])
        #expect(mask.isEmpty)
        #expect(mask.mask("1 eu abc") == "1 eu abc")
    }

    @Test("a multi-line value is masked line by line, short lines excepted")
    func multiLine() {
        let mask = SecretMask(["-----BEGIN KEY-----\r\nMIIEvQIBADANBg\nab\n-----END KEY-----\n"])
        let printed = "  -----BEGIN KEY-----\n  MIIEvQIBADANBg\n  ab\n  -----END KEY-----\n"
        #expect(mask.mask(printed) == "  ***\n  ***\n  ab\n  ***\n")
    }

    @Test("a stream masks a secret split across reads at every split point")
    func streamSplits() {
        let secret = "s3cr3t-value"
        let text = Array("before \(secret) middle \(secret)".utf8)
        for cut in 1..<text.count {
            var stream = SecretMask.Stream(SecretMask([secret]))
            var out = stream.feed(text[..<cut])
            out += stream.feed(text[cut...])
            out += stream.finish()
            #expect(String(decoding: out, as: UTF8.self) == "before *** middle ***", "cut at \(cut)")
        }
    }

    @Test("a stream holds back at most the longest secret less one byte, and only what could begin one")
    func streamHoldsLittle() {
        var stream = SecretMask.Stream(SecretMask(["abcdef"]))
        #expect(stream.feed(Array("xyz abcde".utf8)) == Array("xyz ".utf8))
        #expect(stream.feed(Array("X".utf8)) == Array("abcdeX".utf8))
        #expect(stream.feed(Array("no prefix".utf8)) == Array("no prefix".utf8))
        #expect(stream.finish() == [])
    }

    @Test("masking is linear: 4 MiB of the worst case for a naive search, and many matches, in under 2 s (debug build)")
    func linear() {
        let mask = SecretMask([String(repeating: "a", count: 63) + "b", "token-123456", "another-secret"])
        let clock = ContinuousClock()
        let worst = String(repeating: "a", count: 4 << 20) + "token-123456"
        let many = String(repeating: "x token-123456 ", count: 1 << 18)
        let elapsed = clock.measure {
            #expect(mask.mask(worst).hasSuffix("a***"))
            #expect(mask.mask(many).hasPrefix("x *** x ***"))
        }
        #expect(elapsed < .seconds(2), "took \(elapsed)")
    }
}

@Suite("secrets of a spec")
struct SpecSecretsTests {
    private let text = """
        name: deploy
        run: ["deploy", "${TARGET:-staging}"]
        workdir: "${DIR}"
        env: {TOKEN: "${SECRET}", SHORT: "${TINY}"}
        notify: {webhook: "https://hooks.example/${HOOK}"}
        """
    private let environment = ["SECRET": "hunter22-value", "TINY": "ab", "DIR": "/srv/private-dir", "HOOK": "T0B0X1"]

    @Test("the secrets are the values taken from the environment, not the defaults in the file")
    func secretSet() throws {
        let spec = try #require(load(["a.yaml": text], environment: environment).jobs.first)
        #expect(spec.secrets == SecretMask(["hunter22-value", "/srv/private-dir", "T0B0X1"]))
        #expect(spec.secrets.mask("staging hunter22-value ab") == "staging *** ab")
    }

    @Test("a workdir with ${VAR} runs substituted but is shown and hashed as written")
    func workdirTemplate() throws {
        let spec = try #require(load(["a.yaml": text], environment: environment).jobs.first)
        #expect(spec.workdir == "/srv/private-dir")
        #expect(spec.workdirTemplate == "${DIR}")
        #expect(spec.fields["workdir"] == "${DIR}")
        for (key, value) in spec.fields { #expect(!value.contains("private-dir"), "field \(key) leaks the value") }
        var moved = environment
        moved["DIR"] = "/elsewhere"
        #expect(try #require(load(["a.yaml": text], environment: moved).jobs.first).contentHash == spec.contentHash)
        let plain = try #require(load(["team/b.yaml": "name: b\nrun: [\"true\"]\nworkdir: sub\n"]).jobs.first)
        #expect(plain.fields["workdir"] == "team/sub")
    }

    @Test("a workdir that climbs above the root is named as written, not by its value")
    func climbingWorkdir() {
        let m = load(["a.yaml": "name: a\nrun: [\"true\"]\nworkdir: \"${UP}\"\n"], environment: ["UP": "../../secret-place"])
        #expect(lines(m) == ["a.yaml:3:10: error: workdir: `${UP}` climbs above the watched root"])
    }

    @Test("for validate and plan an unset variable is a positioned warning and the spec stays valid")
    func unsetIsWarning() throws {
        let files = ["a.yaml": "name: a\nrun: [\"curl\", \"${NOT_SET_A}\"]\nworkdir: \"${NOT_SET_DIR}\"\n"
            + "notify: {webhook: \"${NOT_SET_HOOK}\"}\nenv: {X: \"pre-${NOT_SET_A}-${NOT_SET_B}\"}\n"]
        let m = ManifestLoader.load(files: files.map { SourceFile(path: $0.key, text: $0.value) }, environment: [:],
                                    now: testNow, unsetVariables: .warning)
        #expect(lines(m) == [
            "a.yaml:2:16: warning: environment variable NOT_SET_A is not set here; the runner needs it",
            "a.yaml:3:11: warning: environment variable NOT_SET_DIR is not set here; the runner needs it",
            "a.yaml:4:20: warning: environment variable NOT_SET_HOOK is not set here; the runner needs it",
            "a.yaml:5:15: warning: environment variable NOT_SET_A is not set here; the runner needs it",
            "a.yaml:5:28: warning: environment variable NOT_SET_B is not set here; the runner needs it",
        ])
        #expect(m.isValid)
        let spec = try #require(m.jobs.first)
        #expect(spec.fields["workdir"] == "${NOT_SET_DIR}")
        let strict = load(files)
        #expect(!strict.isValid)
        #expect(strict.jobs.isEmpty)
        #expect(strict.diagnostics.count == 5)
    }
}
