import CLinux
import Glibc
import Scheduler

/// The one `posix_spawn` call: file actions, attributes and C strings, set up and torn down.
///
/// The child starts in its own process group (so the runner can signal the group), with
/// an empty signal mask and every signal at its default (the runner ignores SIGPIPE and
/// its threads may block signals; neither must leak into jobs), stdin from the pipe or
/// /dev/null, stdout and stderr on the log (or the masking pipe), in its workdir, with every other fd closed.
enum SpawnCall {
    /// Spawns `path`; returns 0 or the errno value posix_spawn reported.
    static func spawn(
        _ pid: inout pid_t, path: String, arguments: [String], environment: [String],
        workdir: String, outputFD: Int32, stdinFD: Int32?
    ) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var code: Int32 = 0
        if let stdinFD {
            code = posix_spawn_file_actions_adddup2(&actions, stdinFD, 0)
        } else {
            code = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if code == 0 { code = posix_spawn_file_actions_adddup2(&actions, outputFD, 1) }
        if code == 0 { code = posix_spawn_file_actions_adddup2(&actions, outputFD, 2) }
        if code == 0 { code = almanac_spawn_add_chdir(&actions, workdir) }
        if code == 0 { code = almanac_spawn_add_closefrom(&actions, 3) }
        guard code == 0 else { return code }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        _ = almanac_spawnattr_clean_signals(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        return posix_spawn(&pid, path, &actions, &attributes, argv, envp)
    }
}
