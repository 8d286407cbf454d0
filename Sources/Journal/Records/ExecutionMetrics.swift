import Foundation

/// What one attempt's end measured: the fields every shape of a finished execution carries.
///
/// The launcher's result, the runner's report, the `finished` record, the journal's
/// `Execution` and the API's view all hold this one struct, so a new measurement is a property
/// here plus its line in `fields` (the journal key it is stored under).
package struct ExecutionMetrics: Sendable, Hashable {
    package var outcome: Outcome?
    package var exitCode: Int?
    package var signal: Int?
    package var durationMs: Int?
    /// Microseconds from the fire's planned instant (its scheduled or retry time) to the
    /// launch (the child's `execve`): the runner's own lateness, which `at` of `started`
    /// cannot show when the claim was made ahead of the instant.
    package var lateUs: Int?
    package var errorClass: FailureClass?
    package var cpuUserMs: Int?
    package var cpuSystemMs: Int?
    package var maxRSSKB: Int?
    package var pid: Int?
    package var logPath: String?
    /// JSON text from `$ALMANAC_RESULT`; stored as a nested JSON value, not as a string.
    package var result: String?
    /// The last bytes of output; the journal keeps at most 4 KiB of it.
    package var outputTail: String?

    package init(outcome: Outcome? = nil, exitCode: Int? = nil, signal: Int? = nil, durationMs: Int? = nil,
                lateUs: Int? = nil, errorClass: FailureClass? = nil, cpuUserMs: Int? = nil, cpuSystemMs: Int? = nil,
                maxRSSKB: Int? = nil, pid: Int? = nil, logPath: String? = nil, result: String? = nil,
                outputTail: String? = nil) {
        self.outcome = outcome
        self.exitCode = exitCode
        self.signal = signal
        self.durationMs = durationMs
        self.lateUs = lateUs
        self.errorClass = errorClass
        self.cpuUserMs = cpuUserMs
        self.cpuSystemMs = cpuSystemMs
        self.maxRSSKB = maxRSSKB
        self.pid = pid
        self.logPath = logPath
        self.result = result
        self.outputTail = outputTail
    }

    /// The journal keys of the metrics; the same names in the snapshot's `Execution`.
    package static let fields: [RecordField<ExecutionMetrics>] = [
        .word(.outcome, { $0.outcome }, { $0.outcome = $1 }),
        .int(.exitCode, { $0.exitCode }, { $0.exitCode = $1 }),
        .int(.signal, { $0.signal }, { $0.signal = $1 }),
        .int(.durationMs, { $0.durationMs }, { $0.durationMs = $1 }),
        .int(.lateUs, { $0.lateUs }, { $0.lateUs = $1 }),
        .word(.errorClass, { $0.errorClass }, { $0.errorClass = $1 }),
        .int(.cpuUserMs, { $0.cpuUserMs }, { $0.cpuUserMs = $1 }),
        .int(.cpuSystemMs, { $0.cpuSystemMs }, { $0.cpuSystemMs = $1 }),
        .int(.maxRSSKB, { $0.maxRSSKB }, { $0.maxRSSKB = $1 }),
        .int(.pid, { $0.pid }, { $0.pid = $1 }),
        .string(.logPath, { $0.logPath }, { $0.logPath = $1 }),
        .json(.result, { $0.result }, { $0.result = $1 }),
        .string(.outputTail, { $0.outputTail }, { $0.outputTail = $1 }),
    ]
}
