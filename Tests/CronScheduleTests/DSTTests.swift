import CronSchedule
import Foundation
import Testing

/// DST behaviour, hand-checked against cronsim 2.8 (Debian cron semantics).
struct DSTTests {
    struct Case: CustomStringConvertible, Sendable {
        var expression: String, zone: String, from: String, expected: [String]
        var description: String { "\(expression) \(zone) \(from)" }
    }

    static let cases: [Case] = [
        // Spring forward: a specific time inside the gap runs right after it.
        Case(expression: "30 2 * * *", zone: "America/New_York", from: "2026-03-07T12:00:00-05:00",
             expected: ["2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"]),
        // Fall back: a specific time in the repeated hour runs once.
        Case(expression: "30 1 * * *", zone: "America/New_York", from: "2026-11-01T00:00:00-04:00",
             expected: ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]),
        // Finer than an hour: plain instants, the repeated hour runs twice.
        Case(expression: "*/30 * * * *", zone: "America/New_York", from: "2026-11-01T00:50:00-04:00",
             expected: ["2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00-05:00"]),
        Case(expression: "*/30 * * * *", zone: "America/New_York", from: "2026-03-08T01:10:00-05:00",
             expected: ["2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00"]),
        // Lord Howe shifts by 30 minutes.
        Case(expression: "15 2 * * *", zone: "Australia/Lord_Howe", from: "2026-10-03T12:00:00+10:30",
             expected: ["2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"]),
        Case(expression: "45 1 * * *", zone: "Australia/Lord_Howe", from: "2026-04-04T12:00:00+11:00",
             expected: ["2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"]),
        Case(expression: "*/30 * * * *", zone: "Australia/Lord_Howe", from: "2026-04-05T01:10:00+11:00",
             expected: ["2026-04-05T01:30:00+11:00", "2026-04-05T01:30:00+10:30", "2026-04-05T02:00:00+10:30", "2026-04-05T02:30:00+10:30"]),
        // fuzz-cron flagged it, cronsim 2.8 does the same: starting in the hour after Lord Howe's
        // fall-back change, an every-minute hour-0 schedule next fires at 00:30 the day after,
        // not 00:00 (the 30-minute step is carried over). Pinned as cronsim's, not "fixed".
        Case(expression: "* 0 * * *", zone: "Australia/Lord_Howe", from: "2026-04-05T01:00:00+11:00",
             expected: ["2026-04-06T00:30:00+10:30", "2026-04-06T00:31:00+10:30"]),
        // fuzz-cron again, cronsim's too: Kathmandu moved from +05:30 to +05:45 at 1986-01-01
        // 00:00, a 15-minute gap; an hourly schedule's 00:00 fell in it and fires at the gap's
        // end (00:15), finer schedules included, not only the wall-clock rule's specific times.
        Case(expression: "0 * * 1 *", zone: "Asia/Kathmandu", from: "1985-12-31T20:43:20+05:30",
             expected: ["1986-01-01T00:15:00+05:45", "1986-01-01T01:00:00+05:45"]),
        // Samoa skipped 2011-12-30 entirely: what fell on it runs at the first minute after.
        Case(expression: "0 9 * * *", zone: "Pacific/Apia", from: "2011-12-29T12:00:00-10:00",
             expected: ["2011-12-31T00:00:00+14:00", "2011-12-31T09:00:00+14:00"]),
        Case(expression: "0 12 30 12 *", zone: "Pacific/Apia", from: "2011-12-01T00:00:00-10:00",
             expected: ["2011-12-31T00:00:00+14:00", "2012-12-30T12:00:00+14:00"]),
    ]

    @Test("handles transitions like cronsim", arguments: cases)
    func transitions(_ c: Case) throws {
        #expect(try fires(c.expression, zone: c.zone, from: c.from, count: c.expected.count) == c.expected)
    }

    @Test("a start in the second pass of a repeated hour does not re-run the first")
    func secondPass() throws {
        // 01:40 EST is the second 01:40 of 2026-11-01; 01:45 EDT already ran, so the next is tomorrow.
        #expect(try fires("45 1 * * *", zone: "America/New_York", from: "2026-11-01T01:40:00-05:00", count: 1) == ["2026-11-02T01:45:00-05:00"])
    }

    @Test("previous(before:) across spring forward")
    func previousAcrossGap() throws {
        let s = try Schedule.parse("30 2 * * *", timeZone: TimeZone(identifier: "America/New_York")!)
        #expect(s.previous(before: at("2026-03-08T12:00:00-04:00")) == at("2026-03-08T03:00:00-04:00"))
    }
}

/// fuzz-cron found it: near Chatham's 45-minute fall-back change, cronsim's reverse search
/// loops forever; ours followed it for a million steps (16 s in a debug build), then answered
/// nil for a schedule that fires every day. It now gives up within milliseconds and scans.
@Suite("previous where cronsim's search loops")
struct LoopingSearchTests {
    @Test("previous(before:) after Chatham's fall-back change finds the last fire, quickly")
    func chathamPrevious() throws {
        let s = try Schedule.parse("*/30 2 * * *", timeZone: try #require(TimeZone(identifier: "Pacific/Chatham")))
        let clock = ContinuousClock()
        let started = clock.now
        #expect(s.previous(before: at("2026-04-06T02:00:00+12:45")) == at("2026-04-05T02:30:00+13:45"))
        #expect(s.previous(before: at("2026-04-05T06:35:00+13:45")) == at("2026-04-05T02:30:00+13:45"))
        #expect(clock.now - started < .seconds(2))
    }

    /// fuzz-cron: cronsim 2.8's iterator goes back in time here (after 03:30 CHADT it answers
    /// 03:00 CHADT again, round and round); `next` is strictly after its input, so it scans.
    @Test("next never goes back: */15 3 * * * across Chatham's fall-back change")
    func chathamNextForward() throws {
        let got = try fires("*/15 3 * * *", zone: "Pacific/Chatham", from: "2026-04-05T02:45:00+13:45", count: 6)
        #expect(got == ["2026-04-05T03:00:00+13:45", "2026-04-05T03:15:00+13:45", "2026-04-05T03:30:00+13:45",
                          "2026-04-05T03:00:00+12:45", "2026-04-05T03:15:00+12:45", "2026-04-05T03:30:00+12:45"])
    }
}
