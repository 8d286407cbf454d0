import Foundation
import Manifest

/// Times `ManifestLoader.load` over 10,000 realistic job files generated in memory.
enum ManifestBench {
    static let fileCount = 10_000

    static func run() async throws -> [BenchResult] {
        let files = (0..<fileCount).map(makeFile)
        let bytes = files.reduce(0) { $0 + $1.bytes.count }
        let now = Date(timeIntervalSince1970: 1_795_435_200)
        let environment = ["BACKUP_BUCKET": "s3://bucket", "HOOK": "T0/B0"]
        var manifest = ManifestLoader.load(files: files, environment: environment, now: now)  // warm-up
        var best = Double.infinity
        for _ in 0..<3 {
            best = min(best, secondsFor { manifest = ManifestLoader.load(files: files, environment: environment, now: now) })
        }
        guard manifest.isValid, manifest.jobs.count == fileCount else {
            throw BenchFailure(message: "expected \(fileCount) valid jobs, got \(manifest.jobs.count): \(manifest.diagnostics.prefix(3))")
        }
        return [
            BenchResult(section: "manifest", name: "load 10,000 job files (\(bytes / 1024) KiB)", value: best * 1000, unit: "ms",
                        target: "< 1 s", met: best < 1),
            BenchResult(section: "manifest", name: "files per second", value: Double(fileCount) / best, unit: "files/s"),
        ]
    }

    private static let schedules = ["0 3 * * *", "*/15 * * * *", "30 9 * * MON-FRI", "0 0 1 * *", "H 2 * * *", "@hourly",
                                    "0 */6 * * *", "15 4 L * *", "0 12 * * 1#2", "0 0 0 * * *"]
    private static let zones = ["UTC", "Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "Europe/Berlin"]

    private static func makeFile(_ i: Int) -> SourceFile {
        let trigger = i % 7 == 0
            ? "every: {frequency: weekly, hour: \(i % 24), minute: \(i % 60), dayOfWeek: \(i % 7)}"
            : "schedule: \"\(schedules[i % schedules.count])\""
        let text = """
            # Job \(i): generated for the manifest benchmark
            kind: job
            name: job-\(i)
            \(trigger)
            timezone: \(zones[i % zones.count])
            run: ["./scripts/task.sh", "--id", "\(i)", "--bucket", "${BACKUP_BUCKET}"]
            workdir: ../scripts
            env:
              BUCKET: "${BACKUP_BUCKET}"
              MODE: "\(i % 2 == 0 ? "full" : "incremental")"
            timeout: \(1 + i % 50)m
            retry: {max: \(i % 4), backoff: exponential, initial: 1s, maxDelay: 30s}
            concurrency: \(["forbid", "allow", "replace"][i % 3])
            catchup: {window: 1h, policy: latest}
            jitter: \(i % 30)s
            notify: [{on: [failure], webhook: "https://hooks.example/${HOOK}"}]

            """
        return SourceFile(path: "jobs.d/team-\(i % 50)/job-\(i).yaml", text: text)
    }
}

/// A benchmark precondition that did not hold.
