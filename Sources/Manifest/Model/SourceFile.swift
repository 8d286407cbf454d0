/// A file handed to the loader already read into memory, so Manifest stays free of I/O.
///
/// The directory walker and git mode both produce these; `path` is relative to the watched
/// root and `/`-separated, and is what every diagnostic shows.
public struct SourceFile: Sendable, Hashable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    /// Convenience for tests and generated input.
    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }
}
