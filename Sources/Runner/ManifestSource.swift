import Foundation
import Manifest

/// Loads the desired state from the watched directory, keeping each file's last good version.
///
/// Every file that validates is copied to `STATE/accepted/`; when a file later breaks, its
/// accepted copy stands in for it, so its jobs keep running at their last good version — across
/// restarts too — while the error is reported. One bad file never stops the other jobs.
public struct ManifestSource: Sendable {
    public let tree: FileTree
    public let acceptedDirectory: URL
    public let environment: [String: String]

    public init(root: URL, stateDirectory: URL, environment: [String: String]) {
        tree = FileTree(root: root)
        acceptedDirectory = stateDirectory.appendingPathComponent("accepted", isDirectory: true)
        self.environment = environment
    }

    public func load(now: Date) throws -> Manifest {
        try load(files: tree.read(), now: now)
    }

    /// Loads files read elsewhere (a git tree at a commit), with the same last-good substitution.
    public func load(files: [SourceFile], now: Date) -> Manifest {
        let fresh = ManifestLoader.load(files: files, environment: environment, now: now)
        for file in files where !fresh.invalidFiles.contains(file.path) {
            accept(file)
        }
        forgetDeleted(current: Set(files.map(\.path)))
        guard !fresh.invalidFiles.isEmpty else { return fresh }
        var substituted = false
        let patched = files.map { file -> SourceFile in
            guard fresh.invalidFiles.contains(file.path), let bytes = accepted(file.path) else { return file }
            substituted = true
            return SourceFile(path: file.path, bytes: bytes)
        }
        guard substituted else { return fresh }
        var merged = ManifestLoader.load(files: patched, environment: environment, now: now)
        merged.diagnostics = fresh.diagnostics
        merged.invalidFiles = fresh.invalidFiles
        return merged
    }

    private func copyURL(_ path: String) -> URL {
        acceptedDirectory.appendingPathComponent(path)
    }

    private func accepted(_ path: String) -> [UInt8]? {
        (try? Data(contentsOf: copyURL(path))).map { [UInt8]($0) }
    }

    private func accept(_ file: SourceFile) {
        if accepted(file.path) == file.bytes { return }
        let url = copyURL(file.path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(file.bytes).write(to: url, options: .atomic)
    }

    /// A deleted file's jobs are removed, so its accepted copy must not resurrect them later.
    private func forgetDeleted(current: Set<String>) {
        guard let enumerator = FileManager.default.enumerator(atPath: acceptedDirectory.path) else { return }
        for case let path as String in enumerator where FileTree.isYAML(path) && !current.contains(path) {
            try? FileManager.default.removeItem(at: copyURL(path))
        }
    }
}
