import Foundation
import Glibc
import Scheduler
import Processes
import Daemon

/// Spawn throughput: 1,000 `/bin/true` children through ProcessLauncher vs. a raw posix_spawn loop.
///
/// The runner must start 1,000 jobs fired in the same second; the launcher does more per
/// child than a bare spawn (log file, process group, pidfd, result object), and this
/// shows what that costs. Launcher: spawn all, then await all. Raw: spawn + waitpid each.
/// Best of three alternating rounds each.
enum SpawnBench {
    static let children = 1_000
    static let rounds = 3

    static func run() async throws -> [BenchResult] {
        let dir = NSTemporaryDirectory() + "almanac-spawnbench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let launcher = ProcessLauncher()
        let environment = ProcessInfo.processInfo.environment
        let spec = ProcessSpec(
            command: .argv(["/bin/true"]), workdir: "/", environment: environment, logPath: dir + "/true.log")
        // Warm up both paths (page cache, dyld of /bin/true, dispatch threads).
        _ = try await burst(launcher, spec, count: 50)
        _ = try rawLoop(count: 50)

        // The box is shared and spawn cost is noisy: alternate the two, keep the best of each.
        var launcherSeconds = Double.infinity, rawSeconds = Double.infinity
        for _ in 0..<rounds {
            launcherSeconds = min(launcherSeconds, try await burst(launcher, spec, count: children))
            rawSeconds = min(rawSeconds, try rawLoop(count: children))
        }
        let launcherRate = Double(children) / launcherSeconds
        let rawRate = Double(children) / rawSeconds
        let share = launcherRate / rawRate
        return [
            BenchResult(
                section: "spawn", name: "1,000 /bin/true, spawn all then await all", value: launcherRate,
                unit: "spawns/s", peer: "raw posix_spawn+waitpid", peerValue: rawRate,
                target: "≥ 65% of raw", met: share >= 0.65),
            BenchResult(
                section: "spawn", name: "launcher rate as share of raw", value: share * 100, unit: "%",
                target: "≥ 65%", met: share >= 0.65),
            BenchResult(
                section: "spawn", name: "1,000 /bin/true burst, wall time (best)", value: launcherSeconds * 1000, unit: "ms",
                target: "≤ 1000 ms", met: launcherSeconds <= 1),
        ]
    }

    /// Seconds to spawn `count` children through the launcher and collect every result.
    private static func burst(_ launcher: ProcessLauncher, _ spec: ProcessSpec, count: Int) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        var processes: [RunningProcess] = []
        processes.reserveCapacity(count)
        for _ in 0..<count { processes.append(try launcher.start(spec)) }
        for process in processes {
            let result = await process.wait()
            guard result.exitCode == 0 else { throw BenchFailure(message: "/bin/true exited with \(String(describing: result.exitCode))") }
        }
        return seconds(clock.now - start)
    }

    /// Seconds for `count` rounds of posix_spawn + waitpid of /bin/true, the floor for any launcher.
    static func rawLoop(count: Int) throws -> Double {
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        return try secondsFor {
            for _ in 0..<count {
                var pid: pid_t = 0
                let code = posix_spawn(&pid, "/bin/true", nil, nil, argv, environ)
                guard code == 0 else { throw BenchFailure(message: "posix_spawn: \(String(cString: strerror(code)))") }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            }
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// A benchmark that could not run as intended.
