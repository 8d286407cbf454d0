/// Which keys each kind of spec accepts, and where the others belong.
enum SpecKeys {
    static let shared = ["kind", "name", "schedule", "every", "timezone", "enabled", "timeout", "retry", "notify",
                         "jitter", "catchup"]
    static let runnable = ["run", "workdir", "env", "nonRetryableExitCodes", "concurrency", "after", "limits", "output"]
    static let postOnly = ["at", "content", "publish", "cancelled"]
    static let scanOnly = ["repo", "branch", "since"]

    static func known(for kind: SpecKind) -> [String] {
        switch kind {
        case .job: shared + runnable
        case .scan: shared + runnable + scanOnly
        case .post: shared + postOnly
        }
    }

    /// Keys valid for another kind, with a sentence saying which.
    static func elsewhere(for kind: SpecKind) -> [String: String] {
        var out: [String: String] = [:]
        if kind != .post { for key in postOnly { out[key] = "only applies to posts (kind: post)" } }
        if kind != .scan { for key in scanOnly { out[key] = "only applies to scans (kind: scan)" } }
        if kind == .post {
            for key in runnable { out[key] = "does not apply to posts (a post publishes through `publish:`)" }
        }
        out["posts"] = "is only allowed at the top level of a document"
        return out
    }
}

/// Resolves a `workdir:` against the directory of the file that declares it.
enum WorkdirPath {
    /// `jobs.d` + `../scripts` → `scripts`; nil when it climbs above the root. Absolute stays.
    static func resolve(_ workdir: String, fileDirectory: String) -> String? {
        if workdir.hasPrefix("/") { return workdir }
        var parts = fileDirectory.split(separator: "/").map(String.init)
        for component in workdir.split(separator: "/") where component != "." {
            if component == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(String(component))
            }
        }
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// The directory part of a root-relative path, "" at the root.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }
}

/// Checks spec names: `[a-z0-9][a-z0-9._-]{0,62}`.
enum SpecName {
    static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 63, isLowerAlnum(first) else { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func isLowerAlnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }

    static let rule = "use lowercase letters, digits, `.`, `_`, `-`, starting with a letter or digit, at most 63 characters"
}
