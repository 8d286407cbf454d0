import AlmanacCore
import CronSchedule
import Crypto

/// The canonical, secret-free view of a spec that the reconciler diffs and the journal stores.
extension JobSpec {
    /// Field name → canonical text, built only from templates (never substituted values).
    ///
    /// Fields that don't apply to the kind, and unset optionals, are absent.
    public var fields: [String: String] {
        var out: [String: String] = [
            "kind": kind.rawValue,
            "name": name,
            "trigger": triggerText,
            // Foundation spells UTC as "GMT" on Linux; normalise so hashes match across platforms.
            "timezone": timeZone.displayName,
            "enabled": enabled ? "true" : "false",
        ]
        if let commandTemplate { out["run"] = commandTemplate.canonicalText }
        if !environmentTemplate.isEmpty {
            out["env"] = JSONValue.object(environmentTemplate.mapValues(JSONValue.string)).canonicalText
        }
        if let timeout { out["timeout"] = formatDuration(timeout) }
        out["retry"] = retry.canonicalText
        out["catchup"] = catchup.canonicalText
        out["jitter"] = formatDuration(jitter)
        if kind != .post {
            out["concurrency"] = concurrency.rawValue
            out["workdir"] = workdirTemplate
        }
        if !nonRetryableExitCodes.isEmpty {
            out["nonRetryableExitCodes"] = nonRetryableExitCodes.sorted().map(String.init).joined(separator: ",")
        }
        if !notify.isEmpty { out["notify"] = JSONValue.array(notify.map(\.canonicalJSON)).canonicalText }
        if !after.isEmpty { out["after"] = after.joined(separator: ",") }
        if let limits {
            var parts: [String] = []
            if let memory = limits.memory { parts.append("memory=\(memory)") }
            if let cpu = limits.cpu { parts.append("cpu=\(formatDuration(cpu))") }
            out["limits"] = parts.joined(separator: " ")
        }
        if let output { out["output"] = "maxBytes=\(output.maxBytes)" }
        if kind == .post {
            out["content"] = JSONValue.object(content).canonicalText
            out["publish"] = JSONValue.array(publish.map(\.canonicalJSON)).canonicalText
            out["cancelled"] = cancelled ? "true" : "false"
        }
        if kind == .scan {
            if let repoTemplate { out["repo"] = repoTemplate }
            if let branch { out["branch"] = branch }
            if let since { out["since"] = formatDuration(since) }
        }
        return out
    }

    /// SHA-256 (hex, swift-crypto) of `fields` as sorted `key=value` lines: stable across runs and machines.
    public var contentHash: String {
        let fields = self.fields
        var text = ""
        for key in fields.keys.sorted() {
            text += key + "=" + JSONString.quoted(fields[key] ?? "") + "\n"
        }
        return Hex.string(SHA256.hash(data: Array(text.utf8)))
    }
}
