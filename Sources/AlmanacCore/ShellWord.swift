/// A path as one POSIX shell word, for commands Almanac prints for a person to paste.
package enum ShellWord {
    /// `text` unchanged when it holds only characters no shell treats specially, else in single
    /// quotes (an embedded quote written as `'\''`).
    package static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+:@%,=".contains($0)) }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
