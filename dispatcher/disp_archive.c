/*
 * disp_archive.c — zip archives of a job's outputs (see disp_archive.h).
 *
 * Deflating is the archive's whole cost (about ten times the copying), and a job's outputs
 * are independent files, so with two threads the files are split in two halves of about
 * equal size, each deflated into a part archive of its own, and the archive is then put
 * together by copying the parts' compressed entries in the caller's order.
 */
#include "disp_archive.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

static void archive_progress(zip_t *za, double done, void *ud)
{
    (void)za;
    const struct disp_archive_options *o = ud;
    if (o->progress)
        o->progress(o->progress_ctx, done);
}

static int archive_cancel(zip_t *za, void *ud)
{
    (void)za;
    const struct disp_archive_options *o = ud;
    return o->cancel && *o->cancel;
}

/* libzip writes no file for an empty archive: the 22-byte end record alone is one. */
static int archive_empty(const char *path)
{
    static const unsigned char empty[22] = {0x50, 0x4b, 0x05, 0x06};
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    bool ok = fwrite(empty, 1, sizeof empty, f) == sizeof empty;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static void archive_close_all(zip_t **from, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (from[i])
            zip_discard(from[i]);
}

/* Writes the archive: each entry copied compressed from the first of sources (archives)
 * that holds it, or, without sources, read from dir and compressed at opts->level. */
static int archive_build(const char *dir, const char *const *names, size_t n,
                         const char *out_path, const struct disp_archive_options *opts,
                         const char *const *sources, size_t n_sources, char *err, size_t errlen)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.partial-%ld", out_path, (long)getpid()) >= (int)sizeof tmp) {
        snprintf(err, errlen, "the archive path is too long");
        return -1;
    }
    unlink(tmp);
    int zerr = 0;
    zip_t *from[2] = {NULL, NULL};
    if (n_sources > 2) {
        snprintf(err, errlen, "too many source archives");
        return -1;
    }
    for (size_t i = 0; i < n_sources; i++) {
        if (!(from[i] = zip_open(sources[i], ZIP_RDONLY, &zerr))) {
            snprintf(err, errlen, "cannot read %s", sources[i]);
            archive_close_all(from, i);
            return -1;
        }
    }
    zip_t *za = zip_open(tmp, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!za) {
        zip_error_t e;
        zip_error_init_with_code(&e, zerr);
        snprintf(err, errlen, "cannot create the archive: %s", zip_error_strerror(&e));
        zip_error_fini(&e);
        archive_close_all(from, n_sources);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        if (strchr(names[i], '/') ||
            snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) {
            snprintf(err, errlen, "bad output name");
            zip_discard(za);
            archive_close_all(from, n_sources);
            return -1;
        }
        zip_source_t *src = NULL;
        for (size_t s = 0; s < n_sources && !src; s++) {
            zip_int64_t at = zip_name_locate(from[s], names[i], ZIP_FL_ENC_UTF_8);
            if (at >= 0)
                src = zip_source_zip(za, from[s], (zip_uint64_t)at, ZIP_FL_COMPRESSED, 0, -1);
        }
        if (!n_sources)
            src = zip_source_file(za, path, 0, -1);
        zip_int64_t index = src ? zip_file_add(za, names[i], src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE)
                                : -1;
        if (index < 0 ||
            (!n_sources && zip_set_file_compression(za, (zip_uint64_t)index,
                                                    opts->level > 0 ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
                                                    (zip_uint32_t)(opts->level > 0 ? opts->level
                                                                                   : 0)) != 0)) {
            snprintf(err, errlen, "cannot add %s: %s", names[i], zip_strerror(za));
            if (src && index < 0)
                zip_source_free(src);
            zip_discard(za);
            archive_close_all(from, n_sources);
            return -1;
        }
    }
    zip_register_progress_callback_with_state(za, 0.01, archive_progress, NULL, (void *)opts);
    zip_register_cancel_callback_with_state(za, archive_cancel, NULL, (void *)opts);
    int closed = zip_close(za); /* the entries are read, compressed or copied here */
    archive_close_all(from, n_sources);
    if (closed != 0) {
        bool cancelled = opts->cancel && *opts->cancel;
        snprintf(err, errlen, "cannot write the archive: %s", zip_strerror(za));
        zip_discard(za);
        unlink(tmp);
        return cancelled ? 1 : -1;
    }
    if (n == 0 && archive_empty(tmp) != 0) {
        unlink(tmp);
        snprintf(err, errlen, "cannot write the archive");
        return -1;
    }
    if (rename(tmp, out_path) != 0) {
        unlink(tmp);
        snprintf(err, errlen, "cannot store the archive");
        return -1;
    }
    return 0;
}

