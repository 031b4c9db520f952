/*
 * web_multipart.c — streaming multipart/form-data parser.
 *
 * The body goes through one fixed buffer. Two facts shape the scanning: a delimiter is
 * "CRLF--boundary", so the very first boundary (at the start of the body, without a CRLF
 * before it) is found by pretending the body starts with CRLF; and while scanning a part's
 * content, only the last (delimiter length - 1) bytes can still turn out to be the start of a
 * delimiter, so everything before them is passed on at once. That keeps memory fixed whatever
 * the size of the file, and the file reaches the disk as the client sends it.
 */
#include "web_multipart.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MP_BUF 16384
#define MP_MAX_BOUNDARY 70 /* RFC 2046 */
#define MP_MAX_PADDING 256 /* spaces allowed after a delimiter before its CRLF */

enum mp_state { MP_PREAMBLE, MP_AFTER_DELIM, MP_HEADERS, MP_BODY, MP_DONE, MP_FAILED };
enum mp_part { MP_PART_FIELD, MP_PART_FILE, MP_PART_SKIP };

struct web_multipart {
    struct web_multipart_limits lim;
    int fd;
    enum mp_state state;
    int error;
    char delim[4 + MP_MAX_BOUNDARY + 1]; /* "\r\n--" + boundary */
    size_t dlen;
    char buf[MP_BUF];
    size_t blen;
    size_t padding;
    /* the part being read */
    size_t header_bytes;
    char *part_name;     /* owned until moved into a field or file_field */
    char *part_filename; /* owned until moved into filename */
    bool part_has_filename;
    char part_type[128];
    enum mp_part part;
    size_t part_bytes;
    struct web_multipart_field *cur;
    size_t cur_cap;
    /* results */
    struct web_multipart_field *fields;
    size_t nfields;
    bool has_file;
    char *file_field;
    char *filename;
    char *file_type;
    uint64_t file_bytes;
};

const char *web_multipart_strerror(int code)
{
    switch (code) {
#define MP__TEXT(name, value, text)                                                          \
    case value:                                                                              \
        return text;
        WEB_MP_ERRORS(MP__TEXT)
#undef MP__TEXT
    }
    return "unknown upload error";
}

static int mp_fail(struct web_multipart *mp, int code)
{
    if (mp->state != MP_FAILED) {
        mp->state = MP_FAILED;
        mp->error = code;
    }
    return mp->error;
}

/* Parses the boundary parameter of a Content-Type value into mp->delim. */
static int mp_parse_content_type(struct web_multipart *mp, const char *ct)
{
    static const char type[] = "multipart/form-data";
    if (!ct)
        return WEB_MP_ERR_CONTENT_TYPE;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, type, sizeof type - 1) != 0)
        return WEB_MP_ERR_CONTENT_TYPE;
    const char *p = ct + sizeof type - 1;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *key = p;
        while (*p && *p != '=' && *p != ';')
            p++;
        size_t klen = (size_t)(p - key);
        while (klen && (key[klen - 1] == ' ' || key[klen - 1] == '\t'))
            klen--;
        if (*p != '=')
            continue;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        char value[MP_MAX_BOUNDARY + 1];
        size_t vlen = 0;
        bool too_long = false;
        if (*p == '"') {
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1])
                    p++;
                if (vlen < MP_MAX_BOUNDARY)
                    value[vlen++] = *p;
                else
                    too_long = true;
                p++;
            }
            if (*p != '"')
                return WEB_MP_ERR_CONTENT_TYPE;
            p++;
        } else {
            while (*p && *p != ';' && *p != ' ' && *p != '\t') {
                if (vlen < MP_MAX_BOUNDARY)
                    value[vlen++] = *p;
                else
                    too_long = true;
                p++;
            }
        }
        if (klen == 8 && strncasecmp(key, "boundary", 8) == 0) {
            if (too_long || vlen == 0)
                return WEB_MP_ERR_CONTENT_TYPE;
            for (size_t i = 0; i < vlen; i++)
                if ((unsigned char)value[i] < 0x20 || (unsigned char)value[i] > 0x7e)
                    return WEB_MP_ERR_CONTENT_TYPE;
            memcpy(mp->delim, "\r\n--", 4);
            memcpy(mp->delim + 4, value, vlen);
            mp->dlen = 4 + vlen;
            mp->delim[mp->dlen] = '\0';
            return WEB_MP_OK;
        }
        while (*p && *p != ';')
            p++;
    }
    return WEB_MP_ERR_CONTENT_TYPE;
}

