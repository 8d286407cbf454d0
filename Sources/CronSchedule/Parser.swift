import AlmanacCore
import Foundation

/// Compiles cron text into a `CronSpec`: a chain of small functions, each with a precise error.
///
/// Accepts 5 fields, 6 fields (leading seconds) and the `@` macros; names, lists, ranges,
/// steps, `L`, `L-n`, `W`, `LW`, `#`, `nL`, `?` and Jenkins-style `H` seeded by `hashKey`.
struct Parser {
    let hashKey: String

    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// Parses a whole expression or macro.
    func parse(_ expression: String) throws(CronError) -> CronSpec {
        var text = expression.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("@") {
            guard let expanded = Parser.macros[text.lowercased()] else {
                throw CronError(message: "unknown macro \(text); expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly")
            }
            text = expanded
        }
        var parts = text.uppercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard parts.count == 5 || parts.count == 6 else {
            throw CronError(message: parts.isEmpty ? "empty expression" : "expected 5 fields (or 6 with leading seconds), got \(parts.count)")
        }
        var spec = CronSpec()
        spec.hasSeconds = parts.count == 6
        if !spec.hasSeconds { parts.insert("0", at: 0) }
        spec.seconds = try plainField(parts[0], .second)
        spec.minutes = try plainField(parts[1], .minute)
        spec.hours = try plainField(parts[2], .hour)
        try dayOfMonth(parts[3], into: &spec)
        spec.months = try plainField(parts[4], .month)
        try dayOfWeek(parts[5], into: &spec)
        let starred: (Substring) -> Bool = { $0.hasPrefix("*") || $0.hasPrefix("?") }
        spec.dayAnd = starred(parts[3]) || starred(parts[5])
        spec.dstFixup = !spec.hasSeconds && !parts[1].hasPrefix("*") && !parts[2].hasPrefix("*")
        try Parser.checkFires(spec, dom: parts[3], dow: parts[5])
        return spec
    }

    /// A field made only of numbers/names, ranges, steps, `*` and `H`.
    func plainField(_ text: Substring, _ field: Field) throws(CronError) -> UInt64 {
        var mask: UInt64 = 0
        for term in try terms(text, field) {
            mask |= try values(term, field)
        }
        return mask
    }

    private func terms(_ text: Substring, _ field: Field) throws(CronError) -> [Substring] {
        let terms = text.split(separator: ",", omittingEmptySubsequences: false)
        if terms.contains(where: \.isEmpty) {
            throw CronError(field: field.name, message: "empty value in list '\(text)'")
        }
        return terms
    }

    private func dayOfMonth(_ text: Substring, into spec: inout CronSpec) throws(CronError) {
        let field = Field.dayOfMonth
        for term in try terms(text, field) {
            if term == "L" {
                spec.lastDayOffsets |= 1
            } else if term == "LW" || term == "WL" {
                spec.lastWeekday = true
            } else if term.hasPrefix("L-") {
                let n = try number(term.dropFirst(2), field, in: 0...30)
                spec.lastDayOffsets |= 1 << UInt64(n)
            } else if term.hasSuffix("W"), term.count > 1 {
                let n = try number(term.dropLast(), field, in: 1...31)
                spec.nearestWeekdays |= 1 << UInt64(n)
            } else {
                spec.days |= try values(term, field)
            }
        }
    }

    private func dayOfWeek(_ text: Substring, into spec: inout CronSpec) throws(CronError) {
        let field = Field.dayOfWeek
        for term in try terms(text, field) {
            if let hash = term.firstIndex(of: "#") {
                let day = try value(term[..<hash], field) % 7
                let n = try number(term[term.index(after: hash)...], field, in: 1...5, what: "occurrence after #")
                spec.nthWeekdays |= 1 << UInt64((n - 1) * 7 + day)
            } else if term.hasSuffix("L"), term.count > 1 {
                spec.lastWeekdays |= 1 << UInt64(try value(term.dropLast(), field) % 7)
            } else {
                let raw = try values(term, field)
                spec.weekdays |= (raw | raw >> 7) & 0x7F
            }
        }
    }

