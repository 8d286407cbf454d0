import AlmanacCore
import Foundation
import Scheduler
import Processes
import Publishing
import Journal

/// Manual-run requests from `almanac trigger`, handed to the running runner through files.
///
/// Only the runner writes the journal (one writer, a lock file), so another process cannot
/// append a `triggered` event itself: it drops a request file in `STATE/triggers/` and the
/// runner journals it when it picks it up (polled every 250 ms).
package struct TriggerInbox: Sendable {
    package struct Request: Sendable, Hashable {
        package var job: String
        package var requestedBy: String
        package var file: URL
        /// Set for `almanac backfill`: the occurrences in `[from, to)` to run instead of one manual run.
        package var backfill: Backfill?
        /// Set for `almanac posts metrics`: numbers to journal instead of a run.
        package var engagement: EngagementRequest?
    }

    /// A backfill request's range and options (`almanac backfill`).
    package struct Backfill: Sendable, Hashable {
        package var from: Date
        package var to: Date
        package var rerun: Bool
        package var parallel: Int

        package init(from: Date, to: Date, rerun: Bool, parallel: Int) {
            (self.from, self.to, self.rerun, self.parallel) = (from, to, rerun, parallel)
        }
    }

    package let directory: URL

    package init(stateDirectory: URL) {
        directory = stateDirectory.appendingPathComponent("triggers", isDirectory: true)
    }

    /// Writes a request atomically (temp file + rename) so the runner never reads half of one.
    package func submit(job: String, requestedBy: String, backfill: Backfill? = nil, engagement: EngagementRequest? = nil) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let id = "\(Int(Date().timeIntervalSince1970 * 1000))-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var object: [String: Any] = ["job": job, "requestedBy": requestedBy]
        if let backfill {
            object["backfill"] = ["from": RFC3339.format(backfill.from), "to": RFC3339.format(backfill.to),
                                  "rerun": backfill.rerun, "parallel": backfill.parallel]
        }
        if let engagement {
            var fields: [String: Any] = ["metrics": engagement.metrics, "source": engagement.source.rawValue]
            if let target = engagement.target { fields["target"] = target }
            if let scheduledAt = engagement.scheduledAt { fields["scheduledAt"] = RFC3339.format(scheduledAt) }
            object["engagement"] = fields
        }
        let body = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let temp = directory.appendingPathComponent(".\(id).tmp")
        try body.write(to: temp)
        let final = directory.appendingPathComponent("\(id).json")
        guard rename(temp.path, final.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: final.path])
        }
    }

    /// Pending requests, oldest first. Unreadable files are returned with an empty job name so
    /// the caller can report and remove them.
    package func pending() -> [Request] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map { name in
            let file = directory.appendingPathComponent(name)
            let object = (try? Data(contentsOf: file)).flatMap { try? JSONSerialization.jsonObject(with: $0) } as? [String: Any]
            var backfill: Backfill?
            if let range = object?["backfill"] as? [String: Any], let from = (range["from"] as? String).flatMap(RFC3339.parse),
               let to = (range["to"] as? String).flatMap(RFC3339.parse) {
                backfill = Backfill(from: from, to: to, rerun: range["rerun"] as? Bool ?? false, parallel: range["parallel"] as? Int ?? 1)
            }
            let engagement = (object?["engagement"] as? [String: Any]).flatMap { Self.engagement($0, post: object?["job"] as? String) }
            // A backfill or metrics request that does not parse is dropped as unreadable, never run as a manual run.
            let unreadable = object?["backfill"] != nil && backfill == nil || object?["engagement"] != nil && engagement == nil
            let job = unreadable ? "" : object?["job"] as? String ?? ""
            return Request(job: job, requestedBy: object?["requestedBy"] as? String ?? "manual", file: file,
                           backfill: backfill, engagement: engagement)
        }
    }

    /// A metrics request's fields, as `submit` wrote them; nil when any is malformed.
    private static func engagement(_ fields: [String: Any], post: String?) -> EngagementRequest? {
        guard let post, let numbers = fields["metrics"] as? [String: Any] else { return nil }
        var metrics: [String: Double] = [:]
        for (name, value) in numbers {
            guard let number = value as? NSNumber else { return nil }
            metrics[name] = number.doubleValue
        }
        let scheduledAt = fields["scheduledAt"].map { ($0 as? String).flatMap(RFC3339.parse) }
        if case .some(nil) = scheduledAt { return nil }
        return EngagementRequest(post: post, target: fields["target"] as? String, scheduledAt: scheduledAt ?? nil,
                                 metrics: metrics, source: EngagementSource(rawValue: fields["source"] as? String ?? "cli"))
    }

    package func remove(_ request: Request) {
        try? FileManager.default.removeItem(at: request.file)
    }
}
