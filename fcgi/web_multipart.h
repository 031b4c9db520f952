/*
 * web_multipart.h — a streaming multipart/form-data parser (RFC 7578) for uploads.
 *
 * The body is fed in chunks of any size, as it arrives from the web server. Text fields are
 * kept in memory, each bounded (name and value lengths, number of fields); the one file part is
 * written to a file descriptor the caller gives, as it arrives, so a body is never held whole in
 * memory: the parser's working memory is one fixed buffer plus the bounded fields.
 *
 * Contract:
 *  - web_multipart_init parses the Content-Type header value for the boundary.
 *  - web_multipart_feed consumes every byte given or fails; after a failure (or after the
 *    closing delimiter) further feeds are ignored (they return the same code / 0).
 *  - web_multipart_finish reports TRUNCATED when the closing delimiter never came.
 *  - At most one part may carry a file name; a second one fails with TWO_FILES. A file part
 *    with an empty file name and no content (what a browser sends when no file was chosen) is
 *    skipped. A file name is returned as sent; web_multipart_safe_filename tells whether it is a
 *    plain name (the caller never uses it as a path either way).
 *  - Errors are negative and stable (WEB_MP_ERRORS); web_multipart_strerror gives a sentence for
 *    the person who sent the form.
 *
 * Ownership: the caller owns the parser (web_multipart_new/_free). Field and name pointers are
 * borrowed from the parser until it is freed.
 * The file descriptor is borrowed: never closed, only written. No global state; safe across
 * fork() (it holds nothing but memory).
 */
#ifndef WEB_MULTIPART_H
#define WEB_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEB_MP_ERRORS(X)                                                                     \
    X(WEB_MP_OK, 0, "success")                                                               \
    X(WEB_MP_ERR_CONTENT_TYPE, -1,                                                           \
      "the upload is not multipart/form-data with a boundary")                               \
    X(WEB_MP_ERR_SYNTAX, -2, "the upload form is malformed")                                 \
    X(WEB_MP_ERR_TRUNCATED, -3, "the upload ended before the form was complete")             \
    X(WEB_MP_ERR_HEADER_TOO_LONG, -4, "a header of the upload form is too long")             \
    X(WEB_MP_ERR_FIELD_TOO_LONG, -5, "a field of the upload form is too long")               \
    X(WEB_MP_ERR_TOO_MANY_FIELDS, -6, "the upload form has too many fields")                 \
    X(WEB_MP_ERR_FILE_TOO_LARGE, -7, "the uploaded file is larger than this site accepts")   \
    X(WEB_MP_ERR_TWO_FILES, -8, "only one file can be uploaded at a time")                   \
    X(WEB_MP_ERR_IO, -9, "the uploaded file could not be stored")                            \
    X(WEB_MP_ERR_NOMEM, -10, "out of memory")                                               \
    X(WEB_MP_ERR_DISK_FULL, -11, "the server's disk is full")

enum web_mp_error {
#define WEB_MP__ENUM(name, value, text) name = value,
    WEB_MP_ERRORS(WEB_MP__ENUM)
#undef WEB_MP__ENUM
};

/* web_multipart_strerror returns a static sentence for a code (never NULL). */
const char *web_multipart_strerror(int code);

/* Limits. Zero members take the defaults below. */
struct web_multipart_limits {
    size_t max_fields;      /* text fields kept; default 64 */
    size_t max_name;        /* bytes of a field name; default 128 */
    size_t max_value;       /* bytes of a text field's value; default 4096 */
    size_t max_filename;    /* bytes of the file name; default 1024 */
    size_t max_header;      /* bytes of one part's header block; default 8192 */
    uint64_t max_file;      /* bytes of the file part; default 64 MiB */
};

struct web_multipart_field {
    char *name;  /* NUL-terminated, owned by the parser */
    char *value; /* NUL-terminated (may hold NULs before len), owned by the parser */
    size_t len;
};

struct web_multipart;

/* web_multipart_new prepares a parser for one body. content_type: the request's Content-Type
 * value (borrowed). fd: where the file part goes (borrowed, written from its current
 * position). limits may be NULL. Returns WEB_MP_OK with *out set (caller owns it:
 * web_multipart_free), or WEB_MP_ERR_CONTENT_TYPE / WEB_MP_ERR_NOMEM with *out NULL. */
int web_multipart_new(const char *content_type, int fd, const struct web_multipart_limits *limits,
                      struct web_multipart **out);

/* web_multipart_free releases the parser and its fields; NULL does nothing. */
void web_multipart_free(struct web_multipart *mp);

/* web_multipart_feed consumes len bytes of the body. Returns 0 or the (sticky) error. */
int web_multipart_feed(struct web_multipart *mp, const void *data, size_t len);

/* web_multipart_finish checks the body ended properly (closing delimiter seen): 0, the sticky
 * error, or WEB_MP_ERR_TRUNCATED. */
int web_multipart_finish(struct web_multipart *mp);

/* web_multipart_field returns the value of the first field called name, or NULL. */
const char *web_multipart_field(const struct web_multipart *mp, const char *name);

/* web_multipart_fields returns every text field in arrival order (borrowed). */
const struct web_multipart_field *web_multipart_fields(const struct web_multipart *mp,
                                                       size_t *count);

/* web_multipart_file tells whether a file arrived and, if so, its field name, file name,
 * declared content type (may be NULL) and size. Pointers are borrowed. */
bool web_multipart_file(const struct web_multipart *mp, const char **field, const char **name,
                        const char **type, uint64_t *bytes);

/* web_multipart_safe_filename is true for a plain, printable file name: not empty, no '/',
 * '\\' or control characters, not "." or "..", not starting with a dot followed by a dot. */
bool web_multipart_safe_filename(const char *name);

#endif
