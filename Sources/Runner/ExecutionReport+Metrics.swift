import Journal

extension ExecutionReport {
    /// The report's measurements as the journal stores them (the `finished` record's metrics);
    /// the lateness is the runner's to add.
    var metrics: ExecutionMetrics {
        ExecutionMetrics(outcome: Journal.Outcome(rawValue: outcome.rawValue), exitCode: exitCode, signal: signal, durationMs: durationMs,
                         errorClass: errorClass.map(FailureClass.init), cpuUserMs: cpuUserMs, cpuSystemMs: cpuSystemMs,
                         maxRSSKB: maxRSSKB, pid: pid, logPath: logPath, result: result, outputTail: outputTail)
    }
}
