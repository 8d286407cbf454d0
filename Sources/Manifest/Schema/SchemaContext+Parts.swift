/// Readers for the structured parts of a spec: run, env, retry, catch-up, notify, publish, limits.
extension SchemaContext {
    /// `run:` — a list is argv, a string runs with `/bin/sh -c`. Returns (substituted, template).
    mutating func command(_ node: YAMLNode, _ field: String) -> (Command, Command)? {
        switch node {
        case .sequence(let items, _):
            guard !items.isEmpty else {
                error("\(field): the argv list is empty", at: node.mark)
                return nil
            }
            var values: [String] = [], templates: [String] = []
            var ok = true
            for (i, item) in items.enumerated() {
                if noNUL(item, "\(field)[\(i)]"), let resolved = substituted(item, "\(field)[\(i)]") {
                    values.append(resolved.value)
                    templates.append(resolved.template)
                } else {
                    ok = false
                }
            }
            // Without `${VAR}` the two lists are equal: share one array rather than hold two.
            return ok ? (.argv(values), .argv(templates == values ? values : templates)) : nil
        default:
            guard let text = string(node, field) else { return nil }
            guard !text.allSatisfy(\.isWhitespace) else {
                error("\(field): the command is empty", at: node.mark)
                return nil
            }
            guard noNUL(node, field) else { return nil }
            return substituted(node, field).map { (.shell($0.value), .shell($0.template)) }
        }
    }

    /// A NUL byte ends a C string: the child would run a shorter argument than the file shows.
    private mutating func noNUL(_ node: YAMLNode, _ field: String) -> Bool {
        guard let text = node.scalarText, text.utf8.contains(0) else { return true }
        error("\(field): contains a NUL byte (\\0), which no command line can carry", at: node.mark)
        return false
    }

    /// `env:` — variable names checked, values substituted. Returns (values, templates).
    mutating func environmentMap(_ node: YAMLNode, _ field: String) -> ([String: String], [String: String])? {
        substitutedMap(node, field, noun: "NAME: value", variableNames: true)
    }

    /// `headers:` — string values, substituted. Returns (values, templates).
    mutating func headers(_ node: YAMLNode, _ field: String) -> ([String: String], [String: String])? {
        substitutedMap(node, field, noun: "header: value", variableNames: false)
    }

    private mutating func substitutedMap(_ node: YAMLNode, _ field: String, noun: String, variableNames: Bool)
        -> ([String: String], [String: String])? {
        guard case .mapping(let pairs, _) = node else {
            error("\(field): expected a mapping of \(noun), found \(node.kindName)", at: node.mark)
            return nil
        }
        var values: [String: String] = [:], templates: [String: String] = [:]
        var ok = true
        for pair in pairs {
            let key = pair.key.scalarText.flatMap { pair.key.isNull ? nil : $0 }
            guard let name = key, !variableNames || EnvTemplate.isVariableName(name) else {
                let shown = key.map { "`\($0)`" } ?? pair.key.kindName
                error("\(field): \(shown) is not a \(variableNames ? "variable name ([A-Za-z_][A-Za-z0-9_]*)" : "header name")",
                      at: pair.key.mark)
                ok = false
                continue
            }
            if let resolved = substituted(pair.value, "\(field).\(name)") {
                values[name] = resolved.value
                templates[name] = resolved.template
            } else {
                ok = false
            }
        }
        return ok ? (values, templates) : nil
    }

