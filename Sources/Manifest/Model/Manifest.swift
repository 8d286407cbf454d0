/// The desired state read from a tree: valid specs, every problem, and the root settings.
public struct Manifest: Sendable {
    /// Specs without an error of their own, sorted by name. A spec in a file listed in
    /// `invalidFiles` may still be here; the runner decides (it keeps the last good version).
    public var jobs: [JobSpec]
    /// All problems in all files, sorted by file, line, column.
    public var diagnostics: [Diagnostic]
    /// Files with at least one error.
    public var invalidFiles: Set<String>
    /// The root `almanac.yaml` (defaults when absent).
    public var config: RootConfig

    public init(jobs: [JobSpec], diagnostics: [Diagnostic], invalidFiles: Set<String>, config: RootConfig) {
        self.jobs = jobs
        self.diagnostics = diagnostics
        self.invalidFiles = invalidFiles
        self.config = config
    }

    /// True when there is no error (warnings allowed).
    public var isValid: Bool { !diagnostics.contains { $0.severity == .error } }

    /// The spec named `name`, if valid.
    public func job(named name: String) -> JobSpec? { jobs.first { $0.name == name } }
}
