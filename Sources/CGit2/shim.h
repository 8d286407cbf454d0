#ifndef ALMANAC_CGIT2_SHIM_H
#define ALMANAC_CGIT2_SHIM_H
#include <git2.h>
#include <zlib.h>

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

/* Bulk object writes (GitSync's commit of thousands of status files) are written as one
 * packfile by GitSync itself, with zlib streams. deflateInit2 is a macro, which Swift cannot
 * call. */
static inline int almanac_deflate_init(z_stream *stream, int level, int memLevel) {
    return deflateInit2(stream, level, Z_DEFLATED, 15, memLevel, Z_DEFAULT_STRATEGY);
}
#endif