    /// `retry:` — `{max, backoff, initial, maxDelay}`, `{delays: [...]}`, or just a count.
    mutating func retry(_ node: YAMLNode, _ field: String) -> RetryPolicy? {
        if case .scalar = node {
            return int(node, field, in: 0...100).map {
                RetryPolicy(maxAttempts: $0 + 1, backoff: .exponential(initial: .seconds(1), maxDelay: .seconds(300)))
            }
        }
        guard let m = mapping(node, field, known: ["max", "backoff", "initial", "maxDelay", "delays"]) else { return nil }
        let before = errorCount
        let max = m["max"].flatMap { int($0, "\(field).max", in: 0...100) }
        if let delaysNode = m["delays"] {
            for key in ["backoff", "initial", "maxDelay"] where m[key] != nil {
                error("\(field): `\(key)` cannot be combined with `delays`", at: m.mark(of: key))
            }
            guard case .sequence(let items, _) = delaysNode, !items.isEmpty else {
                error("\(field).delays: expected a non-empty list of durations", at: delaysNode.mark)
                return nil
            }
            let delays = items.enumerated().compactMap { duration($0.element, "\(field).delays[\($0.offset)]") }
            guard errorCount == before else { return nil }
            return RetryPolicy(maxAttempts: (max ?? delays.count) + 1, backoff: .delays(delays))
        }
        let initial = m["initial"].flatMap { duration($0, "\(field).initial") } ?? .seconds(1)
        let maxDelay = m["maxDelay"].flatMap { duration($0, "\(field).maxDelay") } ?? .seconds(300)
        let mode = m["backoff"].flatMap { choice($0, "\(field).backoff", as: BackoffName.self) } ?? .exponential
        if mode == .fixed, let node = m["maxDelay"] { error("\(field): `maxDelay` only applies to exponential backoff", at: node.mark) }
        if max == nil, m["max"] == nil { error("\(field): missing `max` (how many retries)", at: m.mark) }
        guard errorCount == before, let max else { return nil }
        let backoff: RetryPolicy.Backoff = mode == .fixed ? .fixed(initial) : .exponential(initial: initial, maxDelay: maxDelay)
        return RetryPolicy(maxAttempts: max + 1, backoff: backoff)
    }

    /// `catchup:` — `{window, policy}` or just the policy name.
    mutating func catchup(_ node: YAMLNode, _ field: String) -> CatchupPolicy? {
        if case .scalar = node {
            return choice(node, field, as: CatchupPolicy.Mode.self).map { CatchupPolicy(mode: $0) }
        }
        guard let m = mapping(node, field, known: ["window", "policy"]) else { return nil }
        let before = errorCount
        let window = m["window"].flatMap { duration($0, "\(field).window") } ?? .seconds(3600)
        let mode = m["policy"].flatMap { choice($0, "\(field).policy", as: CatchupPolicy.Mode.self) } ?? .latest
        return errorCount == before ? CatchupPolicy(mode: mode, window: window) : nil
    }

    /// `limits:` — `{memory: 512M, cpu: 10m}`.
    mutating func limits(_ node: YAMLNode, _ field: String) -> Limits? {
        guard let m = mapping(node, field, known: ["memory", "cpu"]) else { return nil }
        let before = errorCount
        var limits = Limits()
        if let memory = m["memory"] {
            if let text = string(memory, "\(field).memory"), let bytes = Self.byteSize(text) {
                limits.memory = bytes
            } else if errorCount == before {
                error("\(field).memory: expected a size like 512M, 2G or 1048576, found \(describe(memory))", at: memory.mark)
            }
        }
        limits.cpu = m["cpu"].flatMap { duration($0, "\(field).cpu", positive: true) }
        return errorCount == before ? limits : nil
    }

    /// `output:` — `{maxBytes: 10M}`, at least `OutputPolicy.minimumMaxBytes`.
    mutating func output(_ node: YAMLNode, _ field: String) -> OutputPolicy? {
        guard let m = mapping(node, field, known: ["maxBytes"]) else { return nil }
        guard let value = m["maxBytes"] else {
            error("\(field): missing `maxBytes` (a size like 10M)", at: node.mark)
            return nil
        }
        let before = errorCount
        guard let text = string(value, "\(field).maxBytes") else { return nil }
        guard let bytes = Self.byteSize(text), bytes >= OutputPolicy.minimumMaxBytes else {
            if errorCount == before {
                error("\(field).maxBytes: expected a size of at least 1K like 10M or 1048576, found \(describe(value))",
                      at: value.mark)
            }
            return nil
        }
        return OutputPolicy(maxBytes: bytes)
    }

    /// `512M` → bytes; units K M G T are binary, an optional `i`/`B`/`iB` suffix is allowed.
    static func byteSize(_ text: String) -> UInt64? {
        var unitText = Substring(text)
        for suffix in ["iB", "B", "i"] where unitText.hasSuffix(suffix) && unitText.count > suffix.count {
            unitText = unitText.dropLast(suffix.count)
            break
        }
        let multipliers: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var multiplier: UInt64 = 1
        if let last = unitText.last, let m = multipliers[Character(last.uppercased())] {
            multiplier = m
            unitText = unitText.dropLast()
        } else if unitText.count != text.count {
            return nil
        }
        guard let amount = strictInt(String(unitText)), amount > 0 else { return nil }
        let (bytes, overflow) = UInt64(amount).multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }
}

/// Spellings of `retry.backoff`.
enum BackoffName: String, CaseIterable {
    case exponential, fixed
}
