/// A setting together with the `almanac.yaml` position that set it, for messages that say where.
public struct Located<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// Limits on what the tree may schedule, from `policy:` in `almanac.yaml`.
///
/// Nil means unset; a subdirectory's `almanac.yaml` overrides per key (nearest wins).
public struct Policy: Sendable, Hashable {
    public var allowPosts: Located<Bool>?
    public var allowSchedules: Located<Bool>?
    /// A post's `at:` may be at most this far after now.
    public var maxScheduleAhead: Located<Duration>?
    /// Posts to the same `content.channel` must be at least this far apart.
    public var minSpacing: Located<Duration>?
    /// Posts per `content.channel` per UTC day.
    public var maxPostsPerDay: Located<Int>?

    public init(allowPosts: Located<Bool>? = nil, allowSchedules: Located<Bool>? = nil,
                maxScheduleAhead: Located<Duration>? = nil, minSpacing: Located<Duration>? = nil,
                maxPostsPerDay: Located<Int>? = nil) {
        self.allowPosts = allowPosts
        self.allowSchedules = allowSchedules
        self.maxScheduleAhead = maxScheduleAhead
        self.minSpacing = minSpacing
        self.maxPostsPerDay = maxPostsPerDay
    }

    /// `self` with every key `nearer` sets taking precedence.
    func overridden(by nearer: Policy) -> Policy {
        Policy(allowPosts: nearer.allowPosts ?? allowPosts, allowSchedules: nearer.allowSchedules ?? allowSchedules,
               maxScheduleAhead: nearer.maxScheduleAhead ?? maxScheduleAhead, minSpacing: nearer.minSpacing ?? minSpacing,
               maxPostsPerDay: nearer.maxPostsPerDay ?? maxPostsPerDay)
    }
}
