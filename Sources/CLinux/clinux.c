#define _GNU_SOURCE 1
#include "clinux.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
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

// The kernel's `struct sched_attr` (include/uapi/linux/sched/types.h); glibc has no wrapper.
struct almanac_sched_attr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
};

static int set_fair(pid_t pid, int nice, uint64_t runtime) {
    int policy = sched_getscheduler(pid);
    if (policy == -1) return -1;
    struct almanac_sched_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.sched_policy = SCHED_OTHER;
    attr.sched_flags = (policy & SCHED_RESET_ON_FORK) ? 0x01 /* SCHED_FLAG_RESET_ON_FORK */ : 0;
    attr.sched_nice = nice;
    attr.sched_runtime = runtime;
    return (int)syscall(SYS_sched_setattr, pid, &attr, 0);
}

int almanac_thread_set_slice(unsigned long long nanoseconds) {
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, (id_t)gettid());
    if (nice == -1 && errno != 0) return -1;
    return set_fair(gettid(), nice, nanoseconds);
}

unsigned long long almanac_process_slice(pid_t pid) {
    struct almanac_sched_attr attr;
    memset(&attr, 0, sizeof attr);
    if (syscall(SYS_sched_getattr, pid, &attr, sizeof attr, 0) != 0) return 0;
    return attr.sched_runtime;
}

int almanac_process_make_ordinary(pid_t pid) {
    return set_fair(pid, 0, 0);
}

int almanac_thread_set_name(const char *name) {
    return prctl(PR_SET_NAME, name, 0, 0, 0);
}

int almanac_pidfd_open(pid_t pid) {
    return pidfd_open(pid, 0);
}

int almanac_pidfd_send_signal(int pidfd, int signal) {
    return pidfd_send_signal(pidfd, signal, NULL, 0);
}

int almanac_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int almanac_prlimit(pid_t pid, int resource, const struct rlimit *limit) {
    return prlimit(pid, (__rlimit_resource_t)resource, limit, NULL);
}

int almanac_punch_hole(int fd, off_t offset, off_t length) {
    return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
}

int almanac_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int almanac_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

int almanac_malloc_trim(void) {
    return malloc_trim(0);
}

int almanac_spawnattr_clean_signals(posix_spawnattr_t *attributes, short flags) {
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    int code = posix_spawnattr_setflags(attributes, (short)(flags | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
    if (code == 0) code = posix_spawnattr_setsigmask(attributes, &none);
    if (code == 0) code = posix_spawnattr_setsigdefault(attributes, &all);
    return code;
}
