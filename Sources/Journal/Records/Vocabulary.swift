/// A journal vocabulary: an open set of strings, with the values this version knows named.
///
/// Open, not a closed enum: a journal written by a newer version may hold a value this one
/// has no name for, and it must replay (and re-encode) unchanged. The raw value is exactly
/// the string on the line, so the file format is the strings themselves.
public protocol Vocabulary: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible, Comparable
where RawValue == String {
    init(rawValue: String)
}

extension Vocabulary {
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// How an attempt, a post target or a notification ended (`outcome`).
public struct Outcome: Vocabulary {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let success = Self(rawValue: "success")
    public static let failure = Self(rawValue: "failure")
    public static let timeout = Self(rawValue: "timeout")
    /// Exit 0, but the result reports failed items.
    public static let partial = Self(rawValue: "partial")
    public static let interrupted = Self(rawValue: "interrupted")
    public static let killed = Self(rawValue: "killed")
    public static let error = Self(rawValue: "error")
    /// Nothing to do this time (a scan with no new activity): neither success nor failure.
    public static let skipped = Self(rawValue: "skipped")
    /// A post target that was not published (`published` event), a notification not delivered.
    public static let failed = Self(rawValue: "failed")
    /// A notification the receiver accepted.
    public static let delivered = Self(rawValue: "delivered")

    /// Whether the job did its work: `success` or `partial`.
    public var succeeded: Bool { self == .success || self == .partial }
}

/// Why an attempt failed, for retry decisions and metrics (`errorClass`).
public struct FailureClass: Vocabulary {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let exit = Self(rawValue: "exit")
    public static let signal = Self(rawValue: "signal")
    public static let timeout = Self(rawValue: "timeout")
    public static let spawn = Self(rawValue: "spawn")
    public static let nonRetryable = Self(rawValue: "nonRetryable")
    public static let replaced = Self(rawValue: "replaced")
    public static let interrupted = Self(rawValue: "interrupted")
    /// A post due while no runner was up, outside the catch-up window.
    public static let missed = Self(rawValue: "missed")
}

/// What started a run or caused an override (`triggeredBy`).
public struct Cause: Vocabulary {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let schedule = Self(rawValue: "schedule")
    public static let manual = Self(rawValue: "manual")
    public static let catchup = Self(rawValue: "catchup")
    public static let retry = Self(rawValue: "retry")
    public static let recovery = Self(rawValue: "recovery")
    /// An override made through the HTTP API.
    public static let api = Self(rawValue: "api")
    /// A resume the files caused (the definition changed since the pause).
    public static let files = Self(rawValue: "files")

    /// The prefix of runs owed because an upstream job succeeded.
    public static let afterPrefix = "after:"

    /// A run owed because `upstream` succeeded (`after:<upstream>`).
    public static func after(_ upstream: String) -> Self { Self(rawValue: afterPrefix + upstream) }

    /// Whether this is an `after:<job>` cause.
    public var isAfter: Bool { rawValue.hasPrefix(Self.afterPrefix) }

    /// The upstream job of an `after:<job>` cause.
    public var upstream: String? { isAfter ? String(rawValue.dropFirst(Self.afterPrefix.count)) : nil }
}

/// Why an occurrence was skipped (`reason` of `skipped`).
public struct SkipReason: Vocabulary {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let overlap = Self(rawValue: "overlap")
    public static let missed = Self(rawValue: "missed")
    public static let disabled = Self(rawValue: "disabled")
    public static let noActivity = Self(rawValue: "no-activity")
    public static let queue = Self(rawValue: "queue")
    /// The journal refused the claim.
    public static let journal = Self(rawValue: "journal")
    public static let paused = Self(rawValue: "paused")
}

/// Why a queued occurrence or a post target was cancelled (`reason` of `cancelled`).
public struct CancelReason: Vocabulary {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let removed = Self(rawValue: "removed")
    public static let replaced = Self(rawValue: "replaced")
    public static let cancelled = Self(rawValue: "cancelled")
    public static let shutdown = Self(rawValue: "shutdown")
    public static let api = Self(rawValue: "api")
}

/// Where one publish target of a post stands: `processing`, `published`, a failure outcome, or `cancelled`.
public struct PublicationState: Vocabulary {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let processing = Self(rawValue: "processing")
    public static let published = Self(rawValue: "published")
    public static let cancelled = Self(rawValue: "cancelled")
    public static let failure = Self(rawValue: "failure")
    public static let failed = Self(rawValue: "failed")
}
