import AlmanacCore
import Foundation
import Testing

@Suite("RFC 3339 (AlmanacCore)")
struct CoreRFC3339Tests {
    /// 2026-03-08T07:00:00Z, the morning of the US spring-forward day.
    static let base = 1_772_953_200.0
    static func date(_ offset: Double) -> Date { Date(timeIntervalSince1970: base + offset) }

    @Test("round trips with fractional seconds and offsets", arguments: [
        ("2026-03-08T07:00:00Z", 0.0, nil), ("2026-03-08T07:00:00.250Z", 0.25, nil),
        ("2026-03-08T07:00:00.001Z", 0.001, nil), ("2026-03-08T07:00:00.999Z", 0.999, nil),
        ("2026-03-08T03:00:00-04:00", 0.0, "America/New_York"), ("2026-03-08T01:00:00-05:00", -3600.0, "America/New_York"),
        ("2026-03-08T12:30:00.500+05:30", 0.5, "Asia/Kolkata"), ("2026-03-08T07:00:00Z", 0.0, "UTC"),
        ("2026-03-08T20:00:00.125+13:00", 0.125, "Pacific/Auckland"),
    ] as [(String, Double, String?)])
    func roundTrip(text: String, offset: Double, zone: String?) throws {
        let timeZone = zone.flatMap(TimeZone.named)
        #expect((timeZone == nil) == (zone == nil))
        #expect(RFC3339.format(Self.date(offset), in: timeZone) == text)
        let parsed = try #require(RFC3339.parse(text))
        #expect(parsed == Self.date(offset))
        #expect(RFC3339.format(parsed, in: timeZone) == text)
    }

    @Test("UTC with a numeric offset keeps one column form")
    func numericOffset() throws {
        #expect(RFC3339.format(Self.date(0), in: .utc, numericOffset: true) == "2026-03-08T07:00:00+00:00")
        let paris = try #require(TimeZone.named("Europe/Paris"))
        #expect(RFC3339.format(Self.date(0), in: paris, numericOffset: true) == "2026-03-08T08:00:00+01:00")
        #expect(RFC3339.format(Self.date(0)) == "2026-03-08T07:00:00Z")
    }

    @Test("milliseconds round to the nearest and carry into the second")
    func rounding() {
        #expect(RFC3339.format(Self.date(0.0004)) == "2026-03-08T07:00:00Z")
        #expect(RFC3339.format(Self.date(0.2506)) == "2026-03-08T07:00:00.251Z")
        #expect(RFC3339.format(Self.date(0.9996)) == "2026-03-08T07:00:01Z")
        #expect(RFC3339.format(Self.date(-0.5)) == "2026-03-08T06:59:59.500Z")
    }

    @Test("whole-second precision drops the fraction (the manifest's at: text)", arguments: [
        (0.0, "2026-03-08T07:00:00Z"), (0.75, "2026-03-08T07:00:00Z"), (0.9996, "2026-03-08T07:00:00Z"),
        (-0.25, "2026-03-08T06:59:59Z"),
    ])
    func seconds(offset: Double, text: String) {
        #expect(RFC3339.format(Self.date(offset), precision: .seconds) == text)
    }

    @Test("strict parsing accepts the RFC's variants", arguments: [
        ("2026-03-08t07:00:00z", 0.0), ("2026-03-08 07:00:00Z", 0.0), ("2026-03-08T07:00:00.5Z", 0.5),
        ("2026-03-08T07:00:00.123456Z", 0.123), ("2026-03-08T07:00:00.1235Z", 0.124), ("2026-03-08T07:00:59.9996Z", 60.0), ("2026-03-08T08:00:00+01:00", 0.0), ("2026-03-08T06:59:60Z", 0.0),
    ] as [(String, Double)])
    func variants(text: String, offset: Double) throws {
        let parsed = try #require(RFC3339.parse(text))
        #expect(abs(parsed.timeIntervalSince(Self.date(offset))) < 1e-6)
    }

    @Test("strict parsing refuses what is not a full timestamp", arguments: [
        "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-03-08T24:00:00Z", "2026-03-08T07:60:00Z",
        "2026-03-08T07:00:00", "2026-03-08T07:00:00+0400", "2026-03-08T07:00:00.Z", "2026-03-08T07:00Z", "",
        "2026-03-08T07:00:00Zx", "2026-03-08T07:00:00+24:00", "2026-03-08X07:00:00Z", "２０２６-03-08T07:00:00Z",
    ])
    func refuses(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test("local forms read in a zone; an offset wins", arguments: [
        ("2026-12-01T09:00", "Europe/Paris", "2026-12-01T08:00:00Z", false),
        ("2026-12-01 09:00:30", "Europe/Paris", "2026-12-01T08:00:30Z", false),
        ("2026-03-08T03:30", "America/New_York", "2026-03-08T07:30:00Z", false),
        ("2026-12-01T09:00:00+02:00", "Europe/Paris", "2026-12-01T07:00:00Z", true),
        ("2026-12-01t09:00z", "Asia/Tokyo", "2026-12-01T09:00:00Z", true),
        ("2026-12-01T09:00:00.250-05:30", "UTC", "2026-12-01T14:30:00.250Z", true),
    ])
    func local(text: String, zone: String, utc: String, hadOffset: Bool) throws {
        let timeZone = try #require(TimeZone.named(zone))
        let parsed = try #require(RFC3339.parse(text, localTo: timeZone))
        #expect(RFC3339.format(parsed.date) == utc)
        #expect(parsed.hadOffset == hadOffset)
    }

    @Test("the local reader refuses malformed text", arguments: [
        "2026-12-01", "2026-12-01T9:00", "2026-02-30T09:00", "2026-12-01T09:00:", "2026-12-01T09:00Zz", "tomorrow",
    ])
    func localRefuses(text: String) {
        #expect(RFC3339.parse(text, localTo: .utc) == nil)
    }

    @Test("extreme dates clamp instead of trapping")
    func clamps() {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1e300)) == "9999-12-31T23:59:59.999Z")
        #expect(RFC3339.format(.distantPast) == "0001-01-01T00:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: .infinity), precision: .seconds) == "9999-12-31T23:59:59Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -.infinity)) == "0001-01-01T00:00:00Z")
    }

    @Test("the fast path and the general parser agree on the writer's form")
    func fastPath() {
        for offset in stride(from: -3e9, through: 3e9, by: 7_777_777.123) {
            let text = Array(RFC3339.format(Self.date(offset)).utf8)
            text.withUnsafeBufferPointer { b in
                #expect(RFC3339.canonicalMilliseconds(b).map(RFC3339.date(milliseconds:)) == RFC3339.parseAnyForm(b))
                #expect(RFC3339.canonicalMilliseconds(b) != nil)
            }
        }
    }
}
