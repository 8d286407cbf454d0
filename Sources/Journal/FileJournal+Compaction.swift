#if canImport(Glibc)
import Glibc
#endif
import Foundation

extension FileJournal {
    /// Rewrites the journal as one `snapshot` line (the state after `retention`), atomically.
    ///
    /// Appends made meanwhile wait and go to the new file after the snapshot. The snapshot
    /// carries the `seq` of the last event it includes, so sequence numbers continue unbroken.
    /// The new file is written beside the journal, fsynced, renamed over it, and the directory
    /// fsynced: a crash leaves either the old journal or the new one, never a mix.
    package func compact(now: Date, retention: Retention = Retention()) async throws {
        try checkWritable()
        while compacting { await withCheckedContinuation { compactionWaiters.append($0) } }
        compacting = true
        defer {
            compacting = false
            if !compactionWaiters.isEmpty { compactionWaiters.removeFirst().resume() }
            resumeIdleWaiters()
            startFlushing()
        }
        await waitForFlush()
        try checkWritable()

        var snapshot = current
        let expiredLogs = snapshot.applyRetention(retention, now: now)
        let (line, event) = try encode(JournalEvent(seq: current.lastSeq, at: now, .snapshot(snapshot)))
        let (path, dir) = (fileURL.path, directory.standardizedFileURL.path)
        let temporary = path + ".compacting"
        try await onIO { () throws(JournalError) in
            let fd = try PosixFile.open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
            defer { Glibc.close(fd) }
            do throws(JournalError) {
                try PosixFile.writeAll(fd, line, path: temporary)
                try PosixFile.sync(fd, path: temporary)
                try PosixFile.rename(temporary, to: path)
            } catch {
                unlink(temporary)
                throw error
            }
        }
        // The rename happened: from here on, failing means the writer no longer knows its file.
        do {
            let newFd = try await onIO { () throws(JournalError) -> Int32 in
                try PosixFile.syncDirectory(dir)
                return try PosixFile.open(path, O_WRONLY | O_APPEND)
            }
            Glibc.close(fd)
            fd = newFd
        } catch {
            failure = JournalError(kind: .failed, path: path, message: "compaction could not reopen the journal: \(error)")
            throw error
        }
        fsyncCount += 2
        var fresh = JournalState()
        fresh.apply(event)
        current = fresh
        // Claims of executions that retention dropped are forgotten (`lastOccurrence` still
        // keeps catch-up from reaching them); claims still waiting in the queue are kept.
        claims = fresh.claims.union(pendingClaims)
        await removeLogs(expiredLogs)
    }

    /// Deletes the log files of executions retention dropped, now that the journal no longer
    /// names them; only files inside the state directory (a journal line naming another path is
    /// never a reason to delete it). A file already gone is no error.
    private func removeLogs(_ paths: Set<String>) async {
        guard !paths.isEmpty else { return }
        let root = directory.standardizedFileURL.path + "/"
        let owned = paths.filter { URL(fileURLWithPath: $0).standardizedFileURL.path.hasPrefix(root) }
        _ = try? await onIO { () throws(JournalError) in
            for path in owned { unlink(path) }
        }
    }
}
