import CronSchedule
import Foundation
import Testing

/// Replays scripts/gen_cron_vectors.py's cronsim 2.8 output and demands zero differences.
@Suite struct CronsimVectorTests {
    struct Vector {
        var line: Int, expression: String, zone: String, start: Double, next: [Int64], previous: [Int64]?
    }

    static func load() throws -> [Vector] {
        let url = try #require(Bundle.module.url(forResource: "cronsim", withExtension: "tsv", subdirectory: "Vectors"))
        let text = try String(contentsOf: url, encoding: .utf8)
        var out: [Vector] = []
        for (i, line) in text.split(separator: "\n").enumerated() where !line.hasPrefix("#") {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false)
            let ints = { (s: Substring) in s == "-" ? [] : s.split(separator: ",").compactMap { Int64($0) } }
            out.append(Vector(
                line: i + 1, expression: String(cols[0]), zone: String(cols[1]), start: try #require(Double(cols[2])),
                next: ints(cols[3]), previous: cols.count > 4 ? ints(cols[4]) : nil))
        }
        return out
    }

    @Test("matches cronsim on every generated (expression, zone, start) case")
    func replay() throws {
        let vectors = try Self.load()
        #expect(vectors.count >= 50_000)
        var failures: [String] = []
        var failed = 0
        var cache: [String: TimeZone] = [:]
        for v in vectors {
            let zone = try #require(cache[v.zone] ?? TimeZone(identifier: v.zone))
            cache[v.zone] = zone
            let schedule: Schedule
            do { schedule = try Schedule.parse(v.expression, timeZone: zone) } catch {
                failed += 1
                if failures.count < 12 { failures.append("line \(v.line): \(v.expression): \(error)") }
                continue
            }
            var got: [Int64] = []
            var cursor = Date(timeIntervalSince1970: v.start)
            while got.count < v.next.count, let fire = schedule.next(after: cursor) {
                got.append(Int64(fire.timeIntervalSince1970))
                cursor = fire
            }
            var gotPrevious: [Int64]?
            if let expected = v.previous {
                var back: [Int64] = []
                var cursor = Date(timeIntervalSince1970: v.start)
                while back.count < max(expected.count, 1), let fire = schedule.previous(before: cursor) {
                    back.append(Int64(fire.timeIntervalSince1970))
                    cursor = fire
                    if back.count == 3 { break }
                }
                gotPrevious = back
            }
            let previousOK = v.previous.map { exp in Array((gotPrevious ?? []).prefix(exp.count)) == exp && (exp.count == 3 || (gotPrevious ?? []).count <= exp.count) } ?? true
            if got != v.next || !previousOK {
                failed += 1
                if failures.count < 12 {
                    failures.append("line \(v.line): \(v.expression) \(v.zone) from \(v.start): next want \(v.next) got \(got); previous want \(v.previous ?? []) got \(gotPrevious ?? [])")
                }
            }
        }
        #expect(failed == 0, "\(failed) of \(vectors.count) differ from cronsim:\n\(failures.joined(separator: "\n"))")
    }
}