int web_multipart_new(const char *content_type, int fd, const struct web_multipart_limits *limits,
                      struct web_multipart **out)
{
    *out = NULL;
    struct web_multipart *mp = calloc(1, sizeof *mp);
    if (!mp)
        return WEB_MP_ERR_NOMEM;
    if (limits)
        mp->lim = *limits;
    if (!mp->lim.max_fields)
        mp->lim.max_fields = 64;
    if (!mp->lim.max_name)
        mp->lim.max_name = 128;
    if (!mp->lim.max_value)
        mp->lim.max_value = 4096;
    if (!mp->lim.max_filename)
        mp->lim.max_filename = 1024;
    if (!mp->lim.max_header || mp->lim.max_header > MP_BUF / 2)
        mp->lim.max_header = mp->lim.max_header ? MP_BUF / 2 : 8192;
    if (!mp->lim.max_file)
        mp->lim.max_file = 64u << 20;
    mp->fd = fd;
    int rc = mp_parse_content_type(mp, content_type);
    if (rc) {
        free(mp);
        return rc;
    }
    mp->fields = calloc(mp->lim.max_fields, sizeof *mp->fields);
    if (!mp->fields) {
        free(mp);
        return WEB_MP_ERR_NOMEM;
    }
    /* The pretend CRLF that lets the first boundary match like every other one. */
    memcpy(mp->buf, "\r\n", 2);
    mp->blen = 2;
    mp->state = MP_PREAMBLE;
    *out = mp;
    return WEB_MP_OK;
}

static void mp_reset_part(struct web_multipart *mp)
{
    free(mp->part_name);
    free(mp->part_filename);
    mp->part_name = NULL;
    mp->part_filename = NULL;
    mp->part_has_filename = false;
    mp->part_type[0] = '\0';
    mp->header_bytes = 0;
    mp->part_bytes = 0;
    mp->cur = NULL;
    mp->cur_cap = 0;
}

void web_multipart_free(struct web_multipart *mp)
{
    if (!mp)
        return;
    mp_reset_part(mp);
    for (size_t i = 0; i < mp->nfields; i++) {
        free(mp->fields[i].name);
        free(mp->fields[i].value);
    }
    free(mp->fields);
    free(mp->file_field);
    free(mp->filename);
    free(mp->file_type);
    free(mp);
}

