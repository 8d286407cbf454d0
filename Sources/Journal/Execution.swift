import Foundation

/// One run of one occurrence (one attempt): started, and finished once `finishedAt` is set.
public struct Execution: Sendable, Hashable, Codable {
    public var key: OccurrenceKey
    public var attempt: Int
    public var triggeredBy: String?
    public var startedAt: Date
    public var finishedAt: Date?
    public var outcome: String?
    public var exitCode: Int?
    public var signal: Int?
    public var durationMs: Int?
    /// Microseconds from the planned instant to the launch (JournalEvent.lateUs).
    public var lateUs: Int?
    public var errorClass: String?
    public var outputTail: String?
    public var cpuUserMs: Int?
    public var cpuSystemMs: Int?
    public var maxRSSKB: Int?
    /// Compact JSON text the job wrote to `$ALMANAC_RESULT`.
    public var result: String?
    public var logPath: String?
    public var pid: Int?
    public var message: String?

    public init(key: OccurrenceKey, attempt: Int, triggeredBy: String? = nil, startedAt: Date, pid: Int? = nil) {
        self.key = key
        self.attempt = attempt
        self.triggeredBy = triggeredBy
        self.startedAt = startedAt
        self.pid = pid
    }

    /// Fills in what a `finished` or `interrupted` event reports.
    mutating func finish(with event: JournalEvent) {
        finishedAt = event.at
        outcome = event.outcome ?? (event.type == .interrupted ? "interrupted" : nil)
        exitCode = event.exitCode
        signal = event.signal
        durationMs = event.durationMs ?? Int(event.at.timeIntervalSince(startedAt) * 1000)
        lateUs = event.lateUs
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
