import CGit2
import CLinux
import Foundation

/// libgit2's smart protocol over a `git receive-pack` child: how GitSync pushes to a
/// repository on a local path, so that the remote's hooks run as they do for `git push`.
///
/// libgit2 1.5's own local transport (`transports/local.c`) writes the pack straight into the
/// remote's object directory and moves its references itself: no pre-receive, update or
/// post-receive hook runs, nothing is quarantined, and `receive.*` settings are ignored. git
/// pushes to a local path by running `git receive-pack` on it and speaking the same protocol
/// it speaks over SSH; this does the same through `git_transport_smart`, with a subtransport
/// whose stream is the child's stdin and stdout. So a local push needs the `git` executable on
/// `PATH`; fetches from local paths stay on libgit2's local transport (no hooks are involved).
/// This is a `git_transport_cb`, for `git_remote_callbacks.transport`.
func receivePackTransport(
    out: UnsafeMutablePointer<UnsafeMutablePointer<git_transport>?>?, owner: OpaquePointer?, param: UnsafeMutableRawPointer?
) -> Int32 {
    var definition = git_smart_subtransport_definition(callback: makeSubtransport, rpc: 0, param: nil)
    return git_transport_smart(out, owner, &definition)
}

/// `git_smart_subtransport_cb`: a subtransport whose payload is the stream of the push in
/// progress (nil between pushes); libgit2 frees it through its `free`.
private func makeSubtransport(
    out: UnsafeMutablePointer<UnsafeMutablePointer<git_smart_subtransport>?>?, owner: UnsafeMutablePointer<git_transport>?,
    param: UnsafeMutableRawPointer?
) -> Int32 {
    guard let out else { return -1 }
    let subtransport = UnsafeMutablePointer<almanac_subtransport>.allocate(capacity: 1)
    subtransport.initialize(to: almanac_subtransport())
    subtransport.pointee.parent.action = subtransportAction
    subtransport.pointee.parent.close = { subtransport in
        subtransport.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: almanac_subtransport.self).pointee.owner = nil }
        return 0
    }
    subtransport.pointee.parent.free = { subtransport in
        subtransport.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: almanac_subtransport.self).deallocate() }
    }
    out.pointee = UnsafeMutableRawPointer(subtransport).assumingMemoryBound(to: git_smart_subtransport.self)
    return 0
}

/// Starts `git receive-pack` for the ref advertisement and hands the same stream back for the
/// push that follows (the smart transport's non-RPC contract) and for the flush libgit2 sends
/// when it closes (it asks for the upload-pack stream for that, as its SSH transport answers);
/// fetching is not offered here.
private func subtransportAction(
    out: UnsafeMutablePointer<UnsafeMutablePointer<git_smart_subtransport_stream>?>?,
    transport: UnsafeMutablePointer<git_smart_subtransport>?, url: UnsafePointer<CChar>?, action: git_smart_service_t
) -> Int32 {
    guard let out, let transport else { return -1 }
    let subtransport = UnsafeMutableRawPointer(transport).assumingMemoryBound(to: almanac_subtransport.self)
    switch action {
    case GIT_SERVICE_RECEIVEPACK_LS:
        let target = url.map { String(cString: $0) } ?? ""
        guard let path = localPath(target) else {
            git_error_set_str(Int32(GIT_ERROR_NET.rawValue), "not a local repository: \(target)")
            return -1
        }
        let stream: UnsafeMutablePointer<almanac_subtransport_stream>
        do {
            stream = try ReceivePackProcess.start(path: path, subtransport: transport)
        } catch {
            git_error_set_str(Int32(GIT_ERROR_OS.rawValue), error.message)
            return -1
        }
        subtransport.pointee.owner = UnsafeMutableRawPointer(stream)
        out.pointee = UnsafeMutableRawPointer(stream).assumingMemoryBound(to: git_smart_subtransport_stream.self)
        return 0
    case GIT_SERVICE_RECEIVEPACK, GIT_SERVICE_UPLOADPACK:
        guard let stream = subtransport.pointee.owner else {
            git_error_set_str(Int32(GIT_ERROR_NET.rawValue), "receive-pack requested before its ref advertisement")
            return -1
        }
        out.pointee = stream.assumingMemoryBound(to: git_smart_subtransport_stream.self)
        return 0
    default:
        git_error_set_str(Int32(GIT_ERROR_NET.rawValue), "the receive-pack transport only pushes")
        return -1
    }
}

