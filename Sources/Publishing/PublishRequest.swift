import Foundation
import Scheduler
import Processes

/// One attempt to publish one post occurrence to one target.
///
/// Built by the runner from the post's spec and its journal state; publishers need nothing
/// else. The idempotency key is part of the request, not derived by the publisher, so the
/// runner can persist it with the `processing` record and resend the very same key after
/// a crash.
package struct PublishRequest: Sendable, Hashable {
    /// The post's name.
    package var post: String
    /// The occurrence's scheduled time (the `at:` time, or a fire of the post's `schedule:`).
    package var scheduledAt: Date
    /// 1 for the first attempt, 2 for the first retry, …
    package var attempt: Int
    /// The target's name, or its index in the `publish:` list as text; nil for a single target.
    package var target: String?
    /// The post's `content:` map, passed through as given.
    package var content: [String: PayloadJSON]
    /// Sent as `Idempotency-Key`; the same on every attempt of this occurrence and target.
    package var idempotencyKey: String

    /// A request; the key defaults to `PublishRequest.idempotencyKey(post:scheduledAt:target:)`.
    package init(
        post: String, scheduledAt: Date, attempt: Int, target: String? = nil,
        content: [String: PayloadJSON], idempotencyKey: String? = nil
    ) {
        self.post = post
        self.scheduledAt = scheduledAt
        self.attempt = attempt
        self.target = target
        self.content = content
        self.idempotencyKey = idempotencyKey ?? Self.idempotencyKey(post: post, scheduledAt: scheduledAt, target: target)
    }

    /// `<post>@<scheduled time, RFC 3339 UTC>[#<target>]`, e.g. `launch@2026-03-08T09:00:00Z#mastodon`.
    ///
    /// Derived only from what identifies the occurrence and target — never from the attempt
    /// or the clock — so every retry and every process after a crash computes the same key.
    package static func idempotencyKey(post: String, scheduledAt: Date, target: String?) -> String {
        let base = "\(post)@\(rfc3339(scheduledAt))"
        return target.map { "\(base)#\($0)" } ?? base
    }

    /// The JSON document sent to the target: the content plus `post`, `scheduledAt` and `attempt`.
    ///
    /// The three added fields win over content fields of the same name, so a receiver can
    /// rely on them. Keys are sorted: the same request always gives the same bytes.
    package var body: Data {
        var document = content
        document["post"] = .string(post)
        document["scheduledAt"] = .string(Self.rfc3339(scheduledAt))
        document["attempt"] = .int(attempt)
        return PayloadJSON.object(document).encoded()
    }

    /// `2026-03-08T09:00:00Z`: whole seconds in UTC, as journal records write times.
    package static func rfc3339(_ date: Date) -> String {
        Runner.utcText(date)
    }
}
