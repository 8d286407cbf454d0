#ifndef ALMANAC_CTHREAD_H
#define ALMANAC_CTHREAD_H

// Thread attributes Swift cannot reach: prctl is variadic, and SCHED_RESET_ON_FORK is a
// _GNU_SOURCE macro. Used by the Executors module for the runner's and the journal's threads.

#define _GNU_SOURCE 1
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <errno.h>

/// Timer slack 1 ns: the thread's timed waits end on time instead of up to 50 µs late.
static inline int almanac_thread_set_timer_slack(unsigned long nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0);
}

/// Marks the thread SCHED_OTHER with SCHED_RESET_ON_FORK, so processes (and threads) it
/// creates start at nice 0 whatever this thread's own nice value is.
static inline int almanac_thread_reset_on_fork(void) {
    struct sched_param param = { 0 };
    return sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &param);
}

/// Sets this thread's nice value (Linux nice is per thread); 0 or -1 with errno (EPERM
/// without CAP_SYS_NICE for a negative value).
static inline int almanac_thread_set_nice(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)gettid(), nice);
}

static inline int almanac_thread_get_nice(void) {
    errno = 0;
    return getpriority(PRIO_PROCESS, (id_t)gettid());
}

/// Sets process `pid`'s nice value (its main thread's, which is all a freshly exec'd child has).
static inline int almanac_process_set_nice(pid_t pid, int nice) {
    return setpriority(PRIO_PROCESS, (id_t)pid, nice);
}

/// Names the thread as `top -H` and `ps -L` show it (at most 15 characters).
static inline int almanac_thread_set_name(const char *name) {
    return prctl(PR_SET_NAME, name, 0, 0, 0);
}

#endif
