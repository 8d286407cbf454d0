import Foundation
import Manifest
import Synchronization
import Scheduler
import Processes
import Publishing

/// Loads the desired state from the watched directory, keeping each file's last good version.
///
/// Every file that validates is copied to `STATE/accepted/`; when a file later breaks, its
/// accepted copy stands in for it, so its jobs keep running at their last good version — across
/// restarts too — while the error is reported. One bad file never stops the other jobs.
///
/// The accepted copies are also kept in memory once read or written, so a reload of a
/// 10,000-file tree compares bytes instead of reading 10,000 copies back from disk.
package struct ManifestSource: Sendable {
    package let tree: FileTree
    package let acceptedDirectory: URL
    package let environment: [String: String]
    /// Path → accepted bytes, as on disk; nil until the directory was first scanned.
    private let copies = AcceptedIndex()

    package init(root: URL, stateDirectory: URL, environment: [String: String]) {
        tree = FileTree(root: root)
        acceptedDirectory = stateDirectory.appendingPathComponent("accepted", isDirectory: true)
        self.environment = environment
    }

    package func load(now: Date) throws -> Manifest {
        try load(files: tree.read(), now: now)
    }

    /// Loads files read elsewhere (a git tree at a commit), with the same last-good substitution.
    package func load(files: [SourceFile], now: Date) -> Manifest {
        let fresh = ManifestLoader.load(files: files, environment: environment, now: now)
        indexOnce()
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
        copies.index.withLock { $0?[path] }
    }

    private func accept(_ file: SourceFile) {
        if copies.index.withLock({ $0?[file.path] }) == file.bytes { return }
        let url = copyURL(file.path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard (try? Data(file.bytes).write(to: url, options: .atomic)) != nil else { return }
        copies.index.withLock { $0?[file.path] = file.bytes }
    }

    /// Reads the copies an earlier process left, once.
    private func indexOnce() {
        guard copies.index.withLock({ $0 == nil }) else { return }
        let enumerator = FileManager.default.enumerator(atPath: acceptedDirectory.path)
        var index: [String: [UInt8]] = [:]
        for case let path as String in enumerator?.allObjects ?? [] where FileTree.isYAML(path) {
            if let data = try? Data(contentsOf: copyURL(path)) { index[path] = [UInt8](data) }
        }
        copies.index.withLock { $0 = index }
    }

    /// A deleted file's jobs are removed, so its accepted copy must not resurrect them later.
    private func forgetDeleted(current: Set<String>) {
        let gone = copies.index.withLock { ($0 ?? [:]).keys.filter { !current.contains($0) } }
        for path in gone {
            try? FileManager.default.removeItem(at: copyURL(path))
            copies.index.withLock { _ = $0?.removeValue(forKey: path) }
        }
    }
}

/// The accepted copies in memory, shared by every copy of a `ManifestSource`.
private final class AcceptedIndex: Sendable {
    let index = Mutex<[String: [UInt8]]?>(nil)
}
