/* disp_archive.c — zip archives of a job's outputs (see disp_archive.h). */
#include "disp_archive.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

struct archive_state {
    const struct disp_archive_options *opts;
};

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

int disp_archive_write(const char *dir, const char *const *names, size_t n, const char *out_path,
                       const struct disp_archive_options *opts, char *err, size_t errlen)
{
    static const struct disp_archive_options none = {.level = 1};
    if (!opts)
        opts = &none;
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.partial-%ld", out_path, (long)getpid()) >= (int)sizeof tmp) {
        snprintf(err, errlen, "the archive path is too long");
        return -1;
    }
    unlink(tmp);
    int zerr = 0;
    zip_t *za = zip_open(tmp, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!za) {
        zip_error_t e;
        zip_error_init_with_code(&e, zerr);
        snprintf(err, errlen, "cannot create the archive: %s", zip_error_strerror(&e));
        zip_error_fini(&e);
        return -1;
    }
    zip_t *from = NULL;
    if (opts->copy_from && !(from = zip_open(opts->copy_from, ZIP_RDONLY, &zerr))) {
        snprintf(err, errlen, "cannot read %s", opts->copy_from);
        zip_discard(za);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        if (strchr(names[i], '/') ||
            snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) {
            snprintf(err, errlen, "bad output name");
            zip_discard(za);
            if (from)
                zip_discard(from);
            return -1;
        }
        zip_source_t *src = NULL;
        if (from) {
            zip_int64_t at = zip_name_locate(from, names[i], ZIP_FL_ENC_UTF_8);
            src = at < 0 ? NULL
                         : zip_source_zip(za, from, (zip_uint64_t)at, ZIP_FL_COMPRESSED, 0, -1);
        } else {
            src = zip_source_file(za, path, 0, -1);
        }
        zip_int64_t index = src ? zip_file_add(za, names[i], src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE)
                                : -1;
        if (index < 0 ||
            (!from && zip_set_file_compression(za, (zip_uint64_t)index,
                                               opts->level > 0 ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
                                               (zip_uint32_t)(opts->level > 0 ? opts->level : 0)) != 0)) {
            snprintf(err, errlen, "cannot add %s: %s", names[i], zip_strerror(za));
            if (src && index < 0)
                zip_source_free(src);
            zip_discard(za);
            if (from)
                zip_discard(from);
            return -1;
        }
    }
    zip_register_progress_callback_with_state(za, 0.01, archive_progress, NULL, (void *)opts);
    zip_register_cancel_callback_with_state(za, archive_cancel, NULL, (void *)opts);
    int closed = zip_close(za); /* the entries copied from `from` are read here */
    if (from)
        zip_discard(from);
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
