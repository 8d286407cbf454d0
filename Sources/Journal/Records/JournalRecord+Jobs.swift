import Foundation

extension JournalRecord {
    /// The job version that is now desired (`applied`).
    package struct Applied: JobRecord, RecordPayload {
        package var job: String
        /// Content hash of the job version.
        package var hash: String?
        /// Git commit the version came from, or nil for a plain directory.
        package var revision: String?
        /// `job`, `post` or `scan`.
        package var kind: String?
        package var enabled: Bool?
        /// `file:line:col` of the definition.
        package var source: String?
        /// The job's settings as text (secret-free templates).
        package var fields: [String: String]?

        package init(job: String, hash: String? = nil, revision: String? = nil, kind: String? = nil, enabled: Bool? = nil,
                    source: String? = nil, fields: [String: String]? = nil) {
            self.job = job
            self.hash = hash
            self.revision = revision
            self.kind = kind
            self.enabled = enabled
            self.source = source
            self.fields = fields
        }

        package static let blank = Self(job: "")
        package static let required: [RecordKey] = [.job]
        package static let fields: [RecordField<Self>] = [
            .string(.job, { $0.job }, { $0.job = $1 }),
            .string(.hash, { $0.hash }, { $0.hash = $1 }),
            .string(.revision, { $0.revision }, { $0.revision = $1 }),
            .string(.kind, { $0.kind }, { $0.kind = $1 }),
            .bool(.enabled, { $0.enabled }, { $0.enabled = $1 }),
            .string(.source, { $0.source }, { $0.source = $1 }),
            .map(.fields, { $0.fields }, { $0.fields = $1 }),
        ]
    }

    /// The job's file is gone (`removed`).
    package struct Removed: JobRecord, RecordPayload {
        package var job: String
        package var reason: String?

        package init(job: String, reason: String? = nil) {
            self.job = job
            self.reason = reason
        }

        package static let blank = Self(job: "")
        package static let required: [RecordKey] = [.job]
        package static let fields: [RecordField<Self>] = [
            .string(.job, { $0.job }, { $0.job = $1 }),
            .string(.reason, { $0.reason }, { $0.reason = $1 }),
        ]
    }

    /// A pause or a resume made through the API or caused by the files (`paused`, `resumed`).
    package struct Override: JobRecord, RecordPayload {
        package var job: String
        package var triggeredBy: Cause?
        /// `paused`: the version paused; `resumed` by the files: the new version.
        package var hash: String?
        package var reason: String?
        package var message: String?

        package init(job: String, triggeredBy: Cause? = nil, hash: String? = nil, reason: String? = nil, message: String? = nil) {
            self.job = job
            self.triggeredBy = triggeredBy
            self.hash = hash
            self.reason = reason
            self.message = message
        }

        package static let blank = Self(job: "")
        package static let required: [RecordKey] = [.job]
        package static let fields: [RecordField<Self>] = [
            .string(.job, { $0.job }, { $0.job = $1 }),
            .word(.triggeredBy, { $0.triggeredBy }, { $0.triggeredBy = $1 }),
            .string(.hash, { $0.hash }, { $0.hash = $1 }),
            .string(.reason, { $0.reason }, { $0.reason = $1 }),
            .string(.message, { $0.message }, { $0.message = $1 }),
        ]
    }

    /// One publish target of a post: being sent (`processing`) or its answer (`published`).
    ///
    /// A `published` record with `outcome: failed` is a target that was not published.
    package struct PostTarget: JobRecord, RecordPayload {
        package var job: String
        package var scheduledAt: Date?
        package var attempt: Int?
        package var outcome: Outcome?
        package var errorClass: FailureClass?
        package var message: String?
        package var target: String
        package var url: String?
        package var status: Int?

        package init(job: String, scheduledAt: Date? = nil, attempt: Int? = nil, target: String, outcome: Outcome? = nil,
                    errorClass: FailureClass? = nil, message: String? = nil, url: String? = nil, status: Int? = nil) {
            self.job = job
            self.scheduledAt = scheduledAt
            self.attempt = attempt
            self.target = target
            self.outcome = outcome
            self.errorClass = errorClass
            self.message = message
            self.url = url
            self.status = status
        }

        package static let blank = Self(job: "", target: "")
        package static let required: [RecordKey] = [.job]
        package static let fields: [RecordField<Self>] = [
            .string(.job, { $0.job }, { $0.job = $1 }),
            .date(.scheduledAt, { $0.scheduledAt }, { $0.scheduledAt = $1 }),
            .int(.attempt, { $0.attempt }, { $0.attempt = $1 }),
            .word(.outcome, { $0.outcome }, { $0.outcome = $1 }),
            .word(.errorClass, { $0.errorClass }, { $0.errorClass = $1 }),
            .string(.message, { $0.message }, { $0.message = $1 }),
            .string(.target, { $0.target.isEmpty ? nil : $0.target }, { $0.target = $1 }),
            .string(.url, { $0.url }, { $0.url = $1 }),
            .int(.status, { $0.status }, { $0.status = $1 }),
        ]
    }

