import Foundation
import Scheduler

/// Decides whether a reaped child's `ru_maxrss` is the job's own peak, or may be the runner's.
///
/// Linux records, at `execve`, the high-water RSS of the address space the new program
/// replaces (`exec_mmap` → `setmax_mm_hiwater_rss`). `posix_spawn` runs the child on the
/// parent's address space until the exec (CLONE_VM|CLONE_VFORK), and `fork` copies it, so a
/// child's `ru_maxrss` is max(runner's peak at the spawn, job's own peak): `/bin/true` reads
/// 40–60 MB. The runner's `VmHWM` only grows, so a reading above the runner's peak at reap time
/// cannot be the runner's and is the job's; anything at or below it cannot be told apart from
/// the runner's and is omitted rather than reported as the job's. (An exact figure would take a
/// per-attempt cgroup v2 with `memory.peak`, or a small helper that forks the job and hands back
/// its rusage; neither is available everywhere, so not measuring is the honest default.)
enum ChildPeak {
    /// Slack for the kernel's per-CPU RSS counters, which may lag by a few hundred pages.
    static let marginKB = 4 * 1024

    /// The job's own peak in KiB, or nil when `maxRSSKB` could be the runner's.
    static func jobPeakKB(reported maxRSSKB: Int, runnerPeakKB: Int? = runnerPeakKB()) -> Int? {
        guard let runnerPeakKB else { return nil }
        return maxRSSKB > runnerPeakKB + marginKB ? maxRSSKB : nil
    }

    /// The runner's own peak resident set (`VmHWM` of /proc/self/status) in KiB.
    ///
    /// Not `getrusage(RUSAGE_SELF)`: that too includes whatever spawned the runner.
    static func runnerPeakKB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.dropFirst("VmHWM:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }
}