/// One `git receive-pack <path>` child and the socket GitSync speaks to it on.
///
/// A socket pair, not pipes: `send(MSG_NOSIGNAL)` turns a child that died into an error
/// rather than a SIGPIPE for the whole process, and `shutdown(SHUT_WR)` gives the child its
/// end of input while we still read. The child's stderr goes to an unlinked temporary file,
/// which cannot fill up and block it, and is quoted when the child ends early (for instance
/// "does not appear to be a git repository"). Hook output arrives over the protocol's side
/// band instead (`RemoteCallbacks`).
final class ReceivePackProcess {
    private let pid: pid_t
    private let socket: Int32
    private let stderr: Int32
    private var exited = false

    private init(pid: pid_t, socket: Int32, stderr: Int32) {
        self.pid = pid
        self.socket = socket
        self.stderr = stderr
    }

    /// Variables that point git at a repository; a runner started from a git hook has them,
    /// and they must not redirect the child (git clears the same list for its local pushes).
    static let repositoryVariables: Set<String> = [
        "GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH", "GIT_PREFIX", "GIT_NAMESPACE",
        "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_SHALLOW_FILE", "GIT_GRAFT_FILE",
        "GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_IMPLICIT_WORK_TREE",
    ]

    /// Spawns the child and returns the libgit2 stream struct that owns this object.
    static func start(
        path: String, subtransport: UnsafeMutablePointer<git_smart_subtransport>
    ) throws(GitError) -> UnsafeMutablePointer<almanac_subtransport_stream> {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw GitError.posix("socketpair")
        }
        defer { close(pair[1]) }
        var template = Array((FileManager.default.temporaryDirectory.path + "/almanac-receive-pack-XXXXXX").utf8CString)
        let stderr = mkstemp(&template)
        if stderr >= 0 { unlink(template) }
        guard stderr >= 0, fcntl(stderr, F_SETFD, FD_CLOEXEC) == 0 else {
            let error = GitError.posix("mkstemp")
            if stderr >= 0 { close(stderr) }
            close(pair[0])
            throw error
        }
        var pid: pid_t = 0
        let code = spawn(&pid, arguments: ["git", "receive-pack", path], io: pair[1], stderr: stderr)
        guard code == 0 else {
            close(pair[0])
            close(stderr)
            let reason = code == ENOENT ? "git is not on PATH" : String(cString: strerror(code))
            throw GitError(code: -1, message: "cannot run git receive-pack (pushing to \(path) runs it, so the remote's hooks run): \(reason)",
                           function: "posix_spawnp(git receive-pack)")
        }
        let process = ReceivePackProcess(pid: pid, socket: pair[0], stderr: stderr)
        let stream = UnsafeMutablePointer<almanac_subtransport_stream>.allocate(capacity: 1)
        stream.initialize(to: almanac_subtransport_stream())
        stream.pointee.parent.subtransport = subtransport
        stream.pointee.parent.read = { stream, buffer, size, read in
            guard let process = ReceivePackProcess.owner(of: stream), let buffer, let read else { return -1 }
            return process.read(buffer, size, read)
        }
        stream.pointee.parent.write = { stream, buffer, length in
            guard let process = ReceivePackProcess.owner(of: stream), let buffer else { return -1 }
            return process.write(buffer, length)
        }
        stream.pointee.parent.free = { stream in
            guard let stream else { return }
            let raw = UnsafeMutableRawPointer(stream).assumingMemoryBound(to: almanac_subtransport_stream.self)
            if let owner = raw.pointee.owner { Unmanaged<ReceivePackProcess>.fromOpaque(owner).release() }
            raw.deallocate()
        }
        stream.pointee.owner = Unmanaged.passRetained(process).toOpaque()
        return stream
    }

    private static func owner(of stream: UnsafeMutablePointer<git_smart_subtransport_stream>?) -> ReceivePackProcess? {
        guard let stream,
            let owner = UnsafeMutableRawPointer(stream).assumingMemoryBound(to: almanac_subtransport_stream.self).pointee.owner
        else { return nil }
        return Unmanaged<ReceivePackProcess>.fromOpaque(owner).takeUnretainedValue()
    }

    /// Ends the conversation as `git push` does: input closed, everything the child still
    /// sends (post-receive output) read to its end, the child reaped. A push therefore
    /// returns after the remote's post-receive hook has finished.
    deinit {
        shutdown(socket, Int32(SHUT_WR))
        var sink = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(socket, &sink, sink.count, 0)
            if n > 0 || (n < 0 && errno == EINTR) { continue }
            break
        }
        close(socket)
        reap()
        close(stderr)
    }

    /// `read` of `git_smart_subtransport_stream`: some bytes, or an error at the end of output
    /// (libgit2 reads only while it expects more, so an end here means the child gave up).
    private func read(_ buffer: UnsafeMutablePointer<CChar>, _ size: Int, _ read: UnsafeMutablePointer<Int>) -> Int32 {
        while true {
            let n = recv(socket, buffer, size, 0)
            if n > 0 {
                read.pointee = n
                return 0
            }
            if n < 0 && errno == EINTR { continue }
            let reason = n == 0 ? "ended early" : String(cString: strerror(errno))
            reap()
            git_error_set_str(Int32(GIT_ERROR_NET.rawValue), "git receive-pack \(reason)\(diagnostics())")
            return -1
        }
    }

    /// `write` of `git_smart_subtransport_stream`: all of `buffer`, or an error.
    private func write(_ buffer: UnsafePointer<CChar>, _ length: Int) -> Int32 {
        var sent = 0
        while sent < length {
            let n = send(socket, buffer + sent, length - sent, Int32(MSG_NOSIGNAL))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = String(cString: strerror(errno))
                reap()
                git_error_set_str(Int32(GIT_ERROR_NET.rawValue), "writing to git receive-pack: \(reason)\(diagnostics())")
                return -1
            }
            sent += n
        }
        return 0
    }

    /// Waits for the child once.
    private func reap() {
        guard !exited else { return }
        exited = true
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// What the child wrote to stderr (the first 2 KB), as ": text", or "".
    private func diagnostics() -> String {
        var bytes = [UInt8](repeating: 0, count: 2048)
        let n = pread(stderr, &bytes, bytes.count, 0)
        guard n > 0 else { return "" }
        let text = String(decoding: bytes[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "" : ": " + text
    }

    /// posix_spawnp of `arguments` with `io` as stdin and stdout and `stderr` as stderr, an
    /// empty signal mask and default dispositions (the runner ignores SIGPIPE; hooks must not
    /// inherit that), in the runner's environment minus `repositoryVariables`.
    private static func spawn(_ pid: inout pid_t, arguments: [String], io: Int32, stderr: Int32) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, io, 0)
        posix_spawn_file_actions_adddup2(&actions, io, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        _ = almanac_spawnattr_clean_signals(&attributes, 0)
        let environment = ProcessInfo.processInfo.environment.filter { !repositoryVariables.contains($0.key) }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        return posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
    }
}

/// The directory a remote URL names when it is a local path (`/srv/r.git`, `file:///srv/r.git`,
/// `../r.git`); nil for network URLs (`https://…`, `ssh://…`, `git@host:path`).
func localPath(_ url: String) -> String? {
    if url.hasPrefix("file://") { return String(url.dropFirst("file://".count)) }
    if url.contains("://") { return nil }
    if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") { return nil }  // scp-like host:path
    return url
}
