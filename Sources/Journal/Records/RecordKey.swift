import Foundation

/// A key of a journal line; the case order is the order the writer puts keys in.
///
/// The order is part of the file format (identical events give identical bytes, and old lines
/// re-encode to themselves): a new key goes where it should appear on the line, and existing
/// cases never move or change their names.
package enum RecordKey: Int, CaseIterable, Sendable {
    case seq, at, type, job, scheduledAt, attempt, triggeredBy, hash, revision, kind, enabled, source, fields
    case outcome, exitCode, signal, durationMs, lateUs, errorClass, cpuUserMs, cpuSystemMs, maxRSSKB, pid, logPath
    case reason, retryAt, message, messages, target, url, status, commit, result, outputTail, snapshot, v
    /// Which runner of a cluster claimed an attempt (`started`); after `v` so no raw value moves.
    case runner
    /// An engagement record's channel, zone and numbers (`engagement`); after `runner`, likewise.
    case channel, timezone, metrics

    /// The key as written on the line.
    ///
    /// From a table built once: `String(describing:)` goes through reflection, and the
    /// snapshot's coders ask for a name per field of every execution (measured: the compacted
    /// journal's replay took twice as long with it).
    package var name: String { Self.names[rawValue] }

    private static let names: [String] = allCases.map { String(describing: $0) }

    /// Every key's name as bytes, indexed by raw value, for the writer.
    static let utf8: [[UInt8]] = allCases.map { Array($0.name.utf8) }
}

/// One value of a journal line, as the codecs read and write it.
package enum FieldValue: Sendable, Hashable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case date(Date)
    case strings([String])
    case map([String: String])
    /// JSON text, stored on the line as a nested value (`result`).
    case json(String)
    /// Named finite numbers, stored as a JSON object of numbers (`metrics`).
    case numbers([String: Double])
}

/// How a field's value is spelled on the line, which tells the reader how to scan it.
package enum FieldKind: Sendable {
    case string, int, bool, date, strings, map, json, numbers
}
