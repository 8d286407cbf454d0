// A fault-injection shim for the chaos suite (Tests/RunnerTests/FileChaosTests.swift), loaded
// into the real `almanac` binary with LD_PRELOAD=libAlmanacFaults.so. It fails the calls that
// make data durable on files under one directory, on cue, as a full, failing or read-only disk
// would:
//
//   ALMANAC_FAULT_DIR   the directory whose files fail (the state directory)
//   ALMANAC_FAULT_CUE   a file; while it exists, its first word is the fault: ENOSPC, EIO
//                       (write, pwrite, fsync and fdatasync fail with it) or EROFS (those, and
//                       opening a file there for writing, fail with EROFS)
//
// Without both variables every call goes straight to libc. A tmpfs filled up (JournalFaultTests)
// needs root and can only say ENOSPC; this works for any user and any errno, and the test decides
// the moment. Nothing in the runner knows about it.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cued_errno(void) {
    const char *cue = getenv("ALMANAC_FAULT_CUE");
    if (!cue) return 0;
    int saved = errno;
    FILE *file = fopen(cue, "re");
    if (!file) { errno = saved; return 0; }
    char word[16] = {0};
    int got = fscanf(file, "%15s", word);
    fclose(file);
    errno = saved;
    if (got != 1) return 0;
    if (strcmp(word, "ENOSPC") == 0) return ENOSPC;
    if (strcmp(word, "EIO") == 0) return EIO;
    if (strcmp(word, "EROFS") == 0) return EROFS;
    return 0;
}

static int under_fault_dir(const char *path) {
    const char *dir = getenv("ALMANAC_FAULT_DIR");
    if (!dir || !path) return 0;
    size_t length = strlen(dir);
    return strncmp(path, dir, length) == 0 && (path[length] == '/' || path[length] == 0);
}

static int fd_under_fault_dir(int fd) {
    if (!getenv("ALMANAC_FAULT_DIR") || !getenv("ALMANAC_FAULT_CUE")) return 0;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    int saved = errno;
    ssize_t n = readlink(link, path, sizeof path - 1);
    errno = saved;
    if (n <= 0) return 0;
    path[n] = 0;
    return under_fault_dir(path);
}

/// The errno a call on `fd` fails with now, or 0 to let it through.
static int fault_for_fd(int fd) {
    if (!fd_under_fault_dir(fd)) return 0;
    return cued_errno();
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void *buffer, size_t count) {
    int fault = fault_for_fd(fd);
    if (fault) { errno = fault; return -1; }
    return NEXT(write)(fd, buffer, count);
}

ssize_t pwrite(int fd, const void *buffer, size_t count, off_t offset) {
    int fault = fault_for_fd(fd);
    if (fault) { errno = fault; return -1; }
    return NEXT(pwrite)(fd, buffer, count, offset);
}

int fsync(int fd) {
    int fault = fault_for_fd(fd);
    if (fault) { errno = fault; return -1; }
    return NEXT(fsync)(fd);
}

int fdatasync(int fd) {
    int fault = fault_for_fd(fd);
    if (fault) { errno = fault; return -1; }
    return NEXT(fdatasync)(fd);
}

/// Whether opening `path` with `flags` fails now: for writing, under the directory, read-only cued.
static int refused(const char *path, int flags) {
    return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) != 0 && under_fault_dir(path) && cued_errno() == EROFS;
}

/// The optional third argument of open(2), read where the caller's varargs are in scope.
#define MODE_ARGUMENT(mode, flags) do { \
    if ((flags) & (O_CREAT | O_TMPFILE)) { va_list arguments; va_start(arguments, flags); \
        mode = va_arg(arguments, mode_t); va_end(arguments); } \
} while (0)

int open(const char *path, int flags, ...) {
    mode_t mode = 0;
    MODE_ARGUMENT(mode, flags);
    if (refused(path, flags)) { errno = EROFS; return -1; }
    return NEXT(open)(path, flags, mode);
}

int open64(const char *path, int flags, ...) {
    mode_t mode = 0;
    MODE_ARGUMENT(mode, flags);
    if (refused(path, flags)) { errno = EROFS; return -1; }
    return NEXT(open64)(path, flags, mode);
}
