import Foundation
import Manifest

/// What `apply`/`run` would change: the diff between the YAML tree and the journal.
///
/// A value, rendered by `PlanRenderer` as text, JSON or Markdown, so the CLI, the pull-request
/// comment and the HTTP API all show the same plan.
public struct Plan: Sendable, Hashable {
    public var changes: [JobChange]
    public var catchUps: [CatchUp]
    public var diagnostics: [Diagnostic]
    /// Jobs whose file is invalid now: their last good version stays in force.
    public var kept: [String]
    /// Jobs paused through the API, sorted by name: the override and whether these files end it.
    public var paused: [PausedJob] = []
    /// The instant the plan was computed for (next fires and catch-up are relative to it).
    public var now: Date

    public init(changes: [JobChange] = [], catchUps: [CatchUp] = [], diagnostics: [Diagnostic] = [], kept: [String] = [], now: Date) {
        self.changes = changes
        self.catchUps = catchUps
        self.diagnostics = diagnostics
        self.kept = kept
        self.now = now
    }

    /// True when applying would record anything (`plan` exits 2, as `terraform plan -detailed-exitcode`).
    public var hasChanges: Bool { !changes.isEmpty || catchUps.contains { !$0.run.isEmpty || $0.skipped > 0 } }
    /// True when some file has an error (`plan` exits 1).
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// A job paused through the API (a journaled override).
public struct PausedJob: Sendable, Hashable {
    public var name: String
    /// True when the files hold a different version than the one paused: applying them resumes
    /// the job (the files have the last word).
    public var ends: Bool

    public init(name: String, ends: Bool) {
        self.name = name
        self.ends = ends
    }
}

/// One job's difference between desired and recorded state.
public struct JobChange: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, Codable {
        case add, change, remove, enable, suspend
    }

    public var name: String
    public var action: Action
    public var kind: String
    public var source: String?
    public var hash: String?
    /// Changed fields, with secret-free old and new text (templates, never substituted values).
    public var fields: [FieldChange]
    /// For a schedule change, the next fires under the old and the new schedule.
    public var oldNextFires: [Date]
    public var newNextFires: [Date]
    /// The job's zone (IANA), so next fires print with its offset.
    public var timeZone: String?
    /// An `add` of a job whose file had errors at the base revision (`plan --repo`): the job
    /// existed but did not load, so the change fixes it rather than adding something new.
    public var fixesInvalidBase = false

    /// How the action reads to a person: `add`, or `fixed (was invalid at base)`.
    public var actionText: String {
        fixesInvalidBase && action == .add ? "fixed (was invalid at base)" : action.rawValue
    }

    public init(name: String, action: Action, kind: String, source: String? = nil, hash: String? = nil,
                fields: [FieldChange] = [], oldNextFires: [Date] = [], newNextFires: [Date] = []) {
        self.name = name
        self.action = action
        self.kind = kind
        self.source = source
        self.hash = hash
        self.fields = fields
        self.oldNextFires = oldNextFires
        self.newNextFires = newNextFires
    }
}

/// A field whose canonical text differs between the recorded and the desired version.
public struct FieldChange: Sendable, Hashable, Codable {
    public var field: String
    public var old: String?
    public var new: String?

    public init(field: String, old: String?, new: String?) {
        self.field = field
        self.old = old
        self.new = new
    }
}

/// Occurrences missed while no runner was up, and what the catch-up policy does with them.
public struct CatchUp: Sendable, Hashable {
    public var job: String
    /// Missed occurrences that will run now.
    public var run: [Date]
    /// Missed occurrences journaled as `skipped: missed` (outside the window, or not chosen by the policy).
    public var skipped: Int
    public var firstSkipped: Date?
    public var lastSkipped: Date?

    public init(job: String, run: [Date], skipped: Int, firstSkipped: Date? = nil, lastSkipped: Date? = nil) {
        self.job = job
        self.run = run
        self.skipped = skipped
        self.firstSkipped = firstSkipped
        self.lastSkipped = lastSkipped
    }
}
