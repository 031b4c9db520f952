/*
 * test_web_unit.c — unit tests of the site modules that need no server: the streaming
 * multipart parser (every chunking of the same body gives the same result; limits; malformed
 * forms), the route table, and the text helpers. Each case runs in a child process of its
 * own; `test_web_unit CASE` runs only the case of that name.
 */
#include "check.h"
#include "trackport.h"
#include "web_multipart.h"
#include "web_router.h"
#include "web_text.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define CT "multipart/form-data; boundary=----TpBoundary7MA4YWxk"
#define DASH "------TpBoundary7MA4YWxk"

/* A growable byte string for building bodies. */
struct buf {
    char *p;
    size_t len, cap;
};

static void buf_add(struct buf *b, const void *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void add_field(struct buf *b, const char *name, const char *value)
{
    buf_str(b, DASH "\r\nContent-Disposition: form-data; name=\"");
    buf_str(b, name);
    buf_str(b, "\"\r\n\r\n");
    buf_str(b, value);
    buf_str(b, "\r\n");
}

static void add_file(struct buf *b, const char *name, const char *filename, const void *data,
                     size_t n)
{
    buf_str(b, DASH "\r\nContent-Disposition: form-data; name=\"");
    buf_str(b, name);
    buf_str(b, "\"; filename=\"");
    buf_str(b, filename);
    buf_str(b, "\"\r\nContent-Type: application/octet-stream\r\n\r\n");
    buf_add(b, data, n);
    buf_str(b, "\r\n");
}

/* A temporary file the parser writes into; read back by slurp. */
static int temp_fd(void)
{
    char path[] = "/tmp/tp-web-unit-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    unlink(path);
    return fd;
}

static char *slurp(int fd, size_t *len)
{
    struct stat st;
    fstat(fd, &st);
    char *p = malloc((size_t)st.st_size + 1);
    *len = (size_t)pread(fd, p, (size_t)st.st_size, 0);
    p[*len] = '\0';
    return p;
}

/* Parses body fed in chunks of `chunk` bytes (0: random sizes). Returns the result code;
 * *out gets the parser (caller frees) and *fdp the file it wrote. */
static int parse(const char *ct, const struct buf *body, size_t chunk,
                 const struct web_multipart_limits *lim, struct web_multipart **out, int *fdp)
{
    int fd = temp_fd();
    *fdp = fd;
    int rc = web_multipart_new(ct, fd, lim, out);
    if (rc)
        return rc;
    size_t off = 0;
    while (off < body->len && rc == 0) {
        size_t n = chunk ? chunk : (size_t)(rand() % 700) + 1;
        if (n > body->len - off)
            n = body->len - off;
        rc = web_multipart_feed(*out, body->p + off, n);
        off += n;
    }
    if (rc == 0)
        rc = web_multipart_finish(*out);
    return rc;
}

static void test_basic_every_chunking(void)
{
    /* File content full of near-delimiters: CRLF, dashes and a prefix of the boundary. */
    struct buf content = {0};
    for (int i = 0; i < 3000; i++) {
        char line[96];
        snprintf(line, sizeof line, "line %d\r\n--\r\n------TpBoundary7MA4YWx\r\n--TpBound%c", i,
                 (char)(i & 0xff));
        buf_str(&content, line);
    }
    buf_add(&content, "\0\r\n\0", 4);
    struct buf body = {0};
    buf_str(&body, "this preamble is ignored\r\n");
    add_field(&body, "importer", "nukescript");
    add_field(&body, "width", "1920");
    add_file(&body, "file", "shot 12.nk", content.p, content.len);
    add_field(&body, "exporters", "tsv");
    add_field(&body, "exporters", "pftrack5");
    add_field(&body, "empty", "");
    buf_str(&body, DASH "--\r\nand an epilogue");

    size_t chunks[] = {1, 2, 3, 7, 29, 30, 31, 64, 4096, 16384, 100000, 0, 0, 0};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        struct web_multipart *mp;
        int fd;
        int rc = parse(CT, &body, chunks[c], NULL, &mp, &fd);
        CHECK_INT(rc, WEB_MP_OK);
        if (rc) {
            fprintf(stderr, "  chunk size %zu: %s\n", chunks[c], web_multipart_strerror(rc));
            web_multipart_free(mp);
            close(fd);
            continue;
        }
        CHECK_STR(web_multipart_field(mp, "importer"), "nukescript");
        CHECK_STR(web_multipart_field(mp, "width"), "1920");
        CHECK_STR(web_multipart_field(mp, "exporters"), "tsv");
        CHECK_STR(web_multipart_field(mp, "empty"), "");
        CHECK(web_multipart_field(mp, "missing") == NULL);
        size_t n;
        const struct web_multipart_field *f = web_multipart_fields(mp, &n);
        CHECK_INT(n, 5);
        if (n == 5)
            CHECK_STR(f[3].value, "pftrack5");
        const char *field, *name, *type;
        uint64_t bytes;
        CHECK(web_multipart_file(mp, &field, &name, &type, &bytes));
        CHECK_STR(field, "file");
        CHECK_STR(name, "shot 12.nk");
        CHECK_STR(type, "application/octet-stream");
        CHECK_INT(bytes, content.len);
        size_t got;
        char *written = slurp(fd, &got);
        CHECK_INT(got, content.len);
        CHECK(got == content.len && memcmp(written, content.p, got) == 0);
        free(written);
        close(fd);
        web_multipart_free(mp);
    }
    free(content.p);
    free(body.p);
}

