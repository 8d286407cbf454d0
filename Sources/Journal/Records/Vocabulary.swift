/// A journal vocabulary: an open set of strings, with the values this version knows named.
///
/// Open, not a closed enum: a journal written by a newer version may hold a value this one
/// has no name for, and it must replay (and re-encode) unchanged. The raw value is exactly
/// the string on the line, so the file format is the strings themselves.
package protocol Vocabulary: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible, Comparable
where RawValue == String {
    init(rawValue: String)
}

extension Vocabulary {
    package var description: String { rawValue }
    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// How an attempt, a post target or a notification ended (`outcome`).
package struct Outcome: Vocabulary {
    package let rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }

    package static let success = Self(rawValue: "success")
    package static let failure = Self(rawValue: "failure")
    package static let timeout = Self(rawValue: "timeout")
    /// Exit 0, but the result reports failed items.
    package static let partial = Self(rawValue: "partial")
    package static let interrupted = Self(rawValue: "interrupted")
    package static let killed = Self(rawValue: "killed")
    package static let error = Self(rawValue: "error")
    /// Nothing to do this time (a scan with no new activity): neither success nor failure.
    package static let skipped = Self(rawValue: "skipped")
    /// A post target that was not published (`published` event), a notification not delivered.
    package static let failed = Self(rawValue: "failed")
    /// A notification the receiver accepted.
    package static let delivered = Self(rawValue: "delivered")

    /// Whether the job did its work: `success` or `partial`.
    package var succeeded: Bool { self == .success || self == .partial }
}

/// Why an attempt failed, for retry decisions and metrics (`errorClass`).
package struct FailureClass: Vocabulary {
    package let rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }

    package static let exit = Self(rawValue: "exit")
    package static let signal = Self(rawValue: "signal")
    package static let timeout = Self(rawValue: "timeout")
    package static let spawn = Self(rawValue: "spawn")
    package static let nonRetryable = Self(rawValue: "nonRetryable")
    package static let replaced = Self(rawValue: "replaced")
    package static let interrupted = Self(rawValue: "interrupted")
    /// The runner stopped before a claimed attempt was launched.
    package static let shutdown = Self(rawValue: "shutdown")
    /// A `kind: scan` job could not read its repository.
    package static let scan = Self(rawValue: "scan")
    /// A post due while no runner was up, outside the catch-up window.
    package static let missed = Self(rawValue: "missed")
}

/// What started a run or caused an override (`triggeredBy`).
package struct Cause: Vocabulary {
    package let rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }

    package static let schedule = Self(rawValue: "schedule")
    package static let manual = Self(rawValue: "manual")
    package static let catchup = Self(rawValue: "catchup")
    package static let retry = Self(rawValue: "retry")
    package static let recovery = Self(rawValue: "recovery")
    /// A past occurrence run by `almanac backfill`.
    package static let backfill = Self(rawValue: "backfill")
    /// An override made through the HTTP API.
    package static let api = Self(rawValue: "api")
    /// A resume the files caused (the definition changed since the pause).
    package static let files = Self(rawValue: "files")

    /// The prefix of runs owed because an upstream job succeeded.
    package static let afterPrefix = "after:"

    /// A run owed because `upstream` succeeded (`after:<upstream>`).
    package static func after(_ upstream: String) -> Self { Self(rawValue: afterPrefix + upstream) }

    /// Whether this is an `after:<job>` cause.
    package var isAfter: Bool { rawValue.hasPrefix(Self.afterPrefix) }

    /// The upstream job of an `after:<job>` cause.
    package var upstream: String? { isAfter ? String(rawValue.dropFirst(Self.afterPrefix.count)) : nil }
}

/// Why an occurrence was skipped (`reason` of `skipped`).
package struct SkipReason: Vocabulary {
    package let rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }

    package static let overlap = Self(rawValue: "overlap")
    package static let missed = Self(rawValue: "missed")
    package static let disabled = Self(rawValue: "disabled")
    package static let noActivity = Self(rawValue: "no-activity")
    package static let queue = Self(rawValue: "queue")
    /// The journal refused the claim.
    package static let journal = Self(rawValue: "journal")
    package static let paused = Self(rawValue: "paused")
}

/// Why a queued occurrence or a post target was cancelled (`reason` of `cancelled`).
package struct CancelReason: Vocabulary {
    package let rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }

    package static let removed = Self(rawValue: "removed")
    package static let replaced = Self(rawValue: "replaced")
    package static let cancelled = Self(rawValue: "cancelled")
    package static let shutdown = Self(rawValue: "shutdown")
    package static let api = Self(rawValue: "api")
}

/// Where one publish target of a post stands: `processing`, `published`, a failure outcome, or `cancelled`.
package struct PublicationState: Vocabulary {
    package let rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }

    package static let processing = Self(rawValue: "processing")
    package static let published = Self(rawValue: "published")
    package static let cancelled = Self(rawValue: "cancelled")
    package static let failure = Self(rawValue: "failure")
    package static let failed = Self(rawValue: "failed")
}
