import Foundation

/// SIGKILL to a runner and to each of its children's process groups (a job is its own group),
/// as a supervisor's cgroup kill does; children are listed per thread that spawned them.
func killWithJobs(_ pid: Int32) {
    kill(pid, SIGSTOP)
    let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    for thread in threads {
        let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/children", encoding: .utf8)) ?? ""
        for child in children.split(separator: " ").compactMap({ Int32($0) }) { kill(-child, SIGKILL) }
    }
    kill(pid, SIGKILL)
}

/// The pids of live processes whose environment carries a child marker of `instance`
/// (`ALMANAC_RUN=<instance>/…`): children of that state directory's runners.
func markedProcesses(instance: String) -> [Int32] {
    let marker = Array("ALMANAC_RUN=\(instance)/".utf8)
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { pid in
        guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
        return environ.split(separator: 0).contains { $0.starts(with: marker) }
    }
}
