import AlmanacCore
import Testing

@Suite("Duration in whole units")
struct DurationUnitsTests {
    @Test("nanoseconds truncate toward zero and clamp to Int64 instead of trapping")
    func nanoseconds() {
        #expect(Duration.microseconds(100).nanoseconds == 100_000)
        #expect(Duration.seconds(2).nanoseconds == 2_000_000_000)
        #expect((Duration.seconds(1) + .nanoseconds(7)).nanoseconds == 1_000_000_007)
        #expect(Duration(secondsComponent: 0, attosecondsComponent: 999_999_999).nanoseconds == 0)
        #expect(Duration.seconds(-3).nanoseconds == -3_000_000_000)
        #expect(Duration.seconds(Int64.max).nanoseconds == .max)
        #expect(Duration.seconds(Int64.min).nanoseconds == .min)
    }

    @Test("milliseconds and seconds")
    func millisecondsAndSeconds() {
        #expect(Duration.milliseconds(1500).milliseconds == 1500)
        #expect(Duration.microseconds(1999).milliseconds == 1)
        #expect(Duration.milliseconds(250).timeInterval == 0.25)
    }
}
