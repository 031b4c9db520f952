/* pending_file.c — see pending_file.h. */
#include "pending_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Outputs are for reading by other programs and people: the usual 0644 under the umask,
 * as a plain creat() would make them. */
#define PENDING_MODE 0666

static char *pending_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int tp__pending_open(struct tp__pending *p, const char *final_path)
{
    p->fd = -1;
    p->temp_path = NULL;
    p->final_path = strdup(final_path);
    char *dir = p->final_path ? pending_dir_of(final_path) : NULL;
    if (!dir) {
        free(p->final_path);
        p->final_path = NULL;
        return ENOMEM;
    }
    p->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, PENDING_MODE);
    int err = p->fd < 0 ? errno : 0;
    free(dir);
    /* EISDIR and EOPNOTSUPP are what kernels and file systems without O_TMPFILE say. */
    if (p->fd < 0 && (err == EISDIR || err == EOPNOTSUPP || err == EINVAL)) {
        size_t len = strlen(final_path) + sizeof ".partial-XXXXXX";
        p->temp_path = malloc(len);
        if (!p->temp_path) {
            err = ENOMEM;
        } else {
            snprintf(p->temp_path, len, "%s.partial-XXXXXX", final_path);
            p->fd = mkostemp(p->temp_path, O_CLOEXEC);
            err = p->fd < 0 ? errno : 0;
            if (p->fd >= 0) {
                mode_t mask = umask(0);
                umask(mask);
                fchmod(p->fd, PENDING_MODE & ~mask);
            }
        }
    }
    if (p->fd < 0) {
        free(p->temp_path);
        free(p->final_path);
        p->temp_path = p->final_path = NULL;
        return err;
    }
    return 0;
}

/* Names the anonymous file. linkat cannot replace, so an older output of that name is
 * removed first: a crash in between leaves no output of that name rather than a partial
 * one, and the loop covers another writer recreating it meanwhile. */
static int pending_link(struct tp__pending *p)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", p->fd);
    for (int tries = 0; tries < 8; tries++) {
        if (linkat(AT_FDCWD, proc, AT_FDCWD, p->final_path, AT_SYMLINK_FOLLOW) == 0)
            return 0;
        /* Without /proc (a chroot), the descriptor itself; that needs privileges. */
        if (errno == ENOENT && linkat(p->fd, "", AT_FDCWD, p->final_path, AT_EMPTY_PATH) == 0)
            return 0;
        if (errno != EEXIST)
            return errno;
        if (unlink(p->final_path) != 0 && errno != ENOENT)
            return errno;
    }
    return EEXIST;
}

int tp__pending_commit(struct tp__pending *p)
{
    int err = p->temp_path ? (rename(p->temp_path, p->final_path) == 0 ? 0 : errno)
                           : pending_link(p);
    if (err == 0) {
        free(p->temp_path);
        p->temp_path = NULL;
    }
    tp__pending_discard(p);
    return err;
}

void tp__pending_discard(struct tp__pending *p)
{
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
    if (p->temp_path)
        unlink(p->temp_path);
    free(p->temp_path);
    free(p->final_path);
    p->temp_path = p->final_path = NULL;
}
