import Foundation
import Synchronization
import Scheduler
import Processes
import Publishing

/// Tells the runner when the watched directory changed, within a second.
///
/// inotify on every directory of the tree when the kernel allows it (a blocking read on its
/// own thread), and a polling fallback comparing sizes and mtimes every 500 ms otherwise — a
/// network file system or an exhausted watch limit still works, only later.
package final class TreeWatcher: Sendable {
    private let tree: FileTree
    private let stopped = Mutex(false)

    package init(tree: FileTree) {
        self.tree = tree
    }

    /// Calls `onChange` (debounced by 200 ms) after each change until `stop()`.
    package func start(onChange: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        let fd = inotify_init1(Int32(IN_CLOEXEC))
        if fd >= 0 {
            let events = AsyncStream<Void>(bufferingPolicy: .bufferingNewest(1)) { continuation in
                let thread = Thread { [self] in self.readLoop(fd: fd, continuation: continuation) }
                thread.start()
            }
            return Task {
                // The inotify thread signals; we also poll, slower, as a safety net (new
                // subdirectories created between watch registration and the read).
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await _ in events {
                            try? await Task.sleep(for: .milliseconds(200))
                            await onChange()
                        }
                    }
                    group.addTask { await self.poll(every: .seconds(2), onChange: onChange) }
                }
            }
        }
        return Task { await self.poll(every: .milliseconds(500), onChange: onChange) }
    }

    package func stop() {
        stopped.withLock { $0 = true }
    }

    private var isStopped: Bool { stopped.withLock { $0 } }

    private func poll(every interval: Duration, onChange: @Sendable () async -> Void) async {
        var last = tree.signature()
        while !isStopped && !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let now = tree.signature()
            if now != last {
                last = now
                await onChange()
            }
        }
    }

    private func addWatches(fd: Int32) {
        let mask = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF)
        var stack = [tree.root]
        while let dir = stack.popLast() {
            _ = inotify_add_watch(fd, dir.path, mask)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
            for name in names where !name.hasPrefix(".") {
                let url = dir.appendingPathComponent(name)
                var info = stat()
                if lstat(url.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { stack.append(url) }
            }
        }
    }

    private func readLoop(fd: Int32, continuation: AsyncStream<Void>.Continuation) {
        addWatches(fd: fd)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !isStopped {
            // poll with a timeout rather than a bare blocking read, so stop() is noticed.
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = Glibc.poll(&pfd, 1, 500)
            if ready == 0 { continue }
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                break
            }
            // A new directory needs its own watch; re-adding existing ones is harmless.
            addWatches(fd: fd)
            continuation.yield()
        }
        close(fd)
        continuation.finish()
    }
}
