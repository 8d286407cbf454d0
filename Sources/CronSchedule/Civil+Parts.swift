import AlmanacCore

extension Civil {
    /// A wall-clock second count broken into its civil parts: the unit the cron search steps.
    struct Parts {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

        init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
            (self.year, self.month, self.day) = (year, month, day)
            (self.hour, self.minute, self.second) = (hour, minute, second)
        }

        init(_ wall: Int64) {
            let days = Civil.floorDiv(wall, Civil.secondsPerDay)
            let sod = Int(wall - days * Civil.secondsPerDay)
            (year, month, day) = Civil.date(days: days)
            (hour, minute, second) = (sod / 3600, sod / 60 % 60, sod % 60)
        }

        var wall: Int64 {
            Civil.days(year: year, month: month, day: day) * Civil.secondsPerDay
                + Int64(hour * 3600 + minute * 60 + second)
        }
    }
}
