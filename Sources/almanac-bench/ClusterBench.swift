import Foundation
import Journal
import PostgresJournal
import PostgresTestSupport

/// The cluster's claims (docs/cluster.md): three PostgreSQL journals, as three runners would
/// hold them, claiming the same attempts at once in batches, against a throwaway local
/// server (initdb, as the tests start one); the file backend's claims measured alongside.
enum ClusterBench {
    static let attempts = 30_000
    static let batch = 500

    static func run() async throws -> [BenchResult] {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let started = (0..<attempts).map { index in
            JournalEvent(at: t0, .started(.init(job: "job-\(index % 1000)", scheduledAt: t0.addingTimeInterval(Double(index / 1000) * 60),
                                                attempt: 1, triggeredBy: .schedule)))
        }
        let url = try await TestPostgres.database()
        var journals: [PostgresJournal] = []
        for index in 0..<3 { journals.append(try await PostgresJournal.open(url, runner: "bench-\(index)")) }
        let clock = ContinuousClock()
        let start = clock.now
        let wins = try await withThrowingTaskGroup(of: Int.self) { group in
            for journal in journals {
                group.addTask {
                    var won = 0
                    for offset in stride(from: 0, to: attempts, by: batch) {
                        won += try await journal.claim(Array(started[offset..<offset + batch])).filter { $0 }.count
                    }
                    return won
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = (clock.now - start).timeInterval
        for journal in journals { try await journal.close() }
        guard wins == attempts else {
            throw BenchFailure(message: "\(wins) claims won for \(attempts) attempts: \(wins - attempts) duplicates")
        }
        let perSecond = Double(attempts) / elapsed

        // The file backend, one writer, the same batches.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-bench-claims-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = try FileJournal(directory: directory)
        let fileStart = clock.now
        for offset in stride(from: 0, to: attempts, by: batch) { _ = try await file.claim(Array(started[offset..<offset + batch])) }
        let fileSeconds = (clock.now - fileStart).timeInterval
        try await file.close()

        return try await ClusterFireBench.run() + TakeoverBench.run() + [
            BenchResult(section: "cluster", name: "claims/s, 3 PostgreSQL journals racing for the same \(attempts) attempts (batches of \(batch); local server, fsync off), 0 duplicates",
                        value: perSecond.rounded(), unit: "claims/s", peer: "file journal, one writer, same batches",
                        peerValue: (Double(attempts) / fileSeconds).rounded(), target: "≥ 10,000/s", met: perSecond >= 10_000),
        ]
    }
}
