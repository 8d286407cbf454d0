import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import JournalTestSupport
import Logging
import Manifest
import Scheduler
import Processes
import Publishing
import Daemon
@testable import Server

/// A real runner (real journal in a temp dir, real child processes) behind a real router.
struct ServerFixture {
    static let yaml = """
        name: hello
        schedule: "0 3 * * *"
        run: ["sh", "-c", "echo 'hi <b>&'"]
        ---
        name: other
        schedule: "*/5 * * * *"
        run: ["true"]
        ---
        kind: post
        name: launch
        at: "2099-01-01T09:00:00Z"
        content: {title: "Soon"}
        publish:
          - {name: a, webhook: "http://127.0.0.1:9/a"}
          - {name: b, webhook: "http://127.0.0.1:9/b"}
        """

    let directory: URL
    let journal: FileJournal
    let runner: Runner
    let link: RunnerLink
    let metrics = ServerMetrics()
    let feed = EventFeed()
    let loop: Task<Void, Never>

    init(yaml: String = Self.yaml, environment: [String: String] = [:]) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        journal = try FileJournal(directory: directory)
        let executor = ProcessJobLauncher(root: directory, stateDirectory: directory, environment: ["PATH": "/usr/bin:/bin"])
        let (metrics, feed) = (self.metrics, self.feed)
        runner = Runner(clock: SystemClock(), journal: journal, launcher: executor,
                        options: .init(observer: { metrics.observe($0); feed.observe($0) }))
        let files = [SourceFile(path: "jobs.yaml", bytes: Array(yaml.utf8))]
        try await runner.apply(ManifestLoader.load(files: files, environment: environment, now: Date()))
        try await runner.start()
        let runner = self.runner
        loop = Task { await runner.run() }
        link = RunnerLink()
        let path = directory.appendingPathComponent("journal.jsonl").path
        await link.attach(RunnerHandle(runner: runner, journal: journal, journalPath: path, reload: { .done }))
    }

    func app(_ settings: ServerSettings = ServerSettings(port: 0, apiToken: "s3cret")) -> some ApplicationProtocol {
        buildApplication(link: link, settings: settings, metrics: metrics, feed: feed, logger: Logger(label: "test"))
    }

    /// Waits (up to 10 s) until `job` has `count` finished executions; a trigger only queues a fire.
    func waitForHistory(_ job: String, count: Int) async throws -> Bool {
        for _ in 0..<1000 {
            if await runner.journalState().jobs[job]?.history.count ?? 0 >= count { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    func close() async throws {
        await runner.stop()
        await loop.value
        await runner.shutdown()
        try await journal.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

let bearer: HTTPFields = [.authorization: "Bearer s3cret"]

extension TestResponse {
    /// The body as a JSON object.
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    var errorMessage: String { ((object["error"] as? [String: Any])?["message"] as? String) ?? "" }
}
