import Foundation
import Testing
@testable import Manifest

@Suite("YAML binding")
struct YAMLParserTests {
    private func parse(_ text: String) -> (documents: [YAMLNode], diagnostics: [String]) {
        let result = YAMLParser.parse(Array(text.utf8), file: "f.yaml")
        return (result.documents, result.diagnostics.map(\.description))
    }

    @Test("reads every document of a stream, skipping empty ones")
    func multiDocument() {
        let (documents, diagnostics) = parse("a: 1\n---\n---\nb: 2\n...\n---\nc: [x, y]\n")
        #expect(diagnostics == [])
        #expect(documents.count == 3)
        #expect(documents.map(\.mark.line) == [1, 4, 7])
    }

    @Test("marks are 1-based line and column of each node")
    func marks() throws {
        let (documents, _) = parse("name: x\nrun:\n  - echo\n  - 'hi'\n")
        guard case .mapping(let pairs, _) = try #require(documents.first) else { Issue.record("not a mapping"); return }
        #expect(pairs[0].value.mark == Mark(line: 1, column: 7))
        guard case .sequence(let items, let mark) = pairs[1].value else { Issue.record("not a list"); return }
        #expect(mark == Mark(line: 3, column: 3))
        #expect(items.map(\.mark) == [Mark(line: 3, column: 5), Mark(line: 4, column: 5)])
        guard case .scalar(let text, let style, _, _) = items[1] else { Issue.record("not a scalar"); return }
        #expect(text == "hi" && style == .singleQuoted)
    }

    @Test("scalars stay text: no YAML 1.1 booleans, octals or floats")
    func scalarsStayText() throws {
        let (documents, _) = parse("[NO, on, yes, 0777, 1e3, ~, '']")
        guard case .sequence(let items, _) = try #require(documents.first) else { Issue.record("not a list"); return }
        #expect(items.map { $0.scalarText ?? "?" } == ["NO", "on", "yes", "0777", "1e3", "~", ""])
        #expect(items.map(\.isNull) == [false, false, false, false, false, true, false])
    }

    @Test("a duplicate key is an error at the second occurrence")
    func duplicateKey() {
        let (documents, diagnostics) = parse("a: 1\nb: 2\na: 3\n")
        #expect(documents.isEmpty)
        #expect(diagnostics == ["f.yaml:3:1: error: duplicate key `a` (first at line 1, column 1)"])
    }

    @Test("a syntax error is positioned and keeps the documents before it")
    func syntaxError() {
        let (documents, diagnostics) = parse("ok: 1\n---\na: [1, 2\nb: 3\n")
        #expect(documents.count == 1)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.hasPrefix("f.yaml:4:") == true)
        #expect(diagnostics.first?.contains("error: invalid YAML: ") == true)
    }

    @Test("merge keys copy what the mapping doesn't set")
    func mergeKeys() throws {
        let (documents, diagnostics) = parse("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n")
        #expect(diagnostics == [])
        guard case .mapping(let pairs, _) = try #require(documents.first),
              case .mapping(let c, _) = pairs[1].value else { Issue.record("shape"); return }
        let flat = c.map { "\($0.key.scalarText ?? "")=\($0.value.scalarText ?? "")" }
        #expect(flat == ["y=3", "x=1"])
    }

    @Test("billion laughs is refused quickly")
    func aliasBomb() {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        let clock = ContinuousClock()
        let start = clock.now
        let (documents, diagnostics) = parse(text)
        #expect(clock.now - start < .seconds(1))
        #expect(documents.isEmpty)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.contains("aliases expand to more than 10000 nodes") == true)
    }

    @Test("a self-referencing alias ends in an error, not a hang")
    func recursiveAlias() {
        let (documents, diagnostics) = parse("a: &x [1, *x]\n")
        #expect(documents.isEmpty)
        #expect(diagnostics.count == 1)
    }

    @Test("modest alias reuse is fine")
    func aliasReuse() {
        let (documents, diagnostics) = parse("d: &d {retry: 3}\nx: *d\ny: *d\n")
        #expect(diagnostics == [])
        #expect(documents.count == 1)
    }

