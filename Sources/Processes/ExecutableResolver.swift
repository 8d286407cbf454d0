import Glibc
import Scheduler

/// Turns a spec's `argv[0]` and workdir into absolute paths, the way the child would see them.
///
/// `posix_spawnp` searches the *runner's* PATH, and a relative path would be resolved
/// against the runner's cwd before the child's `chdir`: both wrong for a job that sets its
/// own PATH and workdir. So the search happens here, against the child's environment.
enum ExecutableResolver {
    /// The search path used when the child's environment has no `PATH` (glibc's `_CS_PATH` plus /usr/local/bin).
    static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// `workdir` made absolute against the runner's cwd, checked to be a directory.
    static func directory(_ workdir: String) throws(ProcessError) -> String {
        let absolute: String
        if workdir.hasPrefix("/") {
            absolute = workdir
        } else {
            guard let cwd = currentDirectory() else { throw .workdir(path: workdir, errno: errno) }
            absolute = join(cwd, workdir)
        }
        var info = stat()
        guard stat(absolute, &info) == 0 else { throw .workdir(path: absolute, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .workdir(path: absolute, errno: ENOTDIR) }
        return absolute
    }

    /// The executable for `name`: as given when absolute, under `workdir` when relative, else found on `searchPath`.
    static func executable(_ name: String, searchPath: String?, workdir: String) throws(ProcessError) -> String {
        guard !name.isEmpty else { throw .invalidSpec("empty command") }
        if name.hasPrefix("/") { return name }
        if name.contains("/") { return join(workdir, name) }
        let path = searchPath ?? defaultSearchPath
        var denied: String?
        // An empty PATH entry means the current directory, which for the child is its workdir.
        for entry in path.split(separator: ":", omittingEmptySubsequences: false) {
            let dir = entry.isEmpty ? workdir : (entry.hasPrefix("/") ? String(entry) : join(workdir, String(entry)))
            let candidate = join(dir, name)
            var info = stat()
            guard stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            if access(candidate, X_OK) == 0 { return candidate }
            denied = denied ?? candidate
        }
        if let denied { throw .spawn(path: denied, errno: EACCES) }
        throw .commandNotFound(name: name, searchPath: path)
    }

    private static func currentDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func join(_ directory: String, _ name: String) -> String {
        var name = Substring(name)
        while name.hasPrefix("./") { name = name.dropFirst(2) }
        if name == "." || name.isEmpty { return directory }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
