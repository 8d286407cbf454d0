import CGit2

/// Process-wide libgit2 set-up, done once on first use.
///
/// `git_libgit2_init` is reference counted and must precede every other call; a lazy global
/// runs it exactly once (Swift initialises globals with `swift_once`) and never shuts down,
/// because handles may outlive any scope we could tie a shutdown to.
enum LibGit2 {
    /// Touch this before any libgit2 call.
    static func ensureInitialized() {
        _ = initialized
    }

    private static let initialized: Bool = {
        let count = git_libgit2_init()
        // Owner validation (git's `safe.directory`) refuses to open a repository owned by
        // another uid. Almanac opens only repositories it cloned itself into its state dir,
        // which in containers and on mounted volumes is routinely owned by a different uid
        // than the runner's; the check would turn every such start into "repository path is
        // not owned by current user" while protecting against nothing (we never run hooks or
        // read a worktree's config-driven commands). It goes through the inline C wrapper
        // because `git_libgit2_opts` is variadic.
        _ = almanac_git_set_owner_validation(0)
        return count > 0
    }()
}
