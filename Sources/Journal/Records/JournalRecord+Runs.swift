import Foundation

extension JournalRecord {
    /// The fields a record about one occurrence (and attempt) starts with.
    fileprivate static func occurrence<P: OccurrenceRecord & RecordPayload>() -> [RecordField<P>] {
        [.string(.job, { $0.job }, { $0.job = $1 }),
         .date(.scheduledAt, { $0.scheduledAt }, { $0.scheduledAt = $1 }),
         .int(.attempt, { $0.attempt }, { $0.attempt = $1 }),
         .word(.triggeredBy, { $0.triggeredBy }, { $0.triggeredBy = $1 })]
    }

    /// A time the runner will fire the job next (`scheduled`).
    package struct Scheduled: JobRecord, RecordPayload {
        package var job: String
        package var scheduledAt: Date?

        package init(job: String, scheduledAt: Date?) {
            self.job = job
            self.scheduledAt = scheduledAt
        }

        package static let blank = Self(job: "", scheduledAt: nil)
        package static let required: [RecordKey] = [.job]
        package static let fields: [RecordField<Self>] = [
            .string(.job, { $0.job }, { $0.job = $1 }),
            .date(.scheduledAt, { $0.scheduledAt }, { $0.scheduledAt = $1 }),
        ]
    }

    /// An occurrence waiting for a slot (`queued`), or a run owed to `manual`/`after:` (`triggered`).
    package struct Queued: OccurrenceRecord, RecordPayload {
        package var job: String
        package var scheduledAt: Date?
        package var attempt: Int?
        package var triggeredBy: Cause?

        package init(job: String, scheduledAt: Date? = nil, attempt: Int? = nil, triggeredBy: Cause? = nil) {
            self.job = job
            self.scheduledAt = scheduledAt
            self.attempt = attempt
            self.triggeredBy = triggeredBy
        }

        package static let blank = Self(job: "")
        package static let fields: [RecordField<Self>] = occurrence()
    }

    /// A run owed: `manual` (the API or CLI asked) or `after:<job>` (an upstream succeeded).
    package typealias Triggered = Queued

    /// An attempt claimed and launched (`started`).
    package struct Started: OccurrenceRecord, RecordPayload {
        package var job: String
        package var scheduledAt: Date?
        package var attempt: Int?
        package var triggeredBy: Cause?
        /// A first figure for the lateness; the `finished` record has the launch's exact one.
        package var lateUs: Int?
        package var pid: Int?
        /// The runner that claimed the attempt, beside peers on a shared journal (set by the claim).
        package var runner: String?

        package init(job: String, scheduledAt: Date? = nil, attempt: Int? = nil, triggeredBy: Cause? = nil,
                    lateUs: Int? = nil, pid: Int? = nil, runner: String? = nil) {
            self.job = job
            self.scheduledAt = scheduledAt
            self.attempt = attempt
            self.triggeredBy = triggeredBy
            self.lateUs = lateUs
            self.pid = pid
            self.runner = runner
        }

        package static let blank = Self(job: "")
        package static let fields: [RecordField<Self>] = occurrence() + [
            .int(.lateUs, { $0.lateUs }, { $0.lateUs = $1 }),
            .int(.pid, { $0.pid }, { $0.pid = $1 }),
            .string(.runner, { $0.runner }, { $0.runner = $1 }),
        ]
    }

    /// An attempt's end (`finished`, or `interrupted` when a restarted runner found it running).
    ///
    /// With a `target` it is the end of one publish target of a post instead (older journals).
    package struct Finished: OccurrenceRecord, RecordPayload {
        package var job: String
        package var scheduledAt: Date?
        package var attempt: Int?
        package var triggeredBy: Cause?
        package var metrics: ExecutionMetrics
        /// Why it was skipped (`no activity`) or failed to start, in words.
        package var reason: String?
        package var message: String?
        package var target: String?
        package var url: String?
        package var status: Int?

        package init(job: String, scheduledAt: Date? = nil, attempt: Int? = nil, triggeredBy: Cause? = nil,
                    metrics: ExecutionMetrics = ExecutionMetrics(), reason: String? = nil, message: String? = nil,
                    target: String? = nil, url: String? = nil, status: Int? = nil) {
            self.job = job
            self.scheduledAt = scheduledAt
            self.attempt = attempt
            self.triggeredBy = triggeredBy
            self.metrics = metrics
            self.reason = reason
            self.message = message
            self.target = target
            self.url = url
            self.status = status
        }

        package static let blank = Self(job: "")
        package static let fields: [RecordField<Self>] = occurrence() + ExecutionMetrics.fields.map {
            $0.lifted({ $0.metrics }, { finished, body in body(&finished.metrics) })
        } + [
            .string(.reason, { $0.reason }, { $0.reason = $1 }),
            .string(.message, { $0.message }, { $0.message = $1 }),
            .string(.target, { $0.target }, { $0.target = $1 }),
            .string(.url, { $0.url }, { $0.url = $1 }),
            .int(.status, { $0.status }, { $0.status = $1 }),
        ]
    }

