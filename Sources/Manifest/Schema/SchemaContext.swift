/// Reads YAML nodes as the schema says, collecting positioned diagnostics for one file.
///
/// Every reader returns nil after reporting a problem, so building continues and one run
/// reports everything that is wrong. Scalars are read by the type the field expects: a
/// string field keeps `NO` as "NO", booleans are only `true`/`false`, integers are decimal.
struct SchemaContext {
    let file: String
    let environment: [String: String]
    let unsetVariables: UnsetVariables
    var diagnostics: [Diagnostic] = []
    /// Every value substituted from the environment so far: the spec being read takes its
    /// share (a slice from a count taken before) as the secrets its output is masked of.
    var secretValues: [String] = []

    init(file: String, environment: [String: String], unsetVariables: UnsetVariables = .error) {
        self.file = file
        self.environment = environment
        self.unsetVariables = unsetVariables
    }

    var errorCount: Int { diagnostics.count { $0.severity == .error } }

    func location(_ mark: Mark) -> SourceLocation {
        SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    mutating func error(_ message: String, at mark: Mark) {
        diagnostics.append(Diagnostic(location: location(mark), message: message))
    }

    mutating func warning(_ message: String, at mark: Mark) {
        diagnostics.append(Diagnostic(location: location(mark), message: message, severity: .warning))
    }

    // MARK: Scalars

    /// A non-null scalar's text, any quoting.
    mutating func string(_ node: YAMLNode, _ field: String) -> String? {
        guard case .scalar(let text, _, _, _) = node, !node.isNull else {
            error("\(field): expected a string, found \(node.kindName)", at: node.mark)
            return nil
        }
        return text
    }

    /// A string that must not be empty.
    mutating func nonEmptyString(_ node: YAMLNode, _ field: String) -> String? {
        guard let text = string(node, field) else { return nil }
        guard !text.isEmpty else {
            error("\(field): must not be empty", at: node.mark)
            return nil
        }
        return text
    }

    /// Exactly `true` or `false`; YAML 1.1's `yes`/`on`/`NO` are refused, not guessed.
    mutating func bool(_ node: YAMLNode, _ field: String) -> Bool? {
        switch node.scalarText {
        case "true": return true
        case "false": return false
        default:
            error("\(field): expected true or false, found \(describe(node))", at: node.mark)
            return nil
        }
    }

    /// A decimal integer within `range`; no leading zeros (`0777` is ambiguous), no `1e3`.
    mutating func int(_ node: YAMLNode, _ field: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = node.scalarText, !node.isNull, let value = Self.strictInt(text) else {
            error("\(field): expected an integer, found \(describe(node))", at: node.mark)
            return nil
        }
        guard range.contains(value) else {
            error("\(field): \(value) is out of range \(range.lowerBound)-\(range.upperBound)", at: node.mark)
            return nil
        }
        return value
    }

    static func strictInt(_ text: String) -> Int? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.count < 19, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              digits == "0" || !digits.hasPrefix("0") else { return nil }
        return Int(text)
    }

    /// A duration in the strict syntax (`30s`, `1h30m`), optionally required positive.
    mutating func duration(_ node: YAMLNode, _ field: String, positive: Bool = false) -> Duration? {
        guard let text = node.scalarText, !node.isNull else {
            error("\(field): expected a duration like 30s or 1h30m, found \(node.kindName)", at: node.mark)
            return nil
        }
        do throws(Diagnostic) {
            let value = try parseDuration(text)
            if positive, value <= .zero {
                error("\(field): must be longer than 0s", at: node.mark)
                return nil
            }
            return value
        } catch let problem {
            error("\(field): \(problem.message)", at: node.mark)
            return nil
        }
    }

    /// One of an enum's raw values.
    mutating func choice<E: RawRepresentable & CaseIterable>(_ node: YAMLNode, _ field: String, as type: E.Type) -> E?
    where E.RawValue == String {
        guard let text = string(node, field) else { return nil }
        if let value = E(rawValue: text) { return value }
        let options = E.allCases.map(\.rawValue)
        error("\(field): `\(text)` is not one of \(options.joined(separator: ", "))\(Suggestion.hint(for: text, among: options))",
              at: node.mark)
        return nil
    }

    /// A list of strings; a single scalar counts as a one-element list.
    mutating func stringList(_ node: YAMLNode, _ field: String) -> [String]? {
        switch node {
        case .scalar:
            return string(node, field).map { [$0] }
        case .sequence(let items, _):
            var out: [String] = []
            var ok = true
            for (i, item) in items.enumerated() {
                if let text = string(item, "\(field)[\(i)]") { out.append(text) } else { ok = false }
            }
            return ok ? out : nil
        case .mapping:
            error("\(field): expected a list of strings, found a mapping", at: node.mark)
            return nil
        }
    }

    /// A string with `${VAR}` substituted: the value for running, the template for display.
    ///
    /// An unset variable is an error, or with `UnsetVariables.warning` a warning naming it; then
    /// the value is incomplete (the variable replaced by nothing) and checks of it are skipped.
    mutating func substituted(_ node: YAMLNode, _ field: String) -> Substituted? {
        guard let text = string(node, field) else { return nil }
        switch EnvTemplate.substitute(text, environment: environment) {
        case .value(let resolved):
            secretValues += resolved.secrets
            for reference in resolved.unset {
                let mark = mark(node, text, offset: reference.offset)
                switch unsetVariables {
                case .error:
                    error("\(field): environment variable `\(reference.name)` is not set "
                          + "(give a default with `${\(reference.name):-…}`)", at: mark)
                case .warning:
                    warning("environment variable \(reference.name) is not set here; the runner needs it", at: mark)
                }
            }
            if !resolved.unset.isEmpty, unsetVariables == .error { return nil }
            return Substituted(value: resolved.text, template: text, isComplete: resolved.unset.isEmpty)
        case .problem(let offset, let message):
            error("\(field): \(message)", at: mark(node, text, offset: offset))
            return nil
        }
    }

    /// The position of the UTF-8 `offset` into a scalar written verbatim on one line, else the
    /// scalar's own: fuzz-manifest found a `${` error in a quoted scalar folded over three lines
    /// placed at column 48 of a 26-character line (the offset was taken as if on one line).
    /// Columns count code points, as libyaml's do.
    private func mark(_ node: YAMLNode, _ text: String, offset: Int) -> Mark {
        var mark = node.mark
        if case .scalar(_, let style, _, true) = node {
            let quote = style == .singleQuoted || style == .doubleQuoted ? 1 : 0
            mark.column += quote + String(decoding: Array(text.utf8)[..<offset], as: UTF8.self).unicodeScalars.count
        }
        return mark
    }

    /// `` `text` `` for a scalar, "a list"/"a mapping" otherwise.
    func describe(_ node: YAMLNode) -> String {
        guard let text = node.scalarText, !node.isNull else { return node.kindName }
        return "`\(text)`"
    }
}

/// A scalar after `${VAR}` substitution.
struct Substituted {
    /// For running only.
    var value: String
    /// As written: for display, the journal and the hash.
    var template: String
    /// False when a variable was unset (a `validate`/`plan` load): `value` is not what would run.
    var isComplete: Bool
}