static void test_content_types(void)
{
    struct web_multipart *mp;
    int fd = temp_fd();
    CHECK_INT(web_multipart_new(NULL, fd, NULL, &mp), WEB_MP_ERR_CONTENT_TYPE);
    CHECK(mp == NULL);
    CHECK_INT(web_multipart_new("application/x-www-form-urlencoded", fd, NULL, &mp),
              WEB_MP_ERR_CONTENT_TYPE);
    CHECK_INT(web_multipart_new("multipart/form-data", fd, NULL, &mp), WEB_MP_ERR_CONTENT_TYPE);
    CHECK_INT(web_multipart_new("multipart/form-data; boundary=", fd, NULL, &mp),
              WEB_MP_ERR_CONTENT_TYPE);
    CHECK_INT(web_multipart_new("multipart/form-data; boundary=\"unclosed", fd, NULL, &mp),
              WEB_MP_ERR_CONTENT_TYPE);
    char longb[200] = "multipart/form-data; boundary=";
    memset(longb + strlen(longb), 'a', 80);
    CHECK_INT(web_multipart_new(longb, fd, NULL, &mp), WEB_MP_ERR_CONTENT_TYPE);
    CHECK_INT(web_multipart_new("Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b\"", fd, NULL,
                                &mp),
              WEB_MP_OK);
    const char body[] = "--a b\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--a b--";
    CHECK_INT(web_multipart_feed(mp, body, sizeof body - 1), WEB_MP_OK);
    CHECK_INT(web_multipart_finish(mp), WEB_MP_OK);
    CHECK_STR(web_multipart_field(mp, "x"), "1");
    web_multipart_free(mp);
    web_multipart_free(NULL);
    close(fd);
}

/* Parses a literal body in one go and returns the code. */
static int parse_literal(const char *text, const struct web_multipart_limits *lim)
{
    struct buf body = {0};
    buf_str(&body, text);
    struct web_multipart *mp;
    int fd;
    int rc = parse(CT, &body, 5, lim, &mp, &fd);
    web_multipart_free(mp);
    close(fd);
    free(body.p);
    return rc;
}

