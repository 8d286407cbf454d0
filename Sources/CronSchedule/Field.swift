/// One of the six positions of a cron expression, with its range and names.
///
/// The parser reads each field against its `Field`, so range checks and error messages
/// (`minute field: 61 is out of range 0-59`) come from one table.
enum Field: Int, CaseIterable, Sendable {
    case second, minute, hour, dayOfMonth, month, dayOfWeek

    /// The name used in error messages.
    var name: String {
        switch self {
        case .second: "second"
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day-of-month"
        case .month: "month"
        case .dayOfWeek: "day-of-week"
        }
    }

    /// The accepted numeric range (day-of-week accepts 7 as Sunday).
    var range: ClosedRange<Int> {
        switch self {
        case .second, .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        }
    }

    /// The range `H` picks from: Jenkins keeps day-of-month within 1-28 so it fires every month.
    var hashRange: ClosedRange<Int> {
        switch self {
        case .dayOfMonth: 1...28
        case .dayOfWeek: 0...6
        default: range
        }
    }

    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// The value of a name (`JAN` → 1, `SUN` → 0), upper-cased input.
    func value(ofName s: Substring) -> Int? {
        switch self {
        case .month: Field.monthNames.firstIndex(of: String(s)).map { $0 + 1 }
        case .dayOfWeek: Field.dayNames.firstIndex(of: String(s))
        default: nil
        }
    }

    /// A bit mask of every value in `range`.
    var fullMask: UInt64 {
        var mask: UInt64 = 0
        for v in range { mask |= 1 << UInt64(v) }
        return mask
    }
}
