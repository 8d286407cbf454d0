import AlmanacCore
import CronSchedule
import Foundation

/// The outcome of reading one spec document: its name (even when invalid) and the spec if valid.
struct BuiltSpec {
    var file: String
    var name: String?
    var nameMark: Mark
    var spec: JobSpec?
    /// Where `at:` was written, for spacing messages.
    var atMark: Mark?
    /// Where `after:` was written, for unknown-job messages.
    var afterMark: Mark?
    var policy: Policy
}

extension SchemaContext {
    /// Reads one job/post/scan mapping under the effective `config` of its directory.
    mutating func spec(_ node: YAMLNode, defaultKind: SpecKind, config: ConfigLayer, now: Date) -> BuiltSpec {
        let before = errorCount
        let secretsBefore = secretValues.count
        var built = BuiltSpec(file: file, name: nil, nameMark: node.mark, spec: nil, atMark: nil, afterMark: nil, policy: config.policy)
        var kind = defaultKind
        if case .mapping(let pairs, _) = node, let kindNode = pairs.first(where: { $0.key.scalarText == "kind" })?.value {
            guard let parsed = choice(kindNode, "kind", as: SpecKind.self) else { return built }
            kind = parsed
        }
        guard let m = mapping(node, nil, known: SpecKeys.known(for: kind), elsewhere: SpecKeys.elsewhere(for: kind)) else {
            return built
        }
        if let nameNode = m["name"] {
            built.nameMark = nameNode.mark
            if let name = string(nameNode, "name") {
                if SpecName.isValid(name) {
                    built.name = name
                } else {
                    error("name: `\(name)` is not a valid name (\(SpecName.rule))", at: nameNode.mark)
                }
            }
        } else {
            error("missing `name`", at: m.mark)
        }
        let name = built.name ?? ""
        var spec = JobSpec(name: name, kind: kind, location: location(built.nameMark))
        let defaults = config.defaults
        spec.timeZone = m["timezone"].flatMap { timeZone($0, "timezone") } ?? defaults.timeZone ?? spec.timeZone
        if let (trigger, text) = trigger(m, kind: kind, name: name, timeZone: spec.timeZone) {
            spec.trigger = trigger
            spec.triggerText = text
        }
        built.atMark = m["at"]?.mark
        built.afterMark = m["after"]?.mark
        readRunnable(m, into: &spec, kind: kind)
        spec.timeout = m["timeout"].flatMap { duration($0, "timeout", positive: true) } ?? defaults.timeout
        spec.retry = m["retry"].flatMap { retry($0, "retry") } ?? defaults.retry ?? .none
        spec.catchup = m["catchup"].flatMap { catchup($0, "catchup") } ?? defaults.catchup ?? CatchupPolicy()
        spec.jitter = m["jitter"].flatMap { duration($0, "jitter") } ?? .zero
        if let node = m["jitter"] { checkJitter(spec, at: node.mark, now: now) }
        spec.enabled = m["enabled"].flatMap { bool($0, "enabled") } ?? true
        spec.notify = m["notify"].flatMap { notifyList($0, "notify") } ?? defaults.notify ?? []
        if kind != .post { spec.output = m["output"].flatMap { output($0, "output") } ?? defaults.output }
        switch kind {
        case .post: readPost(m, into: &spec, defaults: defaults)
        case .scan: readScan(m, into: &spec)
        case .job: break
        }
        checkPolicy(m, spec: spec, policy: config.policy, now: now)
        // Inherited `defaults:` targets were read in almanac.yaml's context: they bring their own.
        let inherited = spec.notify.flatMap(\.secrets) + spec.publish.flatMap(\.secrets)
        spec.secrets = SecretMask(secretValues[secretsBefore...] + inherited)
        if errorCount == before, built.name != nil { built.spec = spec }
        return built
    }

    private mutating func trigger(_ m: MappingFields, kind: SpecKind, name: String, timeZone: TimeZone) -> (Trigger, String)? {
        let given = ["schedule", "every", "at"].filter { m[$0] != nil }
        if given.count > 1 {
            error("give only one of `\(given.joined(separator: "`, `"))`", at: m.mark(of: given[1]))
            return nil
        }
        if let node = m["schedule"] {
            guard let text = nonEmptyString(node, "schedule") else { return nil }
            do throws(CronError) {
                let schedule = try Schedule.parse(text, timeZone: timeZone, hashKey: name)
                return (.cron(schedule), "cron \(text)")
            } catch {
                self.error("schedule: \(error)", at: node.mark)
                return nil
            }
        }
        if let node = m["every"] {
            guard let every = every(node, "every") else { return nil }
            do throws(CronError) {
                let schedule = try Schedule(every: every, timeZone: timeZone)
                var text = "every \(every.frequency) \(every.hour < 10 ? "0" : "")\(every.hour):\(every.minute < 10 ? "0" : "")\(every.minute)"
                if let day = every.dayOfWeek { text += " dayOfWeek=\(day)" }
                if let day = every.dayOfMonth { text += " dayOfMonth=\(day)" }
                return (.cron(schedule), text)
            } catch {
                self.error("every: \(error)", at: node.mark)
                return nil
            }
        }
        if let node = m["at"] {
            guard let text = nonEmptyString(node, "at") else { return nil }
            guard let (date, _) = RFC3339.parse(text, localTo: timeZone) else {
                error("at: `\(text)` is not a date-time (RFC 3339 like 2026-12-01T09:00:00Z, "
                      + "or local 2026-12-01T09:00 / 2026-12-01 09:00 read in `timezone`)", at: node.mark)
                return nil
            }
            return (.at(date), "at \(RFC3339.format(date, precision: .seconds))")
        }
        switch kind {
        case .job: return (.manual, "manual")
        case .scan: error("a scan needs `schedule:` or `every:`", at: m.mark)
        case .post: error("a post needs `at:` (or `schedule:` for a recurring post)", at: m.mark)
        }
        return nil
    }

