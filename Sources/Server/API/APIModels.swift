import AlmanacCore
import CronSchedule
import Foundation
import Journal
import Manifest
import Reconciler
import Scheduler
import Status

/// `GET /api/v1/jobs`: every job's status row, plus the problems keeping files from applying.
struct JobsResponse: Encodable {
    var generatedAt: Date
    var jobs: [JobStatus]
    var problems: [String]
}

/// `GET /api/v1/jobs/{name}`: the status row, a secret-free summary of the spec, and what comes next.
struct JobDetail: Encodable {
    var job: JobStatus
    /// The spec's fields as canonical text (templates, never substituted secrets).
    var spec: [String: String]
    var nextFires: [Date]
    var pendingRetry: PendingRetry?
    var queued: Int
    /// Attempts (not occurrences) that ended `success`/`partial` over the job's lifetime.
    var lifetimeSuccesses: Int
    /// Attempts that ended any other way but `skipped`, retried ones included.
    var lifetimeFailures: Int
    /// Of those attempts, the retries (attempt 2 and later).
    var lifetimeRetries: Int
    /// The jobs this one runs after (`after:`): a success of any of them starts it once.
    var after: [String]
    /// The jobs that list this one in their `after:`.
    var dependents: [String]
}

/// One attempt as the API shows it: running ones have no outcome yet.
struct ExecutionView: Encodable {
    var scheduledAt: Date
    var attempt: Int
    var triggeredBy: String?
    var startedAt: Date
    var finishedAt: Date?
    /// `running`, or the finished outcome.
    var status: String
    /// How late the attempt started after its planned instant (scheduled time plus jitter, or
    /// the retry's due time), in milliseconds.
    var lateMs: Int
    /// How late the child was launched after its planned instant, in microseconds (the
    /// runner's own lateness; absent for attempts recorded before it was journaled).
    var lateUs: Int?
    var durationMs: Int?
    var exitCode: Int?
    var signal: Int?
    var errorClass: String?
    var outputTail: String?
    var message: String?
    /// What the job wrote to `$ALMANAC_RESULT` (message, items, metrics), as JSON.
    var result: JSONValue?
    var cpuUserMs: Int?
    var maxRSSKB: Int?
    /// The cluster runner that ran it (`host:pid:nonce`); absent on a runner of its own.
    var runner: String?

    init(_ execution: Execution) {
        scheduledAt = execution.key.scheduledAt
        attempt = execution.attempt
        triggeredBy = execution.triggeredBy?.rawValue
        startedAt = execution.startedAt
        finishedAt = execution.finishedAt
        status = execution.finishedAt == nil ? "running" : execution.metrics.outcome?.rawValue ?? "unknown"
        lateMs = execution.lateMs
        lateUs = execution.metrics.lateUs
        durationMs = execution.metrics.durationMs
        exitCode = execution.metrics.exitCode
        signal = execution.metrics.signal
        errorClass = execution.metrics.errorClass?.rawValue
        outputTail = execution.metrics.outputTail
        message = execution.message
        result = execution.metrics.result.flatMap { JSONValue.parse(Data($0.utf8)) }
        cpuUserMs = execution.metrics.cpuUserMs
        maxRSSKB = execution.metrics.maxRSSKB
        runner = execution.runner
    }
}

/// `GET /api/v1/jobs/{name}/executions`: a page, newest first; pass `nextBefore` as `before=` for the next.
struct ExecutionsPage: Encodable {
    var job: String
    var executions: [ExecutionView]
    var nextBefore: Date?
}

/// A post with its overall state and each target's.
struct PostView: Encodable {
    var name: String
    var scheduledAt: Date?
    /// `pending`, `processing`, `published`, `partial`, `failed`, `cancelled`, or `paused`.
    var state: String
    var targets: [Publication]
    var source: String?
}

/// `GET /api/v1/runners`.
struct RunnersResponse: Encodable {
    var runners: [ClusterRunner]
}

struct PostsResponse: Encodable {
    var posts: [PostView]
}

/// A manifest problem with its position, for the plan endpoint and the dashboard.
struct ProblemView: Encodable {
    var file: String
    var line: Int
    var column: Int
    var severity: String
    var message: String
    var text: String

    init(_ diagnostic: Diagnostic) {
        file = diagnostic.location.file
        line = diagnostic.location.line
        column = diagnostic.location.column
        severity = diagnostic.severity.rawValue
        message = diagnostic.message
        text = diagnostic.description
    }
}

/// `GET /api/v1/plan`: the runner's last reconcile.
struct PlanView: Encodable {
    struct CatchUpView: Encodable {
        var job: String
        var run: [Date]
        var skipped: Int
    }

    var reconciledAt: Date
    var ok: Bool
    var problems: [ProblemView]
    /// Jobs whose file has errors: their last good version stays in force.
    var kept: [String]
    var catchUps: [CatchUpView]
    /// Jobs paused through the API (journaled overrides).
    var paused: [String]

    init(_ plan: Plan, paused: [String]) {
        reconciledAt = plan.now
        ok = !plan.hasErrors
        problems = plan.diagnostics.map(ProblemView.init)
        kept = plan.kept
        catchUps = plan.catchUps.map { CatchUpView(job: $0.job, run: $0.run, skipped: $0.skipped) }
        self.paused = paused
    }
}

/// The reply of a state-changing endpoint.
struct ActionResponse: Encodable {
    var job: String
    var action: String
    /// False when it was already in that state (nothing journaled).
    var changed: Bool
}

/// JSON as the API writes it: sorted keys, RFC 3339 dates in UTC with milliseconds.
enum APIJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(format(date))
        }
        return encoder
    }

    /// Hand-rolled (CronSchedule's RFC3339): a formatter per date would dominate a 1,000-job list.
    static func format(_ date: Date) -> String { RFC3339.format(date) }

    /// RFC 3339 with or without fractional seconds.
    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

/// A backfill's plan as the API answers it: what runs (queued, or would with `dryRun`) and what is skipped.
struct BackfillView: Encodable {
    struct Occurrence: Encodable {
        var scheduledAt: Date
        var attempt: Int
        /// `run`, `skip: succeeded` or `skip: running`.
        var action: String
    }

    var job: String
    var from: Date
    var to: Date
    var dryRun: Bool
    var runs: Int
    var skipped: Int
    var occurrences: [Occurrence]

    init(_ plan: BackfillPlan, dryRun: Bool) {
        job = plan.job
        from = plan.from
        to = plan.to
        self.dryRun = dryRun
        runs = plan.runs.count
        skipped = plan.items.count - plan.runs.count
        occurrences = plan.items.map { Occurrence(scheduledAt: $0.scheduledAt, attempt: $0.attempt, action: $0.action.rawValue) }
    }
}