    /// The values of one term: `*`, `?`, `H…`, `a`, `a-b`, each optionally `/step`.
    private func values(_ term: Substring, _ field: Field) throws(CronError) -> UInt64 {
        var base = term
        var step = 1
        var stepped = false
        if let slash = term.firstIndex(of: "/") {
            base = term[..<slash]
            step = try number(term[term.index(after: slash)...], field, in: 1...Int.max, what: "step")
            stepped = true
        }
        var lo: Int, hi: Int
        if base == "*" || base == "?" {
            if base == "?" && field != .dayOfMonth && field != .dayOfWeek {
                throw CronError(field: field.name, message: "? is only allowed in day-of-month and day-of-week")
            }
            (lo, hi) = (field.range.lowerBound, field.range.upperBound)
        } else if base.hasPrefix("H") {
            return try hashed(base, field, step: stepped ? step : nil)
        } else if let dash = base.firstIndex(of: "-") {
            lo = try value(base[..<dash], field)
            hi = try value(base[base.index(after: dash)...], field)
            if field == .dayOfWeek && hi == 0 && lo > 0 { hi = 7 }
            if hi < lo {
                throw CronError(field: field.name, message: "range \(base) starts after it ends")
            }
            // cronsim (and so we) read a one-value range with a step like `a/n`: up to the field's end.
            if stepped && hi == lo { hi = field.range.upperBound }
        } else {
            lo = try value(base, field)
            hi = stepped ? field.range.upperBound : lo
        }
        var mask: UInt64 = 0
        var v = lo
        while v <= hi {
            mask |= 1 << UInt64(v)
            v += step
        }
        return mask
    }

    /// `H`, `H(a-b)`, `H/n`, `H(a-b)/n`: a value picked by hashing the job name.
    private func hashed(_ base: Substring, _ field: Field, step: Int?) throws(CronError) -> UInt64 {
        var (lo, hi) = (field.hashRange.lowerBound, field.hashRange.upperBound)
        let rest = base.dropFirst()
        if !rest.isEmpty {
            guard rest.hasPrefix("("), rest.hasSuffix(")"), let dash = rest.firstIndex(of: "-") else {
                throw CronError(field: field.name, message: "'\(base)' is not H, H(a-b), H/n or H(a-b)/n")
            }
            lo = try value(rest[rest.index(after: rest.startIndex)..<dash], field)
            hi = try value(rest[rest.index(after: dash)..<rest.index(before: rest.endIndex)], field)
            if hi < lo { throw CronError(field: field.name, message: "range \(rest) starts after it ends") }
        }
        let hash = stableHash(hashKey + "\u{1F}" + field.name)
        guard let step else { return 1 << UInt64(lo + Int(hash % UInt64(hi - lo + 1))) }
        var mask: UInt64 = 0
        var v = lo + Int(hash % UInt64(min(step, hi - lo + 1)))
        while v <= hi {
            mask |= 1 << UInt64(v)
            v += step
        }
        return mask
    }

    /// One number or name, range-checked against the field.
    private func value(_ text: Substring, _ field: Field) throws(CronError) -> Int {
        if let named = field.value(ofName: text) { return named }
        return try number(text, field, in: field.range)
    }

    private func number(_ text: Substring, _ field: Field, in range: ClosedRange<Int>, what: String = "value") throws(CronError) -> Int {
        guard !text.isEmpty else { throw CronError(field: field.name, message: "missing \(what)") }
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(text) else {
            throw CronError(field: field.name, message: "'\(text)' is not a valid \(what)")
        }
        guard range.contains(n) else {
            let bounds = range.upperBound == Int.max ? "at least \(range.lowerBound)" : "in range \(range.lowerBound)-\(range.upperBound)"
            if what == "value" {
                throw CronError(field: field.name, message: "\(n) is out of range \(range.lowerBound)-\(range.upperBound)")
            }
            throw CronError(field: field.name, message: "\(what) \(n) must be \(bounds)")
        }
        return n
    }
}

extension Parser {
    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// Rejects expressions that can never fire (`0 0 30 2 *`), with the reason in words.
    ///
    /// The Gregorian calendar repeats every 400 years, so a spec without a match in 401 years
    /// never matches; a typical impossible spec is rejected in ~100 µs.
    static func checkFires(_ spec: CronSpec, dom: Substring, dow: Substring) throws(CronError) {
        let start = Civil.days(year: 2000, month: 1, day: 1) * Civil.secondsPerDay
        if spec.nextWall(after: start - 1, years: 401) != nil { return }
        let plainDaysOnly = spec.lastDayOffsets == 0 && spec.nearestWeekdays == 0 && !spec.lastWeekday
            && spec.clampedDays == 0
        if plainDaysOnly && spec.weekdays == 0x7F && spec.nthWeekdays == 0 && spec.lastWeekdays == 0 {
            let first = spec.days.trailingZeroBitCount
            let months = (1...12).filter { bit(spec.months, $0) }.map { monthNames[$0 - 1] }
            let verb = months.count == 1 ? "has" : "have"
            throw CronError(field: Field.dayOfMonth.name, message: "never fires: \(list(months)) \(verb) no day \(first)")
        }
        throw CronError(
            field: Field.dayOfMonth.name,
            message: "never fires: no date matches day-of-month '\(dom)' and day-of-week '\(dow)' in the months given")
    }

    /// "a", "a and b", "a, b and c".
    static func list(_ items: [String]) -> String {
        guard let last = items.last else { return "" }
        if items.count == 1 { return last }
        return items.dropLast().joined(separator: ", ") + " and " + last
    }
}
