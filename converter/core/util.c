/* util.c — small string and number helpers shared by importers and the CLI. */
#include "trackport.h"

#include "numscan.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool tp_strcaseeq(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char ca = (unsigned char)*a, cb = (unsigned char)*b;
        if (ca >= 'A' && ca <= 'Z')
            ca = (unsigned char)(ca - 'A' + 'a');
        if (cb >= 'A' && cb <= 'Z')
            cb = (unsigned char)(cb - 'A' + 'a');
        if (ca != cb)
            return false;
        if (!ca)
            return true;
    }
}

static bool token_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Narrows s[0..*len) to the token without surrounding spaces. */
static const char *token_trim(const char *s, size_t *len)
{
    while (*len && token_space(*s)) {
        s++;
        (*len)--;
    }
    while (*len && token_space(s[*len - 1]))
        (*len)--;
    return s;
}

/* Copies a token to a NUL-terminated stack buffer, trimming spaces; false if too long. */
static bool token_copy(const char *s, size_t len, char *buf, size_t size)
{
    s = token_trim(s, &len);
    if (len == 0 || len >= size)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return true;
}

bool tp_parse_double(const char *s, size_t len, double *out)
{
    /* Plain decimals (nearly every number in a tracking file) take the exact path of
     * numscan.h in place; strtod still decides everything else, such as "1e400". */
    size_t token_len = len;
    const char *token = token_trim(s, &token_len);
    if (token_len && tp__ns_double(token, token_len, out))
        return true;
    char buf[128];
    if (!token_copy(s, len, buf, sizeof buf))
        return false;
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (*end || end == buf || !isfinite(v))
        return false;
    *out = v;
    return true;
}

bool tp_parse_int(const char *s, size_t len, int *out)
{
    char buf[64];
    if (!token_copy(s, len, buf, sizeof buf))
        return false;
    char *end;
    errno = 0;
    long v = strtol(buf, &end, 10);
    if (*end || end == buf || errno == ERANGE || v < INT_MIN || v > INT_MAX)
        return false;
    *out = (int)v;
    return true;
}
