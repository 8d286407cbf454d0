/// Units of the duration syntax, largest first, with their length in milliseconds.
private let durationUnits: [(name: String, milliseconds: Int64)] = [
    ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1),
]

/// Reads the manifest's duration syntax: `500ms`, `30s`, `2m`, `1h30m`, `7d`.
///
/// Strict on purpose — integer amounts, units `d h m s ms` in decreasing order, each at most
/// once — so `1m30h` or `5 min` is an error instead of a surprise. Shared with the CLI's `--for`.
/// Errors are `Diagnostic`s without a file; their column is the offending character (1-based).
public func parseDuration(_ text: String) throws(Diagnostic) -> Duration {
    func fail(_ offset: Int, _ why: String) -> Diagnostic {
        Diagnostic(location: SourceLocation(file: "", line: 0, column: offset + 1),
                   message: "`\(text)` is not a duration: \(why) (e.g. 500ms, 30s, 2m, 1h30m, 7d)")
    }
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty else { throw fail(0, "it is empty") }
    var index = 0
    var lastUnit = -1
    var total: Int64 = 0
    while index < bytes.count {
        let numberStart = index
        var amount: Int64 = 0
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            guard index - numberStart < 12 else { throw fail(numberStart, "the number is too large") }
            amount = amount * 10 + Int64(bytes[index] - 48)
            index += 1
        }
        guard index > numberStart else { throw fail(index, "expected a number") }
        let unitStart = index
        while index < bytes.count, bytes[index] >= 97, bytes[index] <= 122 { index += 1 }
        let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self)
        guard !unit.isEmpty else {
            guard index < bytes.count else { throw fail(unitStart, "a unit is missing after \(amount)") }
            let character = String(decoding: bytes[index...].prefix(1), as: UTF8.self)
            throw fail(unitStart, "unexpected character `\(character)` (units are d, h, m, s, ms)")
        }
        guard let rank = durationUnits.firstIndex(where: { $0.name == unit }) else {
            throw fail(unitStart, "unknown unit `\(unit)` (use d, h, m, s, ms)")
        }
        guard rank > lastUnit else {
            throw fail(unitStart, rank == lastUnit ? "unit `\(unit)` repeats" : "units must go from largest to smallest")
        }
        lastUnit = rank
        let (product, overflow) = amount.multipliedReportingOverflow(by: durationUnits[rank].milliseconds)
        guard !overflow, product <= Int64.max / 4 - total else { throw fail(numberStart, "it is too long") }
        total += product
    }
    return .milliseconds(total)
}

/// Writes a duration back in the syntax `parseDuration` reads, e.g. `1h30m`, `0s`.
///
/// Sub-millisecond parts are dropped; the result parses back to the same value otherwise.
public func formatDuration(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    var remaining = seconds * 1000 + attoseconds / 1_000_000_000_000_000
    if remaining == 0 { return "0s" }
    var text = remaining < 0 ? "-" : ""
    remaining = remaining.magnitude > Int64.max.magnitude ? Int64.max : abs(remaining)
    for unit in durationUnits where remaining >= unit.milliseconds {
        text += "\(remaining / unit.milliseconds)\(unit.name)"
        remaining %= unit.milliseconds
    }
    return text
}
