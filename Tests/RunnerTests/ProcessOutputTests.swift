import Foundation
import Glibc
import Testing
@testable import Scheduler
@testable import Processes
@testable import Publishing
@testable import Daemon

@Suite("Process output and result file")
struct ProcessOutputTests {
    @Test("appends stdout and stderr to a 0600 log created with its parent directories")
    func logFile() async throws {
        let h = try ProcessHarness()
        let result = try await h.run(.shell("echo out; echo err >&2; echo again"))
        #expect(result.outputTail == "out\nerr\nagain\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: h.path("logs/job.log"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOfFile: h.path("logs/job.log"), encoding: .utf8) == "out\nerr\nagain\n")
    }

    @Test("the tail holds only what this execution appended to a shared log")
    func sharedLog() async throws {
        let h = try ProcessHarness()
        _ = try await h.run(.shell("echo first attempt"))
        let second = try await h.run(.shell("echo second attempt"))
        #expect(second.outputTail == "second attempt\n")
        let silent = try await h.run(.argv(["/bin/true"]))
        #expect(silent.outputTail == "")
    }

    @Test("the tail is the last 4 KiB, starting after a multi-byte character cut at the boundary")
    func tailCutsCharacter() async throws {
        let h = try ProcessHarness()
        // 100 + 2 ("é") + 4095 bytes: the last 4096 start on the second byte of "é".
        let result = try await h.run(.shell("head -c 100 /dev/zero | tr '\\0' x; printf '\\303\\251'; head -c 4095 /dev/zero | tr '\\0' y"))
        #expect(result.outputTail == String(repeating: "y", count: 4095))
        let long = try await h.run(.shell("i=0; while [ $i -lt 2000 ]; do echo \"line $i ünïcödé\"; i=$((i + 1)); done"))
        #expect(long.outputTail.utf8.count <= 4096)
        #expect(long.outputTail.hasSuffix("line 1999 ünïcödé\n"))
        #expect(!long.outputTail.contains("\u{FFFD}"))
    }

    @Test("repairs UTF-8 cut at the front and replaces invalid bytes elsewhere", arguments: [
        ([0xA9, 0x61], "a"),
        ([0x9F, 0x98, 0x80, 0x62], "b"),
        ([0x61, 0xC3], "a\u{FFFD}"),
        ([0xFF, 0x61], "\u{FFFD}a"),
        ([], ""),
    ] as [([UInt8], String)])
    func repair(bytes: [UInt8], expected: String) {
        #expect(LogTail.repair(bytes) == expected)
    }

    @Test("parses $ALMANAC_RESULT and reports exit 0 with failed items as partial")
    func partialResult() async throws {
        let h = try ProcessHarness()
        let json = #"{"message": "2 of 3 sent", "items": {"processed": 3, "succeeded": 2, "failed": 1}, "metrics": {"rows": 120, "seconds": 3.5}}"#
        var spec = h.spec(.shell("cat > \"$ALMANAC_RESULT\" <<'EOF'\n\(json)\nEOF"))
        spec.resultPath = h.path("result.json")
        let result = try await h.launcher.start(spec).wait()
        let file = try #require(result.result)
        #expect(file.message == "2 of 3 sent")
        #expect(file.items == ResultFile.Items(processed: 3, succeeded: 2, failed: 1))
        #expect(file.metrics == ["rows": 120, "seconds": 3.5])
        #expect(file.raw == json + "\n")
        #expect(result.resultError == nil)
        #expect(result.outcome == .partial)
    }

    @Test("a stale result file is removed before the spawn; an invalid one is recorded, not fatal")
    func staleAndInvalidResult() async throws {
        let h = try ProcessHarness()
        try Data(#"{"items": {"failed": 9}}"#.utf8).write(to: URL(fileURLWithPath: h.path("result.json")))
        var spec = h.spec(.argv(["/bin/true"]))
        spec.resultPath = h.path("result.json")
        let quiet = try await h.launcher.start(spec).wait()
        #expect(quiet.result == nil && quiet.resultError == nil)
        #expect(quiet.outcome == .success)

        spec.command = .shell("echo 'not json' > \"$ALMANAC_RESULT\"")
        let invalid = try await h.launcher.start(spec).wait()
        #expect(invalid.result == nil)
        #expect(invalid.resultError == "result file is not valid JSON")
        #expect(invalid.outcome == .success)
    }

    @Test("keeps the valid fields of a result document and lists the wrong ones", arguments: [
        (#"{"message": "ok"}"#, nil),
        (#"[1, 2]"#, "result file must hold a JSON object"),
        (#"{"message": 3, "items": {"failed": true}}"#, "result file: items.failed must be a non-negative integer; message must be a string"),
        (#"{"items": {"processed": -1, "failed": 2}}"#, "result file: items.processed must be a non-negative integer"),
        (#"{"metrics": {"version": "1.2", "n": 1}}"#, "result file: metrics.version must be a number"),
    ] as [(String, String?)])
    func parse(json: String, error: String?) {
        let (result, problem) = ResultFile.parse(Data(json.utf8))
        #expect(problem == error)
        if error == nil || json.hasPrefix("{") { #expect(result?.raw == json) }
    }

    @Test("a result file over 1 MiB is an error")
    func oversizedResult() async throws {
        let h = try ProcessHarness()
        var spec = h.spec(.shell("head -c 1100000 /dev/zero > \"$ALMANAC_RESULT\""))
        spec.resultPath = h.path("result.json")
        let result = try await h.launcher.start(spec).wait()
        #expect(result.result == nil)
        #expect(result.resultError == "result file \(h.path("result.json")) is larger than 1 MiB")
    }
}
