import Foundation

/// One line of the journal: a versioned, flat record whose fields depend on its `type`.
///
/// Every field is optional except `seq`, `at` and `type`, so one struct covers every event
/// type and lines written by older versions keep decoding. `at` is the caller's clock (the
/// runner may use a virtual one); the journal never reads the wall clock. Dates are stored
/// with millisecond precision.
///
/// Secrets: the journal stores exactly what it is given. Callers pass secret-free templates
/// (e.g. `fields` with `${VAR}` unexpanded), never substituted environment values.
package struct JournalEvent: Sendable, Hashable, Codable {
    /// Record version; absent on disk means 1.
    package var v: Int = 1
    /// Position in the journal, assigned by the backend on append (1, 2, 3, …).
    package var seq: UInt64
    package var at: Date
    package var type: EventType
    package var job: String?
    package var scheduledAt: Date?
    /// 1 for the first run of an occurrence, 2 for the first retry, …
    package var attempt: Int?
    /// `schedule`, `manual`, `catchup`, `retry`, `recovery`, or `after:<job>` for a run owed
    /// because `<job>` succeeded.
    package var triggeredBy: String?

    // applied
    /// Content hash of the job version.
    package var hash: String?
    /// Git commit the version came from, or nil for a plain directory.
    package var revision: String?
    /// The job's settings as text (secret-free templates).
    package var fields: [String: String]?
    /// `file:line:col` of the definition.
    package var source: String?
    /// `job`, `post` or `scan`.
    package var kind: String?
    package var enabled: Bool?

    // finished
    /// `success`, `failure`, `timeout`, `partial`, `interrupted`, `killed` or `error`.
    package var outcome: String?
    package var exitCode: Int?
    package var signal: Int?
    package var durationMs: Int?
    /// Microseconds from the fire's planned instant (its scheduled or retry time) to the
    /// launch (the child's `execve`): the runner's own lateness, which `at` of `started`
    /// cannot show when the claim was made ahead of the instant.
    package var lateUs: Int?
    /// The last bytes of output; the journal keeps at most 4 KiB of it.
    package var outputTail: String?
    /// `exit`, `signal`, `timeout`, `spawn`, `nonRetryable`, …
    package var errorClass: String?
    package var cpuUserMs: Int?
    package var cpuSystemMs: Int?
    package var maxRSSKB: Int?
    package var logPath: String?
    /// JSON text from `$ALMANAC_RESULT`; stored as a nested JSON value, not as a string.
    package var result: String?

    package var pid: Int?
    /// skipped: `overlap|missed|disabled|no-activity|queue`; cancelled: `removed|replaced|…`
    package var reason: String?
    package var retryAt: Date?
    package var message: String?
    /// diagnostics: the current list of problems.
    package var messages: [String]?
    /// posts: the publish target's name.
    package var target: String?
    package var url: String?
    package var status: Int?
    package var commit: String?
    /// The whole replayed state; only for `type == .snapshot`, written by compaction.
    package var snapshot: JournalState?

    /// Creates an event; `seq` is normally left 0 and assigned by the backend.
    package init(
        seq: UInt64 = 0, at: Date, type: EventType, job: String? = nil, scheduledAt: Date? = nil,
        attempt: Int? = nil, triggeredBy: String? = nil, hash: String? = nil, revision: String? = nil,
        fields: [String: String]? = nil, source: String? = nil, kind: String? = nil, enabled: Bool? = nil,
        outcome: String? = nil, exitCode: Int? = nil, signal: Int? = nil, durationMs: Int? = nil, lateUs: Int? = nil,
        outputTail: String? = nil, errorClass: String? = nil, cpuUserMs: Int? = nil, cpuSystemMs: Int? = nil,
        maxRSSKB: Int? = nil, logPath: String? = nil, result: String? = nil, pid: Int? = nil,
        reason: String? = nil, retryAt: Date? = nil, message: String? = nil, messages: [String]? = nil,
        target: String? = nil, url: String? = nil, status: Int? = nil, commit: String? = nil,
        snapshot: JournalState? = nil, v: Int = 1
    ) {
        self.v = v
        self.seq = seq
        self.at = at
        self.type = type
        self.job = job
        self.scheduledAt = scheduledAt
        self.attempt = attempt
        self.triggeredBy = triggeredBy
        self.hash = hash
        self.revision = revision
        self.fields = fields
        self.source = source
        self.kind = kind
        self.enabled = enabled
        self.outcome = outcome
        self.exitCode = exitCode
        self.signal = signal
        self.durationMs = durationMs
        self.lateUs = lateUs
        self.outputTail = outputTail
        self.errorClass = errorClass
        self.cpuUserMs = cpuUserMs
        self.cpuSystemMs = cpuSystemMs
        self.maxRSSKB = maxRSSKB
        self.logPath = logPath
        self.result = result
        self.pid = pid
        self.reason = reason
        self.retryAt = retryAt
        self.message = message
        self.messages = messages
        self.target = target
        self.url = url
        self.status = status
        self.commit = commit
        self.snapshot = snapshot
    }

    /// Whether the event is about a run owed to `after:` (`triggeredBy: after:<upstream>`).
    package var isAfterTrigger: Bool { triggeredBy?.hasPrefix(Self.afterPrefix) ?? false }

    /// The prefix of `triggeredBy` for runs started because an upstream job succeeded.
    package static let afterPrefix = "after:"

    /// The occurrence this event is about, when it names a job and a scheduled time.
    package var key: OccurrenceKey? {
        guard let job, let scheduledAt else { return nil }
        return OccurrenceKey(job: job, scheduledAt: scheduledAt)
    }
}
