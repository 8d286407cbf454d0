#ifndef ALMANAC_CTHREAD_H
#define ALMANAC_CTHREAD_H

// Thread attributes Swift cannot reach: prctl is variadic, and SCHED_RESET_ON_FORK and
// gettid need _GNU_SOURCE, which must not leak into the headers Swift's Glibc module also
// reads (enums would differ between modules). So this header only declares; cthread.c
// defines. Used by Executors (the runner's and the journal's threads) and the launcher.

#include <sys/types.h>

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

/// Sets process `pid`'s nice value (its main thread's, which is all a freshly exec'd child has).
int almanac_process_set_nice(pid_t pid, int nice);

/// Makes this thread SCHED_FIFO at `priority`; 0, or -1 with errno (EPERM without
/// CAP_SYS_NICE or an RLIMIT_RTPRIO that high).
int almanac_thread_set_fifo(int priority);

/// This thread's SCHED_FIFO priority, or 0 when it is not SCHED_FIFO.
int almanac_thread_fifo_priority(void);

/// Makes process `pid` SCHED_OTHER at `nice` (its main thread, which is all a fresh child has).
int almanac_process_set_other(pid_t pid, int nice);

/// Writes up to `max` CPUs the process may run on (its main thread's set) to `cpus`;
/// returns how many, or -1.
int almanac_allowed_cpus(int *cpus, int max);

/// Pins this thread to `cpu`; children it creates start there too.
int almanac_thread_pin(int cpu);

/// Gives process `pid` the process's CPU set (its main thread's) when this thread's is
/// narrower, so a child spawned from a pinned thread is not pinned.
int almanac_process_unpin(pid_t pid);

/// Names the thread as `top -H` and `ps -L` show it (at most 15 characters).
int almanac_thread_set_name(const char *name);

#endif
