import Foundation
import Manifest

/// What `apply`/`run` would change: the diff between the YAML tree and the journal.
///
/// A value, rendered by `PlanRenderer` as text, JSON or Markdown, so the CLI, the pull-request
/// comment and the HTTP API all show the same plan.
package struct Plan: Sendable, Hashable {
    package var changes: [JobChange]
    package var catchUps: [CatchUp]
    package var diagnostics: [Diagnostic]
    /// Jobs whose file is invalid now: their last good version stays in force.
    package var kept: [String]
    /// Jobs paused through the API, sorted by name: the override and whether these files end it.
    package var paused: [PausedJob] = []
    /// The instant the plan was computed for (next fires and catch-up are relative to it).
    package var now: Date

    package init(changes: [JobChange] = [], catchUps: [CatchUp] = [], diagnostics: [Diagnostic] = [], kept: [String] = [], now: Date) {
        self.changes = changes
        self.catchUps = catchUps
        self.diagnostics = diagnostics
        self.kept = kept
        self.now = now
    }

    /// True when applying would record anything (`plan` exits 2, as `terraform plan -detailed-exitcode`).
    package var hasChanges: Bool { !changes.isEmpty || catchUps.contains { !$0.run.isEmpty || $0.skipped > 0 } }
    /// True when some file has an error (`plan` exits 1).
    package var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// A job paused through the API (a journaled override).
package struct PausedJob: Sendable, Hashable {
    package var name: String
    /// True when the files hold a different version than the one paused: applying them resumes
    /// the job (the files have the last word).
    package var ends: Bool

    package init(name: String, ends: Bool) {
        self.name = name
        self.ends = ends
    }
}

/// One job's difference between desired and recorded state.
package struct JobChange: Sendable, Hashable {
    package enum Action: String, Sendable, Hashable, Codable {
        case add, change, remove, enable, suspend
    }

    package var name: String
    package var action: Action
    package var kind: String
    package var source: String?
    package var hash: String?
    /// Changed fields, with secret-free old and new text (templates, never substituted values).
    package var fields: [FieldChange]
    /// For a schedule change, the next fires under the old and the new schedule.
    package var oldNextFires: [Date]
    package var newNextFires: [Date]
    /// The job's zone (IANA), so next fires print with its offset.
    package var timeZone: String?
    /// An `add` of a job whose file had errors at the base revision (`plan --repo`): the job
    /// existed but did not load, so the change fixes it rather than adding something new.
    package var fixesInvalidBase = false

    /// How the action reads to a person: `add`, or `fixed (was invalid at base)`.
    package var actionText: String {
        fixesInvalidBase && action == .add ? "fixed (was invalid at base)" : action.rawValue
    }

    package init(name: String, action: Action, kind: String, source: String? = nil, hash: String? = nil,
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
package struct FieldChange: Sendable, Hashable, Codable {
    package var field: String
    package var old: String?
    package var new: String?

    package init(field: String, old: String?, new: String?) {
        self.field = field
        self.old = old
        self.new = new
    }
}

/// Occurrences missed while no runner was up, and what the catch-up policy does with them.
package struct CatchUp: Sendable, Hashable {
    package var job: String
    /// Missed occurrences that will run now.
    package var run: [Date]
    /// Missed occurrences journaled as `skipped: missed` (outside the window, or not chosen by the policy).
    package var skipped: Int
    package var firstSkipped: Date?
    package var lastSkipped: Date?

    package init(job: String, run: [Date], skipped: Int, firstSkipped: Date? = nil, lastSkipped: Date? = nil) {
        self.job = job
        self.run = run
        self.skipped = skipped
        self.firstSkipped = firstSkipped
        self.lastSkipped = lastSkipped
    }
}
