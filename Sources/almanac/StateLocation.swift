import Foundation

/// Where a watched directory's state lives when `--state` is not given, and which source a
/// state directory belongs to.
///
/// Each watched directory gets its own default, `.almanac/<name>/` beside it
/// (`examples/quickstart` → `examples/.almanac/quickstart/`), because two directories that
/// shared one journal would each journal the other's jobs as removed. `run` records its source
/// in `STATE/source` and refuses a state directory that belongs to another one.
enum StateLocation {
    static let ownerFile = "source"

    /// The default state directory of a watched directory.
    ///
    /// Before each directory had its own, the default was `.almanac/` itself beside the
    /// watched directory; such a journal is still used (with a note) while the new place is
    /// empty and the old one does not belong to another directory, so an upgrade keeps history.
    static func defaultDirectory(watching root: URL, note: (String) -> Void = printError) -> URL {
        let shared = root.deletingLastPathComponent().appendingPathComponent(".almanac", isDirectory: true)
        let own = shared.appendingPathComponent(root.lastPathComponent, isDirectory: true)
        let manager = FileManager.default
        let legacyJournal = shared.appendingPathComponent("journal.jsonl").path
        guard !manager.fileExists(atPath: own.path), manager.fileExists(atPath: legacyJournal) else { return own }
        let owner = self.owner(of: shared)
        guard owner == nil || owner == root.path else { return own }
        note("note: using \(shared.path), the state directory all watched directories shared in earlier versions; "
            + "move it to \(own.path) (or pass --state) to silence this")
        return shared
    }

    /// The default state directory of `run --repo`: one per repository and branch.
    static func defaultDirectory(repository: String, branch: String) -> URL {
        var name = repository
        while name.hasSuffix("/") { name.removeLast() }
        name = (name as NSString).lastPathComponent
        if name.hasSuffix(".git") { name.removeLast(4) }
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "-" })
        let branchPart = String(branch.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        return URL(fileURLWithPath: ".almanac", isDirectory: true).standardizedFileURL
            .appendingPathComponent("repo-\(safe.isEmpty ? "repository" : safe)-\(branchPart)", isDirectory: true)
    }

    /// The source recorded in `STATE/source`, if any.
    static func owner(of stateDirectory: URL) -> String? {
        let file = stateDirectory.appendingPathComponent(ownerFile)
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return line.isEmpty ? nil : line
    }

    /// Records `source` as the owner of `stateDirectory`, or explains why it belongs to another.
    ///
    /// Returns the error text when the directory already names a different source; the runner
    /// then stops before it could journal that source's jobs as removed.
    static func claim(_ stateDirectory: URL, for source: String) -> String? {
        if let owner = owner(of: stateDirectory) {
            guard owner == source else {
                return "state directory \(stateDirectory.path) belongs to \(owner) (see \(ownerFile) in it), not \(source); "
                    + "pass --state with a directory of its own, or delete that file to move the state over"
            }
            return nil
        }
        try? FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        try? Data((source + "\n").utf8).write(to: stateDirectory.appendingPathComponent(ownerFile), options: .atomic)
        return nil
    }
}
