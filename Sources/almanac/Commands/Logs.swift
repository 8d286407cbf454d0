import AlmanacCore
import ArgumentParser
import Foundation
import Journal
import Status

extension Almanac {
    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the output of a job's latest (or the given) attempt; --follow streams a running one and the next ones.",
            discussion: """
                The output is the attempt's log file as the runner wrote it: ${VAR} values masked as ***, \
                capped by output.maxBytes. With --follow the command keeps printing what a running attempt \
                writes, then each later attempt of the job as it starts (a `==> job scheduled #attempt <==` \
                line before each), until interrupted. Exit 1 when the job, the attempt or its log is not found.
                """)

        @Argument(help: "The job name.")
        var name: String

        @Option(help: "The occurrence's scheduled time (RFC 3339, as `almanac history` shows it). Default: the latest attempt.")
        var scheduled: String?

        @Option(help: "The attempt of that occurrence. Default: its latest.")
        var attempt: Int?

        @Flag(name: .shortAndLong, help: "Keep printing: a running attempt's new output, then the job's next attempts.")
        var follow = false

        @Option(help: "Print only the last N lines first.")
        var tail: Int?

        @OptionGroup var stateOptions: StateOptions

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if let tail, tail < 0 { throw ValidationError("--tail takes a count of lines, 0 or more") }
            if let attempt, attempt < 1 { throw ValidationError("--attempt counts from 1") }
            if scheduled != nil, RFC3339.parse(scheduled ?? "") == nil {
                throw ValidationError("--scheduled must be an RFC 3339 time, e.g. 2026-03-08T03:00:00Z")
            }
        }

        func run() async throws {
            let stateDirectory = stateOptions.stateDirectory
            let scheduledAt = scheduled.flatMap(RFC3339.parse)
            let read: @Sendable () async throws -> JournalState
            if let url = try database.url() {
                read = { try await Workspace.reading(url) { await $0.state() } }
            } else {
                read = { try Workspace.state(stateDirectory, warnTorn: false) }
            }
            var state = try await read()
            if follow, state.jobs[name] == nil {
                // A runner that has just started may not have applied the job yet: wait, saying so
                // (a misspelt name would otherwise wait in silence).
                printError("warning: no job named '\(name)' in the journal of \(stateDirectory.path) yet; waiting for it")
                while state.jobs[name] == nil, !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(300))
                    state = (try? await read()) ?? state
                }
            }
            guard let job = state.jobs[name] else {
                printError("error: no job named '\(name)' in the journal of \(stateDirectory.path)")
                throw ExitCode(1)
            }
            var found = ExecutionLog.select(job, scheduledAt: scheduledAt, attempt: attempt)
            // Following a job that has not run yet waits for its first attempt.
            while found == nil, follow, scheduledAt == nil, attempt == nil, !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(300))
                state = (try? await read()) ?? state
                found = state.jobs[name].flatMap { ExecutionLog.select($0, scheduledAt: nil, attempt: nil) }
            }
            guard var execution = found else {
                let which = scheduled.map { "scheduled \($0)" + (attempt.map { " attempt \($0)" } ?? "") } ?? "started yet"
                printError("error: \(name) has no attempt \(which)")
                throw ExitCode(1)
            }
            func path(_ execution: Execution) -> String { ExecutionLog.path(execution, stateDirectory: stateDirectory) }
            func write(_ bytes: [UInt8]) { if !bytes.isEmpty { FileHandle.standardOutput.write(Data(bytes)) } }
            func drain(_ reader: LogReader?) {
                guard let reader else { return }
                while case let chunk = reader.read(), !chunk.isEmpty { write(chunk) }
            }
            // A running attempt's file appears at its launch, a moment after its `started` record.
            var reader = LogReader(path: path(execution))
            if reader == nil, !ExecutionLog.isRunning(execution, in: job) {
                printError("error: " + ExecutionLog.missing(execution, job: name, stateDirectory: stateDirectory))
                throw ExitCode(1)
            }
            if let reader { write(reader.readAll(tail: tail)) }
            guard follow else { return }
            var shown: Set<ExecutionLog.RunID> = [ExecutionLog.RunID(execution)]
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(300))
                if reader == nil { reader = LogReader(path: path(execution)) }
                drain(reader)
                state = (try? await read()) ?? state
                guard let job = state.jobs[name] else { continue }
                if ExecutionLog.isRunning(execution, in: job) { continue }
                // The attempt ended: what it wrote last, then the next one, once it has started.
                if reader == nil { reader = LogReader(path: path(execution)) }
                if reader == nil { printError("warning: " + ExecutionLog.missing(execution, job: name, stateDirectory: stateDirectory)) }
                drain(reader)
                guard let next = ExecutionLog.after(execution, in: job, shown: shown).first else { continue }
                shown.insert(ExecutionLog.RunID(next))
                execution = next
                // Unbuffered, as the log bytes are, so the header is never behind them in a pipe.
                write(Array("==> \(name) \(RFC3339.format(next.key.scheduledAt)) #\(next.attempt) <==\n".utf8))
                reader = LogReader(path: path(next))
            }
        }
    }
}
