import Foundation

/// Where a YAML text ends, as `almanac validate` shows positions: its last line and the column
/// just past that line's last character.
///
/// libyaml puts its end-of-stream mark on a line after the last when the text has no final
/// line break (it forces one), so an error found at the end — an unclosed `[`, a missing
/// value — would point at a line the file does not have. Marks past the end are moved here.
/// Lines break as libyaml breaks them (LF, CR, CRLF, NEL, LS, PS); columns count characters.
struct TextEnd {
    /// The number of the last line (1 for an empty text).
    let line: Int
    /// The column just past the last line's end.
    let column: Int

    init(_ bytes: [UInt8]) {
        let text = Self.decode(bytes)
        var breaks = 0
        var lineStart = 0
        var previousLength = 0
        var index = 0
        var last: Unicode.Scalar = " "
        for scalar in text.unicodeScalars {
            defer { last = scalar }
            if scalar == "\n" && last == "\r" { continue }
            index += 1
            guard scalar == "\n" || scalar == "\r" || scalar == "\u{85}" || scalar == "\u{2028}" || scalar == "\u{2029}" else { continue }
            breaks += 1
            previousLength = index - 1 - lineStart
            lineStart = index
        }
        let trailing = index - lineStart
        if trailing > 0 || breaks == 0 {
            (line, column) = (breaks + 1, trailing + 1)
        } else {
            (line, column) = (breaks, previousLength + 1)
        }
    }

    /// `mark`, or the end when it lies past it.
    func clamp(_ mark: Mark) -> Mark {
        mark.line > line || (mark.line == line && mark.column > column) ? Mark(line: line, column: column) : mark
    }

    /// The text libyaml reads: UTF-16 when a byte-order mark says so, else UTF-8 (a BOM skipped).
    private static func decode(_ bytes: [UInt8]) -> String {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return String(bytes: bytes, encoding: .utf16) ?? ""
        }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        return String(decoding: body, as: UTF8.self)
    }
}