static void test_malformed(void)
{
    CHECK_INT(parse_literal("", NULL), WEB_MP_ERR_TRUNCATED);
    CHECK_INT(parse_literal("no boundary at all\r\n", NULL), WEB_MP_ERR_TRUNCATED);
    CHECK_INT(parse_literal(DASH "\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue",
                            NULL),
              WEB_MP_ERR_TRUNCATED);
    CHECK_INT(parse_literal(DASH "\r\nContent-Disposition: form-data; name=a\r\n", NULL),
              WEB_MP_ERR_TRUNCATED);
    CHECK_INT(parse_literal(DASH "\r\nno colon here\r\n\r\nx\r\n" DASH "--", NULL),
              WEB_MP_ERR_SYNTAX);
    CHECK_INT(parse_literal(DASH "\r\nContent-Type: text/plain\r\n\r\nx\r\n" DASH "--", NULL),
              WEB_MP_ERR_SYNTAX);
    CHECK_INT(parse_literal(DASH "\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n" DASH
                            "--",
                            NULL),
              WEB_MP_ERR_SYNTAX);
    CHECK_INT(parse_literal(DASH "\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n" DASH
                            "--",
                            NULL),
              WEB_MP_ERR_SYNTAX);
    CHECK_INT(parse_literal(DASH "junk\r\n", NULL), WEB_MP_ERR_SYNTAX);
    CHECK_INT(parse_literal(DASH "\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nx\r\n"
                            DASH "--",
                            NULL),
              WEB_MP_ERR_SYNTAX);
    /* Padding after a delimiter is allowed; the empty form is fine. */
    CHECK_INT(parse_literal(DASH "  \r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n" DASH
                            "--",
                            NULL),
              WEB_MP_OK);
    CHECK_INT(parse_literal(DASH "--", NULL), WEB_MP_OK);
}

static void test_limits(void)
{
    struct web_multipart_limits lim = {.max_fields = 2, .max_value = 10, .max_file = 100,
                                       .max_header = 300, .max_name = 8, .max_filename = 20};
    struct buf b = {0};
    add_field(&b, "a", "0123456789");
    buf_str(&b, DASH "--");
    CHECK_INT(parse_literal(b.p, &lim), WEB_MP_OK);
    b.len = 0;
    add_field(&b, "a", "0123456789x");
    buf_str(&b, DASH "--");
    CHECK_INT(parse_literal(b.p, &lim), WEB_MP_ERR_FIELD_TOO_LONG);
    b.len = 0;
    add_field(&b, "a", "1");
    add_field(&b, "b", "2");
    add_field(&b, "c", "3");
    buf_str(&b, DASH "--");
    CHECK_INT(parse_literal(b.p, &lim), WEB_MP_ERR_TOO_MANY_FIELDS);
    b.len = 0;
    add_field(&b, "longname9", "1");
    buf_str(&b, DASH "--");
    CHECK_INT(parse_literal(b.p, &lim), WEB_MP_ERR_FIELD_TOO_LONG);
    b.len = 0;
    char big[101];
    memset(big, 'x', sizeof big);
    add_file(&b, "file", "a.txt", big, 100);
    buf_str(&b, DASH "--");
    CHECK_INT(parse_literal(b.p, &lim), WEB_MP_OK);
    b.len = 0;
    add_file(&b, "file", "a.txt", big, 101);
    buf_str(&b, DASH "--");
    CHECK_INT(parse_literal(b.p, &lim), WEB_MP_ERR_FILE_TOO_LARGE);
    b.len = 0;
    add_file(&b, "file", "a-very-long-file-name.txt", big, 1);
    buf_str(&b, DASH "--");
    CHECK_INT(parse_literal(b.p, &lim), WEB_MP_ERR_FIELD_TOO_LONG);
    b.len = 0;
    add_file(&b, "f1", "a", "1", 1);
    add_file(&b, "f2", "b", "2", 1);
    buf_str(&b, DASH "--");
    CHECK_INT(parse_literal(b.p, &lim), WEB_MP_ERR_TWO_FILES);
    b.len = 0;
    buf_str(&b, DASH "\r\nContent-Disposition: form-data; name=a\r\nX-Pad: ");
    for (int i = 0; i < 400; i++)
        buf_str(&b, "p");
    buf_str(&b, "\r\n\r\nx\r\n" DASH "--");
    CHECK_INT(parse_literal(b.p, &lim), WEB_MP_ERR_HEADER_TOO_LONG);
    /* An endless header line without CRLF is refused before the buffer fills. */
    b.len = 0;
    buf_str(&b, DASH "\r\nX: ");
    for (int i = 0; i < 40000; i++)
        buf_str(&b, "p");
    CHECK_INT(parse_literal(b.p, NULL), WEB_MP_ERR_HEADER_TOO_LONG);
    free(b.p);
}

