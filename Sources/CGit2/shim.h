#ifndef ALMANAC_CGIT2_SHIM_H
#define ALMANAC_CGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

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

/* Bulk object writes (GitSync's commit of thousands of status files): objects go to an
 * in-memory backend first, then land on disk as ONE packfile instead of one loose file each.
 * Wrappers because these steps call through function pointers of libgit2's structs (the
 * backend's free, the pack writer's append/commit/free), which is clumsy from Swift; each
 * cleans up on every path. */

/* Adds a new mempack backend, with priority over the disk backends, to `repo`'s object
 * database; the database owns it afterwards. */
static inline int almanac_git_attach_mempack(git_repository *repo, git_odb_backend **mempack) {
    git_odb *odb = NULL;
    int error = git_mempack_new(mempack);
    if (error < 0) return error;
    error = git_repository_odb(&odb, repo);
    if (error == 0) error = git_odb_add_backend(odb, *mempack, 999);
    if (error < 0) { (*mempack)->free(*mempack); *mempack = NULL; }
    git_odb_free(odb);
    return error;
}

/* Builds the pack in memory and stores it through the object database's pack writer, which
 * indexes it into objects/pack. */
static inline int almanac_git_store_pack(git_packbuilder *builder, git_repository *repo) {
    git_buf pack = {0};
    git_odb *odb = NULL;
    git_odb_writepack *writepack = NULL;
    git_indexer_progress stats = {0};
    int error = git_packbuilder_write_buf(&pack, builder);
    if (error == 0) error = git_repository_odb(&odb, repo);
    if (error == 0) error = git_odb_write_pack(&writepack, odb, NULL, NULL);
    if (error == 0) error = writepack->append(writepack, pack.ptr, pack.size, &stats);
    if (error == 0) error = writepack->commit(writepack, &stats);
    if (writepack) writepack->free(writepack);
    git_odb_free(odb);
    git_buf_dispose(&pack);
    return error;
}
#endif
