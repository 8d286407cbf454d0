import Glibc
import Scheduler

/// glibc functions the Swift `Glibc` module hides behind `_GNU_SOURCE`, looked up with `dlsym`.
///
/// `pidfd_open`, `pidfd_send_signal`, `pipe2`, `prlimit`, `fallocate` and the `posix_spawn_file_actions_*_np` extensions are
/// exported by glibc 2.36 but not declared by the module map, and Package.swift has no C
/// shim target for Runner. Resolving them once through `dlsym` keeps the C calling
/// convention (unlike `@_silgen_name`) and lets a missing symbol degrade to ENOSYS.
enum GNUCalls {
    private typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
    private typealias PidfdSendSignal = @convention(c) (Int32, Int32, UnsafeMutableRawPointer?, UInt32) -> Int32
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias Prlimit = @convention(c) (pid_t, Int32, UnsafePointer<rlimit>?, UnsafeMutablePointer<rlimit>?) -> Int32
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias Fallocate = @convention(c) (Int32, Int32, off_t, off_t) -> Int32

    private struct Table: @unchecked Sendable {
        let pidfdOpen: PidfdOpen?
        let pidfdSendSignal: PidfdSendSignal?
        let pipe2: Pipe2?
        let prlimit: Prlimit?
        let addChdir: AddChdir?
        let addClosefrom: AddClosefrom?
        let fallocate: Fallocate?
    }

    private static let table: Table = {
        let handle = dlopen(nil, RTLD_NOW)
        func symbol<F>(_ name: String, as type: F.Type) -> F? {
            guard let pointer = dlsym(handle, name) else { return nil }
            return unsafeBitCast(pointer, to: type)
        }
        return Table(
            pidfdOpen: symbol("pidfd_open", as: PidfdOpen.self),
            pidfdSendSignal: symbol("pidfd_send_signal", as: PidfdSendSignal.self),
            pipe2: symbol("pipe2", as: Pipe2.self),
            prlimit: symbol("prlimit", as: Prlimit.self),
            addChdir: symbol("posix_spawn_file_actions_addchdir_np", as: AddChdir.self),
            addClosefrom: symbol("posix_spawn_file_actions_addclosefrom_np", as: AddClosefrom.self),
            fallocate: symbol("fallocate", as: Fallocate.self))
    }()

    /// A close-on-exec fd that becomes readable when `pid` exits; -1 and errno on failure.
    static func pidfdOpen(_ pid: pid_t) -> Int32 {
        guard let call = table.pidfdOpen else { errno = ENOSYS; return -1 }
        return call(pid, 0)
    }

    /// Signals the process `pidfd` refers to: never another one that reused its pid.
    static func pidfdSendSignal(_ pidfd: Int32, _ signal: Int32) -> Int32 {
        guard let call = table.pidfdSendSignal else { errno = ENOSYS; return -1 }
        return call(pidfd, signal, nil, 0)
    }

    /// A pipe with both ends close-on-exec, created atomically so no concurrent spawn inherits it.
    static func pipeCloseOnExec(_ fds: UnsafeMutablePointer<Int32>) -> Int32 {
        guard let call = table.pipe2 else { errno = ENOSYS; return -1 }
        return call(fds, O_CLOEXEC)
    }

    /// Sets one resource limit of another process.
    static func prlimit(_ pid: pid_t, _ resource: __rlimit_resource, _ limit: rlimit) -> Int32 {
        guard let call = table.prlimit else { errno = ENOSYS; return -1 }
        var limit = limit
        return call(pid, Int32(resource.rawValue), &limit, nil)
    }

    /// Frees the blocks of `length` bytes at `offset`, keeping the file's size
    /// (`FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE`, from linux/falloc.h); -1 and errno on failure.
    static func punchHole(_ fd: Int32, offset: Int64, length: Int64) -> Int32 {
        guard let call = table.fallocate else { errno = ENOSYS; return -1 }
        return call(fd, 0x02 | 0x01, off_t(offset), off_t(length))
    }

    /// Adds a `chdir` to the spawn's file actions; returns an errno value (0 on success).
    static func addChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: String) -> Int32 {
        guard let call = table.addChdir else { return ENOSYS }
        return call(actions, path)
    }

    /// Closes every fd ≥ `lowest` in the child, a second guard against fds opened without O_CLOEXEC.
    ///
    /// Optional (glibc 2.34+): without it, O_CLOEXEC on our own fds is the only guard.
    static func addClosefrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Int32 {
        guard let call = table.addClosefrom else { return 0 }
        return call(actions, lowest)
    }
}
