/// How much of each attempt's output the runner keeps on disk (`output: {maxBytes: 10M}`).
///
/// A job that prints without end must not fill the state directory: past `maxBytes` the
/// attempt's log keeps its head and its tail, joined by one marker line saying how much was cut.
public struct OutputPolicy: Sendable, Hashable, Codable {
    /// The default cap: 10 MiB per attempt.
    public static let defaultMaxBytes: UInt64 = 10 << 20
    /// The smallest cap accepted: room for a head, a marker and a tail.
    public static let minimumMaxBytes: UInt64 = 1 << 10

    /// The most bytes one attempt's log may hold.
    public var maxBytes: UInt64

    public init(maxBytes: UInt64 = OutputPolicy.defaultMaxBytes) {
        self.maxBytes = maxBytes
    }
}
