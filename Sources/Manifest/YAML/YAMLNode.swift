/// A position in a YAML text, 1-based, as editors show it.
public struct Mark: Sendable, Hashable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// How a scalar was written; the schema uses it to tell an empty plain value (null) from `""`.
public enum ScalarStyle: Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// One node of a parsed YAML document, with aliases already expanded.
///
/// Scalars stay text: the schema, not YAML 1.1's implicit typing, decides what `NO` or `0777`
/// means, so a string field keeps exactly what the user wrote.
public indirect enum YAMLNode: Sendable {
    /// `verbatim`: the scalar is written on one line exactly as its text reads (no escapes,
    /// no folded lines), so an offset into the text is a column offset in the file.
    case scalar(String, ScalarStyle, Mark, verbatim: Bool)
    case sequence([YAMLNode], Mark)
    case mapping([(key: YAMLNode, value: YAMLNode)], Mark)

    /// Where the node starts.
    public var mark: Mark {
        switch self {
        case .scalar(_, _, let m, _), .sequence(_, let m), .mapping(_, let m): m
        }
    }

    /// The text of a scalar node, nil for collections.
    public var scalarText: String? {
        if case .scalar(let text, _, _, _) = self { return text }
        return nil
    }

    /// Whether the node is YAML null: an empty plain scalar, `~` or `null`.
    public var isNull: Bool {
        guard case .scalar(let text, let style, _, _) = self, style == .plain else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// A short noun for messages ("a mapping", "a list", "a scalar").
    var kindName: String {
        switch self {
        case .scalar: isNull ? "null" : "a scalar"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}
