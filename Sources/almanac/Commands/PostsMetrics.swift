import AlmanacCore
import ArgumentParser
import Daemon
import Foundation
import Journal

extension Almanac.Posts {
    struct Metrics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record engagement numbers of a published post: almanac posts metrics NAME likes=12 comments=3.",
            discussion: """
                Each NAME=VALUE sets one metric (a lower-case name; a finite number); the latest value of a \
                metric wins, so a collecting job may report the same counts again as they grow. The numbers \
                belong to the post's latest published occurrence on its one target unless --target or \
                --scheduled say otherwise. While a runner holds the state directory the request goes to it \
                (like trigger) and is journaled within a second; otherwise it is journaled here. \
                Exit 0 recorded or queued; 1 unknown post, bad numbers, or an occurrence that was not published.
                """)

        @Argument(help: "The post name.")
        var name: String

        @Argument(help: "The numbers, NAME=VALUE each (likes=12 comments=3).")
        var values: [String]

        @Option(help: "The publish target (its name:, or its index); needed when the post has several.")
        var target: String?

        @Option(help: "The occurrence's scheduled time (RFC 3339), for a recurring post's earlier occurrence.")
        var scheduled: String?

        @OptionGroup var stateOptions: StateOptions

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            _ = try Self.metrics(values)
            if let scheduled, RFC3339.parse(scheduled) == nil {
                throw ValidationError("--scheduled must be an RFC 3339 time, e.g. 2026-03-01T09:00:00Z")
            }
        }

        /// `likes=12 comments=3` as numbers; a usage error names the first bad one.
        static func metrics(_ values: [String]) throws -> [String: Double] {
            var metrics: [String: Double] = [:]
            for value in values {
                let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let number = Double(parts[1]), number.isFinite else {
                    throw ValidationError("'\(value)': expected NAME=NUMBER, e.g. likes=12")
                }
                metrics[parts[0]] = number
            }
            if let problem = EngagementMetric.problem(metrics) { throw ValidationError(problem) }
            return metrics
        }

        func run() async throws {
            let request = EngagementRequest(post: name, target: target, scheduledAt: scheduled.flatMap(RFC3339.parse),
                                            metrics: try Self.metrics(values), source: .cli)
            if let url = try database.url() {
                let recorded = try await Workspace.reading(url) { journal in
                    let state = await journal.state()
                    let resolved = Result { () throws(EngagementRefusal) in try request.record(in: state) }
                    if case .success(let record) = resolved {
                        _ = try await journal.append([JournalEvent(at: Date(), .engagement(record))])
                    }
                    return resolved
                }
                print("recorded: " + Self.describe(try Self.resolve(recorded)))
                return
            }
            let stateDirectory = stateOptions.stateDirectory
            if RunnerProbe.isRunning(stateDirectory) {
                // Checked here against what the runner journaled, so a mistake is an error now,
                // not a warning in the runner's log.
                let record = try Self.resolve(request, in: try Workspace.state(stateDirectory))
                var resolved = request
                (resolved.target, resolved.scheduledAt) = (record.target, record.scheduledAt)
                let who = "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown")
                try TriggerInbox(stateDirectory: stateDirectory).submit(job: name, requestedBy: who, engagement: resolved)
                print("queued: " + Self.describe(record))
                return
            }
            let journal = try Workspace.openJournal(stateDirectory)
            do {
                let record = try Self.resolve(request, in: await journal.state())
                _ = try await journal.append([JournalEvent(at: Date(), .engagement(record))])
                try await journal.close()
                print("recorded: " + Self.describe(record))
            } catch {
                try? await journal.close()
                throw error
            }
        }

        /// The record, or the refusal printed as `error: ...` with exit 1.
        static func resolve(_ request: EngagementRequest, in state: JournalState) throws -> JournalRecord.Engagement {
            try resolve(Result { () throws(EngagementRefusal) in try request.record(in: state) })
        }

        static func resolve(_ result: Result<JournalRecord.Engagement, EngagementRefusal>) throws -> JournalRecord.Engagement {
            switch result {
            case .success(let record): return record
            case .failure(let refusal):
                printError("error: \(refusal)")
                throw ExitCode(1)
            }
        }

        /// `launch (target 0, 2026-03-03T09:00:00Z): comments=3 likes=12`.
        static func describe(_ record: JournalRecord.Engagement) -> String {
            let numbers = record.metrics.keys.sorted().map { "\($0)=\(JSONValue.number(record.metrics[$0] ?? 0).canonicalText)" }
            return "\(record.job) (target \(record.target), \(record.scheduledAt.map { RFC3339.format($0) } ?? "?")): "
                + numbers.joined(separator: " ")
        }
    }
}
