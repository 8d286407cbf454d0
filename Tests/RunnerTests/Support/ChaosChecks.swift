import Foundation
import Journal
import JournalTestSupport
import Testing

/// What every chaos run must show at the end, from the every-second jobs' own side effects (one
/// `job@scheduled#attempt` line per run) and the journal: nothing ran without its `started`
/// record, no attempt ran twice, an occurrence ran twice only with an `interrupted` record, no
/// attempt was journaled `started` twice, and every second from each job's first fire to its
/// last was started or skipped.
func expectEachOccurrenceOnce(runs lines: [String], events: [JournalEvent], jobs: [String], summary: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
    let startedAttempts = Set(events.filter { $0.type == .started }.compactMap { e in
        e.job.flatMap { job in e.scheduledAt.map { "\(job)@\(RFC3339Test.format($0))#\(e.attempt ?? 1)" } }
    })
    let unrecorded = Set(lines).filter { !startedAttempts.contains($0) }
    #expect(unrecorded.isEmpty, "ran without a started record: \(unrecorded.sorted().prefix(5)); \(summary)",
            sourceLocation: sourceLocation)
    var attempts: [String: Int] = [:], occurrences: [String: Int] = [:]
    for line in lines {
        attempts[line, default: 0] += 1
        if let hash = line.lastIndex(of: "#") { occurrences[String(line[..<hash]), default: 0] += 1 }
    }
    let twice = attempts.filter { $0.value > 1 }
    #expect(twice.isEmpty, "an attempt ran twice: \(twice.keys.sorted().prefix(5)); \(summary)", sourceLocation: sourceLocation)
    let interrupted = Set(events.filter { $0.type == .finished && $0.outcome == "interrupted" }
        .compactMap { e in e.job.flatMap { job in e.scheduledAt.map { "\(job)@\(RFC3339Test.format($0))" } } })
    let rerun = occurrences.filter { $0.value > 1 && !interrupted.contains($0.key) }
    #expect(rerun.isEmpty, "ran twice without an interrupted record: \(rerun.keys.sorted().prefix(5)); \(summary)",
            sourceLocation: sourceLocation)
    for job in jobs {
        let handled = Set(events.filter { $0.job == job && ($0.type == .started || $0.type == .skipped) }.compactMap(\.scheduledAt))
        let missing = unhandledSeconds(handled) ?? []
        #expect(missing.isEmpty, "\(job): \(missing.count) occurrences lost, e.g. \(missing.prefix(3).map(RFC3339Test.format)); \(summary)",
                sourceLocation: sourceLocation)
        let started = events.filter { $0.job == job && $0.type == .started }
        let keys = Set(started.map { "\($0.scheduledAt.map(RFC3339Test.format) ?? "")#\($0.attempt ?? 0)" })
        #expect(keys.count == started.count, "\(job): an attempt was journaled started twice; \(summary)", sourceLocation: sourceLocation)
    }
}

/// What a chaos run's fault loop leaves: the runner now up, the faults dealt by name, and what
/// went wrong that no fault called for.
struct FaultLoop {
    var runner: Process
    var faults: [String: Int] = [:]
    var problems: [String] = []
}

/// The fault schedule every binary chaos suite drives: a runner from `launch`, 3 s to settle,
/// then until `seconds` have passed, a fault every 1.5–3 s: `fault(choice, &loop)` with a choice
/// in 0..<10 (`first` for the first one, so even a short run deals the fault that matters
/// most). A runner that exited with no fault to call for it is a problem, and is relaunched.
func runFaults(for seconds: Int, first: Int, launch: () throws -> Process,
               _ fault: (_ choice: Int, _ loop: inout FaultLoop) async throws -> Void) async throws -> FaultLoop {
    var loop = FaultLoop(runner: try launch())
    var generator = SystemRandomNumberGenerator()
    let end = ContinuousClock.now + .seconds(seconds)
    try await Task.sleep(for: .seconds(3))
    while ContinuousClock.now < end {
        if !loop.runner.isRunning {
            loop.problems.append("the runner exited \(loop.runner.terminationStatus) with no fault to call for it")
            loop.runner = try launch()
        }
        try await fault(loop.faults.isEmpty ? first : Int.random(in: 0..<10, using: &generator), &loop)
        try await Task.sleep(for: .milliseconds(Int.random(in: 1500...3000, using: &generator)))
    }
    return loop
}
