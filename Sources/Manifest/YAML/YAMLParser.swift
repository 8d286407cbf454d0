import CYAML

/// Loads every document of a YAML text through libyaml's document API into `YAMLNode` trees.
///
/// It owns each libyaml handle only for the duration of one call and frees it on every path.
/// Hostile input is bounded: files over `maxFileSize` are refused, alias expansion is capped
/// at `maxAliasNodes` per document (billion laughs ends in an error, not a hang), nesting at
/// `maxDepth`, and duplicate mapping keys are errors rather than silent overrides.
public enum YAMLParser {
    /// Files larger than this (1 MiB) are refused unread.
    public static let maxFileSize = 1 << 20
    /// Nodes that alias expansion may add to one document.
    public static let maxAliasNodes = 10_000
    /// Deepest nesting accepted.
    public static let maxDepth = 100

    /// Parses `bytes`; documents before a syntax error are kept, empty documents skipped.
    public static func parse(_ bytes: [UInt8], file: String) -> (documents: [YAMLNode], diagnostics: [Diagnostic]) {
        let end = TextEnd(bytes)
        func problem(_ mark: Mark, _ message: String) -> Diagnostic {
            let mark = end.clamp(mark)
            return Diagnostic(location: SourceLocation(file: file, line: mark.line, column: mark.column), message: message)
        }
        guard bytes.count <= maxFileSize else {
            return ([], [problem(Mark(line: 1, column: 1),
                                 "file is \(bytes.count) bytes, over the \(maxFileSize)-byte (1 MiB) limit")])
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return ([], [problem(Mark(line: 1, column: 1), "YAML parser could not be initialised")])
        }
        defer { yaml_parser_delete(&parser) }
        return bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var documents: [YAMLNode] = []
            var diagnostics: [Diagnostic] = []
            while true {
                var document = yaml_document_t()
                guard yaml_parser_load(&parser, &document) == 1 else {
                    diagnostics.append(problem(syntaxMark(parser), syntaxMessage(parser, end: end)))
                    break
                }
                defer { yaml_document_delete(&document) }
                guard yaml_document_get_root_node(&document) != nil else { break }  // end of stream
                var converter = NodeConverter(document: &document, end: end)
                do throws(NodeProblem) {
                    let root = try converter.convert(index: 1, depth: 0, counting: false)
                    if !root.isNull { documents.append(root) }
                } catch {
                    diagnostics.append(problem(error.mark, error.message))
                }
            }
            return (documents, diagnostics)
        }
    }

    private static func syntaxMark(_ parser: yaml_parser_t) -> Mark {
        Mark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
    }

    private static func syntaxMessage(_ parser: yaml_parser_t, end: TextEnd) -> String {
        let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
        guard let context = parser.context.map({ String(cString: $0) }) else { return "invalid YAML: \(problem)" }
        let mark = end.clamp(Mark(line: Int(parser.context_mark.line) + 1, column: Int(parser.context_mark.column) + 1))
        return "invalid YAML: \(problem) (\(context) at \(mark.line):\(mark.column))"
    }
}

/// A problem found while turning libyaml nodes into `YAMLNode`s.
struct NodeProblem: Error {
    var mark: Mark
    var message: String
}

/// Walks one libyaml document, expanding aliases under a budget.
private struct NodeConverter {
    let document: UnsafeMutablePointer<yaml_document_t>
    var visited: [Bool]
    var aliasBudget = YAMLParser.maxAliasNodes
    /// Node marks past the text's end (libyaml's forced final line) are moved onto it.
    let end: TextEnd

    init(document: UnsafeMutablePointer<yaml_document_t>, end: TextEnd) {
        self.document = document
        self.end = end
        let count = document.pointee.nodes.top - document.pointee.nodes.start
        visited = Array(repeating: false, count: count + 1)
    }

