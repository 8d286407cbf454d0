import Foundation

/// What one `almanac.yaml` sets; layers from the root down are merged, nearest wins per key.
struct ConfigLayer {
    var policy = Policy()
    var defaults = RootConfig.Defaults()
    var history: RootConfig.History?
    var maxParallel: Int?
    var status: RootConfig.StatusOutput?

    static let rootOnlyKeys = ["history", "maxParallel", "status"]
    static let keys = ["policy", "defaults"] + rootOnlyKeys
}

extension SchemaContext {
    /// Reads an `almanac.yaml` document; `isRoot` allows the global keys.
    mutating func configLayer(_ node: YAMLNode, isRoot: Bool) -> ConfigLayer {
        var layer = ConfigLayer()
        let rootOnly = Dictionary(uniqueKeysWithValues: ConfigLayer.rootOnlyKeys.map {
            ($0, "is only read from the root almanac.yaml")
        })
        let known = isRoot ? ConfigLayer.keys : ["policy", "defaults"]
        guard let m = mapping(node, nil, known: known, elsewhere: isRoot ? [:] : rootOnly) else { return layer }
        if let node = m["policy"] { layer.policy = policy(node) }
        if let node = m["defaults"] { layer.defaults = defaults(node) }
        if let node = m["maxParallel"] { layer.maxParallel = int(node, "maxParallel", in: 1...10_000) }
        if let node = m["history"], let h = mapping(node, "history", known: ["keep", "maxPerJob"]) {
            var history = RootConfig.History()
            if let keep = h["keep"].flatMap({ duration($0, "history.keep", positive: true) }) { history.keep = keep }
            if let max = h["maxPerJob"].flatMap({ int($0, "history.maxPerJob", in: 1...10_000_000) }) { history.maxPerJob = max }
            layer.history = history
        }
        if let node = m["status"], let s = mapping(node, "status", known: ["path", "branch"]) {
            var status = RootConfig.StatusOutput()
            if let path = s["path"].flatMap({ nonEmptyString($0, "status.path") }) { status.path = path }
            if let branch = s["branch"].flatMap({ nonEmptyString($0, "status.branch") }) { status.branch = branch }
            layer.status = status
        }
        return layer
    }

    private mutating func policy(_ node: YAMLNode) -> Policy {
        var policy = Policy()
        let keys = ["allowPosts", "allowSchedules", "maxScheduleAhead", "minSpacing", "maxPostsPerDay"]
        guard let m = mapping(node, "policy", known: keys) else { return policy }
        func at(_ node: YAMLNode) -> SourceLocation { location(node.mark) }
        if let node = m["allowPosts"], let value = bool(node, "policy.allowPosts") { policy.allowPosts = Located(value, at: at(node)) }
        if let node = m["allowSchedules"], let value = bool(node, "policy.allowSchedules") {
            policy.allowSchedules = Located(value, at: at(node))
        }
        if let node = m["maxScheduleAhead"], let value = duration(node, "policy.maxScheduleAhead", positive: true) {
            policy.maxScheduleAhead = Located(value, at: at(node))
        }
        if let node = m["minSpacing"], let value = duration(node, "policy.minSpacing", positive: true) {
            policy.minSpacing = Located(value, at: at(node))
        }
        if let node = m["maxPostsPerDay"], let value = int(node, "policy.maxPostsPerDay", in: 0...100_000) {
            policy.maxPostsPerDay = Located(value, at: at(node))
        }
        return policy
    }

    private mutating func defaults(_ node: YAMLNode) -> RootConfig.Defaults {
        var defaults = RootConfig.Defaults()
        let keys = ["timezone", "retry", "notify", "catchup", "timeout", "publish", "output"]
        guard let m = mapping(node, "defaults", known: keys) else { return defaults }
        if let node = m["timezone"] { defaults.timeZone = timeZone(node, "defaults.timezone") }
        if let node = m["retry"] { defaults.retry = retry(node, "defaults.retry") }
        if let node = m["notify"] { defaults.notify = notifyList(node, "defaults.notify") }
        if let node = m["catchup"] { defaults.catchup = catchup(node, "defaults.catchup") }
        if let node = m["timeout"] { defaults.timeout = duration(node, "defaults.timeout", positive: true) }
        if let node = m["publish"] { defaults.publish = publishList(node, "defaults.publish") }
        if let node = m["output"] { defaults.output = output(node, "defaults.output") }
        return defaults
    }

    /// An IANA zone name, with a did-you-mean over the known identifiers.
    mutating func timeZone(_ node: YAMLNode, _ field: String) -> TimeZone? {
        guard let name = nonEmptyString(node, field) else { return nil }
        if let zone = TimeZone(identifier: name) { return zone }
        let hint = Suggestion.hint(for: name, among: TimeZone.knownTimeZoneIdentifiers)
        error("\(field): unknown time zone `\(name)` (IANA names like Europe/London)\(hint)", at: node.mark)
        return nil
    }
}