    /// A retry that is due at `retryAt` (`retry`); `attempt` is the attempt it will be.
    package struct Retry: OccurrenceRecord, RecordPayload {
        package var job: String
        package var scheduledAt: Date?
        package var attempt: Int?
        package var triggeredBy: Cause?
        package var errorClass: FailureClass?
        package var retryAt: Date?

        package init(job: String, scheduledAt: Date? = nil, attempt: Int? = nil, triggeredBy: Cause? = nil,
                    errorClass: FailureClass? = nil, retryAt: Date? = nil) {
            self.job = job
            self.scheduledAt = scheduledAt
            self.attempt = attempt
            self.triggeredBy = triggeredBy
            self.errorClass = errorClass
            self.retryAt = retryAt
        }

        package static let blank = Self(job: "")
        package static let fields: [RecordField<Self>] = occurrence() + [
            .word(.errorClass, { $0.errorClass }, { $0.errorClass = $1 }),
            .date(.retryAt, { $0.retryAt }, { $0.retryAt = $1 }),
        ]
    }

    /// An occurrence that did not run (`skipped`).
    package struct Skipped: OccurrenceRecord, RecordPayload {
        package var job: String
        package var scheduledAt: Date?
        package var attempt: Int?
        package var triggeredBy: Cause?
        package var reason: SkipReason?
        package var message: String?

        package init(job: String, scheduledAt: Date? = nil, attempt: Int? = nil, triggeredBy: Cause? = nil,
                    reason: SkipReason? = nil, message: String? = nil) {
            self.job = job
            self.scheduledAt = scheduledAt
            self.attempt = attempt
            self.triggeredBy = triggeredBy
            self.reason = reason
            self.message = message
        }

        package static let blank = Self(job: "")
        package static let fields: [RecordField<Self>] = occurrence() + [
            .word(.reason, { $0.reason }, { $0.reason = $1 }),
            .string(.message, { $0.message }, { $0.message = $1 }),
        ]
    }

    /// A queued occurrence, a pending retry or one post target called off (`cancelled`).
    package struct Cancelled: OccurrenceRecord, RecordPayload {
        package var job: String
        package var scheduledAt: Date?
        package var attempt: Int?
        package var triggeredBy: Cause?
        package var reason: CancelReason?
        package var message: String?
        /// The post target cancelled; nil when the occurrence itself is.
        package var target: String?

        package init(job: String, scheduledAt: Date? = nil, attempt: Int? = nil, triggeredBy: Cause? = nil,
                    reason: CancelReason? = nil, message: String? = nil, target: String? = nil) {
            self.job = job
            self.scheduledAt = scheduledAt
            self.attempt = attempt
            self.triggeredBy = triggeredBy
            self.reason = reason
            self.message = message
            self.target = target
        }

        package static let blank = Self(job: "")
        package static let fields: [RecordField<Self>] = occurrence() + [
            .word(.reason, { $0.reason }, { $0.reason = $1 }),
            .string(.message, { $0.message }, { $0.message = $1 }),
            .string(.target, { $0.target }, { $0.target = $1 }),
        ]
    }
}

/// A record about one occurrence: job, scheduled time, attempt and cause, all settable.
package protocol OccurrenceRecord: JobRecord {
    var job: String { get set }
    var scheduledAt: Date? { get set }
    var attempt: Int? { get set }
    var triggeredBy: Cause? { get set }
}

extension RecordPayload where Self: OccurrenceRecord {
    package static var required: [RecordKey] { [.job] }
}
