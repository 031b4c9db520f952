/*
 * fuzz_multipart.c — a libFuzzer target for the upload form parser (fcgi/web_multipart.c).
 *
 * Input layout: the first line is the Content-Type header value; the first byte after it
 * chooses the chunk size the body is fed in (1..256, so split delimiters are exercised);
 * the rest is the body. Every outcome but a crash, a hang or a sanitizer report is fine, but
 * the parser's own promises are checked: the file part's size never exceeds its limit and a
 * successful parse has seen its closing delimiter.
 *
 * Without libFuzzer the same file, linked with fuzz_replay.c, replays saved inputs as a test.
 */
#include "web_multipart.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl || (size_t)(nl - data) > 512)
        return 0;
    char ct[513];
    size_t ctlen = (size_t)(nl - data);
    memcpy(ct, data, ctlen);
    ct[ctlen] = '\0';
    const uint8_t *body = nl + 1;
    size_t blen = size - ctlen - 1;
    size_t chunk = 4096;
    if (blen) {
        chunk = (size_t)body[0] + 1;
        body++;
        blen--;
    }
    static int devnull = -1;
    if (devnull < 0)
        devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    struct web_multipart_limits lim = {.max_fields = 8, .max_value = 300, .max_file = 5000,
                                       .max_header = 600, .max_name = 40, .max_filename = 200};
    struct web_multipart *mp;
    if (web_multipart_new(ct, devnull, &lim, &mp) != WEB_MP_OK)
        return 0;
    int rc = 0;
    for (size_t off = 0; off < blen && rc == 0; off += chunk) {
        size_t n = blen - off < chunk ? blen - off : chunk;
        rc = web_multipart_feed(mp, body + off, n);
    }
    if (rc == 0)
        rc = web_multipart_finish(mp);
    const char *field, *name, *type;
    uint64_t bytes;
    if (web_multipart_file(mp, &field, &name, &type, &bytes)) {
        if (bytes > lim.max_file || strlen(field) > lim.max_name ||
            strlen(name) > lim.max_filename)
            abort();
        (void)web_multipart_safe_filename(name);
    }
    size_t n;
    const struct web_multipart_field *f = web_multipart_fields(mp, &n);
    if (n > lim.max_fields)
        abort();
    for (size_t i = 0; i < n; i++)
        if (f[i].len > lim.max_value || strlen(f[i].name) > lim.max_name ||
            f[i].value[f[i].len] != '\0')
            abort();
    if (rc == 0 && web_multipart_finish(mp) != 0)
        abort();
    if (strcmp(web_multipart_strerror(rc), "") == 0)
        abort();
    web_multipart_free(mp);
    return 0;
}