/* One half of a split archive, deflated on its own thread (or the caller's). */
struct archive_part {
    const char *dir;
    const char **names;
    size_t n;
    uint64_t bytes;
    char path[4200];
    struct disp_archive_options opts;
    char err[256];
    int rc;
};

static void *archive_part_run(void *arg)
{
    struct archive_part *p = arg;
    p->rc = archive_build(p->dir, p->names, p->n, p->path, &p->opts, NULL, 0, p->err,
                          sizeof p->err);
    return NULL;
}

/* Deflates the files in two halves at once, then copies both into out_path in order. */
static int archive_split(const char *dir, const char *const *names, size_t n,
                         const char *out_path, const struct disp_archive_options *opts,
                         char *err, size_t errlen)
{
    struct archive_part parts[2];
    memset(parts, 0, sizeof parts);
    const char **lists = calloc(n * 2, sizeof *lists);
    uint64_t *sizes = calloc(n, sizeof *sizes);
    if (!lists || !sizes) {
        free(lists);
        free(sizes);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        sizes[i] = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
    }
    /* Largest first, each to the lighter half: within one file of an even split. */
    for (size_t k = 0; k < n; k++) {
        size_t big = n;
        for (size_t i = 0; i < n; i++)
            if (sizes[i] != UINT64_MAX && (big == n || sizes[i] > sizes[big]))
                big = i;
        struct archive_part *p = &parts[parts[1].bytes < parts[0].bytes];
        if (!p->names)
            p->names = lists + (p == &parts[0] ? 0 : n);
        p->names[p->n++] = names[big];
        p->bytes += sizes[big];
        sizes[big] = UINT64_MAX;
    }
    free(sizes);
    for (int i = 0; i < 2; i++) {
        parts[i].dir = dir;
        parts[i].opts = *opts;
        parts[i].opts.threads = 1;
        snprintf(parts[i].path, sizeof parts[i].path, "%s.partial-%ld-%d", out_path,
                 (long)getpid(), i);
    }
    /* Only the caller's thread reports progress (the callback need not be thread-safe): its
     * half, about as big as the other, stands for the whole. */
    parts[1].opts.progress = NULL;
    pthread_t helper;
    bool threaded = pthread_create(&helper, NULL, archive_part_run, &parts[1]) == 0;
    archive_part_run(&parts[0]);
    if (threaded)
        pthread_join(helper, NULL);
    else
        archive_part_run(&parts[1]);
    int rc = parts[0].rc ? parts[0].rc : parts[1].rc;
    if (rc)
        snprintf(err, errlen, "%s", parts[0].rc ? parts[0].err : parts[1].err);
    if (!rc) {
        const char *sources[2] = {parts[0].path, parts[1].path};
        struct disp_archive_options merge = *opts;
        merge.progress = NULL;
        rc = archive_build(dir, names, n, out_path, &merge, sources, 2, err, errlen);
    }
    unlink(parts[0].path);
    unlink(parts[1].path);
    free(lists);
    return rc;
}

int disp_archive_write(const char *dir, const char *const *names, size_t n, const char *out_path,
                       const struct disp_archive_options *opts, char *err, size_t errlen)
{
    static const struct disp_archive_options none = {.level = 1};
    if (!opts)
        opts = &none;
    if (opts->copy_from)
        return archive_build(dir, names, n, out_path, opts, &opts->copy_from, 1, err, errlen);
    if (opts->threads > 1 && n >= 2 && opts->level > 0)
        return archive_split(dir, names, n, out_path, opts, err, errlen);
    return archive_build(dir, names, n, out_path, opts, NULL, 0, err, errlen);
}

void disp_archive_name(const char *application, char *buf, size_t size)
{
    if (size == 0)
        return;
    size_t n = 0;
    bool dash = false;
    for (const char *p = application ? application : ""; *p && n + 5 < size; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && n > 0)
                buf[n++] = '-';
            dash = false;
            buf[n++] = c;
        } else {
            dash = true;
        }
    }
    if (n == 0 && size > 6)
        n = (size_t)snprintf(buf, size, "other");
    snprintf(buf + n, size - n, ".zip");
}
