/* output.c — buffered writer that formats integers and fixed-point numbers (fixed.h) in
 * place, and spill files. */
#include "trackport.h"

#include "fixed.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_BUFFER (64u * 1024u)

struct tp_out {
    int fd;        /* -1: memory */
    char *buf;
    size_t len, cap;
    uint64_t flushed;
    int error;
};

static int out_new(int fd, size_t cap, struct tp_out **out)
{
    struct tp_out *o = calloc(1, sizeof *o);
    if (!o)
        return TP_ERR_NOMEM;
    o->buf = malloc(cap);
    if (!o->buf) {
        free(o);
        return TP_ERR_NOMEM;
    }
    o->cap = cap;
    o->fd = fd;
    *out = o;
    return TP_OK;
}

int tp_out_open_fd(int fd, struct tp_out **out)
{
    return out_new(fd, OUT_BUFFER, out);
}

int tp_out_open_memory(struct tp_out **out)
{
    return out_new(-1, 4096, out);
}

void tp_out_free(struct tp_out *out)
{
    if (!out)
        return;
    free(out->buf);
    free(out);
}

const char *tp_out_memory(const struct tp_out *out, size_t *len)
{
    *len = out->len;
    return out->buf;
}

static void drain(struct tp_out *out)
{
    size_t done = 0;
    while (done < out->len && !out->error) {
        ssize_t n = write(out->fd, out->buf + done, out->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            out->error = n < 0 ? tp_errno_code(errno) : TP_ERR_IO;
        else
            done += (size_t)n;
    }
    out->flushed += done;
    out->len = 0;
}

int tp_out_flush(struct tp_out *out)
{
    if (out->fd >= 0 && out->len)
        drain(out);
    return out->error;
}

int tp_out_error(const struct tp_out *out)
{
    return out->error;
}

uint64_t tp_out_bytes(const struct tp_out *out)
{
    return out->flushed + out->len;
}

/* Ensures `want` bytes of room; memory outs grow, fd outs drain. False on error. */
static bool room_slow(struct tp_out *out, size_t want)
{
    if (out->error)
        return false;
    if (out->cap - out->len >= want)
        return true;
    if (out->fd >= 0) {
        drain(out);
        if (out->cap >= want || out->error)
            return !out->error;
    }
    size_t cap = out->cap;
    while (cap - out->len < want) {
        if (cap > SIZE_MAX / 2) {
            out->error = TP_ERR_NOMEM;
            return false;
        }
        cap *= 2;
    }
    char *buf = realloc(out->buf, cap);
    if (!buf) {
        out->error = TP_ERR_NOMEM;
        return false;
    }
    out->buf = buf;
    out->cap = cap;
    return true;
}

/* The common case, a buffer with space, stays inline in every writer's per-byte path. */
static inline bool room(struct tp_out *out, size_t want)
{
    if (!out->error && out->cap - out->len >= want)
        return true;
    return room_slow(out, want);
}

void tp_out_write(struct tp_out *out, const void *data, size_t len)
{
    if (out->fd >= 0 && len > out->cap) {
        drain(out);
        const char *p = data;
        while (len && !out->error) {
            ssize_t n = write(out->fd, p, len);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                out->error = n < 0 ? tp_errno_code(errno) : TP_ERR_IO;
                return;
            }
            p += n;
            len -= (size_t)n;
            out->flushed += (size_t)n;
        }
        return;
    }
    if (!room(out, len))
        return;
    memcpy(out->buf + out->len, data, len);
    out->len += len;
}

void tp_out_puts(struct tp_out *out, const char *s)
{
    tp_out_write(out, s, strlen(s));
}

void tp_out_putc(struct tp_out *out, char c)
{
    if (!room(out, 1))
        return;
    out->buf[out->len++] = c;
}

void tp_out_printf(struct tp_out *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[512];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        out->error = TP_ERR_BAD_ARGUMENT;
        return;
    }
    if ((size_t)n < sizeof small) {
        tp_out_write(out, small, (size_t)n);
        return;
    }
    if (!room(out, (size_t)n + 1))
        return;
    va_start(ap, fmt);
    vsnprintf(out->buf + out->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    out->len += (size_t)n;
}

void tp_out_int(struct tp_out *out, long long v)
{
    char buf[24];
    size_t n = 0;
    unsigned long long u = (unsigned long long)v;
    if (v < 0) {
        buf[n++] = '-';
        u = 0ull - u;
    }
    n += tp__put_scaled(buf + n, u, 0);
    tp_out_write(out, buf, n);
}

static int clamp_decimals(int decimals)
{
    if (decimals < 0)
        return 0;
    return decimals > TP__FIXED_MAX_DECIMALS ? TP__FIXED_MAX_DECIMALS : decimals;
}

size_t tp_format_fixed(char *buf, double v, int decimals)
{
    decimals = clamp_decimals(decimals);
    size_t n = tp__fixed_fast(buf, v, decimals);
    return n ? n : tp__fixed_ruby(buf, v, decimals);
}

void tp_out_fixed(struct tp_out *out, double v, int decimals)
{
    decimals = clamp_decimals(decimals);
    if (isfinite(v) && fabs(v) >= 1e17) { /* integers, longer than the buffer: exact digits */
        tp_out_printf(out, "%.*f", decimals, v);
        return;
    }
    if (!room(out, TP__FIXED_BUF))
        return;
    char *at = out->buf + out->len;
    size_t n = tp__fixed_fast(at, v, decimals);
    out->len += n ? n : tp__fixed_ruby(at, v, decimals);
}

int tp_out_copy_from_fd(struct tp_out *out, int fd)
{
    if (lseek(fd, 0, SEEK_SET) != 0)
        return out->error = TP_ERR_IO;
    char buf[64 * 1024];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return out->error = TP_ERR_IO;
        if (n == 0)
            break;
        tp_out_write(out, buf, (size_t)n);
    }
    return out->error;
}

struct tp_spill {
    int fd;
    struct tp_out *out;
};

int tp_spill_new(struct tp_spill **out)
{
    struct tp_spill *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    char path[4096];
    snprintf(path, sizeof path, "%s/trackport-spill-XXXXXX", dir);
    s->fd = mkstemp(path);
    if (s->fd < 0) {
        free(s);
        return TP_ERR_IO;
    }
    unlink(path); /* anonymous: gone when closed, even if the process dies */
    if (tp_out_open_fd(s->fd, &s->out)) {
        close(s->fd);
        free(s);
        return TP_ERR_NOMEM;
    }
    *out = s;
    return TP_OK;
}

struct tp_out *tp_spill_out(struct tp_spill *spill)
{
    return spill->out;
}

int tp_spill_copy_to(struct tp_spill *spill, struct tp_out *dst)
{
    int rc = tp_out_flush(spill->out);
    if (rc)
        return rc;
    return tp_out_copy_from_fd(dst, spill->fd);
}

int tp_spill_read(struct tp_spill *spill, uint64_t offset, void *buf, size_t len, size_t *got)
{
    *got = 0;
    int rc = tp_out_flush(spill->out);
    if (rc)
        return rc;
    char *p = buf;
    while (*got < len) {
        ssize_t n = pread(spill->fd, p + *got, len - *got, (off_t)(offset + *got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return TP_ERR_IO;
        if (n == 0)
            break;
        *got += (size_t)n;
    }
    return TP_OK;
}

void tp_spill_free(struct tp_spill *spill)
{
    if (!spill)
        return;
    tp_out_free(spill->out);
    close(spill->fd);
    free(spill);
}
