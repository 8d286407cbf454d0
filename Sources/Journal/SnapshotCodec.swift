import AlmanacCore
import Foundation

/// The `snapshot` payload: the whole state as nested JSON, through Foundation's coders.
///
/// A snapshot is one line per compaction, so `JSONEncoder`/`JSONDecoder` are fast enough;
/// dates use the journal's RFC 3339 form and keys are sorted, so equal states give equal bytes.
enum SnapshotCodec {
    static func encode(_ state: JournalState) throws(JSONLineError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        do {
            return Array(try encoder.encode(state))
        } catch {
            throw JSONLineError(message: "snapshot cannot be encoded: \(error)", column: 1)
        }
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONLineError) -> JournalState {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = dateDecoding
        do {
            return try decoder.decode(JournalState.self, from: Data(buffer: bytes))
        } catch {
            throw JSONLineError(message: "snapshot cannot be decoded: \(error)", column: 1)
        }
    }

    /// Dates as the journal writes them: RFC 3339, read with the journal's own parser.
    static var dateDecoding: JSONDecoder.DateDecodingStrategy {
        .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid RFC 3339 date \(text)")
            }
            return date
        }
    }
}
