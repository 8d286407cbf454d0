import Foundation
import Glibc
import Scheduler

/// The JSON object a job wrote to `$ALMANAC_RESULT`: what it did, beyond its exit code.
///
/// Fields with the wrong type are dropped and reported (see `parse`), so one bad metric
/// does not lose the message and item counts; `raw` keeps the text exactly as written.
package struct ResultFile: Sendable, Hashable {
    /// Item counts of a batch job: exit 0 with `failed > 0` is the outcome `partial`.
    package struct Items: Sendable, Hashable {
        /// Items the run looked at.
        package var processed: Int?
        /// Items handled successfully.
        package var succeeded: Int?
        /// Items that failed; more than zero turns exit 0 into `partial`.
        package var failed: Int?

        /// Counts as reported; a missing count stays nil.
        package init(processed: Int? = nil, succeeded: Int? = nil, failed: Int? = nil) {
            self.processed = processed
            self.succeeded = succeeded
            self.failed = failed
        }
    }

    /// A one-line summary for status pages and notifications.
    package var message: String?
    /// Per-item counts, when the job processes a batch.
    package var items: Items?
    /// Numeric metrics (`{"rows": 120, "seconds": 3.5}`); other values stay in `raw` only.
    package var metrics: [String: Double]
    /// The file's text as written, journaled verbatim.
    package var raw: String

    /// A result document; `raw` is the text it was parsed from.
    package init(message: String? = nil, items: Items? = nil, metrics: [String: Double] = [:], raw: String) {
        self.message = message
        self.items = items
        self.metrics = metrics
        self.raw = raw
    }

    /// The largest result file read; bigger files are an error, not a memory spike.
    package static let maxBytes = 1 << 20

    /// Reads and parses the file at `path` after the child exited.
    ///
    /// A missing file is no result and no error (most jobs never write one).
    static func read(path: String) -> (result: ResultFile?, error: String?) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            return errno == ENOENT ? (nil, nil) : (nil, "cannot read result file \(path): \(ProcessError.text(errno))")
        }
        defer { close(fd) }
        guard let bytes = LogTail.readAll(fd, limit: maxBytes + 1) else {
            return (nil, "cannot read result file \(path): \(ProcessError.text(errno))")
        }
        guard bytes.count <= maxBytes else { return (nil, "result file \(path) is larger than 1 MiB") }
        return parse(Data(bytes))
    }

    /// Parses a result document; the error lists every problem found.
    static func parse(_ data: Data) -> (result: ResultFile?, error: String?) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            return (nil, "result file is not valid JSON")
        }
        guard let fields = object as? [String: Any] else { return (nil, "result file must hold a JSON object") }
        var problems: [String] = []
        var result = ResultFile(raw: String(decoding: data, as: UTF8.self))
        if let value = fields["message"] {
            if let text = value as? String { result.message = text } else { problems.append("message must be a string") }
        }
        if let value = fields["items"] {
            if let counts = value as? [String: Any] {
                var items = Items()
                items.processed = count(counts, "processed", &problems)
                items.succeeded = count(counts, "succeeded", &problems)
                items.failed = count(counts, "failed", &problems)
                result.items = items
            } else {
                problems.append("items must be an object")
            }
        }
        if let value = fields["metrics"] {
            if let metrics = value as? [String: Any] {
                for (name, metric) in metrics {
                    if let number = metric as? NSNumber, !isBoolean(number) {
                        result.metrics[name] = number.doubleValue
                    } else {
                        problems.append("metrics.\(name) must be a number")
                    }
                }
            } else {
                problems.append("metrics must be an object")
            }
        }
        return (result, problems.isEmpty ? nil : "result file: " + problems.sorted().joined(separator: "; "))
    }

    private static func count(_ fields: [String: Any], _ key: String, _ problems: inout [String]) -> Int? {
        guard let value = fields[key] else { return nil }
        if let number = value as? NSNumber, !isBoolean(number), let int = value as? Int, int >= 0 { return int }
        problems.append("items.\(key) must be a non-negative integer")
        return nil
    }

    /// JSON `true`/`false` arrive as NSNumber too; their Objective-C type is `c` (char).
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
