/* output.c — buffered writer with fast number formatting, and spill files. */
#include "trackport.h"

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


static const double pow10_table[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/*
 * A value whose decimal form is a tie at the cut ("0.0185" to three places) although its
 * binary value sits a hair above or below it: the reference exporters round such ties to
 * even digits, as a reader of the decimal number expects, rather than by the binary value
 * that printf sees. Returns the length written, or 0 when v is no such tie.
 */
static size_t format_near_tie(char *buf, double v, int decimals)
{
    char wide[64];
    int len = snprintf(wide, sizeof wide, "%.*f", decimals + 8, v);
    if (len <= 0 || len >= (int)sizeof wide)
        return 0;
    size_t cut = (size_t)len - 8; /* the digits kept end here */
    if (memcmp(wide + cut, "50000000", 8) != 0 && memcmp(wide + cut, "49999999", 8) != 0)
        return 0;
    if (wide[cut] == '4') { /* below the tie in binary: the decimal tie is ...5 */
        wide[cut] = '5';
        memset(wide + cut + 1, '0', 7);
    }
    char *last = wide + cut - 1;
    if (*last == '.')
        last--;
    bool round_up = (*last - '0') % 2 == 1;
    memcpy(buf, wide, cut);
    size_t n = cut;
    if (decimals == 0 && buf[n - 1] == '.')
        n--;
    if (round_up) {
        ptrdiff_t i = last - wide;
        for (; i >= 0; i--) {
            if (buf[i] == '.')
                continue;
            if (buf[i] == '-')
                break;
            if (buf[i] != '9') {
                buf[i]++;
                break;
            }
            buf[i] = '0';
        }
        if (i < 0 || buf[i] == '-') { /* carried past the first digit: 9.5 -> 10 */
            size_t at = (i < 0) ? 0 : (size_t)i + 1;
            memmove(buf + at + 1, buf + at, n - at);
            buf[at] = '1';
            n++;
        }
    }
    buf[n] = '\0';
    return n;
}

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324"
                                  "25262728293031323334353637383940414243444546474849"
                                  "50515253545556575859606162636465666768697071727374"
                                  "75767778798081828384858687888990919293949596979899";

/* Writes r / 10^decimals with exactly `decimals` digits after the point, two digits per
 * division: this is the innermost loop of every exporter. */
static size_t format_scaled(char *buf, unsigned long long r, int decimals)
{
    char tmp[32];
    char *end = tmp + sizeof tmp, *p = end;
    while (r >= 100) {
        unsigned pair = (unsigned)(r % 100);
        r /= 100;
        p -= 2;
        memcpy(p, digit_pairs + 2 * pair, 2);
    }
    if (r >= 10) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * r, 2);
    } else {
        *--p = (char)('0' + r);
    }
    while (end - p < decimals + 1)
        *--p = '0';
    size_t digits = (size_t)(end - p), whole = digits - (size_t)decimals;
    memcpy(buf, p, whole);
    if (!decimals)
        return whole;
    buf[whole] = '.';
    memcpy(buf + whole + 1, p + whole, (size_t)decimals);
    return digits + 1;
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
    n += format_scaled(buf + n, u, 0);
    tp_out_write(out, buf, n);
}

size_t tp_format_fixed(char *buf, double v, int decimals)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    double scaled = fabs(v) * pow10_table[decimals];
    /* The fast path is exact unless the scaled value sits near a rounding tie, where
     * printf's exact binary arithmetic decides; leave those (and huge values) to it. */
    if (isfinite(v) && scaled < 1e12) {
        double whole = floor(scaled);
        double frac = scaled - whole;
        if (fabs(frac - 0.5) > 1e-6) {
            unsigned long long r = (unsigned long long)whole + (frac > 0.5 ? 1u : 0u);
            size_t n = 0;
            if (signbit(v))
                buf[n++] = '-'; /* as printf: "-0.000" for negative zero and tiny negatives */
            n += format_scaled(buf + n, r, decimals);
            buf[n] = '\0';
            return n;
        }
    }
    if (isfinite(v) && scaled < 1e12) {
        size_t n = format_near_tie(buf, v, decimals);
        if (n)
            return n;
    }
    int n = snprintf(buf, 48, "%.*f", decimals, v);
    if (n < 0)
        n = 0;
    if (n >= 48)
        n = 47;
    return (size_t)n;
}

void tp_out_fixed(struct tp_out *out, double v, int decimals)
{
    if (!isfinite(v) || fabs(v) >= 1e12) {
        tp_out_printf(out, "%.*f", decimals, v);
        return;
    }
    if (!room(out, 48))
        return;
    out->len += tp_format_fixed(out->buf + out->len, v, decimals);
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