    /// Converts node `index`; a node seen before is an alias expansion and spends budget.
    mutating func convert(index: Int32, depth: Int, counting: Bool) throws(NodeProblem) -> YAMLNode {
        guard let node = yaml_document_get_node(document, index) else {
            throw NodeProblem(mark: Mark(line: 1, column: 1), message: "invalid YAML: dangling node reference")
        }
        let mark = end.clamp(Mark(line: Int(node.pointee.start_mark.line) + 1, column: Int(node.pointee.start_mark.column) + 1))
        guard depth < YAMLParser.maxDepth else {
            throw NodeProblem(mark: mark, message: "nesting deeper than \(YAMLParser.maxDepth) levels")
        }
        let slot = Int(index)
        let counting = counting || visited[slot]
        visited[slot] = true
        if counting {
            aliasBudget -= 1
            if aliasBudget < 0 {
                throw NodeProblem(mark: mark, message:
                    "aliases expand to more than \(YAMLParser.maxAliasNodes) nodes; refusing (alias bomb?)")
            }
        }
        switch node.pointee.type {
        case YAML_SCALAR_NODE:
            let scalar = node.pointee.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let style = style(scalar.style)
            // libyaml's columns count code points; quotes add two.
            let (start, stop) = (node.pointee.start_mark, node.pointee.end_mark)
            let quotes = style == .singleQuoted || style == .doubleQuoted ? 2 : 0
            let verbatim = (style == .plain || quotes == 2) && start.line == stop.line
                && Int(stop.column) - Int(start.column) == text.unicodeScalars.count + quotes
            return .scalar(text, style, mark, verbatim: verbatim)
        case YAML_SEQUENCE_NODE:
            var items: [YAMLNode] = []
            var item = node.pointee.data.sequence.items.start
            while let current = item, current < node.pointee.data.sequence.items.top {
                items.append(try convert(index: current.pointee, depth: depth + 1, counting: counting))
                item = current + 1
            }
            return .sequence(items, mark)
        case YAML_MAPPING_NODE:
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            var pair = node.pointee.data.mapping.pairs.start
            while let current = pair, current < node.pointee.data.mapping.pairs.top {
                let key = try convert(index: current.pointee.key, depth: depth + 1, counting: counting)
                let value = try convert(index: current.pointee.value, depth: depth + 1, counting: counting)
                pairs.append((key, value))
                pair = current + 1
            }
            return .mapping(try Self.mergedAndChecked(pairs), mark)
        default:
            return .scalar("", .plain, mark, verbatim: false)
        }
    }

    /// Applies `<<` merge keys (explicit keys win) and rejects duplicate keys.
    static func mergedAndChecked(_ pairs: [(key: YAMLNode, value: YAMLNode)]) throws(NodeProblem)
        -> [(key: YAMLNode, value: YAMLNode)] {
        var seen = KeySet()
        var result: [(key: YAMLNode, value: YAMLNode)] = []
        result.reserveCapacity(pairs.count)
        var merges: [YAMLNode] = []
        for pair in pairs {
            if case .scalar("<<", .plain, _, _) = pair.key {
                merges.append(pair.value)
                continue
            }
            if let text = pair.key.scalarText {
                if let first = seen[text] {
                    throw NodeProblem(mark: pair.key.mark, message:
                        "duplicate key `\(text)` (first at line \(first.line), column \(first.column))")
                }
                seen[text] = pair.key.mark
            }
            result.append(pair)
        }
        if merges.isEmpty { return result }
        for merge in merges {
            let sources: [YAMLNode]
            switch merge {
            case .mapping: sources = [merge]
            case .sequence(let items, _): sources = items
            case .scalar(_, _, let mark, _): throw NodeProblem(mark: mark, message: "`<<` merges a mapping or a list of mappings")
            }
            for source in sources {
                guard case .mapping(let extra, _) = source else {
                    throw NodeProblem(mark: source.mark, message: "`<<` merges a mapping or a list of mappings")
                }
                for pair in extra {
                    guard let text = pair.key.scalarText, seen[text] == nil else { continue }
                    seen[text] = pair.key.mark
                    result.append(pair)
                }
            }
        }
        return result
    }

    private func style(_ style: yaml_scalar_style_t) -> ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }
}

/// Keys seen in one mapping: a list while small, a dictionary once large.
private struct KeySet {
    private var small: [(String, Mark)] = []
    private var large: [String: Mark]?

    subscript(_ key: String) -> Mark? {
        get { large.map { $0[key] } ?? small.first { $0.0 == key }?.1 }
        set {
            guard let newValue else { return }
            if large != nil {
                large?[key] = newValue
            } else if small.count < 16 {
                small.append((key, newValue))
            } else {
                large = Dictionary(small, uniquingKeysWith: { first, _ in first })
                large?[key] = newValue
            }
        }
    }
}
