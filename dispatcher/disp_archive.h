/*
 * disp_archive.h — a job's outputs in zip archives (all.zip, and one per application),
 * written by the converter child after the outputs, with libzip.
 *
 * An archive is written to a temporary name in the same folder and renamed into place, so
 * a reader either finds the whole archive or none; libzip reads the files from disk while
 * it writes (never whole in memory). A smaller archive of some of the same files can be made
 * from a bigger one by copying the compressed entries (no second compression: for a job's
 * archive per application, once all.zip exists, that costs a file copy). Progress goes to a callback; a cancel flag stops the
 * writing (nothing is left). Stateless; safe across fork().
 */
#ifndef TRACKPORT_DISP_ARCHIVE_H
#define TRACKPORT_DISP_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Called with the fraction done (0..1) of one archive. */
typedef void (*disp_archive_progress_fn)(void *ctx, double done);

struct disp_archive_options {
    int level;                          /* deflate level 1..9; 0 stores without compressing */
    disp_archive_progress_fn progress;  /* may be NULL */
    void *progress_ctx;
    volatile const int *cancel;         /* non-zero: stop and leave nothing; may be NULL */
    /* An archive (made by disp_archive_write) that already holds the entries: they are
     * copied from it as they are stored there, compressed, instead of being read from dir and
     * compressed again. NULL: from dir. */
    const char *copy_from;
    /* Threads deflating at once (0 or 1: the caller's only). With 2, the files are split in
     * two halves of about equal size deflated side by side, then put together: on an idle
     * machine about half the time. progress is still called on the caller's thread only. */
    int threads;
};

/* disp_archive_write stores dir/names[i] (plain file names, borrowed) as entries names[i] of a
 * zip written atomically to out_path. Returns 0, 1 when cancelled, or -1 with a sentence in
 * err. Nothing is left at out_path's temporary name whatever the outcome. */
int disp_archive_write(const char *dir, const char *const *names, size_t n, const char *out_path,
                       const struct disp_archive_options *opts, char *err, size_t errlen);

/* disp_archive_name turns an application's name into its archive's file name: lower case,
 * runs of other characters than letters and digits become one '-', ".zip" appended
 * ("Flame/Smoke" gives "flame-smoke.zip", "After Effects" "after-effects.zip"). */
void disp_archive_name(const char *application, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
