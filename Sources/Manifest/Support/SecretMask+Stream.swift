extension SecretMask {
    /// Masks output that arrives in pieces (reads of a pipe), where a secret may be split
    /// across two reads: the end of each piece that could begin a secret is held back until the
    /// next piece (or the end) shows whether it does — never more than `longest - 1` bytes.
    public struct Stream: Sendable {
        public let mask: SecretMask
        private var held: [UInt8] = []

        public init(_ mask: SecretMask) {
            self.mask = mask
        }

        /// The masked bytes that are safe to write now.
        public mutating func feed(_ piece: some Collection<UInt8>) -> [UInt8] {
            var bytes = held
            bytes += piece
            let masked = mask.mask(bytes)
            let pending = mask.pendingSuffix(of: masked)
            held = Array(masked.suffix(pending))
            return Array(masked.dropLast(pending))
        }

        /// What was held back, at the end of the output: no later byte can complete a secret.
        public mutating func finish() -> [UInt8] {
            defer { held = [] }
            return held
        }
    }
}
