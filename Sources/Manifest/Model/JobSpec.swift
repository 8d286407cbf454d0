import AlmanacCore
import CronSchedule
import Foundation

/// One valid job, post or scan, fully resolved: defaults applied, `${VAR}` substituted.
///
/// Values meant for running (`environment`, `command`, `workdir`, webhook URLs) are substituted;
/// their `…Template` twins keep the text as written, and only those feed `fields`/`contentHash`,
/// so a secret from the environment never reaches a plan, the journal or a status file. The
/// substituted values themselves are kept as `secrets`, which the runner masks out of output.
public struct JobSpec: Sendable, Hashable {
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

    /// Resolved relative to the watched root (`jobs.d/scripts`), or absolute when written so;
    /// substituted, for the launch only.
    public var workdir: String {
        get { storage.values.workdir }
        _modify { makeUnique(); yield &storage.values.workdir }
    }

    /// The workdir as displayed and hashed: as written when it holds a `${VAR}` (its value is
    /// the runner's business), else `workdir`.
    public var workdirTemplate: String {
        get { storage.values.cold.values.workdirTemplate ?? workdir }
        set { updateCold(\.workdirTemplate, newValue == workdir ? nil : newValue) }
    }

    /// The values this spec's `${VAR}`s took from the environment: masked (`***`) out of its
    /// output, log files and errors before anything is written or answered.
    public var secrets: SecretMask {
        get { storage.values.cold.values.secrets }
        set { updateCold(\.secrets, newValue) }
    }

    /// Substituted values, for the child process only.
    public var environment: [String: String] {
        get { storage.values.cold.values.environment }
        set { updateCold(\.environment, newValue) }
    }

    /// The raw text with `${VAR}` kept — what plans, the journal and status may show.
    public var environmentTemplate: [String: String] {
        get { storage.values.cold.values.environmentTemplate }
        set { updateCold(\.environmentTemplate, newValue) }
    }

    public var timeout: Duration? {
        get { storage.values.cold.values.timeout }
        set { updateCold(\.timeout, newValue) }
    }

    public var retry: RetryPolicy {
        get { storage.values.cold.values.retry }
        set { updateCold(\.retry, newValue) }
    }

    public var nonRetryableExitCodes: Set<Int32> {
        get { storage.values.cold.values.nonRetryableExitCodes }
        set { updateCold(\.nonRetryableExitCodes, newValue) }
    }

    public var concurrency: ConcurrencyPolicy {
        get { storage.values.concurrency }
        _modify { makeUnique(); yield &storage.values.concurrency }
    }

    public var catchup: CatchupPolicy {
        get { storage.values.cold.values.catchup }
        set { updateCold(\.catchup, newValue) }
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
        get { storage.values.cold.values.notify }
        set { updateCold(\.notify, newValue) }
    }

    /// Names of jobs whose success triggers this one.
    public var after: [String] {
        get { storage.values.cold.values.after }
        set { updateCold(\.after, newValue) }
    }

    public var limits: Limits? {
        get { storage.values.cold.values.limits }
        set { updateCold(\.limits, newValue) }
    }

    /// `output:` as written (the job's or `defaults:`'s); nil when neither sets it.
    public var output: OutputPolicy? {
        get { storage.values.cold.values.output }
        set { updateCold(\.output, newValue) }
    }

    // Posts.
    /// `title`, `body`, `media`, `channel`, `platform`, `nsfw`, `flair` and free-form keys.
    public var content: [String: JSONValue] {
        get { storage.values.cold.values.content }
        set { updateCold(\.content, newValue) }
    }

    public var publish: [PublishTarget] {
        get { storage.values.cold.values.publish }
        set { updateCold(\.publish, newValue) }
    }

    public var cancelled: Bool {
        get { storage.values.cold.values.cancelled }
        set { updateCold(\.cancelled, newValue) }
    }

    // Scans.
    public var repo: String? {
        get { storage.values.cold.values.repo }
        set { updateCold(\.repo, newValue) }
    }

    public var repoTemplate: String? {
        get { storage.values.cold.values.repoTemplate }
        set { updateCold(\.repoTemplate, newValue) }
    }

    public var branch: String? {
        get { storage.values.cold.values.branch }
        set { updateCold(\.branch, newValue) }
    }

    /// How far back the first scan looks.
    public var since: Duration? {
        get { storage.values.cold.values.since }
        set { updateCold(\.since, newValue) }
    }

    public var location: SourceLocation {
        get { storage.values.location }
        _modify { makeUnique(); yield &storage.values.location }
    }

    var storage: Storage

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
        let cold = ColdValues(
            environment: environment,
            environmentTemplate: environmentTemplate ?? environment,
            timeout: timeout,
            retry: retry,
            nonRetryableExitCodes: nonRetryableExitCodes,
            catchup: catchup,
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
            workdirTemplate: nil,
            secrets: .none
        )
        storage = Storage(Values(
            name: name,
            kind: kind,
            trigger: trigger,
            triggerText: triggerText ?? Self.defaultTriggerText(trigger),
            timeZone: timeZone ?? .utc,
            command: command,
            commandTemplate: commandTemplate ?? command,
            workdir: workdir,
            concurrency: concurrency,
            jitter: jitter,
            enabled: enabled,
            location: location,
            cold: cold == ColdValues.defaults.values ? ColdValues.defaults : ColdValues.Box(cold)
        ))
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.values) }
    }

    /// Sets a cold field; setting the value it already has (a default) keeps the shared box.
    private mutating func updateCold<T: Equatable>(_ field: WritableKeyPath<ColdValues, T>, _ value: T) {
        guard storage.values.cold.values[keyPath: field] != value else { return }
        var cold = storage.values.cold.values
        cold[keyPath: field] = value
        makeUnique()
        storage.values.cold = ColdValues.Box(cold)
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
        case .at(let date): "at \(RFC3339.format(date, precision: .seconds))"
        case .manual: "manual"
        }
    }
}
