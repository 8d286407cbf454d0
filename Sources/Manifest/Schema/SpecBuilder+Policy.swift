import AlmanacCore
import Foundation

extension SchemaContext {
    /// Per-spec policy: `allowPosts`, `allowSchedules`, `maxScheduleAhead`, and past `at:` warnings.
    ///
    /// Cross-spec rules (spacing, posts per day) are checked by `PostPolicyChecker`.
    mutating func checkPolicy(_ m: MappingFields, spec: JobSpec, policy: Policy, now: Date) {
        if spec.kind == .post, let allow = policy.allowPosts, !allow.value {
            error("posts are not allowed here (allowPosts: false set at \(allow.location))", at: m.mark(of: "kind"))
        }
        if case .cron = spec.trigger, let allow = policy.allowSchedules, !allow.value {
            let key = m["schedule"] != nil ? "schedule" : "every"
            error("\(key): recurring schedules are not allowed here (allowSchedules: false set at \(allow.location))",
                  at: m[key]?.mark ?? m.mark)
        }
        guard case .at(let date) = spec.trigger, let atNode = m["at"], !spec.cancelled else { return }
        let text = RFC3339.format(date, precision: .seconds)
        if date < now {
            warning("at: \(text) is in the past (now \(RFC3339.format(now, precision: .seconds))); the catch-up policy decides whether it still publishes",
                    at: atNode.mark)
        }
        if let limit = policy.maxScheduleAhead, date.timeIntervalSince(now) > seconds(limit.value) {
            error("at: \(text) exceeds maxScheduleAhead \(formatDuration(limit.value)) set at \(limit.location)", at: atNode.mark)
        }
    }
}

/// A `Duration` as floating seconds, for comparing with `Date` intervals.
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
