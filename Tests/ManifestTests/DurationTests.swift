import Manifest
import Testing

@Suite("durations")
struct DurationTests {
    @Test("reads the strict syntax", arguments: [
        ("500ms", Duration.milliseconds(500)), ("30s", .seconds(30)), ("2m", .seconds(120)),
        ("1h30m", .seconds(5400)), ("7d", .seconds(604_800)), ("0s", .zero),
        ("1d2h3m4s5ms", .milliseconds(93_784_005)), ("90m", .seconds(5400)),
    ])
    func good(text: String, expected: Duration) throws {
        #expect(try parseDuration(text) == expected)
    }

    @Test("refuses anything else", arguments: [
        ("", "it is empty"), ("5", "a unit is missing after 5"), ("s", "expected a number"),
        ("1m30h", "units must go from largest to smallest"), ("1h1h", "unit `h` repeats"),
        ("5 min", "unexpected character ` `"), ("1.5h", "unexpected character `.`"), ("-1s", "expected a number"),
        ("1x", "unknown unit `x`"), ("1H", "unexpected character `H`"), ("10sec", "unknown unit `sec`"),
        ("9999999999999d", "the number is too large"),
    ])
    func bad(text: String, why: String) {
        #expect {
            _ = try parseDuration(text)
        } throws: { error in
            guard let diagnostic = error as? Diagnostic else { return false }
            return diagnostic.message.contains(why) && diagnostic.description.hasPrefix("error: `\(text)` is not a duration")
        }
    }

    @Test("formats back to the same syntax", arguments: [
        (Duration.seconds(5400), "1h30m"), (.zero, "0s"), (.milliseconds(93_784_005), "1d2h3m4s5ms"),
        (.seconds(604_800), "7d"), (.milliseconds(1500), "1s500ms"),
    ])
    func format(duration: Duration, text: String) throws {
        #expect(formatDuration(duration) == text)
        #expect(try parseDuration(text) == duration)
    }
}
