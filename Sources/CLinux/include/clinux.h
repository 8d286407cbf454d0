#ifndef ALMANAC_CLINUX_H
#define ALMANAC_CLINUX_H

// glibc calls Swift cannot reach through its Glibc module: prctl is variadic, and
// SCHED_RESET_ON_FORK, gettid, pipe2, prlimit, fallocate, the posix_spawn `_np` extensions and
// pidfd_open need _GNU_SOURCE (or headers the module map leaves out). _GNU_SOURCE must not
// leak into the headers Swift's Glibc module also reads (enums and structs would differ
// between modules), so static inline wrappers here cannot see those declarations: this
// header only declares thin wrappers and clinux.c, compiled with _GNU_SOURCE, defines them.
// Linked directly (glibc 2.36 or later), not looked up with dlsym.

#include <spawn.h>
#include <sys/resource.h>
#include <sys/types.h>

// MARK: threads (Executors: the runner's and the journal's threads)

/// Timer slack 1 ns: the thread's timed waits end on time instead of up to 50 µs late.
int almanac_thread_set_timer_slack(unsigned long nanoseconds);

/// Marks the thread SCHED_OTHER with SCHED_RESET_ON_FORK, so processes (and threads) it
/// creates start at nice 0 whatever this thread's own nice value is.
int almanac_thread_reset_on_fork(void);

/// Sets this thread's nice value (Linux nice is per thread); 0, or -1 with errno (EPERM
/// without CAP_SYS_NICE or RLIMIT_NICE for a negative value).
int almanac_thread_set_nice(int nice);

/// This thread's nice value.
int almanac_thread_get_nice(void);

/// Asks for a scheduler slice of `nanoseconds` for this thread (EEVDF's per-task slice,
/// `sched_setattr`'s `sched_runtime` for SCHED_OTHER, Linux 6.12 and later; the kernel keeps it
/// within 0.1–100 ms). A shorter slice does not raise the thread's share of the CPU, only how
/// soon a wake-up preempts whatever runs; needs no privilege. Keeps the thread's nice and its
/// reset-on-fork flag. 0, or -1 with errno; older kernels accept and ignore it.
int almanac_thread_set_slice(unsigned long long nanoseconds);

/// The slice `pid` runs with, in nanoseconds (`sched_getattr`'s `sched_runtime`); 0 on error.
unsigned long long almanac_process_slice(pid_t pid);

/// Makes `pid` an ordinary process: SCHED_OTHER, nice 0, the default slice (a spawned child
/// inherits the spawning thread's slice and nice). 0, or -1 with errno.
int almanac_process_make_ordinary(pid_t pid);

/// Names the thread as `top -H` and `ps -L` show it (at most 15 characters).
int almanac_thread_set_name(const char *name);

// MARK: processes (Runner's launcher, reaper, leftover sweep, log cap)

/// `pidfd_open(pid, 0)`: a close-on-exec fd that becomes readable when `pid` exits; -1 and errno.
int almanac_pidfd_open(pid_t pid);

/// `pidfd_send_signal(pidfd, signal, NULL, 0)`: signals the process the fd refers to.
int almanac_pidfd_send_signal(int pidfd, int signal);

/// `pipe2(fds, O_CLOEXEC)`: both ends close-on-exec, atomically.
int almanac_pipe_cloexec(int fds[2]);

/// `prlimit(pid, resource, limit, NULL)`: sets one resource limit of another process.
int almanac_prlimit(pid_t pid, int resource, const struct rlimit *limit);

/// `fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length)`.
int almanac_punch_hole(int fd, off_t offset, off_t length);

/// `posix_spawn_file_actions_addchdir_np`; returns an errno value (0 on success).
int almanac_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path);

/// `posix_spawn_file_actions_addclosefrom_np`; returns an errno value (0 on success).
int almanac_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int lowest);

/// Sets `flags | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF` with an empty signal mask
/// and every signal at its default disposition: a child must not inherit the runner's ignored
/// SIGPIPE or blocked signals (jobs, and git's receive-pack for local pushes). Returns an errno value.
int almanac_spawnattr_clean_signals(posix_spawnattr_t *attributes, short flags);

// MARK: memory

/// `malloc_trim(0)`: gives freed heap pages back to the kernel; 1 when it released any.
int almanac_malloc_trim(void);

#endif
