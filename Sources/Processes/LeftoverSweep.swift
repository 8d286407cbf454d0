import CLinux
import Foundation
import Glibc
import Scheduler

/// Finds and stops the processes a previous runner of the same state directory left running.
///
/// A runner that is SIGKILLed cannot take its children with it, and the journal holds their
/// claims but not their pids. Every child carries `ALMANAC_RUN` (`RunMarker`), inherited by
/// its own children, so at start the runner looks for that marker in `/proc/*/environ`. The
/// state directory's lock means no other live runner can own a marked process.
package enum LeftoverSweep {
    /// One live process carrying a marker of this state directory (declared with the scheduler,
    /// which decides which leftovers to stop).
    package typealias Leftover = Scheduler.Leftover

    /// Every live process but this one whose environment carries a marker of `instance`.
    ///
    /// A process that changed its environment after exec still shows the one it started with
    /// (`environ` is the initial block); one started with a cleared environment (`env -i`) has
    /// no marker and is reached only through its process group.
    package static func scan(instance: String) -> [Leftover] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        let me = getpid()
        return entries.compactMap { entry -> Leftover? in
            guard let pid = Int32(entry), pid != me, let marker = marker(of: pid), marker.instance == instance else { return nil }
            return Leftover(pid: pid, marker: marker)
        }.sorted { $0.pid < $1.pid }
    }

    /// Sends SIGTERM to each leftover and to the process group it leads, SIGKILL to those still
    /// alive after `grace`, and waits (at most two more seconds) until they are gone.
    ///
    /// Each process is held by a pidfd and its marker read again through it, so a pid that was
    /// reused since the scan is never signalled. Returns the pids that needed SIGKILL.
    package static func terminate(_ leftovers: [Leftover], grace: Duration) async -> Set<Int32> {
        var held: [Held] = []
        for leftover in leftovers {
            let fd = almanac_pidfd_open(leftover.pid)
            if fd < 0, errno == ESRCH { continue }
            // Read after the pidfd is open: while that process lives, `pid` is still it.
            guard marker(of: leftover.pid) == leftover.marker else {
                if fd >= 0 { close(fd) }
                continue
            }
            held.append(Held(pid: leftover.pid, pidfd: fd))
        }
        defer { for process in held where process.pidfd >= 0 { close(process.pidfd) } }
        for process in held { process.signal(SIGTERM) }
        var forced = Set<Int32>()
        if !(await waitUntilGone(held, timeout: grace)) {
            for process in held where process.isAlive {
                process.signal(SIGKILL)
                forced.insert(process.pid)
            }
            _ = await waitUntilGone(held, timeout: .seconds(2))
        }
        return forced
    }

    /// The `ALMANAC_RUN` marker in `pid`'s initial environment, if any.
    static func marker(of pid: Int32) -> RunMarker? {
        guard let bytes = environment(of: pid) else { return nil }
        let needle = Array((RunMarker.variable + "=").utf8)
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0) ?? bytes.count
            if end - start > needle.count, bytes[start..<(start + needle.count)].elementsEqual(needle) {
                return RunMarker(text: String(decoding: bytes[(start + needle.count)..<end], as: UTF8.self))
            }
            start = end + 1
        }
        return nil
    }

    /// `/proc/<pid>/environ`: readable for our own user's processes, empty for zombies.
    private static func environment(of pid: Int32) -> [UInt8]? {
        let fd = open("/proc/\(pid)/environ", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    private static func waitUntilGone(_ held: [Held], timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while held.contains(where: \.isAlive) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// A leftover pinned by its pidfd (-1 where pidfds are unavailable: then by pid alone).
    private struct Held {
        let pid: Int32
        let pidfd: Int32

        /// Signals the process and, when it leads its process group, the group: grandchildren
        /// started without the marker still go with the job's own child.
        func signal(_ number: Int32) {
            // The group first, while its leader is alive and pins the group id.
            if isAlive, getpgid(pid) == pid { kill(-pid, number) }
            if pidfd >= 0 {
                _ = almanac_pidfd_send_signal(pidfd, number)
            } else {
                kill(pid, number)
            }
        }

        /// Alive until it exits; a zombie waiting for its new parent to reap it counts as gone.
        var isAlive: Bool {
            if pidfd >= 0 {
                var entry = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
                return poll(&entry, 1, 0) == 0
            }
            guard kill(pid, 0) == 0 else { return false }
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            return !(stat.range(of: ") ", options: .backwards).map { stat[$0.upperBound...].hasPrefix("Z") } ?? false)
        }
    }
}
