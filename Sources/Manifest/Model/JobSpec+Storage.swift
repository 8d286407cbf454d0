import CronSchedule
import Foundation

extension JobSpec {
    /// The fields every spec uses, boxed: a JobSpec is one pointer wide.
    ///
    /// A runner holds 100,000 specs in a dictionary and a manifest in an array; inline, each
    /// slot would be ~600 bytes (times the dictionary's spare capacity).
    struct Values: Sendable, Hashable {
        var name: String
        var kind: SpecKind
        var trigger: Trigger
        var triggerText: String
        var timeZone: TimeZone
        var command: Command?
        var commandTemplate: Command?
        var workdir: String
        var concurrency: ConcurrencyPolicy
        var jitter: Duration
        var enabled: Bool
        var location: SourceLocation
        var cold: ColdValues.Box
    }

    /// Fields most specs leave at their defaults (and post and scan fields), kept apart so
    /// specs that use none of them share one box.
    struct ColdValues: Sendable, Hashable {
        var environment: [String: String]
        var environmentTemplate: [String: String]
        var timeout: Duration?
        var retry: RetryPolicy
        var nonRetryableExitCodes: Set<Int32>
        var catchup: CatchupPolicy
        var notify: [NotifySpec]
        var after: [String]
        var limits: Limits?
        var content: [String: JSONValue]
        var publish: [PublishTarget]
        var cancelled: Bool
        var repo: String?
        var repoTemplate: String?
        var branch: String?
        var since: Duration?
        /// `output:`; nil means `OutputPolicy()`'s default cap.
        var output: OutputPolicy? = nil
        var workdirTemplate: String?
        var secrets: SecretMask

        /// The shared box of all-default cold fields.
        static let defaults = Box(ColdValues(
            environment: [:], environmentTemplate: [:], timeout: nil, retry: .none, nonRetryableExitCodes: [],
            catchup: CatchupPolicy(), notify: [], after: [], limits: nil, content: [:], publish: [], cancelled: false,
            repo: nil, repoTemplate: nil, branch: nil, since: nil, workdirTemplate: nil, secrets: .none))

        /// An immutable box, replaced (never mutated) when a cold field changes.
        final class Box: Sendable, Hashable {
            let values: ColdValues

            init(_ values: ColdValues) { self.values = values }

            static func == (lhs: Box, rhs: Box) -> Bool { lhs === rhs || lhs.values == rhs.values }

            func hash(into hasher: inout Hasher) { values.hash(into: &hasher) }
        }
    }

    /// Copy-on-write storage: mutated only when uniquely referenced.
    final class Storage: @unchecked Sendable {
        var values: Values

        init(_ values: Values) { self.values = values }
    }
}

extension JobSpec: CustomReflectable {
    /// The fields, hot and cold alike, so `print` and test failures show them rather than the box.
    public var customMirror: Mirror {
        let hot = Mirror(reflecting: storage.values).children.filter { $0.label != "cold" }
        let cold = Mirror(reflecting: storage.values.cold.values).children
        return Mirror(self, children: Array(hot) + Array(cold), displayStyle: .struct)
    }
}
