/// Where something was written: a file relative to the watched root, 1-based line and column.
///
/// Every spec and every diagnostic carries one so messages point at the exact scalar to fix.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `jobs.d/a.yaml:4:11`; just the file when line is 0, empty when there is no file.
    public var description: String {
        if file.isEmpty { return "" }
        return line > 0 ? "\(file):\(line):\(column)" : file
    }
}
