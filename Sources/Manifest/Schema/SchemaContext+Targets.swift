import CronSchedule

/// Readers for notification and publish targets, post content, and the `every:` shorthand.
extension SchemaContext {
    /// `notify:` — one mapping or a list of `{on, webhook, headers}` / `{on, run}`.
    mutating func notifyList(_ node: YAMLNode, _ field: String) -> [NotifySpec]? {
        let items: [YAMLNode]
        if case .sequence(let list, _) = node { items = list } else { items = [node] }
        let before = errorCount
        var specs: [NotifySpec] = []
        for (i, item) in items.enumerated() {
            let path = items.count == 1 && !isSequence(node) ? field : "\(field)[\(i)]"
            guard let m = mapping(item, path, known: ["on", "webhook", "headers", "run"]) else { continue }
            var events: Set<NotifySpec.Event> = [.failure]
            if let on = m["on"], let names = stringList(on, "\(path).on") {
                events = []
                for name in names {
                    if let event = NotifySpec.Event(rawValue: name) {
                        events.insert(event)
                    } else {
                        let options = NotifySpec.Event.allCases.map(\.rawValue)
                        error("\(path).on: `\(name)` is not one of \(options.joined(separator: ", "))"
                              + Suggestion.hint(for: name, among: options), at: on.mark)
                    }
                }
            }
            let secretsBefore = secretValues.count
            if let (target, template) = target(m, path) {
                specs.append(NotifySpec(on: events, target: target, targetTemplate: template,
                                        secrets: Array(secretValues[secretsBefore...])))
            }
        }
        return errorCount == before ? specs : nil
    }

    private mutating func target(_ m: MappingFields, _ path: String) -> (NotifySpec.Target, NotifySpec.Target)? {
        switch (m["webhook"], m["run"]) {
        case (let url?, nil):
            guard let (value, template) = webhookURL(url, "\(path).webhook") else { return nil }
            var headers: ([String: String], [String: String]) = ([:], [:])
            if let node = m["headers"] {
                guard let parsed = self.headers(node, "\(path).headers") else { return nil }
                headers = parsed
            }
            return (.webhook(url: value, headers: headers.0), .webhook(url: template, headers: headers.1))
        case (nil, let run?):
            if let node = m["headers"] { error("\(path): `headers` only applies to `webhook`", at: node.mark) }
            return command(run, "\(path).run").map { (.run($0.0), .run($0.1)) }
        case (.some, .some):
            error("\(path): give either `webhook` or `run`, not both", at: m.mark(of: "run"))
            return nil
        case (nil, nil):
            error("\(path): needs `webhook: URL` or `run: command`", at: m.mark)
            return nil
        }
    }

    /// A substituted http(s) URL (not checked when a variable in it is unset: its value is unknown here).
    mutating func webhookURL(_ node: YAMLNode, _ field: String) -> (value: String, template: String)? {
        guard let resolved = substituted(node, field) else { return nil }
        let value = resolved.value
        guard !resolved.isComplete || value.hasPrefix("https://") || value.hasPrefix("http://") else {
            error("\(field): expected an http:// or https:// URL", at: node.mark)
            return nil
        }
        return (value, resolved.template)
    }

    /// `publish:` — one target or a list; `{name?, webhook, method?, headers?}` or `{name?, run}`.
    mutating func publishList(_ node: YAMLNode, _ field: String) -> [PublishTarget]? {
        let items: [YAMLNode]
        if case .sequence(let list, _) = node { items = list } else { items = [node] }
        guard !items.isEmpty else {
            error("\(field): the list of targets is empty", at: node.mark)
            return nil
        }
        let before = errorCount
        var targets: [PublishTarget] = []
        var names: Set<String> = []
        for (i, item) in items.enumerated() {
            let path = isSequence(node) ? "\(field)[\(i)]" : field
            guard let m = mapping(item, path, known: ["name", "webhook", "method", "headers", "run"]) else { continue }
            let name = m["name"].flatMap { nonEmptyString($0, "\(path).name") }
            if let name, !names.insert(name).inserted, let node = m["name"] {
                error("\(path).name: `\(name)` is used by another target of this post", at: node.mark)
            }
            if m["run"] != nil, let method = m["method"] {
                error("\(path): `method` only applies to `webhook`", at: method.mark)
            }
            let secretsBefore = secretValues.count
            guard let (kind, template) = target(m, path) else { continue }
            let secrets = Array(secretValues[secretsBefore...])
            switch (kind, template) {
            case (.webhook(let url, let headers), .webhook(let urlTemplate, let headersTemplate)):
                var method = "POST"
                if let node = m["method"], let text = string(node, "\(path).method") {
                    method = text.uppercased()
                    if !["POST", "PUT", "PATCH"].contains(method) {
                        error("\(path).method: `\(text)` is not one of POST, PUT, PATCH", at: node.mark)
                    }
                }
                targets.append(PublishTarget(name: name, kind: .webhook(url: url, method: method, headers: headers),
                                             kindTemplate: .webhook(url: urlTemplate, method: method, headers: headersTemplate),
                                             secrets: secrets))
            case (.run(let command), .run(let commandTemplate)):
                targets.append(PublishTarget(name: name, kind: .run(command), kindTemplate: .run(commandTemplate), secrets: secrets))
            default:
                continue
            }
        }
        return errorCount == before ? targets : nil
    }

