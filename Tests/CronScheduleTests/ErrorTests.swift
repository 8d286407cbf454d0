import CronSchedule
import Testing

/// Invalid and impossible expressions say which field and why.
struct ErrorTests {
    static let cases: [(String, String)] = [
        ("61 * * * *", "minute field: 61 is out of range 0-59"),
        ("* 24 * * *", "hour field: 24 is out of range 0-23"),
        ("* * 0 * *", "day-of-month field: 0 is out of range 1-31"),
        ("* * * 13 *", "month field: 13 is out of range 1-12"),
        ("* * * * 8", "day-of-week field: 8 is out of range 0-7"),
        ("60 * * * * *", "second field: 60 is out of range 0-59"),
        ("* * * *", "expected 5 fields (or 6 with leading seconds), got 4"),
        ("", "empty expression"),
        ("*/0 * * * *", "minute field: step 0 must be at least 1"),
        ("5-2 * * * *", "minute field: range 5-2 starts after it ends"),
        ("1,,2 * * * *", "minute field: empty value in list '1,,2'"),
        ("x * * * *", "minute field: 'X' is not a valid value"),
        ("? * * * *", "minute field: ? is only allowed in day-of-month and day-of-week"),
        ("* * * * MON#6", "day-of-week field: occurrence after # 6 must be in range 1-5"),
        ("0 0 30 2 *", "day-of-month field: never fires: February has no day 30"),
        ("0 0 31 4,6 *", "day-of-month field: never fires: April and June have no day 31"),
        ("0 0 LW * */7", "day-of-month field: never fires: no date matches day-of-month 'LW' and day-of-week '*/7' in the months given"),
        ("@often", "unknown macro @often; expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly"),
    ]

    @Test("explains what is wrong", arguments: cases)
    func message(_ expression: String, _ expected: String) {
        #expect(throws: CronError.self) { try Schedule.parse(expression) }
        do {
            _ = try Schedule.parse(expression)
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test("the every: shorthand validates its numbers", arguments: [
        (Every(frequency: .daily, hour: 24, minute: 0), "hour field: 24 is out of range 0-23"),
        (Every(frequency: .daily, hour: 1, minute: 60), "minute field: 60 is out of range 0-59"),
        (Every(frequency: .weekly, hour: 1, minute: 0), "dayOfWeek field: weekly needs dayOfWeek (0-7, 0 and 7 are Sunday)"),
        (Every(frequency: .monthly, hour: 1, minute: 0, dayOfMonth: 32), "dayOfMonth field: 32 is out of range 1-31"),
    ])
    func everyErrors(_ every: Every, _ expected: String) {
        do {
            _ = try Schedule(every: every, timeZone: Schedule.utc)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == expected)
        }
    }
}
