/*
 * fuzz_numbers.c — a differential libFuzzer target for tp_parse_double, the number parser
 * under every importer. Its exact short paths (one IEEE division, or one 128-bit division for
 * 19-digit mantissas) must agree bit for bit with a correctly rounding strtod: a token is
 * accepted exactly when strtod consumes all of it (spaces, tabs and line ends around it
 * aside) and gives a finite number, and then both give the same double. Any disagreement
 * aborts.
 *
 * Without libFuzzer the same file, linked with fuzz_replay.c, replays saved inputs as a test.
 */
#include "trackport.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_trimmed_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 100 || memchr(data, 0, size))
        return 0; /* tokens longer than the parser's buffer are refused by design */
    char text[128];
    memcpy(text, data, size);
    text[size] = '\0';
    const char *token = text;
    size_t len = size;
    while (len && is_trimmed_space(*token)) {
        token++;
        len--;
    }
    while (len && is_trimmed_space(token[len - 1]))
        len--;
    char bounded[128];
    memcpy(bounded, token, len);
    bounded[len] = '\0';
    char *end;
    double want = strtod(bounded, &end);
    bool want_ok = len > 0 && end == bounded + len && isfinite(want);
    double got = 0;
    bool got_ok = tp_parse_double((const char *)data, size, &got);
    if (got_ok != want_ok)
        abort();
    if (got_ok && memcmp(&got, &want, sizeof got) != 0)
        abort();
    return 0;
}