/* Copies s[0..len) into a new NUL-terminated string. */
static char *mp_strndup(const char *s, size_t len)
{
    char *d = malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

/*
 * Reads one parameter value (token or quoted string) at *pp, up to end. Inside quotes a
 * backslash escapes only '"' and '\\' (browsers send backslashes of file names unescaped).
 * Returns an owned string or NULL (*err set) on a syntax error, a value over max, or no memory.
 */
static char *mp_param_value(const char **pp, const char *end, size_t max, int *err)
{
    const char *p = *pp;
    char *out = malloc(max + 1);
    size_t n = 0;
    if (!out) {
        *err = WEB_MP_ERR_NOMEM;
        return NULL;
    }
    if (p < end && *p == '"') {
        p++;
        while (p < end && *p != '"') {
            if (*p == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\'))
                p++;
            if (n == max) {
                free(out);
                *err = WEB_MP_ERR_FIELD_TOO_LONG;
                return NULL;
            }
            out[n++] = *p++;
        }
        if (p >= end) {
            free(out);
            *err = WEB_MP_ERR_SYNTAX;
            return NULL;
        }
        p++;
    } else {
        while (p < end && *p != ';' && *p != ' ' && *p != '\t') {
            if (n == max) {
                free(out);
                *err = WEB_MP_ERR_FIELD_TOO_LONG;
                return NULL;
            }
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    *pp = p;
    return out;
}

/* Parses "form-data; name=...; filename=..." into the current part. */
static int mp_content_disposition(struct web_multipart *mp, const char *p, const char *end)
{
    static const char fd[] = "form-data";
    if ((size_t)(end - p) < sizeof fd - 1 || strncasecmp(p, fd, sizeof fd - 1) != 0)
        return WEB_MP_ERR_SYNTAX;
    p += sizeof fd - 1;
    if (p < end && *p != ';' && *p != ' ' && *p != '\t')
        return WEB_MP_ERR_SYNTAX;
    if (mp->part_name || mp->part_has_filename)
        return WEB_MP_ERR_SYNTAX; /* two Content-Disposition headers */
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ';'))
            p++;
        if (p == end)
            break;
        const char *key = p;
        while (p < end && *p != '=' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        size_t klen = (size_t)(p - key);
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p == end || *p != '=') {
            if (p < end && *p != ';')
                return WEB_MP_ERR_SYNTAX;
            continue; /* a bare token: ignored */
        }
        p++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        int err = 0;
        if (klen == 4 && strncasecmp(key, "name", 4) == 0) {
            if (mp->part_name)
                return WEB_MP_ERR_SYNTAX;
            mp->part_name = mp_param_value(&p, end, mp->lim.max_name, &err);
            if (!mp->part_name)
                return err;
        } else if (klen == 8 && strncasecmp(key, "filename", 8) == 0) {
            if (mp->part_has_filename)
                return WEB_MP_ERR_SYNTAX;
            mp->part_filename = mp_param_value(&p, end, mp->lim.max_filename, &err);
            if (!mp->part_filename)
                return err;
            mp->part_has_filename = true;
        } else {
            char *ignored = mp_param_value(&p, end, 4096, &err);
            if (!ignored)
                return err == WEB_MP_ERR_FIELD_TOO_LONG ? WEB_MP_ERR_HEADER_TOO_LONG : err;
            free(ignored);
        }
    }
    return WEB_MP_OK;
}

/* Handles one header line (without CRLF) of the current part. */
static int mp_header_line(struct web_multipart *mp, const char *line, size_t len)
{
    const char *colon = memchr(line, ':', len);
    if (!colon || colon == line)
        return WEB_MP_ERR_SYNTAX;
    for (const char *q = line; q < line + len; q++)
        if (*q == '\0' || *q == '\r' || *q == '\n')
            return WEB_MP_ERR_SYNTAX;
    size_t nlen = (size_t)(colon - line);
    const char *v = colon + 1;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (nlen == 19 && strncasecmp(line, "content-disposition", 19) == 0)
        return mp_content_disposition(mp, v, end);
    if (nlen == 12 && strncasecmp(line, "content-type", 12) == 0) {
        size_t n = (size_t)(end - v);
        if (n >= sizeof mp->part_type)
            n = sizeof mp->part_type - 1;
        memcpy(mp->part_type, v, n);
        mp->part_type[n] = '\0';
    }
    return WEB_MP_OK; /* other headers are allowed and ignored */
}

/* The header block ended: decide where the part's content goes. */
static int mp_begin_body(struct web_multipart *mp)
{
    if (!mp->part_name)
        return WEB_MP_ERR_SYNTAX;
    if (mp->part_has_filename) {
        if (mp->part_filename[0] == '\0') {
            mp->part = MP_PART_SKIP; /* no file chosen in the browser */
            return WEB_MP_OK;
        }
        if (mp->has_file)
            return WEB_MP_ERR_TWO_FILES;
        mp->has_file = true;
        mp->file_field = mp->part_name;
        mp->part_name = NULL;
        mp->filename = mp->part_filename;
        mp->part_filename = NULL;
        if (mp->part_type[0]) {
            mp->file_type = mp_strndup(mp->part_type, strlen(mp->part_type));
            if (!mp->file_type)
                return WEB_MP_ERR_NOMEM;
        }
        mp->part = MP_PART_FILE;
        return WEB_MP_OK;
    }
    if (mp->nfields == mp->lim.max_fields)
        return WEB_MP_ERR_TOO_MANY_FIELDS;
    struct web_multipart_field *f = &mp->fields[mp->nfields];
    f->value = malloc(64);
    if (!f->value)
        return WEB_MP_ERR_NOMEM;
    f->value[0] = '\0';
    f->len = 0;
    f->name = mp->part_name;
    mp->part_name = NULL;
    mp->nfields++;
    mp->cur = f;
    mp->cur_cap = 64;
    mp->part = MP_PART_FIELD;
    return WEB_MP_OK;
}

static int mp_write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno == ENOSPC || errno == EDQUOT ? WEB_MP_ERR_DISK_FULL : WEB_MP_ERR_IO;
        }
        p += w;
        n -= (size_t)w;
    }
    return WEB_MP_OK;
}

