import Foundation

/// The two ways a journal line can be decoded, side by side, for `almanac-bench`.
///
/// The bench times both over the same lines, so the reason the hand-written scanner is kept
/// (EventCodec) is a number measured on the machine at hand, not a claim.
package enum DecodePaths {
    /// Decodes every line with the journal's own reader; returns how many events it read.
    package static func scanner(_ lines: [[UInt8]]) throws -> Int {
        var count = 0
        for line in lines {
            _ = try line.withUnsafeBufferPointer { (buffer) throws(JSONLineError) in try EventCodec.decode(buffer) }
            count += 1
        }
        return count
    }

    /// Decodes every line with Foundation's `JSONDecoder` through the records' `Codable` form
    /// (lines without a nested `result`, which that form reads as a string).
    package static func foundation(_ lines: [[UInt8]]) throws -> Int {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = SnapshotCodec.dateDecoding
        var count = 0
        for line in lines {
            _ = try decoder.decode(JournalEvent.self, from: Data(line))
            count += 1
        }
        return count
    }
}
