import AlmanacCore
import CronSchedule
import Foundation
import Manifest

/// Renders a `Plan` for people (text, Markdown for a pull-request comment) and for scripts (JSON).
package enum PlanRenderer {
    package static func text(_ plan: Plan) -> String {
        var lines = [summary(plan)]
        for change in plan.changes {
            lines.append("")
            lines.append("\(symbol(change.action)) \(change.name) (\(change.kind), \(change.actionText))"
                + (change.source.map { "  \($0)" } ?? ""))
            for field in shownFields(change) {
                lines.append("    \(field.field): \(describe(field))")
            }
            let zone = zone(of: change)
            if !change.oldNextFires.isEmpty {
                lines.append("    old next: " + change.oldNextFires.map { RFC3339.format($0, in: zone) }.joined(separator: ", "))
            }
            if !change.newNextFires.isEmpty {
                let label = change.oldNextFires.isEmpty ? "next" : "new next"
                lines.append("    \(label): " + change.newNextFires.map { RFC3339.format($0, in: zone) }.joined(separator: ", "))
            }
        }
        for name in plan.kept {
            lines.append("")
            lines.append("= \(name): its file has errors; the last good version stays in force")
        }
        for paused in plan.paused {
            lines.append("")
            lines.append("‖ \(paused.name): " + pausedText(paused))
        }
        for catchUp in plan.catchUps {
            lines.append("")
            lines.append("↻ \(catchUp.job): " + catchUpText(catchUp))
        }
        if !plan.diagnostics.isEmpty {
            lines.append("")
            lines.append("Problems:")
            lines += plan.diagnostics.map(\.description)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    package static func markdown(_ plan: Plan) -> String {
        var out = "### Almanac plan\n\n" + summary(plan) + "\n"
        if !plan.changes.isEmpty {
            out += "\n| | job | kind | change | source |\n|---|---|---|---|---|\n"
            for change in plan.changes {
                let fields = shownFields(change).map { "`\($0.field)`: " + escape(describe($0)) }.joined(separator: "<br>")
                out += "| \(symbol(change.action)) | **\(escape(change.name))** | \(change.kind) | \(change.actionText)"
                    + (fields.isEmpty ? "" : "<br>" + fields) + " | \(change.source.map { "`\($0)`" } ?? "") |\n"
            }
            for change in plan.changes where !change.newNextFires.isEmpty {
                let zone = zone(of: change)
                out += "\n<details><summary>next fires of <b>\(escape(change.name))</b></summary>\n\n| old | new |\n|---|---|\n"
                for i in 0..<max(change.oldNextFires.count, change.newNextFires.count) {
                    let old = i < change.oldNextFires.count ? RFC3339.format(change.oldNextFires[i], in: zone) : ""
                    let new = i < change.newNextFires.count ? RFC3339.format(change.newNextFires[i], in: zone) : ""
                    out += "| \(old) | \(new) |\n"
                }
                out += "\n</details>\n"
            }
        }
        if !plan.kept.isEmpty {
            out += "\n**Kept at last good version** (their files have errors): " + plan.kept.map { "`\($0)`" }.joined(separator: ", ") + "\n"
        }
        if !plan.paused.isEmpty {
            out += "\n**Paused** through the API:\n" + plan.paused.map { "- `\($0.name)`: " + pausedText($0) }.joined(separator: "\n") + "\n"
        }
        if !plan.catchUps.isEmpty {
            out += "\n**Catch-up:**\n" + plan.catchUps.map { "- `\($0.job)`: " + catchUpText($0) }.joined(separator: "\n") + "\n"
        }
        if !plan.diagnostics.isEmpty {
            out += "\n**Problems:**\n\n```\n" + plan.diagnostics.map(\.description).joined(separator: "\n") + "\n```\n"
        }
        return out
    }

    package static func json(_ plan: Plan) -> String {
        let changes: [[String: Any]] = plan.changes.map { change in
            var object: [String: Any] = [
                "name": change.name, "action": change.action.rawValue, "kind": change.kind,
                "fields": change.fields.map { field -> [String: Any] in
                    var f: [String: Any] = ["field": field.field]
                    f["old"] = field.old ?? NSNull()
                    f["new"] = field.new ?? NSNull()
                    return f
                },
                "oldNextFires": change.oldNextFires.map { RFC3339.format($0) },
                "newNextFires": change.newNextFires.map { RFC3339.format($0) },
            ]
            object["source"] = change.source ?? NSNull()
            object["hash"] = change.hash ?? NSNull()
            if change.fixesInvalidBase { object["fixesInvalidBase"] = true }
            return object
        }
        let catchUps: [[String: Any]] = plan.catchUps.map {
            var object: [String: Any] = ["job": $0.job, "run": $0.run.map { RFC3339.format($0) }, "skipped": $0.skipped]
            object["firstSkipped"] = $0.firstSkipped.map { RFC3339.format($0) } ?? NSNull()
            object["lastSkipped"] = $0.lastSkipped.map { RFC3339.format($0) } ?? NSNull()
            return object
        }
        let diagnostics: [[String: Any]] = plan.diagnostics.map {
            ["file": $0.location.file, "line": $0.location.line, "column": $0.location.column,
             "severity": $0.severity == .error ? "error" : "warning", "message": $0.message]
        }
        let root: [String: Any] = [
            "now": RFC3339.format(plan.now), "changes": changes, "catchUps": catchUps, "kept": plan.kept,
            "paused": plan.paused.map { ["name": $0.name, "ends": $0.ends] as [String: Any] },
            "diagnostics": diagnostics, "hasChanges": plan.hasChanges, "hasErrors": plan.hasErrors,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func summary(_ plan: Plan) -> String {
        func count(_ action: JobChange.Action) -> Int { plan.changes.filter { $0.action == action }.count }
        if !plan.hasChanges {
            return plan.hasErrors ? "No changes; \(plan.diagnostics.count) problem(s) found." : "No changes. The journal matches the files."
        }
        var parts = ["\(count(.add)) to add", "\(count(.change)) to change", "\(count(.remove)) to remove"]
        if count(.enable) > 0 { parts.append("\(count(.enable)) to enable") }
        if count(.suspend) > 0 { parts.append("\(count(.suspend)) to suspend") }
        if !plan.catchUps.isEmpty { parts.append("\(plan.catchUps.count) to catch up") }
        return "Plan: " + parts.joined(separator: ", ") + "."
    }

    /// An added job lists only its defining fields; a change lists every changed field.
    static func shownFields(_ change: JobChange) -> [FieldChange] {
        guard change.action == .add else { return change.action == .remove ? [] : change.fields }
        let defining: Set<String> = ["trigger", "timezone", "run", "publish", "repo", "after"]
        return change.fields.filter { defining.contains($0.field) }
    }

    static func describe(_ field: FieldChange) -> String {
        switch (field.old, field.new) {
        case (nil, let new?): return new
        case (let old?, nil): return "\(old) → (removed)"
        case (let old?, let new?): return "\(old) → \(new)"
        case (nil, nil): return ""
        }
    }

    static func pausedText(_ paused: PausedJob) -> String {
        paused.ends ? "paused through the API; its definition changed, so applying these files ends the pause"
            : "paused through the API, until resumed or its definition changes"
    }

    static func catchUpText(_ catchUp: CatchUp) -> String {
        var parts: [String] = []
        if !catchUp.run.isEmpty {
            parts.append("run \(catchUp.run.count) missed (" + catchUp.run.prefix(3).map { RFC3339.format($0) }.joined(separator: ", ")
                + (catchUp.run.count > 3 ? ", …" : "") + ")")
        }
        if catchUp.skipped > 0 {
            var text = "skip \(catchUp.skipped) missed"
            if let first = catchUp.firstSkipped, let last = catchUp.lastSkipped {
                text += " (\(RFC3339.format(first)) … \(RFC3339.format(last)))"
            }
            parts.append(text)
        }
        return parts.joined(separator: "; ")
    }

    static func symbol(_ action: JobChange.Action) -> String {
        switch action {
        case .add: "+"
        case .change: "~"
        case .remove: "-"
        case .enable: "▶"
        case .suspend: "⏸"
        }
    }

    static func zone(of change: JobChange) -> TimeZone? {
        guard let name = change.timeZone else { return nil }
        return TimeZone.named(name)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
