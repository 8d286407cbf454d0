/// Plain-English descriptions of a schedule, built from its compiled fields.
///
/// `almanac explain` and the dashboard show these, so they read as a sentence a person would
/// write: "At 09:00, Monday through Friday, in America/New_York".
extension Schedule {
    /// The schedule in words, with its zone.
    public func explain() -> String {
        var parts = [Explainer(spec: spec).time()]
        parts += Explainer(spec: spec).days()
        parts.append("in \(zoneName)")
        return parts.joined(separator: ", ")
    }
}

struct Explainer {
    let spec: CronSpec
    static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let ordinals = ["first", "second", "third", "fourth", "fifth"]

    static func values(_ mask: UInt64) -> [Int] {
        var out: [Int] = []
        var m = mask
        while m != 0 {
            out.append(m.trailingZeroBitCount)
            m &= m - 1
        }
        return out
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// Whether `values` is every `step`-th value of `range` starting at its bottom.
    static func step(_ values: [Int], in range: ClosedRange<Int>) -> Int? {
        guard values.count > 1, values.first == range.lowerBound else { return nil }
        let step = values[1] - values[0]
        guard stride(from: range.lowerBound, through: range.upperBound, by: step).map({ $0 }) == values else { return nil }
        return step
    }

    static func contiguous(_ values: [Int]) -> Bool {
        values.count > 2 && values.last.map { $0 - values[0] + 1 == values.count } == true
    }

    func time() -> String {
        let (seconds, minutes, hours) = (Self.values(spec.seconds), Self.values(spec.minutes), Self.values(spec.hours))
        let showSeconds = spec.hasSeconds && seconds != [0]
        if seconds.count == 1, minutes.count == 1, hours.count <= 6 {
            let times = hours.map { h in
                "\(Self.two(h)):\(Self.two(minutes[0]))" + (showSeconds ? ":\(Self.two(seconds[0]))" : "")
            }
            return "At " + Parser.list(times)
        }
        var phrase: [String] = []
        if showSeconds { phrase.append(Self.unit(seconds, in: 0...59, "second")) }
        if !(showSeconds && minutes.count == 60) { phrase.append(Self.unit(minutes, in: 0...59, "minute")) }
        if hours.count < 24 {
            if hours.count == 1 || Self.contiguous(hours), let first = hours.first, let last = hours.last {
                phrase.append("between \(Self.two(first)):00 and \(Self.two(last)):59")
            } else if let step = Self.step(hours, in: 0...23) {
                phrase.append("every \(step) hours")
            } else {
                phrase.append(hours.count == 1 ? "during hour \(hours[0])" : "during hours " + Parser.list(hours.map(String.init)))
            }
        }
        let text = phrase.joined(separator: " ")
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    static func unit(_ values: [Int], in range: ClosedRange<Int>, _ name: String) -> String {
        if values.count == range.count { return "every \(name)" }
        if let step = step(values, in: range) { return "every \(step) \(name)s" }
        if values.count == 1 { return "at \(name) \(values[0])" }
        if contiguous(values), let first = values.first, let last = values.last {
            return "at every \(name) from \(first) through \(last)"
        }
        return "at \(name)s " + Parser.list(values.map(String.init))
    }

    func days() -> [String] {
        var out: [String] = []
        let dom = dayOfMonth()
        let dow = dayOfWeek()
        switch (dom, dow) {
        case (let d?, let w?): out.append(spec.dayAnd ? "\(d), only if it is \(w)" : "\(d) or \(w)")
        case (let d?, nil): out.append(d)
        case (nil, let w?): out.append(w)
        case (nil, nil): break
        }
        let months = Self.values(spec.months)
        if months.count < 12 {
            let names = months.map { Parser.monthNames[$0 - 1] }
            if Self.contiguous(months), let first = names.first, let last = names.last {
                out.append("\(first) through \(last)")
            } else {
                out.append("in " + Parser.list(names))
            }
        }
        return out
    }

    func dayOfMonth() -> String? {
        let all: UInt64 = 0xFFFF_FFFE
        var items: [String] = []
        if spec.days != all, spec.days != 0 {
            let days = Self.values(spec.days)
            if Self.contiguous(days), let first = days.first, let last = days.last {
                items.append("on days \(first) through \(last) of the month")
            } else {
                items.append("on day\(days.count > 1 ? "s" : "") " + Parser.list(days.map(String.init)) + " of the month")
            }
        }
        for n in Self.values(spec.lastDayOffsets) {
            items.append(n == 0 ? "on the last day of the month" : "\(n) day\(n > 1 ? "s" : "") before the last day of the month")
        }
        if spec.lastWeekday { items.append("on the last weekday of the month") }
        for n in Self.values(spec.nearestWeekdays) { items.append("on the weekday nearest day \(n) of the month") }
        for n in Self.values(spec.clampedDays) {
            items.append(n > 28 ? "on day \(n) of the month (or its last day, when shorter)" : "on day \(n) of the month")
        }
        return items.isEmpty ? nil : Parser.list(items)
    }

    func dayOfWeek() -> String? {
        var items: [String] = []
        let days = Self.values(spec.weekdays)
        if days.count > 0 && days.count < 7 {
            if Self.contiguous(days), let first = days.first, let last = days.last {
                items.append("\(Self.dayNames[first]) through \(Self.dayNames[last])")
            } else {
                items.append("on " + Parser.list(days.map { Self.dayNames[$0] }))
            }
        }
        for bit in Self.values(spec.nthWeekdays) {
            items.append("on the \(Self.ordinals[bit / 7]) \(Self.dayNames[bit % 7]) of the month")
        }
        for d in Self.values(spec.lastWeekdays) { items.append("on the last \(Self.dayNames[d]) of the month") }
        return items.isEmpty ? nil : Parser.list(items)
    }
}
