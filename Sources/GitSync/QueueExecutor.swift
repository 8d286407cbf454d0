import Dispatch

/// A serial executor backed by a private dispatch queue.
///
/// libgit2 calls block (disk, and the network for fetch/push); running a repository's actor on
/// its own queue keeps that blocking off Swift's small cooperative thread pool (two threads on
/// the target machine), and still guarantees one repository is used by one thread at a time.
final class QueueExecutor: SerialExecutor, @unchecked Sendable {
    // @unchecked: DispatchQueue is thread-safe; the class holds nothing else.
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }
}