    /// `content:` — typed known keys, the rest passed through as JSON.
    mutating func content(_ node: YAMLNode, _ field: String) -> [String: JSONValue]? {
        guard case .mapping(let pairs, _) = node else {
            error("\(field): expected a mapping (title, body, channel, …), found \(node.kindName)", at: node.mark)
            return nil
        }
        let before = errorCount
        var out: [String: JSONValue] = [:]
        for pair in pairs {
            guard let key = string(pair.key, field) else { continue }
            let path = "\(field).\(key)"
            switch key {
            case "title", "body", "channel", "platform", "flair":
                if let text = string(pair.value, path) { out[key] = .string(text) }
            case "nsfw":
                if let flag = bool(pair.value, path) { out[key] = .bool(flag) }
            case "media":
                if let list = stringList(pair.value, path) { out[key] = .array(list.map(JSONValue.string)) }
            default:
                out[key] = Self.json(pair.value)
            }
        }
        return errorCount == before ? out : nil
    }

    /// Free-form YAML → JSON: plain `true`/`false`/`null`/JSON numbers are typed, all else text.
    static func json(_ node: YAMLNode) -> JSONValue {
        switch node {
        case .scalar(let text, let style, _, _):
            guard style == .plain else { return .string(text) }
            if node.isNull { return .null }
            if text == "true" || text == "false" { return .bool(text == "true") }
            if isJSONNumber(text), let number = Double(text) { return .number(number) }
            return .string(text)
        case .sequence(let items, _):
            return .array(items.map(json))
        case .mapping(let pairs, _):
            var object: [String: JSONValue] = [:]
            for pair in pairs { object[pair.key.scalarText ?? ""] = json(pair.value) }
            return .object(object)
        }
    }

    private static func isJSONNumber(_ text: String) -> Bool {
        let body = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard let first = body.first, first.isASCII, first.isNumber else { return false }
        if first == "0", body.count > 1, body.dropFirst().first?.isNumber == true { return false }
        return body.allSatisfy { $0.isASCII && ($0.isNumber || ".eE+-".contains($0)) }
    }

    /// `every:` — `{frequency, hour, minute, dayOfWeek, dayOfMonth}` or just the frequency.
    mutating func every(_ node: YAMLNode, _ field: String) -> Every? {
        if case .scalar = node {
            return choice(node, field, as: FrequencyName.self).map { Self.every($0, hour: 0, minute: 0, dayOfWeek: 1, dayOfMonth: 1) }
        }
        guard let m = mapping(node, field, known: ["frequency", "hour", "minute", "dayOfWeek", "dayOfMonth"]) else { return nil }
        let before = errorCount
        guard let frequencyNode = m["frequency"] else {
            error("\(field): missing `frequency` (daily, weekly or monthly)", at: m.mark)
            return nil
        }
        let frequency = choice(frequencyNode, "\(field).frequency", as: FrequencyName.self)
        let hour = m["hour"].flatMap { int($0, "\(field).hour", in: 0...23) } ?? 0
        let minute = m["minute"].flatMap { int($0, "\(field).minute", in: 0...59) } ?? 0
        let dayOfWeek = m["dayOfWeek"].flatMap { weekday($0, "\(field).dayOfWeek") }
        let dayOfMonth = m["dayOfMonth"].flatMap { int($0, "\(field).dayOfMonth", in: 1...31) }
        if frequency != .weekly, let node = m["dayOfWeek"] { error("\(field).dayOfWeek: only for frequency weekly", at: node.mark) }
        if frequency != .monthly, let node = m["dayOfMonth"] { error("\(field).dayOfMonth: only for frequency monthly", at: node.mark) }
        guard errorCount == before, let frequency else { return nil }
        return Self.every(frequency, hour: hour, minute: minute, dayOfWeek: dayOfWeek ?? 1, dayOfMonth: dayOfMonth ?? 1)
    }

    private static func every(_ frequency: FrequencyName, hour: Int, minute: Int, dayOfWeek: Int, dayOfMonth: Int) -> Every {
        switch frequency {
        case .daily: Every(frequency: .daily, hour: hour, minute: minute, dayOfWeek: nil, dayOfMonth: nil)
        case .weekly: Every(frequency: .weekly, hour: hour, minute: minute, dayOfWeek: dayOfWeek, dayOfMonth: nil)
        case .monthly: Every(frequency: .monthly, hour: hour, minute: minute, dayOfWeek: nil, dayOfMonth: dayOfMonth)
        }
    }

    /// 0–7 (0 and 7 are Sunday) or a name: `mon`, `Monday`.
    private mutating func weekday(_ node: YAMLNode, _ field: String) -> Int? {
        let names = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        if let text = node.scalarText, let index = names.firstIndex(of: String(text.lowercased().prefix(3))),
           text.count == 3 || text.lowercased().hasSuffix("day") {
            return index
        }
        return int(node, field, in: 0...7)
    }

    private func isSequence(_ node: YAMLNode) -> Bool {
        if case .sequence = node { return true }
        return false
    }
}

/// Spellings of `every.frequency`, kept here so the schema doesn't depend on CronSchedule's enum shape.
enum FrequencyName: String, CaseIterable {
    case daily, weekly, monthly
}
