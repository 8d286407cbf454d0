import CLinux
import Dispatch
import Foundation
import Glibc
import Scheduler

/// Collects every child the launcher spawned, each exactly once, with its rusage.
///
/// Why pidfds: a pidfd becomes readable when its process exits, and libdispatch multiplexes
/// them all through one epoll on one serial queue, so 1,000 concurrent children cost 1,000
/// fds, not 1,000 threads blocked in `wait4`. Waiting for a *specific* pid never steals the
/// children of other code (as `wait4(-1)` would), and needs no process-wide SIGCHLD
/// handling (signalfd only works if every thread, including the runtime's, blocks SIGCHLD).
/// A child that exits before it is watched leaves a zombie, whose pidfd is readable at
/// once, so that race is benign. Where `pidfd_open` is unavailable (kernel < 5.3, seccomp,
/// fd exhaustion) a small thread per child blocks in `waitid(WNOWAIT)` instead.
final class ProcessReaper: Sendable {
    private let queue = DispatchQueue(label: "almanac.process-reaper")

    /// Watches `process` until it has been reaped and its waiters resumed.
    ///
    /// Returns at once: the pidfd and its dispatch source are set up on the reaper's queue,
    /// because creating and activating a source can wait milliseconds for libdispatch's manager
    /// thread on a busy machine, and the caller is the runner's thread, whose next fire may be
    /// due. Nothing reaps the child meanwhile (it stays a zombie if it exits), so no exit is lost.
    func watch(_ process: RunningProcess) {
        queue.async { [self] in
            let fd = almanac_pidfd_open(process.pid)
            guard fd >= 0 else {
                watchWithThread(process)
                return
            }
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
            let box = SourceBox(source)
            source.setEventHandler {
                if process.collect() { box.cancel() }
            }
            source.setCancelHandler { close(fd) }
            source.activate()
        }
    }

    private func watchWithThread(_ process: RunningProcess) {
        let thread = Thread {
            RunningProcess.awaitExit(process.pid)
            while !process.collect() { RunningProcess.awaitExit(process.pid) }
        }
        thread.stackSize = 128 * 1024
        thread.start()
    }
}

/// Lets a source's own handler cancel it; the handler only ever runs on the source's queue.
final class SourceBox: @unchecked Sendable {
    private let source: any DispatchSourceRead

    init(_ source: any DispatchSourceRead) { self.source = source }

    func cancel() { source.cancel() }
}
