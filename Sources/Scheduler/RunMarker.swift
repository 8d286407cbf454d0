import Foundation
import Journal

/// The `ALMANAC_RUN` environment variable every child gets: which state directory, occurrence
/// and attempt it belongs to.
///
/// A child whose runner was SIGKILLed is found again through it: the journal holds its claim
/// but never its pid, and grandchildren inherit the variable, so a restarted runner can find
/// the whole tree in `/proc/*/environ`. It holds only the state directory's random instance
/// id, the job name, the scheduled time (epoch milliseconds, exact to compare with the journal's
/// keys) and the attempt — nothing from the job's environment, nothing secret.
package struct RunMarker: Sendable, Hashable, CustomStringConvertible {
    /// The variable's name.
    package static let variable = "ALMANAC_RUN"

    /// The state directory's instance id (`StateInstance`).
    package var instance: String
    package var job: String
    /// The scheduled time in milliseconds since 1970.
    package var scheduledAtMs: Int64
    package var attempt: Int

    package init(instance: String, key: OccurrenceKey, attempt: Int) {
        self.instance = instance
        self.job = key.job
        self.scheduledAtMs = Self.milliseconds(key.scheduledAt)
        self.attempt = attempt
    }

    /// Reads `instance/job/ms/attempt`; nil for anything else.
    package init?(text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, !parts[0].isEmpty, !parts[1].isEmpty,
              let ms = Int64(parts[2]), let attempt = Int(parts[3]), attempt > 0
        else { return nil }
        instance = String(parts[0])
        job = String(parts[1])
        scheduledAtMs = ms
        self.attempt = attempt
    }

    /// The variable's value.
    package var description: String { "\(instance)/\(job)/\(scheduledAtMs)/\(attempt)" }

    /// The occurrence it marks.
    package var key: OccurrenceKey {
        OccurrenceKey(job: job, scheduledAt: Date(timeIntervalSince1970: Double(scheduledAtMs) / 1000))
    }

    /// Whether it marks `attempt` of `key` (times compared to the millisecond, as journaled).
    package func marks(_ key: OccurrenceKey, attempt: Int) -> Bool {
        self.attempt == attempt && job == key.job && scheduledAtMs == Self.milliseconds(key.scheduledAt)
    }

    /// `environment` with the marker set, replacing any value a job's `env:` gave it.
    package func stamped(_ environment: [String: String]) -> [String: String] {
        var environment = environment
        environment[Self.variable] = description
        return environment
    }

    package static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

/// One live process carrying a marker of this state directory: found by the job launcher
/// (`JobLauncher.leftovers()`), judged against the journal by the runner.
package struct Leftover: Sendable, Hashable {
    package var pid: Int32
    package var marker: RunMarker

    package init(pid: Int32, marker: RunMarker) {
        self.pid = pid
        self.marker = marker
    }
}
