/* input.c — buffered forward reader over a file descriptor or a memory block. */
#include "trackport.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (256u * 1024u)

struct tp_input {
    int fd;                 /* -1 for memory */
    const char *mem;        /* memory source (borrowed) */
    size_t mem_len, mem_pos;
    char *buf;              /* buf[start..end) holds unread bytes; buf[end] is spare */
    size_t start, end, cap;
    uint64_t consumed;      /* bytes handed out so far */
    uint64_t total;
    long line;
    int error;
    bool eof;
};

static int input_new(struct tp_input **out)
{
    struct tp_input *in = calloc(1, sizeof *in);
    if (!in)
        return TP_ERR_NOMEM;
    in->buf = malloc(CHUNK + 1);
    if (!in->buf) {
        free(in);
        return TP_ERR_NOMEM;
    }
    in->cap = CHUNK;
    in->fd = -1;
    *out = in;
    return TP_OK;
}

int tp_input_open_file(const char *path, struct tp_input **out, struct tp_diag *diag)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tp_diag_set(diag, TP_ERR_IO, 0, "Cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return tp_diag_set(diag, TP_ERR_IO, 0, "%s is a directory, not a tracking file", path);
    }
    struct tp_input *in;
    int rc = input_new(&in);
    if (rc) {
        close(fd);
        return tp_diag_set(diag, rc, 0, "Out of memory");
    }
    in->fd = fd;
    in->total = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    *out = in;
    return TP_OK;
}

int tp_input_open_memory(const void *data, size_t len, struct tp_input **out)
{
    struct tp_input *in;
    int rc = input_new(&in);
    if (rc)
        return rc;
    in->mem = data;
    in->mem_len = len;
    in->total = len;
    *out = in;
    return TP_OK;
}

void tp_input_free(struct tp_input *in)
{
    if (!in)
        return;
    if (in->fd >= 0)
        close(in->fd);
    free(in->buf);
    free(in);
}

/* Makes room for at least `want` more bytes after end, compacting then growing, up to
 * `limit` bytes of buffered input. */
static int make_room(struct tp_input *in, size_t want, size_t limit)
{
    if (in->start > 0 && in->cap - in->end < want) {
        memmove(in->buf, in->buf + in->start, in->end - in->start);
        in->end -= in->start;
        in->start = 0;
    }
    if (in->cap - in->end >= want)
        return TP_OK;
    size_t need = in->end + want;
    if (need > limit)
        return TP_ERR_LIMIT;
    size_t cap = in->cap;
    while (cap < need)
        cap *= 2;
    char *buf = realloc(in->buf, cap + 1);
    if (!buf)
        return TP_ERR_NOMEM;
    in->buf = buf;
    in->cap = cap;
    return TP_OK;
}

/* Reads more bytes into the buffer, which may hold up to limit bytes; returns bytes
 * added, 0 at EOF, <0 on error. */
static long fill_up_to(struct tp_input *in, size_t limit)
{
    if (in->eof || in->error)
        return 0;
    int rc = make_room(in, CHUNK / 2, limit);
    if (rc) {
        in->error = rc;
        return rc;
    }
    size_t room = in->cap - in->end;
    if (in->fd < 0) {
        size_t n = in->mem_len - in->mem_pos;
        if (n > room)
            n = room;
        memcpy(in->buf + in->end, in->mem + in->mem_pos, n);
        in->mem_pos += n;
        in->end += n;
        if (n == 0)
            in->eof = true;
        return (long)n;
    }
    for (;;) {
        ssize_t n = read(in->fd, in->buf + in->end, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            in->error = TP_ERR_IO;
            return TP_ERR_IO;
        }
        if (n == 0)
            in->eof = true;
        in->end += (size_t)n;
        return (long)n;
    }
}

/* fill reads more for the line reader, whose lines are at most TP_MAX_LINE bytes. */
static long fill(struct tp_input *in)
{
    return fill_up_to(in, (size_t)TP_MAX_LINE + CHUNK);
}

char *tp_input_getline(struct tp_input *in, size_t *len)
{
    size_t scanned = 0;
    for (;;) {
        char *base = in->buf + in->start;
        size_t avail = in->end - in->start;
        char *nl = memchr(base + scanned, '\n', avail - scanned);
        if (nl || (in->eof && avail > 0)) {
            size_t n = nl ? (size_t)(nl - base) : avail;
            size_t used = nl ? n + 1 : n;
            if (n > 0 && base[n - 1] == '\r')
                n--;
            base[n] = '\0'; /* overwrites '\n', '\r', or the spare byte past end */
            in->start += used;
            in->consumed += used;
            in->line++;
            if (len)
                *len = n;
            return base;
        }
        if (in->eof || in->error)
            return NULL;
        if (avail > TP_MAX_LINE) {
            in->error = TP_ERR_LIMIT;
            return NULL;
        }
        scanned = avail;
        if (fill(in) < 0)
            return NULL;
    }
}

long tp_input_line_number(const struct tp_input *in)
{
    return in->line;
}

int tp_input_read_all(struct tp_input *in, size_t max, char **data, size_t *len)
{
    for (;;) {
        if (in->end - in->start > max)
            return TP_ERR_LIMIT;
        if (in->eof)
            break;
        /* The whole rest is wanted, so the buffer may grow past a line's limit. */
        long n = fill_up_to(in, (max > SIZE_MAX - CHUNK ? SIZE_MAX - CHUNK : max) + CHUNK);
        if (n < 0)
            return (int)n;
    }
    if (in->error)
        return in->error;
    size_t n = in->end - in->start;
    char *copy;
    char *fresh = in->start == 0 ? malloc(CHUNK + 1) : NULL;
    if (fresh) {
        /* Hand the buffer itself over rather than holding the text twice. */
        copy = in->buf;
        in->buf = fresh;
        in->cap = CHUNK;
        in->start = in->end = 0;
    } else {
        copy = malloc(n + 1);
        if (!copy)
            return TP_ERR_NOMEM;
        memcpy(copy, in->buf + in->start, n);
    }
    copy[n] = '\0';
    in->start = in->end;
    in->consumed += n;
    *data = copy;
    *len = n;
    return TP_OK;
}

const char *tp_input_peek(struct tp_input *in, size_t want, size_t *got)
{
    while (in->end - in->start < want && !in->eof && !in->error) {
        if (fill(in) < 0)
            break;
    }
    size_t avail = in->end - in->start;
    *got = avail < want ? avail : want;
    return in->buf + in->start;
}

int tp_input_rewind(struct tp_input *in)
{
    if (in->fd < 0) {
        in->mem_pos = 0;
    } else if (lseek(in->fd, 0, SEEK_SET) != 0) {
        if (in->consumed + (in->end - in->start) > in->end)
            return TP_ERR_IO;
        /* Unseekable, but the whole stream so far is still in the buffer. */
        in->start = 0;
        in->consumed = 0;
        in->line = 0;
        return TP_OK;
    }
    in->start = in->end = 0;
    in->consumed = 0;
    in->line = 0;
    in->eof = false;
    in->error = 0;
    return TP_OK;
}

uint64_t tp_input_consumed(const struct tp_input *in)
{
    return in->consumed;
}

uint64_t tp_input_total(const struct tp_input *in)
{
    return in->total;
}

int tp_input_error(const struct tp_input *in)
{
    return in->error;
}
