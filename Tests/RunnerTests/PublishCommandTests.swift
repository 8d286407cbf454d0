import Foundation
import Testing
@testable import Scheduler
@testable import Processes
@testable import Publishing
@testable import Daemon

@Suite("Command publisher with real child processes")
struct PublishCommandTests {
    let h: ProcessHarness
    let publisher: CommandPublisher
    let request = PublishRequest(
        post: "weekly-update", scheduledAt: Date(timeIntervalSince1970: 1_772_960_400), attempt: 2,
        target: "reddit", content: ["title": "Week 10", "flair": "News"])

    init() throws {
        h = try ProcessHarness()
        publisher = CommandPublisher(launcher: h.launcher)
    }

    func target(_ script: String, nonRetryable: Set<Int32> = [], timeout: Duration? = .seconds(10)) -> PublishDestination.Command {
        .init(command: .shell(script), workdir: h.dir, environment: ["PATH": "/usr/bin:/bin"],
              timeout: timeout, nonRetryableExitCodes: nonRetryable)
    }

    func publish(_ target: PublishDestination.Command) async -> PublishOutcome {
        await publisher.publish(request, to: target, logPath: h.path("logs/post.log"))
    }

    @Test("delivers the JSON on stdin and reads url and id from the last JSON line of stdout")
    func published() async throws {
        let script = """
            cat > stdin.json
            echo "uploading…"
            echo '{"url": "https://reddit.example/r/x/1", "id": "t3_1"}'
            echo "done" >&2
            """
        let outcome = await publish(target(script))
        guard case .published(let receipt) = outcome else { Issue.record("not published: \(outcome)"); return }
        #expect(receipt.exitCode == 0 && receipt.url == "https://reddit.example/r/x/1" && receipt.id == "t3_1")
        #expect(receipt.outputTail.hasSuffix("done\n"))
        let stdin = try Data(contentsOf: URL(fileURLWithPath: h.path("stdin.json")))
        #expect(stdin == request.body)
        let json = try #require(PayloadJSON.parse(stdin))
        #expect(json["title"] == "Week 10" && json["post"] == "weekly-update" && json["attempt"] == 2)
    }

    @Test("reads only this execution's output, not an earlier attempt's in the same log")
    func ownOutputOnly() async throws {
        _ = await publish(target(#"echo '{"url": "https://old"}'; exit 1"#))
        let outcome = await publish(target("echo no json this time"))
        guard case .published(let receipt) = outcome else { Issue.record("not published"); return }
        #expect(receipt.url == nil && receipt.id == nil)
    }

    @Test("passes the idempotency key and the occurrence in the environment")
    func environment() async throws {
        let outcome = await publish(target(#"printf '{"id": "%s|%s|%s|%s|%s"}\n' "$ALMANAC_IDEMPOTENCY_KEY" "$ALMANAC_POST" "$ALMANAC_SCHEDULED_AT" "$ALMANAC_ATTEMPT" "$ALMANAC_TARGET""#))
        guard case .published(let receipt) = outcome else { Issue.record("not published"); return }
        #expect(receipt.id == "weekly-update@2026-03-08T09:00:00Z#reddit|weekly-update|2026-03-08T09:00:00Z|2|reddit")
    }

    @Test("maps exit codes: nonRetryableExitCodes → content, others → command (retryable)", arguments: [
        (65, ErrorClass.content, false), (2, .content, false), (1, .command, true), (75, .command, true),
    ] as [(Int32, ErrorClass, Bool)])
    func exitCodes(code: Int32, expected: ErrorClass, retryable: Bool) async throws {
        let outcome = await publish(target("echo rejected: title too long; exit \(code)", nonRetryable: [2, 65]))
        guard case .failed(let failure) = outcome else { Issue.record("published"); return }
        #expect(failure.errorClass == expected && failure.isRetryable == retryable)
        #expect(failure.exitCode == code && failure.message == "exit \(code)")
        #expect(failure.outputTail == "rejected: title too long\n")
    }

    @Test("a command past its timeout is a timeout; a missing command is configuration")
    func timeoutAndMissing() async throws {
        let started = ContinuousClock.now
        let slow = await publish(target("sleep 30", timeout: .milliseconds(300)))
        guard case .failed(let timedOut) = slow else { Issue.record("published"); return }
        #expect(timedOut.errorClass == .timeout && timedOut.isRetryable)
        // The message carries the measured run time (≥ 300 ms; more on a loaded machine).
        #expect(timedOut.message.hasPrefix("timed out after ") && timedOut.message.hasSuffix(" ms"))
        let measured = Int(timedOut.message.dropFirst("timed out after ".count).dropLast(3)) ?? 0
        #expect(measured >= 300)
        #expect(ContinuousClock.now - started < .seconds(15))
        let missing = PublishDestination.Command(command: .argv(["no-such-publisher"]), workdir: h.dir, environment: ["PATH": "/usr/bin:/bin"])
        let outcome = await publish(missing)
        guard case .failed(let failure) = outcome else { Issue.record("published"); return }
        #expect(failure.errorClass == .configuration && !failure.isRetryable)
        #expect(failure.message.contains("command not found: no-such-publisher"))
    }

    @Test("a command killed by a signal is a retryable command failure")
    func killed() async throws {
        let outcome = await publish(target("kill -9 $$"))
        guard case .failed(let failure) = outcome else { Issue.record("published"); return }
        #expect(failure.errorClass == .command && failure.message == "killed by signal 9")
    }
}
