import CronSchedule
import Foundation

/// ns per tz-aware `next(after:)`, chained from the previous result, against cronsim and croniter.
enum CronBench {
    static let expressions = ["*/5 * * * *", "0 9 * * 1-5", "30 2 * * *", "0 0 L * *"]
    static let zones = ["UTC", "America/New_York"]
    static let start = Date(timeIntervalSince1970: 1_704_067_200)  // 2024-01-01T00:00:00Z
    static let horizon = Date(timeIntervalSince1970: 4_102_444_800)  // 2100-01-01T00:00:00Z

    static func run() async throws -> [BenchResult] {
        let peers = pythonPeers()
        var rows: [BenchResult] = []
        for zoneName in zones {
            guard let zone = TimeZone(identifier: zoneName) else { continue }
            for expression in expressions {
                let schedule = try Schedule.parse(expression, timeZone: zone)
                var cursor = start
                let ns = nanosecondsPerCall(iterations: 400_000) { _ in
                    // Wrap at 2100 so long chains stay in realistic, DST-bearing years.
                    let fire = schedule.next(after: cursor) ?? start
                    cursor = fire < horizon ? fire : start
                }
                let key = "\(expression)|\(zoneName)"
                let name = "next `\(expression)` \(zoneName)"
                rows.append(BenchResult(
                    section: "cron", name: name, value: ns, unit: "ns",
                    peer: peers.isEmpty ? "cronsim: not installed" : "cronsim", peerValue: peers[key]?["cronsim"],
                    target: "≤ 300 ns", met: ns <= 300))
                if let croniter = peers[key]?["croniter"] {
                    rows.append(BenchResult(
                        section: "cron", name: name, value: ns, unit: "ns", peer: "croniter", peerValue: croniter))
                }
            }
        }
        return rows
    }

    static let script = """
        import json, sys, time
        from datetime import datetime, timezone
        from zoneinfo import ZoneInfo
        out = {}
        cases = json.loads(sys.argv[1])
        try:
            from cronsim import CronSim
        except ImportError:
            CronSim = None
        try:
            from croniter import croniter
        except ImportError:
            croniter = None
        for expr, zone in cases:
            tz = ZoneInfo(zone)
            start = datetime.fromtimestamp(1704067200, tz)
            row = {}
            n = 3000
            if CronSim:
                it = CronSim(expr, start)
                t = time.perf_counter()
                for _ in range(n): next(it)
                row["cronsim"] = (time.perf_counter() - t) / n * 1e9
            if croniter:
                it = croniter(expr, start)
                t = time.perf_counter()
                for _ in range(n): it.get_next(datetime)
                row["croniter"] = (time.perf_counter() - t) / n * 1e9
            out[expr + "|" + zone] = row
        print(json.dumps(out))
        """

    /// Runs the peers in python3 when available; empty when python3 or the packages are missing.
    static func pythonPeers() -> [String: [String: Double]] {
        let cases = zones.flatMap { zone in expressions.map { [$0, zone] } }
        guard let casesJSON = try? JSONSerialization.data(withJSONObject: cases),
            let casesText = String(data: casesJSON, encoding: .utf8)
        else { return [:] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, casesText]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return [:] }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let decoded = try? JSONDecoder().decode([String: [String: Double]].self, from: data)
        else { return [:] }
        return decoded
    }
}
