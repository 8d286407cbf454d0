import Foundation

/// RFC 3339 text for instants, in UTC or with a zone's offset (`2026-03-08T03:00:00-04:00`).
///
/// Hand-written civil arithmetic rather than DateFormatter: deterministic across locales, and
/// the same bytes on every machine, which the plan and status files rely on.
public enum RFC3339 {
    public static func format(_ date: Date, in zone: TimeZone? = nil) -> String {
        let whole = Int64((date.timeIntervalSince1970).rounded(.down))
        let millis = Int((date.timeIntervalSince1970 - Double(whole)) * 1000 + 0.5)
        let offset = zone.map { Int64($0.secondsFromGMT(for: date)) } ?? 0
        let local = whole + offset
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = local - days * 86_400
        let (y, m, d) = Civil.date(days: days)
        var text = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
            + pad(Int(secondOfDay / 3600), 2) + ":" + pad(Int(secondOfDay / 60 % 60), 2) + ":" + pad(Int(secondOfDay % 60), 2)
        if millis > 0 && millis < 1000 { text += "." + pad(millis, 3) }
        if zone == nil || offset == 0 && zone?.identifier == "UTC" || offset == 0 && zone?.identifier == "GMT" {
            return text + "Z"
        }
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        return text + sign + pad(Int(magnitude / 3600), 2) + ":" + pad(Int(magnitude / 60 % 60), 2)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
