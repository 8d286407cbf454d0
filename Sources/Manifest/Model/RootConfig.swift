import Foundation

/// Settings from `almanac.yaml`: policy, defaults, retention, parallelism, status output.
///
/// `history`, `maxParallel` and `status` are global and only read from the root file;
/// `policy` and `defaults` may be overridden per subdirectory (nearest wins per key).
public struct RootConfig: Sendable, Hashable {
    /// Journal retention.
    public struct History: Sendable, Hashable {
        /// Executions older than this are dropped by compaction (default 30d).
        public var keep: Duration
        /// At most this many executions are kept per job (default 1000).
        public var maxPerJob: Int

        public init(keep: Duration = .seconds(30 * 86_400), maxPerJob: Int = 1000) {
            self.keep = keep
            self.maxPerJob = maxPerJob
        }
    }

    /// Values used when a spec doesn't set them.
    public struct Defaults: Sendable, Hashable {
        public var timeZone: TimeZone?
        public var retry: RetryPolicy?
        public var notify: [NotifySpec]?
        public var catchup: CatchupPolicy?
        public var timeout: Duration?
        /// Default publish targets for posts.
        public var publish: [PublishTarget]?
        /// The output cap of jobs that set none.
        public var output: OutputPolicy?

        public init(timeZone: TimeZone? = nil, retry: RetryPolicy? = nil, notify: [NotifySpec]? = nil,
                    catchup: CatchupPolicy? = nil, timeout: Duration? = nil, publish: [PublishTarget]? = nil,
                    output: OutputPolicy? = nil) {
            self.timeZone = timeZone
            self.retry = retry
            self.notify = notify
            self.catchup = catchup
            self.timeout = timeout
            self.publish = publish
            self.output = output
        }

        func overridden(by nearer: Defaults) -> Defaults {
            Defaults(timeZone: nearer.timeZone ?? timeZone, retry: nearer.retry ?? retry, notify: nearer.notify ?? notify,
                     catchup: nearer.catchup ?? catchup, timeout: nearer.timeout ?? timeout, publish: nearer.publish ?? publish,
                     output: nearer.output ?? output)
        }
    }

    /// Where status files go.
    public struct StatusOutput: Sendable, Hashable {
        /// Directory under the root (default `status`).
        public var path: String
        /// Branch for status commits in git mode (default `almanac-status`).
        public var branch: String

        public init(path: String = "status", branch: String = "almanac-status") {
            self.path = path
            self.branch = branch
        }
    }

    public var policy: Policy
    public var history: History
    /// Most runs at once across all jobs; nil = unlimited.
    public var maxParallel: Int?
    public var defaults: Defaults
    public var status: StatusOutput

    public init(policy: Policy = Policy(), history: History = History(), maxParallel: Int? = nil,
                defaults: Defaults = Defaults(), status: StatusOutput = StatusOutput()) {
        self.policy = policy
        self.history = history
        self.maxParallel = maxParallel
        self.defaults = defaults
        self.status = status
    }
}
