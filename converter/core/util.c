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

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *p, size_t n)
{
    if (p[0] >= 0x01 && p[0] < 0x80)
        return 1;
    size_t len;
    unsigned int cp;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2;
        cp = p[0] & 0x1fu;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3;
        cp = p[0] & 0x0fu;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4;
        cp = p[0] & 0x07u;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    static const unsigned int least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

char *tp_utf8_repair(const char *s, size_t len)
{
    /* Each bad byte becomes three: the worst case is three times the input. */
    char *out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_sequence(p + i, len - i);
        if (n) {
            memcpy(out + o, p + i, n);
            o += n;
            i += n;
        } else {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    return out;
}