    /// A scan's new sync point (`synced`).
    package struct Synced: JobRecord, RecordPayload {
        package var job: String
        package var scheduledAt: Date?
        package var attempt: Int?
        package var commit: String?

        package init(job: String, scheduledAt: Date? = nil, attempt: Int? = nil, commit: String?) {
            self.job = job
            self.scheduledAt = scheduledAt
            self.attempt = attempt
            self.commit = commit
        }

        package static let blank = Self(job: "", commit: nil)
        package static let required: [RecordKey] = [.job]
        package static let fields: [RecordField<Self>] = [
            .string(.job, { $0.job }, { $0.job = $1 }),
            .date(.scheduledAt, { $0.scheduledAt }, { $0.scheduledAt = $1 }),
            .int(.attempt, { $0.attempt }, { $0.attempt = $1 }),
            .string(.commit, { $0.commit }, { $0.commit = $1 }),
        ]
    }

    /// A notification sent about a job (`notified`): where to, and how it went.
    package struct Notified: JobRecord, RecordPayload {
        package var job: String
        /// Delivery attempts made.
        package var attempt: Int?
        /// `delivered` or `failed`.
        package var outcome: Outcome?
        /// The job event notified about (`failure`, `recovered`, …).
        package var reason: String?
        package var message: String?
        package var target: String?
        package var status: Int?

        package init(job: String, attempt: Int? = nil, outcome: Outcome? = nil, reason: String? = nil, message: String? = nil,
                    target: String? = nil, status: Int? = nil) {
            self.job = job
            self.attempt = attempt
            self.outcome = outcome
            self.reason = reason
            self.message = message
            self.target = target
            self.status = status
        }

        package static let blank = Self(job: "")
        package static let required: [RecordKey] = [.job]
        package static let fields: [RecordField<Self>] = [
            .string(.job, { $0.job }, { $0.job = $1 }),
            .int(.attempt, { $0.attempt }, { $0.attempt = $1 }),
            .word(.outcome, { $0.outcome }, { $0.outcome = $1 }),
            .string(.reason, { $0.reason }, { $0.reason = $1 }),
            .string(.message, { $0.message }, { $0.message = $1 }),
            .string(.target, { $0.target }, { $0.target = $1 }),
            .int(.status, { $0.status }, { $0.status = $1 }),
        ]
    }

    /// The manifest problems the runner found, the whole current list (`diagnostics`).
    package struct Diagnostics: RecordPayload {
        package var messages: [String]?
        /// Older journals: a single problem.
        package var message: String?

        package init(messages: [String]? = nil, message: String? = nil) {
            self.messages = messages
            self.message = message
        }

        package static let blank = Self()
        package static let fields: [RecordField<Self>] = [
            .string(.message, { $0.message }, { $0.message = $1 }),
            .strings(.messages, { $0.messages }, { $0.messages = $1 }),
        ]
    }

    /// A runner's start or stop (`runner-started`, `runner-stopped`).
    package struct RunnerLife: RecordPayload {
        package var pid: Int?
        package var message: String?

        package init(pid: Int? = nil, message: String? = nil) {
            self.pid = pid
            self.message = message
        }

        package static let blank = Self()
        package static let fields: [RecordField<Self>] = [
            .int(.pid, { $0.pid }, { $0.pid = $1 }),
            .string(.message, { $0.message }, { $0.message = $1 }),
        ]
    }
}
