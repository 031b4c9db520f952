/* web_zip.c — all.zip of a job's outputs (see web_zip.h). */
#include "web_zip.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

int web_zip_build(const char *dir, const char *const *names, size_t n, const char *out_path,
                  char *err, size_t errlen)
{
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
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        if (strchr(names[i], '/') || snprintf(path, sizeof path, "%s/%s", dir, names[i]) >=
                                         (int)sizeof path) {
            snprintf(err, errlen, "bad output name");
            zip_discard(za);
            unlink(tmp);
            return -1;
        }
        zip_source_t *src = zip_source_file(za, path, 0, -1);
        if (!src || zip_file_add(za, names[i], src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
            snprintf(err, errlen, "cannot add %s: %s", names[i], zip_strerror(za));
            if (src)
                zip_source_free(src);
            zip_discard(za);
            unlink(tmp);
            return -1;
        }
    }
    if (zip_close(za) != 0) {
        snprintf(err, errlen, "cannot write the archive: %s", zip_strerror(za));
        zip_discard(za);
        unlink(tmp);
        return -1;
    }
    if (n == 0) {
        /* libzip writes no file for an empty archive: write the 22-byte end record. */
        static const unsigned char empty[22] = {0x50, 0x4b, 0x05, 0x06};
        FILE *f = fopen(tmp, "wb");
        if (!f || fwrite(empty, 1, sizeof empty, f) != sizeof empty) {
            if (f)
                fclose(f);
            snprintf(err, errlen, "cannot write the archive");
            return -1;
        }
        fclose(f);
    }
    if (rename(tmp, out_path) != 0) {
        unlink(tmp);
        snprintf(err, errlen, "cannot store the archive");
        return -1;
    }
    return 0;
}
