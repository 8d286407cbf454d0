#ifndef ALMANAC_CGIT2_SHIM_H
#define ALMANAC_CGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/transport.h>

/* git_libgit2_opts is variadic, which Swift cannot call: one inline wrapper per option we use. */
static inline int almanac_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

static inline int almanac_git_get_owner_validation(int *enabled) {
    return git_libgit2_opts(GIT_OPT_GET_OWNER_VALIDATION, enabled);
}

static inline int almanac_git_set_search_path(int level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}

/* libgit2's smart transport talks to a subtransport and its streams through structs of
 * function pointers, which implementations extend C-style (the libgit2 struct first). GitSync's
 * subtransport runs `git receive-pack` for pushes to local repositories; these carry the Swift
 * object behind each struct. */
typedef struct almanac_subtransport {
    git_smart_subtransport parent;
    void *owner;
} almanac_subtransport;

typedef struct almanac_subtransport_stream {
    git_smart_subtransport_stream parent;
    void *owner;
} almanac_subtransport_stream;
#endif
