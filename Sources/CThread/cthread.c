#define _GNU_SOURCE 1
#include "cthread.h"

#include <errno.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

int almanac_thread_set_timer_slack(unsigned long nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0);
}

int almanac_thread_reset_on_fork(void) {
    struct sched_param param = { 0 };
    return sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &param);
}

int almanac_thread_set_nice(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)gettid(), nice);
}

int almanac_thread_get_nice(void) {
    errno = 0;
    return getpriority(PRIO_PROCESS, (id_t)gettid());
}

int almanac_process_set_nice(pid_t pid, int nice) {
    return setpriority(PRIO_PROCESS, (id_t)pid, nice);
}

int almanac_thread_set_name(const char *name) {
    return prctl(PR_SET_NAME, name, 0, 0, 0);
}
