/*
 * pending_file.h — an output file that has no name until it is complete.
 *
 * An output is written into an anonymous file in its destination folder (O_TMPFILE) and
 * given its final name only by tp__pending_commit. Whatever ends the process before that —
 * Ctrl-C, SIGTERM, SIGKILL, a file-size limit, a full disk — the kernel frees the file and
 * no half-written output is ever visible. Where the file system cannot make anonymous
 * files, a visible "<final>.partial-XXXXXX" stands in and is unlinked on discard, as a
 * fallback only.
 *
 * Not thread-safe per object; safe across fork() only in the sense that a child must not
 * commit or discard its parent's files.
 */
#ifndef TP_PENDING_FILE_H
#define TP_PENDING_FILE_H

#include <stdbool.h>

struct tp__pending {
    int fd;           /* open for writing; -1 when closed */
    char *final_path; /* owned */
    char *temp_path;  /* owned; NULL when anonymous */
};

/* tp__pending_open creates the file that will become final_path (copied). Returns 0 or
 * an errno value; on failure p holds nothing to release. */
int tp__pending_open(struct tp__pending *p, const char *final_path);

/* tp__pending_commit gives the complete file its final name, replacing an older file of
 * that name, and closes it. Returns 0 or an errno value (the file is then discarded). */
int tp__pending_commit(struct tp__pending *p);

/* tp__pending_discard closes and forgets the file (unlinking a fallback name) and frees
 * the paths. Safe on a committed, discarded or zeroed object with fd == -1. */
void tp__pending_discard(struct tp__pending *p);

#endif
