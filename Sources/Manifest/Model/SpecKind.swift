import CronSchedule
import Foundation

/// What a document describes: a command on a schedule, a one-shot publication, or a repo scan.
public enum SpecKind: String, Sendable, Hashable, Codable, CaseIterable {
    case job, post, scan
}

/// When a spec fires.
///
/// `.manual` is a job with neither `schedule:` nor `every:` — it runs only when triggered
/// (`almanac trigger`) or after another job (`after:`). Scans always need a schedule; posts
/// need `at:` or `schedule:`.
public enum Trigger: Sendable, Hashable {
    case cron(Schedule)
    case at(Date)
    case manual
}

/// What to execute: an argv list run directly, or a string run with `/bin/sh -c`.
public enum Command: Sendable, Hashable {
    case argv([String])
    case shell(String)

    /// Canonical text for `fields`: JSON array for argv, the raw string for shell.
    public var canonicalText: String {
        switch self {
        case .argv(let words): JSONValue.array(words.map(JSONValue.string)).canonicalText
        case .shell(let line): line
        }
    }
}

/// How concurrent fires of one job behave.
public enum ConcurrencyPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// A fire while the previous run is still going is skipped (and journaled as skipped).
    case forbid
    /// Runs overlap.
    case allow
    /// The running one is stopped and the new one starts.
    case replace
}

/// Resource limits applied to each child with setrlimit.
public struct Limits: Sendable, Hashable, Codable {
    /// Address-space limit in bytes (`memory: 512M`).
    public var memory: UInt64?
    /// CPU time limit (`cpu: 10m`).
    public var cpu: Duration?

    public init(memory: UInt64? = nil, cpu: Duration? = nil) {
        self.memory = memory
        self.cpu = cpu
    }
}
