import Foundation
import Glibc
import Testing
@testable import Scheduler
@testable import Processes
@testable import Publishing
@testable import Daemon

@Suite("Process launcher")
struct ProcessLauncherTests {
    @Test("runs an argv without a shell and a string through /bin/sh -c")
    func argvAndShell() async throws {
        let h = try ProcessHarness()
        let argv = try await h.run(.argv(["/bin/echo", "a  b", "$HOME"]))
        #expect(argv.outputTail == "a  b $HOME\n")
        let shell = try await h.run(.shell("echo \"$((6 * 7))\" $HOME"))
        #expect(shell.outputTail == "42 \(h.dir)\n")
        #expect(shell.outcome == .success)
    }

    @Test("passes exactly the spec's environment, including ALMANAC_* variables")
    func environment() async throws {
        let h = try ProcessHarness()
        let result = try await h.run(.argv(["/usr/bin/env"]), environment: ["ALMANAC_JOB": "nightly", "PATH": "/usr/bin:/bin"])
        let lines = Set(result.outputTail.split(separator: "\n").map(String.init))
        #expect(lines == ["ALMANAC_JOB=nightly", "PATH=/usr/bin:/bin"])
    }

    @Test("sets ALMANAC_RESULT when a result path is given and the environment lacks it")
    func resultVariable() async throws {
        let h = try ProcessHarness()
        var spec = h.spec(.shell("printf %s \"$ALMANAC_RESULT\""))
        spec.resultPath = h.path("result.json")
        let result = try await h.launcher.start(spec).wait()
        #expect(result.outputTail == h.path("result.json"))
    }

    @Test("runs in the workdir, relative to the runner's cwd when relative")
    func workdir() async throws {
        let h = try ProcessHarness()
        try FileManager.default.createDirectory(atPath: h.path("sub/dir"), withIntermediateDirectories: true)
        let absolute = try await h.run(.argv(["/bin/pwd"]), workdir: h.path("sub/dir"))
        #expect(absolute.outputTail == h.path("sub/dir") + "\n")
        let cwd = FileManager.default.currentDirectoryPath
        let relative = try await h.run(.argv(["/bin/pwd"]), workdir: ".")
        #expect(relative.outputTail == cwd + "\n")
    }

    @Test("resolves a relative argv[0] against the workdir and a bare name on the child's PATH")
    func argvResolution() async throws {
        let h = try ProcessHarness()
        try h.script("scripts/hello.sh", "#!/bin/sh\necho hello \"$1\"\n")
        let relative = try await h.run(.argv(["./scripts/hello.sh", "world"]))
        #expect(relative.outputTail == "hello world\n")
        try h.script("bin/mytool", "#!/bin/sh\necho from the child PATH\n")
        let env = ["PATH": h.path("bin") + ":/usr/bin:/bin"]
        let searched = try await h.run(.argv(["mytool"]), environment: env)
        #expect(searched.outputTail == "from the child PATH\n")
    }