    @Test("nesting deeper than 100 levels is refused")
    func deepNesting() {
        let depth = 150
        let (documents, diagnostics) = parse(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        #expect(documents.isEmpty)
        #expect(diagnostics.first?.contains("nesting deeper than 100 levels") == true)
    }

    @Test("files over 1 MiB are refused unread")
    func oversize() {
        let bytes = [UInt8](repeating: UInt8(ascii: "#"), count: (1 << 20) + 1)
        let result = YAMLParser.parse(bytes, file: "big.yaml")
        #expect(result.documents.isEmpty)
        #expect(result.diagnostics.map(\.description) == ["big.yaml:1:1: error: file is 1048577 bytes, over the 1048576-byte (1 MiB) limit"])
    }

    @Test("an oversize file in a tree is one error, the rest still loads")
    func oversizeInTree() {
        let big = "# " + String(repeating: "x", count: 1 << 20) + "\n"
        let m = load(["big.yaml": big, "ok.yaml": job("ok")])
        #expect(m.jobs.map(\.name) == ["ok"])
        #expect(m.invalidFiles == ["big.yaml"])
    }
}

/// fuzz-manifest found it: libyaml forces a line break at the end of a text without one, so an
/// error found at the end pointed at a line past the file's last. Positions at the end now
/// point just past the last character of the last line, with or without a final break.
@Suite("YAML positions at the end of the text")
struct YAMLEndPositionTests {
    @Test("an error at the end is on the last line, just past its end", arguments: [
        ("name: x\nrun: [echo, [1, 2", 2, 18),
        ("run: {a: [1,\n", 1, 13),
        ("a: 1\r\nb: [x\r\n", 2, 6),
        ("a: 1\u{85}b: [", 2, 5),
        ("x: \"open", 1, 9),
        ("[", 1, 2),
    ] as [(String, Int, Int)])
    func endOfText(_ text: String, _ line: Int, _ column: Int) throws {
        let result = YAMLParser.parse(Array(text.utf8), file: "f.yaml")
        let diagnostic = try #require(result.diagnostics.first)
        #expect(diagnostic.location.line == line && diagnostic.location.column == column, "\(diagnostic)")
    }

    @Test("a node at the very end keeps a position inside the file")
    func nodeAtEnd() throws {
        let manifest = ManifestLoader.load(files: [SourceFile(path: "f.yaml", text: "name: x\nschedule:")],
                                           environment: [:], now: Date(timeIntervalSince1970: 0))
        for diagnostic in manifest.diagnostics {
            #expect(diagnostic.location.line <= 2 && diagnostic.location.column <= 10, "\(diagnostic)")
        }
    }
}

/// fuzz-manifest found it: a `${` problem inside a double-quoted scalar folded over several
/// lines was placed at the scalar's column plus its offset into the folded text, past the end
/// of the line. An offset becomes a column only for a scalar written verbatim on one line.
@Suite("positions inside scalars")
struct ScalarOffsetTests {
    private func column(_ run: String) throws -> (line: Int, column: Int) {
        let text = "name: x\nschedule: \"0 3 * * *\"\nrun: [\"echo\", \(run)]\n"
        let manifest = ManifestLoader.load(files: [SourceFile(path: "f.yaml", text: text)], environment: [:],
                                           now: Date(timeIntervalSince1970: 0))
        let diagnostic = try #require(manifest.diagnostics.first { $0.message.contains("unterminated") })
        return (diagnostic.location.line, diagnostic.location.column)
    }

    @Test("one line, no escapes: the column of the `${` itself")
    func verbatim() throws {
        #expect(try column("\"ab ${oops\"") == (3, 19))
        #expect(try column("\"é ${oops\"") == (3, 18))
    }

    @Test("folded over lines, or with escapes: the scalar's start", arguments: ["\"a\n  b ${oops\"", "\"\\u00e9 ${oops\"", "'it''s ${oops'"])
    func notVerbatim(_ run: String) throws {
        #expect(try column(run) == (3, 15))
    }
}
