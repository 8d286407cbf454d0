import Foundation

/// One run of one occurrence (one attempt): started, and finished once `finishedAt` is set.
package struct Execution: Sendable, Hashable, Codable {
    package var key: OccurrenceKey
    package var attempt: Int
    package var triggeredBy: String?
    package var startedAt: Date
    package var finishedAt: Date?
    package var outcome: String?
    package var exitCode: Int?
    package var signal: Int?
    package var durationMs: Int?
    /// Microseconds from the planned instant (the scheduled time plus the job's jitter, or a
    /// retry's own due time) to the launch (JournalEvent.lateUs). The `started` event gives a
    /// first figure, the `finished` event the exact one.
    package var lateUs: Int?
    package var errorClass: String?
    package var outputTail: String?
    package var cpuUserMs: Int?
    package var cpuSystemMs: Int?
    package var maxRSSKB: Int?
    /// Compact JSON text the job wrote to `$ALMANAC_RESULT`.
    package var result: String?
    package var logPath: String?
    package var pid: Int?
    package var message: String?

    package init(key: OccurrenceKey, attempt: Int, triggeredBy: String? = nil, startedAt: Date, pid: Int? = nil) {
        self.key = key
        self.attempt = attempt
        self.triggeredBy = triggeredBy
        self.startedAt = startedAt
        self.pid = pid
    }

    /// How late the attempt started, in whole milliseconds: from the journaled lateness when
    /// there is one, so neither the jitter nor a retry's delay counts as late; else (attempts
    /// journaled before lateness was) from the scheduled time to the recorded start.
    package var lateMs: Int {
        if let lateUs { return max(0, lateUs / 1000) }
        return max(0, Int((startedAt.timeIntervalSince(key.scheduledAt) * 1000).rounded()))
    }

    /// Fills in what a `finished` or `interrupted` event reports.
    mutating func finish(with event: JournalEvent) {
        finishedAt = event.at
        outcome = event.outcome ?? (event.type == .interrupted ? "interrupted" : nil)
        exitCode = event.exitCode
        signal = event.signal
        durationMs = event.durationMs ?? Int(event.at.timeIntervalSince(startedAt) * 1000)
        lateUs = event.lateUs ?? lateUs
        errorClass = event.errorClass
        outputTail = event.outputTail
        cpuUserMs = event.cpuUserMs
        cpuSystemMs = event.cpuSystemMs
        maxRSSKB = event.maxRSSKB
        result = event.result
        logPath = event.logPath ?? logPath
        pid = event.pid ?? pid
        message = event.message
    }
}
