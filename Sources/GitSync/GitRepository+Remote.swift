import CGit2
import Foundation

extension GitRepository {
    /// Fetches `remote`'s configured refspecs and all its tags (FETCH_HEAD is not written).
    ///
    /// Remote-tracking branches (`origin/main`) move; local branches do not — resolve
    /// `origin/<branch>` to see what arrived.
    package func fetch(remote: String = "origin", credentials: GitCredentials = .none) throws(GitError) {
        let handle = try lookupRemote(remote)
        let callbacks = RemoteCallbacks(credentials)
        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        options.callbacks = callbacks.make()
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
        // No FETCH_HEAD: nothing reads it (the tip is `refs/remotes/origin/<branch>`), and
        // writing it makes libgit2 1.5 resolve HEAD's upstream through `git_remote_lookup`,
        // which leaks (see `remotes`): ~120 KB per fetch in a clone with `branch.main.remote`.
        options.update_fetchhead = 0
        let code = git_remote_fetch(handle.pointer, nil, &options, nil)
        try check(code, "git_remote_fetch(\(remote))")
        withExtendedLifetime(callbacks) {}
    }

    /// Pushes `refspecs` (e.g. `refs/heads/almanac-status:refs/heads/almanac-status`).
    ///
    /// A refused update is an error even though `git_remote_push` itself returns 0 for it:
    /// the per-ref status from `push_update_reference` is checked. When the remote branch has
    /// moved on, the error's kind is `.nonFastForward` (libgit2's own pre-check yields
    /// `GIT_ENONFASTFORWARD`; a server says "non-fast-forward" / "fetch first"); the cure is
    /// fetch, rebuild on the new tip, push again.
    ///
    /// Every remote goes through libgit2's push. A repository on a local path (`/srv/status.git`,
    /// `file://…`) is pushed to by running `git receive-pack` on it (`receivePackTransport`),
    /// as `git push` does, so its pre-receive, update and post-receive hooks run; a hook's
    /// refusal is an error carrying the hook's output, and the push returns after
    /// post-receive has finished. That needs the `git` executable.
    package func push(remote: String = "origin", refspecs: [String], credentials: GitCredentials = .none) throws(GitError) {
        let (handle, local) = try pushRemote(remote)
        let callbacks = RemoteCallbacks(credentials)
        var options = git_push_options()
        git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION))
        options.callbacks = callbacks.make()
        if local { options.callbacks.transport = receivePackTransport }
        options.pb_parallelism = 0  // one pack-building thread per core instead of libgit2's default 1
        let strings = refspecs.map { strdup($0) }
        defer { strings.forEach { free($0) } }
        var pointers = strings
        let code = pointers.withUnsafeMutableBufferPointer { buffer in
            var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return git_remote_push(handle.pointer, &array, &options)
        }
        try check(code, "git_remote_push(\(remote))")
        if let rejection = callbacks.pushRejection() { throw rejection }
    }

    /// The handle to push to `name` with, and whether its push URL is a local path.
    ///
    /// A local remote gets a second handle of its own, looked up once and kept like the first:
    /// the transport a remote connects with stays on its handle, and the fetch handle's is
    /// libgit2's local transport, while pushes need `receivePackTransport`.
    private func pushRemote(_ name: String) throws(GitError) -> (GitRemoteHandle, local: Bool) {
        if let cached = pushRemotes[name] { return (cached, true) }
        let handle = try lookupRemote(name)
        guard let url = git_remote_pushurl(handle.pointer) ?? git_remote_url(handle.pointer),
            localPath(String(cString: url)) != nil
        else { return (handle, false) }
        let pusher = try GitRemoteHandle("git_remote_lookup(\(name))") { git_remote_lookup(&$0, repository.pointer, name) }
        pushRemotes[name] = pusher
        return (pusher, true)
    }

    /// The remote called `name`, looked up on first use and kept (see `remotes` for why).
    private func lookupRemote(_ name: String) throws(GitError) -> GitRemoteHandle {
        if let cached = remotes[name] { return cached }
        let handle = try GitRemoteHandle("git_remote_lookup(\(name))") { git_remote_lookup(&$0, repository.pointer, name) }
        remotes[name] = handle
        return handle
    }
}