static void test_empty_file_and_names(void)
{
    struct buf b = {0};
    add_file(&b, "file", "", "", 0); /* no file chosen */
    add_field(&b, "x", "1");
    buf_str(&b, DASH "--");
    struct web_multipart *mp;
    int fd;
    CHECK_INT(parse(CT, &b, 3, NULL, &mp, &fd), WEB_MP_OK);
    CHECK(!web_multipart_file(mp, NULL, NULL, NULL, NULL));
    CHECK_STR(web_multipart_field(mp, "x"), "1");
    web_multipart_free(mp);
    close(fd);

    b.len = 0;
    buf_str(&b, DASH "\r\ncontent-disposition: form-data; filename=\"a\\\"b\\\\c\\d.nk\"; "
                     "name=file\r\n\r\nxyz\r\n" DASH "--");
    CHECK_INT(parse(CT, &b, 1, NULL, &mp, &fd), WEB_MP_OK);
    const char *name = NULL;
    CHECK(web_multipart_file(mp, NULL, &name, NULL, NULL));
    CHECK_STR(name, "a\"b\\c\\d.nk");
    CHECK(!web_multipart_safe_filename(name));
    web_multipart_free(mp);
    close(fd);
    free(b.p);

    CHECK(web_multipart_safe_filename("shot_010 v2.nk"));
    CHECK(web_multipart_safe_filename(".hidden"));
    CHECK(!web_multipart_safe_filename(""));
    CHECK(!web_multipart_safe_filename(NULL));
    CHECK(!web_multipart_safe_filename("."));
    CHECK(!web_multipart_safe_filename(".."));
    CHECK(!web_multipart_safe_filename("../../etc/passwd"));
    CHECK(!web_multipart_safe_filename("dir/file.nk"));
    CHECK(!web_multipart_safe_filename("C:\\Users\\a.nk"));
    CHECK(!web_multipart_safe_filename("a\nb"));
}

static void test_io_error(void)
{
    struct buf b = {0};
    add_file(&b, "file", "a", "data", 4);
    buf_str(&b, DASH "--");
    struct web_multipart *mp;
    int fd = open("/dev/null", O_RDONLY);
    CHECK_INT(web_multipart_new(CT, fd, NULL, &mp), WEB_MP_OK);
    CHECK_INT(web_multipart_feed(mp, b.p, b.len), WEB_MP_ERR_IO);
    CHECK_INT(web_multipart_feed(mp, "x", 1), WEB_MP_ERR_IO); /* sticky */
    CHECK_INT(web_multipart_finish(mp), WEB_MP_ERR_IO);
    web_multipart_free(mp);
    close(fd);
    free(b.p);
    CHECK(strlen(web_multipart_strerror(WEB_MP_ERR_FILE_TOO_LARGE)) > 10);
    CHECK(strlen(web_multipart_strerror(12345)) > 0);
}

static void dummy(struct web_ctx *ctx, const struct web_match *m)
{
    (void)ctx;
    (void)m;
}

static void dummy2(struct web_ctx *ctx, const struct web_match *m)
{
    (void)ctx;
    (void)m;
}

