import CronSchedule
import Foundation

/// One valid job, post or scan, fully resolved: defaults applied, `${VAR}` substituted.
///
/// Values meant for running (`environment`, `command`, webhook URLs) are substituted; their
/// `…Template` twins keep the text as written, and only those feed `fields`/`contentHash`, so a
/// secret from the environment never reaches a plan, the journal or a status file.
public struct JobSpec: Sendable, Hashable {
    /// The stored properties, boxed: a JobSpec is one pointer wide.
    ///
    /// A runner holds 100,000 specs in a dictionary and a manifest in an array; inline, each
    /// slot would be ~600 bytes (times the dictionary's spare capacity).
    struct Values: Sendable, Hashable {
        var name: String
        var kind: SpecKind
        var trigger: Trigger
        var triggerText: String
        var timeZone: TimeZone
        var command: Command?
        var commandTemplate: Command?
        var workdir: String
        var environment: [String: String]
        var environmentTemplate: [String: String]
        var timeout: Duration?
        var retry: RetryPolicy
        var nonRetryableExitCodes: Set<Int32>
        var concurrency: ConcurrencyPolicy
        var catchup: CatchupPolicy
        var jitter: Duration
        var enabled: Bool
        var notify: [NotifySpec]
        var after: [String]
        var limits: Limits?
        var content: [String: JSONValue]
        var publish: [PublishTarget]
        var cancelled: Bool
        var repo: String?
        var repoTemplate: String?
        var branch: String?
        var since: Duration?
        var location: SourceLocation
    }

    /// Copy-on-write storage: mutated only when uniquely referenced.
    final class Storage: @unchecked Sendable {
        var values: Values

        init(_ values: Values) { self.values = values }
    }

    private var storage: Storage

    public var name: String {
        get { storage.values.name }
        _modify { makeUnique(); yield &storage.values.name }
    }

    public var kind: SpecKind {
        get { storage.values.kind }
        _modify { makeUnique(); yield &storage.values.kind }
    }

    public var trigger: Trigger {
        get { storage.values.trigger }
        _modify { makeUnique(); yield &storage.values.trigger }
    }

    /// The trigger as written, canonical: `cron 0 3 * * *`, `every weekly dow=1 09:00`,
    /// `at 2026-12-01T09:00:00Z` or `manual`.
    public var triggerText: String {
        get { storage.values.triggerText }
        _modify { makeUnique(); yield &storage.values.triggerText }
    }

    public var timeZone: TimeZone {
        get { storage.values.timeZone }
        _modify { makeUnique(); yield &storage.values.timeZone }
    }

    public var command: Command? {
        get { storage.values.command }
        _modify { makeUnique(); yield &storage.values.command }
    }

    public var commandTemplate: Command? {
        get { storage.values.commandTemplate }
        _modify { makeUnique(); yield &storage.values.commandTemplate }
    }

    /// Resolved relative to the watched root (`jobs.d/scripts`), or absolute when written so.
    public var workdir: String {
        get { storage.values.workdir }
        _modify { makeUnique(); yield &storage.values.workdir }
    }

    /// Substituted values, for the child process only.
    public var environment: [String: String] {
        get { storage.values.environment }
        _modify { makeUnique(); yield &storage.values.environment }
    }

    /// The raw text with `${VAR}` kept — what plans, the journal and status may show.
    public var environmentTemplate: [String: String] {
        get { storage.values.environmentTemplate }
        _modify { makeUnique(); yield &storage.values.environmentTemplate }
    }

    public var timeout: Duration? {
        get { storage.values.timeout }
        _modify { makeUnique(); yield &storage.values.timeout }
    }

    public var retry: RetryPolicy {
        get { storage.values.retry }
        _modify { makeUnique(); yield &storage.values.retry }
    }

    public var nonRetryableExitCodes: Set<Int32> {
        get { storage.values.nonRetryableExitCodes }
        _modify { makeUnique(); yield &storage.values.nonRetryableExitCodes }
    }

    public var concurrency: ConcurrencyPolicy {
        get { storage.values.concurrency }
        _modify { makeUnique(); yield &storage.values.concurrency }
    }

    public var catchup: CatchupPolicy {
        get { storage.values.catchup }
        _modify { makeUnique(); yield &storage.values.catchup }
    }

    /// Upper bound of the deterministic per-name offset added to each fire.
    public var jitter: Duration {
        get { storage.values.jitter }
        _modify { makeUnique(); yield &storage.values.jitter }
    }

    public var enabled: Bool {
        get { storage.values.enabled }
        _modify { makeUnique(); yield &storage.values.enabled }
    }

    public var notify: [NotifySpec] {
        get { storage.values.notify }
        _modify { makeUnique(); yield &storage.values.notify }
    }

    /// Names of jobs whose success triggers this one.
    public var after: [String] {
        get { storage.values.after }
        _modify { makeUnique(); yield &storage.values.after }
    }

    public var limits: Limits? {
        get { storage.values.limits }
        _modify { makeUnique(); yield &storage.values.limits }
    }

    // Posts.
    /// `title`, `body`, `media`, `channel`, `platform`, `nsfw`, `flair` and free-form keys.
    public var content: [String: JSONValue] {
        get { storage.values.content }
        _modify { makeUnique(); yield &storage.values.content }
    }

    public var publish: [PublishTarget] {
        get { storage.values.publish }
        _modify { makeUnique(); yield &storage.values.publish }
    }

    public var cancelled: Bool {
        get { storage.values.cancelled }
        _modify { makeUnique(); yield &storage.values.cancelled }
    }

    // Scans.
    public var repo: String? {
        get { storage.values.repo }
        _modify { makeUnique(); yield &storage.values.repo }
    }

    public var repoTemplate: String? {
        get { storage.values.repoTemplate }
        _modify { makeUnique(); yield &storage.values.repoTemplate }
    }

    public var branch: String? {
        get { storage.values.branch }
        _modify { makeUnique(); yield &storage.values.branch }
    }

    /// How far back the first scan looks.
    public var since: Duration? {
        get { storage.values.since }
        _modify { makeUnique(); yield &storage.values.since }
    }

    public var location: SourceLocation {
        get { storage.values.location }
        _modify { makeUnique(); yield &storage.values.location }
    }

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
        storage = Storage(Values(
            name: name,
            kind: kind,
            trigger: trigger,
            triggerText: triggerText ?? Self.defaultTriggerText(trigger),
            timeZone: timeZone ?? .utc,
            command: command,
            commandTemplate: commandTemplate ?? command,
            workdir: workdir,
            environment: environment,
            environmentTemplate: environmentTemplate ?? environment,
            timeout: timeout,
            retry: retry,
            nonRetryableExitCodes: nonRetryableExitCodes,
            concurrency: concurrency,
            catchup: catchup,
            jitter: jitter,
            enabled: enabled,
            notify: notify,
            after: after,
            limits: limits,
            content: content,
            publish: publish,
            cancelled: cancelled,
            repo: repo,
            repoTemplate: repoTemplate ?? repo,
            branch: branch,
            since: since,
            location: location
        ))
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.values) }
    }

    public static func == (lhs: JobSpec, rhs: JobSpec) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.values == rhs.storage.values
    }

    public func hash(into hasher: inout Hasher) {
        storage.values.hash(into: &hasher)
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
