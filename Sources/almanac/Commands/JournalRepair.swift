import AlmanacCore
import ArgumentParser
import Foundation
import Journal

extension Almanac.JournalCommand {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every damaged line of a state directory's journal, with its number and why.",
            discussion: "Read only (a running runner is fine). A line is damaged when it does not decode or its seq does not follow the line before it. A torn last line (what a crash mid-append leaves) is a warning: the next runner drops it. Exit 1 when any line before the last is damaged: `almanac journal repair` moves such lines aside.")

        @OptionGroup var stateOptions: StateOptions

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() throws {
            let directory = stateOptions.stateDirectory
            let file = directory.appendingPathComponent("journal.jsonl").path
            let check: JournalCheck
            do {
                check = try JournalCheck.scan(path: file)
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
            if format == .json {
                print(JournalReportJSON.verify(check))
            } else {
                for problem in check.damaged {
                    print("\(file):\(problem.line): error: \(problem.reason)\(problem.isSnapshot ? " (the snapshot line)" : "")")
                }
                if let torn = check.tornTail {
                    print("\(file):\(torn.line): warning: torn last line (\(torn.reason)); the next runner drops it")
                }
                let verdict = check.isDamaged
                    ? "\(check.damaged.count) damaged; `almanac journal repair --state \(ShellWord.quoted(directory.path))` moves them aside"
                    : "no damage"
                print("\(file): \(check.lines) lines, \(check.events) events, \(verdict)")
            }
            if check.isDamaged { throw ExitCode(1) }
        }
    }

    struct Repair: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a journal's damaged lines aside into journal.quarantine.jsonl and keep every good event.",
            discussion: "Stop the runner first (the state directory's lock is taken). Damaged lines and a torn last line are appended to STATE/journal.quarantine.jsonl with their line numbers, reasons and exact bytes, fsynced; then the journal is rewritten without them and renamed into place, so a crash leaves the old journal or the repaired one. Nothing changes when nothing is damaged.")

        @OptionGroup var stateOptions: StateOptions

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() throws {
            let directory = stateOptions.stateDirectory
            let report: JournalRepair.Report
            do {
                report = try JournalRepair.repair(directory: directory, now: Date())
            } catch {
                if case .locked(let pid) = error.kind { throw refuseHeld(directory, pid: pid) }
                printError("error: \(error)")
                throw ExitCode(1)
            }
            if format == .json {
                print(JournalReportJSON.repair(report))
                return
            }
            let file = report.check.path
            guard !report.moved.isEmpty else {
                print("\(file): nothing to repair (\(report.events) events); the journal was not modified")
                return
            }
            for problem in report.moved {
                print("moved line \(problem.line): \(problem.reason)")
                if problem.isSnapshot {
                    printError("warning: line \(problem.line) was the snapshot of a compaction: the history and state it held are gone "
                        + "from the journal (its bytes are in \(report.quarantine)); jobs are applied again as new at the next run")
                }
            }
            print("\(file): moved \(report.moved.count) line\(report.moved.count == 1 ? "" : "s") to \(report.quarantine); "
                + "kept \(report.events) events; the journal replays")
        }
    }
}

/// `journal verify` and `journal repair` as JSON, for scripts and monitoring.
private enum JournalReportJSON {
    static func verify(_ check: JournalCheck) -> String {
        var out = "{\"journal\":\(JSONString.quoted(check.path)),\"lines\":\(check.lines),\"events\":\(check.events),"
        out += "\"damaged\":\(problems(check.damaged)),\"tornLastLine\":\(check.tornTail.map(problem) ?? "null")}"
        return out
    }

    static func repair(_ report: JournalRepair.Report) -> String {
        "{\"journal\":\(JSONString.quoted(report.check.path)),\"quarantine\":\(JSONString.quoted(report.quarantine)),"
            + "\"moved\":\(problems(report.moved)),\"events\":\(report.events)}"
    }

    private static func problems(_ list: [JournalCheck.Problem]) -> String {
        "[" + list.map(problem).joined(separator: ",") + "]"
    }

    private static func problem(_ problem: JournalCheck.Problem) -> String {
        "{\"line\":\(problem.line),\"reason\":\(JSONString.quoted(problem.reason)),\"snapshot\":\(problem.isSnapshot)}"
    }
}
