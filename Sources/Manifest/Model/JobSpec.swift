import CronSchedule
import Foundation

/// One valid job, post or scan, fully resolved: defaults applied, `${VAR}` substituted.
///
/// Values meant for running (`environment`, `command`, webhook URLs) are substituted; their
/// `…Template` twins keep the text as written, and only those feed `fields`/`contentHash`, so a
/// secret from the environment never reaches a plan, the journal or a status file.
public struct JobSpec: Sendable, Hashable {
    public var name: String
    public var kind: SpecKind
    public var trigger: Trigger
    /// The trigger as written, canonical: `cron 0 3 * * *`, `every weekly dow=1 09:00`,
    /// `at 2026-12-01T09:00:00Z` or `manual`.
    public var triggerText: String
    public var timeZone: TimeZone
    public var command: Command?
    public var commandTemplate: Command?
    /// Resolved relative to the watched root (`jobs.d/scripts`), or absolute when written so.
    public var workdir: String
    /// Substituted values, for the child process only.
    public var environment: [String: String]
    /// The raw text with `${VAR}` kept — what plans, the journal and status may show.
    public var environmentTemplate: [String: String]
    public var timeout: Duration?
    public var retry: RetryPolicy
    public var nonRetryableExitCodes: Set<Int32>
    public var concurrency: ConcurrencyPolicy
    public var catchup: CatchupPolicy
    /// Upper bound of the deterministic per-name offset added to each fire.
    public var jitter: Duration
    public var enabled: Bool
    public var notify: [NotifySpec]
    /// Names of jobs whose success triggers this one.
    public var after: [String]
    public var limits: Limits?

    // Posts.
    /// `title`, `body`, `media`, `channel`, `platform`, `nsfw`, `flair` and free-form keys.
    public var content: [String: JSONValue]
    public var publish: [PublishTarget]
    public var cancelled: Bool

    // Scans.
    public var repo: String?
    public var repoTemplate: String?
    public var branch: String?
    /// How far back the first scan looks.
    public var since: Duration?

    public var location: SourceLocation

    public init(
        name: String, kind: SpecKind = .job, trigger: Trigger = .manual, triggerText: String? = nil,
        timeZone: TimeZone? = nil, command: Command? = nil,
        commandTemplate: Command? = nil, workdir: String = ".", environment: [String: String] = [:],
        environmentTemplate: [String: String]? = nil, timeout: Duration? = nil, retry: RetryPolicy = .none,
        nonRetryableExitCodes: Set<Int32> = [], concurrency: ConcurrencyPolicy = .forbid,
        catchup: CatchupPolicy = CatchupPolicy(), jitter: Duration = .zero, enabled: Bool = true,
        notify: [NotifySpec] = [], after: [String] = [], limits: Limits? = nil,
        content: [String: JSONValue] = [:], publish: [PublishTarget] = [], cancelled: Bool = false,
        repo: String? = nil, repoTemplate: String? = nil, branch: String? = nil, since: Duration? = nil,
        location: SourceLocation = SourceLocation(file: "", line: 0, column: 0)
    ) {
        self.name = name
        self.kind = kind
        self.trigger = trigger
        self.triggerText = triggerText ?? Self.defaultTriggerText(trigger)
        self.timeZone = timeZone ?? .utc
        self.command = command
        self.commandTemplate = commandTemplate ?? command
        self.workdir = workdir
        self.environment = environment
        self.environmentTemplate = environmentTemplate ?? environment
        self.timeout = timeout
        self.retry = retry
        self.nonRetryableExitCodes = nonRetryableExitCodes
        self.concurrency = concurrency
        self.catchup = catchup
        self.jitter = jitter
        self.enabled = enabled
        self.notify = notify
        self.after = after
        self.limits = limits
        self.content = content
        self.publish = publish
        self.cancelled = cancelled
        self.repo = repo
        self.repoTemplate = repoTemplate ?? repo
        self.branch = branch
        self.since = since
        self.location = location
    }

    /// The post's `content.channel`, which spacing and per-day policy group by.
    public var channel: String? { content["channel"]?.stringValue }

    private static func defaultTriggerText(_ trigger: Trigger) -> String {
        switch trigger {
        case .cron(let schedule): "cron \(schedule.expression)"
        case .at(let date): "at \(RFC3339.format(date))"
        case .manual: "manual"
        }
    }
}

extension TimeZone {
    /// UTC, the default zone of specs.
    static let utc = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
}