    /// A jitter of at least the schedule's period would land an occurrence on or past the next.
    private mutating func checkJitter(_ spec: JobSpec, at mark: Mark, now: Date) {
        guard spec.jitter > .zero, case .cron(let schedule) = spec.trigger else { return }
        let seconds = Double(spec.jitter.components.seconds) + Double(spec.jitter.components.attoseconds) / 1e18
        guard seconds >= schedule.finestGap, let gap = schedule.shortestGap(after: now), seconds >= gap else { return }
        error("jitter: \(formatDuration(spec.jitter)) is not shorter than the schedule's period "
              + "(\(formatDuration(.seconds(gap))) between fires); a jittered fire would reach the next occurrence", at: mark)
    }

    private mutating func readRunnable(_ m: MappingFields, into spec: inout JobSpec, kind: SpecKind) {
        guard kind != .post else { return }
        if let node = m["run"] {
            if let (command, template) = command(node, "run") {
                spec.command = command
                spec.commandTemplate = template
            }
        } else {
            error("missing `run` (an argv list like [\"./backup.sh\"] or a shell string)", at: m.mark)
        }
        let directory = WorkdirPath.directory(of: spec.location.file)
        spec.workdir = directory.isEmpty ? "." : directory
        if let node = m["workdir"], let written = substituted(node, "workdir") {
            if !written.isComplete {
                spec.workdirTemplate = written.template
            } else if let resolved = WorkdirPath.resolve(written.value, fileDirectory: directory) {
                spec.workdir = resolved
                // With a `${VAR}` the value is shown nowhere: the text as written stands for it.
                spec.workdirTemplate = written.template == written.value ? resolved : written.template
            } else {
                error("workdir: `\(written.template)` climbs above the watched root", at: node.mark)
            }
        }
        if let node = m["env"], let (values, templates) = environmentMap(node, "env") {
            spec.environment = values
            spec.environmentTemplate = templates
        }
        if let node = m["nonRetryableExitCodes"] {
            if case .sequence(let items, _) = node {
                spec.nonRetryableExitCodes = Set(items.enumerated().compactMap {
                    int($0.element, "nonRetryableExitCodes[\($0.offset)]", in: 0...255).map(Int32.init)
                })
            } else {
                error("nonRetryableExitCodes: expected a list of exit codes, found \(node.kindName)", at: node.mark)
            }
        }
        spec.concurrency = m["concurrency"].flatMap { choice($0, "concurrency", as: ConcurrencyPolicy.self) } ?? .forbid
        if let node = m["after"], let names = stringList(node, "after") {
            for name in names where !SpecName.isValid(name) {
                error("after: `\(name)` is not a valid job name", at: node.mark)
            }
            if names.contains(spec.name) { error("after: cycle \(spec.name) → \(spec.name) (a job cannot run after itself)", at: node.mark) }
            spec.after = names
        }
        spec.limits = m["limits"].flatMap { limits($0, "limits") }
    }

    private mutating func readPost(_ m: MappingFields, into spec: inout JobSpec, defaults: RootConfig.Defaults) {
        if let node = m["content"] {
            spec.content = content(node, "content") ?? [:]
        } else {
            error("missing `content` (title, body, channel, …)", at: m.mark)
        }
        if let node = m["publish"] {
            spec.publish = publishList(node, "publish") ?? []
        } else if let publish = defaults.publish {
            spec.publish = publish
        } else {
            error("missing `publish` (a webhook or run target, or a list of them)", at: m.mark)
        }
        spec.cancelled = m["cancelled"].flatMap { bool($0, "cancelled") } ?? false
    }

    private mutating func readScan(_ m: MappingFields, into spec: inout JobSpec) {
        if let node = m["repo"] {
            if let written = substituted(node, "repo") {
                spec.repo = written.value
                spec.repoTemplate = written.template
            }
        } else {
            error("missing `repo` (a URL or path of the repository to scan)", at: m.mark)
        }
        spec.branch = m["branch"].flatMap { nonEmptyString($0, "branch") }
        spec.since = m["since"].flatMap { duration($0, "since", positive: true) }
    }
}
