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
                read = { try Self.quietState(stateDirectory) }
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
            var output = LogFollower(tail: tail, stateDirectory: stateDirectory)
            guard output.open(execution) else {
                printError("error: " + ExecutionLog.missing(execution, job: name, stateDirectory: stateDirectory))
                throw ExitCode(1)
            }
            output.printNew()
            guard follow else { return }
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(300))
                output.printNew()
                state = (try? await read()) ?? state
                guard let job = state.jobs[name] else { continue }
                if ExecutionLog.isRunning(execution, in: job) { continue }
                // The attempt ended: what it wrote last, then the next one, once it has started.
                output.printNew()
                guard let next = ExecutionLog.after(execution, in: job).first else { continue }
                execution = next
                // Unbuffered, as the log bytes are, so the header is never behind them in a pipe.
                FileHandle.standardOutput.write(Data("==> \(name) \(RFC3339.format(next.key.scheduledAt)) #\(next.attempt) <==\n".utf8))
                if !output.open(next) { printError("warning: " + ExecutionLog.missing(next, job: name, stateDirectory: stateDirectory)) }
            }
        }

        /// The file journal's state without the torn-line warning: while a runner appends, a
        /// reader polling it may see a line half written, which the next read sees whole.
        static func quietState(_ stateDirectory: URL) throws -> JournalState {
            let file = stateDirectory.appendingPathComponent("journal.jsonl")
            guard FileManager.default.fileExists(atPath: file.path) else { return JournalState() }
            return try FileJournal.replay(file: file).state
        }
    }
}

/// Prints one log file from where it was last read to its end, as `tail -f` does; a file that
/// shrank was rewritten by the output cap (head, marker, tail), so reading goes on from its end.
struct LogFollower {
    private var handle: FileHandle?
    private var offset: UInt64 = 0
    private var tail: Int?
    private let stateDirectory: URL

    init(tail: Int?, stateDirectory: URL) {
        self.tail = tail
        self.stateDirectory = stateDirectory
    }

    /// Starts on `execution`'s log; false when it has none here.
    mutating func open(_ execution: Execution) -> Bool {
        try? handle?.close()
        handle = nil
        offset = 0
        guard let opened = FileHandle(forReadingAtPath: ExecutionLog.path(execution, stateDirectory: stateDirectory)) else { return false }
        handle = opened
        return true
    }

    /// Writes what the file gained since the last call to stdout.
    mutating func printNew() {
        guard let handle else { return }
        let size = (try? handle.seekToEnd()) ?? offset
        if size < offset { offset = size }
        guard size > offset else { return }
        try? handle.seek(toOffset: offset)
        guard let data = try? handle.read(upToCount: Int(size - offset)) else { return }
        offset += UInt64(data.count)
        var bytes = [UInt8](data)
        if let lines = tail {
            bytes = Array(ExecutionLog.tail(bytes, lines: lines))
            tail = nil
        }
        FileHandle.standardOutput.write(Data(bytes))
    }
}