/* Passes n bytes of the current part's content on. */
static int mp_content(struct web_multipart *mp, const char *p, size_t n)
{
    if (n == 0)
        return WEB_MP_OK;
    switch (mp->part) {
    case MP_PART_SKIP:
        return WEB_MP_OK;
    case MP_PART_FILE:
        if (n > mp->lim.max_file - mp->file_bytes)
            return WEB_MP_ERR_FILE_TOO_LARGE;
        mp->file_bytes += n;
        return mp_write_all(mp->fd, p, n);
    case MP_PART_FIELD: {
        struct web_multipart_field *f = mp->cur;
        if (n > mp->lim.max_value - f->len)
            return WEB_MP_ERR_FIELD_TOO_LONG;
        if (f->len + n + 1 > mp->cur_cap) {
            size_t cap = mp->cur_cap;
            while (cap < f->len + n + 1)
                cap *= 2;
            if (cap > mp->lim.max_value + 1)
                cap = mp->lim.max_value + 1;
            char *v = realloc(f->value, cap);
            if (!v)
                return WEB_MP_ERR_NOMEM;
            f->value = v;
            mp->cur_cap = cap;
        }
        memcpy(f->value + f->len, p, n);
        f->len += n;
        f->value[f->len] = '\0';
        return WEB_MP_OK;
    }
    }
    return WEB_MP_ERR_SYNTAX;
}

/*
 * Runs the state machine over buf[0..blen). Returns the number of bytes consumed (the caller
 * drops them), or a negative error. Stops when it needs more data.
 */
