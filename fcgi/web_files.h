/*
 * web_files.h — file-system helpers of the site: reading a small file whole (a job's
 * folder is made and removed by jobs_life.h only). Paths given here are always built by the site from validated tokens and fixed
 * names, never from user text. Stateless; safe across fork().
 */
#ifndef WEB_FILES_H
#define WEB_FILES_H

#include <stddef.h>

/* web_read_small reads the whole file at path if it is at most max bytes. Caller owns *data
 * (free; NUL-terminated). Returns 0 or -1 (errno set; EFBIG when larger than max). */
int web_read_small(const char *path, size_t max, char **data, size_t *len);

#endif