    @Test("reports ENOENT, EACCES, a missing command and a missing workdir as ProcessError")
    func spawnErrors() throws {
        let h = try ProcessHarness()
        #expect(throws: ProcessError.spawn(path: h.path("missing.sh"), errno: ENOENT)) {
            try h.launcher.start(h.spec(.argv(["./missing.sh"])))
        }
        try h.script("noexec.sh", "#!/bin/sh\n", mode: 0o644)
        #expect(throws: ProcessError.spawn(path: h.path("noexec.sh"), errno: EACCES)) {
            try h.launcher.start(h.spec(.argv(["./noexec.sh"])))
        }
        #expect(throws: ProcessError.commandNotFound(name: "no-such-tool-xyz", searchPath: "/usr/bin:/bin")) {
            try h.launcher.start(h.spec(.argv(["no-such-tool-xyz"])))
        }
        #expect(throws: ProcessError.workdir(path: h.path("nowhere"), errno: ENOENT)) {
            try h.launcher.start(h.spec(.argv(["/bin/true"]), workdir: h.path("nowhere")))
        }
        #expect(throws: ProcessError.invalidSpec("empty command")) {
            try h.launcher.start(h.spec(.argv([])))
        }
        let message = ProcessError.spawn(path: "/x/run.sh", errno: ENOENT).description
        #expect(message == "cannot run /x/run.sh: No such file or directory")
    }

    @Test("reports the exit code", arguments: [0, 1, 3, 255] as [Int32])
    func exitCodes(code: Int32) async throws {
        let result = try await ProcessHarness().run(.shell("exit \(code)"))
        #expect(result.exitCode == code)
        #expect(result.signal == nil)
        #expect(result.outcome == (code == 0 ? .success : .failure))
    }

    @Test("reports the signal that killed the child", arguments: [SIGKILL, SIGTERM, SIGSEGV])
    func signals(signal: Int32) async throws {
        let result = try await ProcessHarness().run(.shell("kill -\(signal) $$"))
        #expect(result.exitCode == nil)
        #expect(result.signal == signal)
        #expect(result.outcome == .killed(signal: signal))
        #expect(!result.terminated && !result.timedOut)
    }

    @Test("delivers stdin bytes, small and larger than the pipe buffer")
    func stdin() async throws {
        let h = try ProcessHarness()
        let json = Array(#"{"title": "Release 1.2 🎉"}"#.utf8)
        var spec = h.spec(.shell("cat > received"))
        spec.stdin = json
        _ = try await h.launcher.start(spec).wait()
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: h.path("received")))) == json)

        let big = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        spec.stdin = big
        _ = try await h.launcher.start(spec).wait()
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: h.path("received")))) == big)

        var ignoring = h.spec(.shell("exit 7"))
        ignoring.stdin = big
        let result = try await h.launcher.start(ignoring).wait()
        #expect(result.exitCode == 7)
    }

    @Test("stdin is /dev/null when no bytes are given")
    func stdinDevNull() async throws {
        let result = try await ProcessHarness().run(.shell("readlink /proc/self/fd/0; wc -c"))
        #expect(result.outputTail == "/dev/null\n0\n")
    }

    @Test("leaks no parent fd into the child, even one opened without O_CLOEXEC")
    func noFdLeak() async throws {
        let h = try ProcessHarness()
        let leaky = open("/dev/null", O_RDONLY)
        defer { close(leaky) }
        #expect(leaky > 3)
        let result = try await h.run(.argv(["/bin/ls", "/proc/self/fd"]))
        // 0-2 are stdio; 3 is the directory ls itself opened to list /proc/self/fd.
        #expect(result.outputTail.split(separator: "\n") == ["0", "1", "2", "3"])
    }

    @Test("puts the child in its own process group with default signal handling")
    func processGroup() async throws {
        let h = try ProcessHarness()
        let result = try await h.run(.shell("cut -d' ' -f5 /proc/$$/stat; grep -E '^Sig(Blk|Ign)' /proc/self/status"))
        let lines = result.outputTail.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.first == String(result.pid))
        let masks = lines.dropFirst().compactMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
        // glibc's posix_spawn leaves only its internal signals 32 and 33 ignored; bash would reset them.
        #expect(masks.count == 2 && masks.allSatisfy { $0 & ~0x1_8000_0000 == 0 })
    }
}

/// A temp directory, a launcher and spec shortcuts for tests that run real children.
final class ProcessHarness: Sendable {
    let dir: String
    let launcher = ProcessLauncher()

    init() throws {
        var template = Array("/tmp/almanac-process-XXXXXX".utf8CString)
        let made = try #require(mkdtemp(&template))
        dir = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func path(_ name: String) -> String { dir + "/" + name }

    func spec(_ command: ProcessCommand, workdir: String? = nil, environment: [String: String]? = nil) -> ProcessSpec {
        ProcessSpec(
            command: command, workdir: workdir ?? dir,
            environment: environment ?? ["PATH": "/usr/bin:/bin", "HOME": dir],
            logPath: path("logs/job.log"))
    }

    func run(_ command: ProcessCommand, workdir: String? = nil, environment: [String: String]? = nil) async throws -> ExecutionResult {
        try await launcher.start(spec(command, workdir: workdir, environment: environment)).wait()
    }

    func script(_ name: String, _ text: String, mode: Int = 0o755) throws {
        let url = URL(fileURLWithPath: path(name))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    /// The state letter of `pid` in /proc (R, S, Z …) and its parent, or nil when it is gone.
    static func procState(_ pid: Int32) -> (state: Character, ppid: Int32)? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 1, let state = fields[0].first, let ppid = Int32(fields[1]) else { return nil }
        return (state, ppid)
    }
}
