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

int almanac_thread_set_fifo(int priority) {
    struct sched_param param = { .sched_priority = priority };
    return sched_setscheduler(0, SCHED_FIFO, &param);
}

int almanac_thread_fifo_priority(void) {
    if (sched_getscheduler(0) != SCHED_FIFO) return 0;
    struct sched_param param = { 0 };
    if (sched_getparam(0, &param) != 0) return 0;
    return param.sched_priority;
}

int almanac_process_set_other(pid_t pid, int nice) {
    struct sched_param param = { 0 };
    if (sched_setscheduler(pid, SCHED_OTHER, &param) != 0) return -1;
    return setpriority(PRIO_PROCESS, (id_t)pid, nice);
}

int almanac_allowed_cpus(int *cpus, int max) {
    cpu_set_t set;
    if (sched_getaffinity(getpid(), sizeof set, &set) != 0) return -1;
    int count = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && count < max; cpu++) {
        if (CPU_ISSET(cpu, &set)) cpus[count++] = cpu;
    }
    return count;
}

int almanac_thread_pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

int almanac_process_unpin(pid_t pid) {
    cpu_set_t mine, process;
    if (sched_getaffinity(0, sizeof mine, &mine) != 0) return -1;
    if (sched_getaffinity(getpid(), sizeof process, &process) != 0) return -1;
    if (CPU_EQUAL(&mine, &process)) return 0;
    return sched_setaffinity(pid, sizeof process, &process);
}

int almanac_thread_set_name(const char *name) {
    return prctl(PR_SET_NAME, name, 0, 0, 0);
}