static long mp_process(struct web_multipart *mp)
{
    size_t pos = 0;
    for (;;) {
        const char *p = mp->buf + pos;
        size_t avail = mp->blen - pos;
        switch (mp->state) {
        case MP_PREAMBLE:
        case MP_BODY: {
            const char *hit = memmem(p, avail, mp->delim, mp->dlen);
            if (hit) {
                size_t n = (size_t)(hit - p);
                if (mp->state == MP_BODY) {
                    int rc = mp_content(mp, p, n);
                    if (rc)
                        return rc;
                    mp_reset_part(mp);
                }
                pos += n + mp->dlen;
                mp->padding = 0;
                mp->state = MP_AFTER_DELIM;
                continue;
            }
            /* Keep what could be the start of a delimiter split across chunks. */
            size_t keep = mp->dlen - 1;
            if (avail <= keep)
                return (long)pos;
            size_t n = avail - keep;
            if (mp->state == MP_BODY) {
                int rc = mp_content(mp, p, n);
                if (rc)
                    return rc;
            }
            pos += n;
            return (long)pos;
        }
        case MP_AFTER_DELIM:
            if (avail < 2)
                return (long)pos;
            if (p[0] == '-' && p[1] == '-') {
                mp->state = MP_DONE;
                return (long)mp->blen; /* the epilogue is ignored */
            }
            if (p[0] == ' ' || p[0] == '\t') {
                if (++mp->padding > MP_MAX_PADDING)
                    return WEB_MP_ERR_SYNTAX;
                pos++;
                continue;
            }
            if (p[0] != '\r' || p[1] != '\n')
                return WEB_MP_ERR_SYNTAX;
            pos += 2;
            mp_reset_part(mp);
            mp->state = MP_HEADERS;
            continue;
        case MP_HEADERS: {
            const char *crlf = avail ? memmem(p, avail, "\r\n", 2) : NULL;
            if (!crlf) {
                if (mp->header_bytes + avail > mp->lim.max_header)
                    return WEB_MP_ERR_HEADER_TOO_LONG;
                return (long)pos;
            }
            size_t len = (size_t)(crlf - p);
            mp->header_bytes += len + 2;
            if (mp->header_bytes > mp->lim.max_header)
                return WEB_MP_ERR_HEADER_TOO_LONG;
            pos += len + 2;
            int rc = len == 0 ? mp_begin_body(mp) : mp_header_line(mp, p, len);
            if (rc)
                return rc;
            if (len == 0)
                mp->state = MP_BODY;
            continue;
        }
        case MP_DONE:
        case MP_FAILED:
            return (long)mp->blen;
        }
    }
}

int web_multipart_feed(struct web_multipart *mp, const void *data, size_t len)
{
    const char *in = data;
    if (mp->state == MP_FAILED)
        return mp->error;
    while (len && mp->state != MP_DONE) {
        size_t room = sizeof mp->buf - mp->blen;
        size_t n = len < room ? len : room;
        memcpy(mp->buf + mp->blen, in, n);
        mp->blen += n;
        in += n;
        len -= n;
        long used = mp_process(mp);
        if (used < 0)
            return mp_fail(mp, (int)used);
        if ((size_t)used < mp->blen)
            memmove(mp->buf, mp->buf + used, mp->blen - (size_t)used);
        mp->blen -= (size_t)used;
        /* A full buffer that cannot be consumed means a header block over its limit
         * (limits are clamped below the buffer size, so this is only a safety net). */
        if (mp->blen == sizeof mp->buf)
            return mp_fail(mp, WEB_MP_ERR_HEADER_TOO_LONG);
    }
    return WEB_MP_OK;
}

int web_multipart_finish(struct web_multipart *mp)
{
    if (mp->state == MP_FAILED)
        return mp->error;
    if (mp->state != MP_DONE)
        return mp_fail(mp, WEB_MP_ERR_TRUNCATED);
    return WEB_MP_OK;
}

const char *web_multipart_field(const struct web_multipart *mp, const char *name)
{
    for (size_t i = 0; i < mp->nfields; i++)
        if (strcmp(mp->fields[i].name, name) == 0)
            return mp->fields[i].value;
    return NULL;
}

const struct web_multipart_field *web_multipart_fields(const struct web_multipart *mp,
                                                       size_t *count)
{
    *count = mp->nfields;
    return mp->fields;
}

bool web_multipart_file(const struct web_multipart *mp, const char **field, const char **name,
                        const char **type, uint64_t *bytes)
{
    if (!mp->has_file)
        return false;
    if (field)
        *field = mp->file_field;
    if (name)
        *name = mp->filename;
    if (type)
        *type = mp->file_type;
    if (bytes)
        *bytes = mp->file_bytes;
    return true;
}

bool web_multipart_safe_filename(const char *name)
{
    if (!name || !name[0])
        return false;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strncmp(name, "..", 2) == 0)
        return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
            return false;
    return true;
}
