import AlmanacCore
import Foundation

extension PostingSlots {
    /// A small table: ranked slots first, then the sparse ones under "not enough data (n < 5)".
    package var text: String {
        var lines = ["channel \(channel): median \(metric) per slot, times in \(zone), \(samples) sample(s)"]
        let rows = ranked.enumerated().map { [String($0.offset + 1), $0.element.label, Self.number($0.element.median), String($0.element.samples)] }
            + sparse.map { ["-", $0.label, Self.number($0.median), String($0.samples)] }
        let header = ["rank", "slot", "median", "n"]
        let widths = (0..<header.count).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        let format: ([String]) -> String = { cells in
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        if ranked.isEmpty { lines.append(sparseNote + " in every slot: no slot is ranked yet") }
        lines.append(format(header))
        for (index, row) in rows.enumerated() {
            if index == ranked.count, !sparse.isEmpty, !ranked.isEmpty { lines.append(sparseNote + ":") }
            lines.append(format(row))
        }
        return lines.joined(separator: "\n")
    }

    /// The JSON answer of `posts suggest --format json` and `GET /api/v1/posts/suggestions`.
    package var json: JSONValue {
        let slot: (Slot) -> [String: JSONValue] = { slot in
            ["weekday": .string(Self.weekdayNames[slot.weekday]), "hour": .int(slot.hour), "samples": .int(slot.samples),
             "median": JSONValue.number(slot.median), "slot": .string(slot.label)]
        }
        return .object([
            "channel": .string(channel), "metric": .string(metric), "zone": .string(zone),
            "minimumSamples": .int(Self.minimumSamples), "samples": .int(samples),
            "metrics": .array(metrics.map(JSONValue.string)),
            "ranked": .array(ranked.enumerated().map { .object(slot($0.element).merging(["rank": .int($0.offset + 1)]) { a, _ in a }) }),
            "notEnoughData": .array(sparse.map { .object(slot($0).merging(["note": .string(sparseNote)]) { a, _ in a }) }),
        ])
    }

    /// What a sparse slot is labelled.
    package var sparseNote: String { "not enough data (n < \(Self.minimumSamples))" }

    /// A median as a person reads it: whole numbers without a fraction, others to two places.
    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.2f", value)
    }
}
