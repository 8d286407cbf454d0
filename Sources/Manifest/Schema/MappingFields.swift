/// The keys of one YAML mapping, checked against the keys the schema knows.
///
/// Spec mappings have a handful of keys, so a linear scan beats hashing here.
struct MappingFields {
    var entries: [(key: String, keyMark: Mark, value: YAMLNode)] = []
    let mark: Mark

    subscript(_ key: String) -> YAMLNode? { entries.first { $0.key == key }?.value }

    /// Mark of the key if present, else of the mapping.
    func mark(of key: String) -> Mark { entries.first { $0.key == key }?.keyMark ?? mark }
}

extension SchemaContext {
    /// Reads a mapping; unknown keys are errors with a did-you-mean hint.
    ///
    /// `elsewhere` maps keys that belong to another context to a sentence saying where.
    mutating func mapping(_ node: YAMLNode, _ field: String?, known: [String],
                          elsewhere: [String: String] = [:]) -> MappingFields? {
        guard case .mapping(let pairs, let mark) = node else {
            let prefix = field.map { "\($0): " } ?? ""
            error("\(prefix)expected a mapping, found \(node.kindName)", at: node.mark)
            return nil
        }
        var fields = MappingFields(mark: mark)
        fields.entries.reserveCapacity(pairs.count)
        let prefix = field.map { "\($0): " } ?? ""
        for pair in pairs {
            guard let key = pair.key.scalarText, !pair.key.isNull else {
                error("\(prefix)keys must be strings, found \(pair.key.kindName)", at: pair.key.mark)
                continue
            }
            guard known.contains(key) else {
                if let reason = elsewhere[key] {
                    error("\(prefix)`\(key)` \(reason)", at: pair.key.mark)
                } else {
                    error("\(prefix)unknown key `\(key)`\(Suggestion.hint(for: key, among: known))", at: pair.key.mark)
                }
                continue
            }
            fields.entries.append((key, pair.key.mark, pair.value))
        }
        return fields
    }
}

/// "Did you mean" hints by edit distance.
enum Suggestion {
    /// ` (did you mean `x`?)` for the closest candidate within reach, else empty.
    static func hint(for word: String, among candidates: [String]) -> String {
        let lower = word.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(lower, candidate.lowercased())
            if distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
        }
        guard let (candidate, distance) = best, distance <= max(1, min(3, word.count / 3)) else { return "" }
        return " (did you mean `\(candidate)`?)"
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
