import Foundation
import Manifest
import Scheduler
import Processes
import Publishing

/// Reads the watched directory into memory for the (pure) manifest loader.
///
/// Files and directories whose names start with `.` are skipped, as are symlinked directories
/// (no cycles); only `.yaml`/`.yml` files are read.
package struct FileTree: Sendable {
    package let root: URL
    /// Bigger files are still listed, empty, so the loader reports them instead of hiding them.
    package static let maxFileSize = 1 << 20

    package init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// Every job file under the root, sorted by path, with '/'-separated paths relative to the
    /// root (the CLI prefixes the root as typed when it prints a message).
    package func read() throws -> [SourceFile] {
        var files: [SourceFile] = []
        try walk(directory: root, relative: "", into: &files)
        return files.sorted { $0.path < $1.path }
    }

    /// A cheap fingerprint of the tree (paths, sizes, mtimes) for the polling watcher.
    package func signature() -> [String: String] {
        var result: [String: String] = [:]
        var stack = [(root, "")]
        while let (dir, relative) = stack.popLast() {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
            for name in names where !name.hasPrefix(".") {
                let url = dir.appendingPathComponent(name)
                let path = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(url.path, &info) == 0 else { continue }
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    stack.append((url, path))
                } else if Self.isYAML(name) {
                    result[path] = "\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
                }
            }
        }
        return result
    }

    static func isYAML(_ name: String) -> Bool {
        name.hasSuffix(".yaml") || name.hasSuffix(".yml")
    }

    private func walk(directory: URL, relative: String, into files: inout [SourceFile]) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        for name in names.sorted() where !name.hasPrefix(".") {
            let url = directory.appendingPathComponent(name)
            let path = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(url.path, &info) == 0 else { continue }
            let type = info.st_mode & S_IFMT
            if type == S_IFDIR {
                try walk(directory: url, relative: path, into: &files)
            } else if Self.isYAML(name), type == S_IFREG || type == S_IFLNK {
                let data = (try? Data(contentsOf: url)) ?? Data()
                files.append(SourceFile(path: path, bytes: [UInt8](data)))
            }
        }
    }
}