static void test_router(void)
{
    static const struct web_route table[] = {
        {WEB_POST, "/jobs", dummy},
        {WEB_GET, "/jobs/{token}", dummy},
        {WEB_GET, "/jobs/{token}/status", dummy},
        {WEB_GET, "/jobs/{token}/files/{name}", dummy2},
        {WEB_POST | WEB_DELETE, "/jobs/{token}/cancel", dummy},
        {WEB_GET, "/health", dummy},
    };
    size_t n = sizeof table / sizeof table[0];
    struct web_match m;
    const char *p = "/jobs/abc_DEF-1/files/shot%201.nk";
    CHECK_INT(web_route_find(table, n, WEB_GET, p, strlen(p), &m), WEB_ROUTE_FOUND);
    CHECK(m.route == &table[3]);
    CHECK_INT(m.nparams, 2);
    char buf[64];
    CHECK_INT(web_match_param(&m, "token", buf, sizeof buf), 9);
    CHECK_STR(buf, "abc_DEF-1");
    CHECK_INT(web_match_param(&m, "name", buf, sizeof buf), 11);
    CHECK_STR(buf, "shot%201.nk");
    CHECK_INT(web_match_param(&m, "name", buf, 5), -1);
    CHECK_INT(web_match_param(&m, "nope", buf, sizeof buf), -1);

    p = "/jobs/abc";
    CHECK_INT(web_route_find(table, n, WEB_HEAD, p, strlen(p), &m), WEB_ROUTE_FOUND);
    CHECK(m.route == &table[1]);
    CHECK_INT(web_route_find(table, n, WEB_DELETE, p, strlen(p), &m), WEB_ROUTE_BAD_METHOD);
    CHECK_INT(m.allowed, WEB_GET | WEB_HEAD);
    web_methods_format(m.allowed, buf, sizeof buf);
    CHECK_STR(buf, "GET, HEAD");
    p = "/jobs";
    CHECK_INT(web_route_find(table, n, WEB_GET, p, strlen(p), &m), WEB_ROUTE_BAD_METHOD);
    CHECK_INT(m.allowed, WEB_POST);
    p = "/jobs/abc/cancel";
    CHECK_INT(web_route_find(table, n, WEB_DELETE, p, strlen(p), &m), WEB_ROUTE_FOUND);
    const char *misses[] = {"/", "/jobs/", "/jobs//status", "/jobs/a/status/", "/healthz",
                            "/jobs/a/files/", "/jobs/a/files/b/c", ""};
    for (size_t i = 0; i < sizeof misses / sizeof misses[0]; i++)
        CHECK_INT(web_route_find(table, n, WEB_GET, misses[i], strlen(misses[i]), &m),
                  WEB_ROUTE_NOT_FOUND);
    CHECK_INT(web_method_parse("GET"), WEB_GET);
    CHECK_INT(web_method_parse("PATCH"), WEB_OTHER);
    CHECK_INT(web_method_parse(NULL), WEB_OTHER);
    char small[6];
    web_methods_format(WEB_GET | WEB_POST, small, sizeof small);
    CHECK_STR(small, "GET");
}

static void test_text(void)
{
    struct web_buf b;
    web_buf_init(&b, 0);
    web_buf_html(&b, "a<b>&\"c'd");
    CHECK_STR(b.data, "a&lt;b&gt;&amp;&quot;c&#39;d");
    b.len = 0;
    web_buf_url(&b, "shot 1/é.nk");
    CHECK_STR(b.data, "shot%201%2F%C3%A9.nk");
    b.len = 0;
    web_buf_printf(&b, "%0300d|", 7);
    CHECK_INT(b.len, 301);
    CHECK(web_buf_ok(&b));
    web_buf_cleanup(&b);

    web_buf_init(&b, 10);
    web_buf_puts(&b, "0123456789");
    CHECK(web_buf_ok(&b));
    web_buf_puts(&b, "x");
    CHECK(!web_buf_ok(&b));
    web_buf_cleanup(&b);

    char out[32];
    CHECK_INT(web_url_decode("a%20b+c", 7, false, out, sizeof out), 5);
    CHECK_STR(out, "a b+c");
    CHECK_INT(web_url_decode("a%20b+c", 7, true, out, sizeof out), 5);
    CHECK_STR(out, "a b c");
    CHECK_INT(web_url_decode("%2", 2, false, out, sizeof out), -1);
    CHECK_INT(web_url_decode("%zz", 3, false, out, sizeof out), -1);
    CHECK_INT(web_url_decode("%00", 3, false, out, sizeof out), -1);
    CHECK_INT(web_url_decode("abcdef", 6, false, out, 4), -1);
    CHECK_INT(web_query_param("name=shot%201.nk&all=1", "name", out, sizeof out), 9);
    CHECK_STR(out, "shot 1.nk");
    CHECK_INT(web_query_param("name=a&all", "all", out, sizeof out), 0);
    CHECK_INT(web_query_param("nam=a", "name", out, sizeof out), -1);
    CHECK_INT(web_query_param("", "name", out, sizeof out), -1);
}

int main(int argc, char **argv)
{
    static const struct check_case cases[] = {
        {"basic_every_chunking", test_basic_every_chunking},
        {"content_types", test_content_types},
        {"malformed", test_malformed},
        {"limits", test_limits},
        {"empty_file_and_names", test_empty_file_and_names},
        {"io_error", test_io_error},
        {"router", test_router},
        {"text", test_text},
    };
    srand(12345); /* every case's random chunkings start from this seed */
    return check_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
