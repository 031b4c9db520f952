/*
 * web_zip.h — a job's outputs in one archive (all.zip), built with libzip.
 *
 * The archive is written once, to a temporary name in the same folder, and renamed into
 * place, so a concurrent request either finds the whole archive or none; files are read
 * from disk by libzip while it writes (never loaded whole). Stateless; safe across fork().
 */
#ifndef WEB_ZIP_H
#define WEB_ZIP_H

#include <stddef.h>

/* web_zip_build stores dir/names[i] (plain file names, borrowed) as entries names[i] of a
 * zip written atomically to out_path. Returns 0, or -1 with a sentence in err. */
int web_zip_build(const char *dir, const char *const *names, size_t n, const char *out_path,
                  char *err, size_t errlen);

#endif
