import Foundation
import Manifest
import Testing
@testable import Scheduler
@testable import Processes
@testable import Publishing
@testable import Daemon

@Suite("Process output masking")
struct ProcessMaskingTests {
    private let secret = "hunter22-launcher"

    private func spec(_ h: ProcessHarness, _ script: String) -> ProcessSpec {
        var spec = h.spec(.shell(script), environment: ["PATH": "/usr/bin:/bin", "TOKEN": secret])
        spec.secrets = SecretMask([secret])
        return spec
    }

    @Test("a child with secrets writes through the masking pipe: log and tail hold ***, a split value too, order kept")
    func masksThroughPipe() async throws {
        let h = try ProcessHarness()
        let result = try await h.launcher.start(spec(h, "echo \"a $TOKEN b\"; printf 'hunter'; sleep 0.1; printf '22-launcher\\n'; echo err >&2; exit 3")).wait()
        #expect(result.exitCode == 3)
        #expect(result.outputTail == "a *** b\n***\nerr\n")
        #expect(try String(contentsOfFile: h.path("logs/job.log"), encoding: .utf8) == "a *** b\n***\nerr\n")
    }

    @Test("a process left behind holding the pipe does not hold the attempt; its later output is masked in the log")
    func leftBehind() async throws {
        let h = try ProcessHarness()
        let started = ContinuousClock.now
        let result = try await h.launcher.start(spec(h, "echo first; (sleep 1; echo \"late $TOKEN\") &")).wait()
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(result.outputTail == "first\n")
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try String(contentsOfFile: h.path("logs/job.log"), encoding: .utf8) == "first\nlate ***\n")
    }

    @Test("spawn and chdir errors name the templates, not the substituted paths")
    func errorsShowTemplates() throws {
        let h = try ProcessHarness()
        var missing = h.spec(.argv(["/nonexistent/\(secret)"]))
        missing.shownCommand = .argv(["${BIN}"])
        #expect(throws: ProcessError.spawn(path: "${BIN}", errno: ENOENT)) { try h.launcher.start(missing) }
        var badDir = h.spec(.argv(["true"]), workdir: "/nonexistent/\(secret)")
        badDir.shownWorkdir = "${DIR}"
        #expect(throws: ProcessError.workdir(path: "${DIR}", errno: ENOENT)) { try h.launcher.start(badDir) }
        var notFound = h.spec(.argv(["\(secret)-tool"]))
        notFound.shownCommand = .argv(["${TOOL}"])
        notFound.secrets = SecretMask([secret])
        #expect(throws: ProcessError.commandNotFound(name: "${TOOL}", searchPath: "/usr/bin:/bin")) { try h.launcher.start(notFound) }
    }
}
