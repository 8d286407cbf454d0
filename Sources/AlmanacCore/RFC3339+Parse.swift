import Foundation

extension RFC3339 {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`; `t`, `z` and a space separator are accepted.
    /// The date is rounded to the millisecond, what the journal keeps.
    package static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    /// Parses the bytes of one timestamp (the whole buffer), or returns nil.
    ///
    /// The journal's replay calls this for every date of every line: the writer's own form takes
    /// the branch-free `canonicalMilliseconds`, inlined into the caller.
    @inlinable
    package static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        if let milliseconds = canonicalMilliseconds(b) { return date(milliseconds: milliseconds) }
        return parseAnyForm(b)
    }

    /// The general parser, without the fast path for the writer's own form (tests compare the two).
    package static func parseAnyForm(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        guard b.count >= 20, let parts = Parts(b), parts.hasSeconds, let offset = parts.offset else { return nil }
        // Rounded to the millisecond, like every date the journal writes: a finer fraction read
        // here would not survive a write and a read back (the journal fuzzer found such a line).
        let seconds = parts.localSeconds - offset
        return date(milliseconds: seconds * 1000 + parts.milli + (parts.roundsUp ? 1 : 0))
    }

    /// Reads `YYYY-MM-DD[T ]hh:mm[:ss[.frac]]` with an optional `Z`/`±hh:mm`: what `at:` accepts.
    ///
    /// Without an offset the time is local to `timeZone`. Returns nil when malformed.
    package static func parse(_ text: String, localTo timeZone: TimeZone) -> (date: Date, hadOffset: Bool)? {
        var text = text
        guard let parts = text.withUTF8({ Parts($0) }) else { return nil }
        let localSeconds = Double(parts.localSeconds)
        if let offset = parts.offset {
            return (Date(timeIntervalSince1970: localSeconds - Double(offset) + parts.fraction), true)
        }
        // Local time: resolve the zone's offset at that wall time (two passes settle DST edges).
        var guess = Date(timeIntervalSince1970: localSeconds)
        for _ in 0..<2 {
            guess = Date(timeIntervalSince1970: localSeconds - Double(timeZone.secondsFromGMT(for: guess)))
        }
        return (guess.addingTimeInterval(parts.fraction), false)
    }

    /// What the writer produces, `YYYY-MM-DDTHH:MM:SSZ` or `…SS.mmmZ`, without optionals or loops.
    ///
    /// Nil means "not in this exact form": `parse` then takes the general path, which accepts
    /// (and validates) the same dates the same way, so both paths agree wherever both apply.
    @inlinable @inline(__always)
    package static func canonicalMilliseconds(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count == 20 || (b.count == 24 && b[19] == UInt8(ascii: ".")), b[b.count - 1] == UInt8(ascii: "Z"),
              b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":") else { return nil }
        var bad: UInt8 = 0
        @inline(__always) func d(_ i: Int) -> Int {
            let x = b[i] &- UInt8(ascii: "0")
            bad |= x > 9 ? 1 : 0
            return Int(x)
        }
        let year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3)
        let month = d(5) * 10 + d(6), day = d(8) * 10 + d(9)
        let hour = d(11) * 10 + d(12), minute = d(14) * 10 + d(15), second = d(17) * 10 + d(18)
        let milli = b.count == 24 ? d(20) * 100 + d(21) * 10 + d(22) : 0
        guard bad == 0, month >= 1, month <= 12, day >= 1, day <= Civil.daysInMonth(year: year, month: month),
              hour < 24, minute < 60, second <= 60 else { return nil }
        return (Civil.days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * 1000
            + Int64(milli)
    }

    /// The fields of `YYYY-MM-DD[Tt ]hh:mm[:ss[.frac]][Zz|±hh:mm]`, validated; the one scanner
    /// behind both the strict (journal, API) and the lenient (`at:`) forms.
    struct Parts {
        /// The wall time as seconds since 1970, before the offset is applied.
        var localSeconds: Int64
        var hasSeconds = false
        /// The first three fraction digits as milliseconds, and the whole fraction as a double.
        var milli: Int64 = 0, fraction = 0.0, fractionDigits = 0
        /// The fourth fraction digit is 5 or more: the nearest millisecond is `milli + 1`.
        var roundsUp = false
        /// Seconds east of UTC; nil when the text has no `Z` or offset (a local time).
        var offset: Int64?

        init?(_ b: UnsafeBufferPointer<UInt8>) {
            guard b.count >= 16,
                  let year = Self.number(b, 0, 4), b[4] == UInt8(ascii: "-"),
                  let month = Self.number(b, 5, 2), b[7] == UInt8(ascii: "-"),
                  let day = Self.number(b, 8, 2),
                  b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
                  let hour = Self.number(b, 11, 2), b[13] == UInt8(ascii: ":"),
                  let minute = Self.number(b, 14, 2)
            else { return nil }
            var i = 16
            var second = 0
            if i < b.count, b[i] == UInt8(ascii: ":") {
                guard let s = Self.number(b, i + 1, 2) else { return nil }
                (second, hasSeconds) = (s, true)
                i += 3
                if i < b.count, b[i] == UInt8(ascii: ".") {
                    i += 1
                    var scale = 0.1
                    while i < b.count, let d = Self.digit(b[i]) {
                        if fractionDigits < 3 { milli = milli * 10 + Int64(d) }
                        if fractionDigits == 3 { roundsUp = d >= 5 }
                        fraction += Double(d) * scale
                        scale /= 10
                        fractionDigits += 1
                        i += 1
                    }
                    guard fractionDigits > 0 else { return nil }
                    for _ in fractionDigits..<max(fractionDigits, 3) { milli *= 10 }
                }
            }
            guard (1...12).contains(month), day >= 1, day <= Civil.daysInMonth(year: year, month: month),
                  hour < 24, minute < 60, second <= 60 else { return nil }
            if i < b.count {
                switch b[i] {
                case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                    guard i + 1 == b.count else { return nil }
                    offset = 0
                case UInt8(ascii: "+"), UInt8(ascii: "-"):
                    guard i + 6 == b.count, let oh = Self.number(b, i + 1, 2), b[i + 3] == UInt8(ascii: ":"),
                          let om = Self.number(b, i + 4, 2), oh < 24, om < 60 else { return nil }
                    offset = Int64(oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
                default:
                    return nil
                }
            }
            localSeconds = Civil.days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        }

        private static func digit(_ byte: UInt8) -> Int? {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
        }

        private static func number(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
            var value = 0
            for i in start..<start + count {
                guard i < b.count, let d = digit(b[i]) else { return nil }
                value = value * 10 + d
            }
            return value
        }
    }
}
