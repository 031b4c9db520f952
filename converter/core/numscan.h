/*
 * numscan.h — number parsing and whitespace-separated column scanning, shared by the
 * core's tp_parse_double and the line-based importers (PFTrack, SynthEyes). Internal to
 * the converter library; everything is static inline.
 *
 * Numbers are parsed in place from a NUL-terminated line. Short decimals (at most 19
 * significant digits, decimal exponent within 22) are converted with one exact IEEE
 * multiplication or division, which rounds correctly; anything longer goes to strtod, so
 * every result equals what a correctly rounding parser gives. Only finite values pass.
 */
#ifndef TP_NUMSCAN_H
#define TP_NUMSCAN_H

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline bool tp__ns_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* tp__ns_collapse_space copies src (len bytes) to dst with each run of whitespace turned
 * into one '_' (a tracker's name as the reference makes it); returns the length written,
 * at most len. dst may be src (it never runs ahead). No NUL is added. */
static inline size_t tp__ns_collapse_space(char *dst, const char *src, size_t len)
{
    size_t o = 0;
    bool in_space = false; /* not src[i - 1]: with dst == src it may be written already */
    for (size_t i = 0; i < len; i++) {
        bool space = tp__ns_space(src[i]);
        if (!space)
            dst[o++] = src[i];
        else if (!in_space)
            dst[o++] = '_';
        in_space = space;
    }
    return o;
}

static inline bool tp__ns_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* tp__ns_skip returns s advanced past spaces. */
static inline const char *tp__ns_skip(const char *s, const char *end)
{
    while (s < end && tp__ns_space(*s))
        s++;
    return s;
}

/* tp__ns_token returns the end of the token starting at s (the first space or end). */
static inline const char *tp__ns_token(const char *s, const char *end)
{
    while (s < end && !tp__ns_space(*s))
        s++;
    return s;
}

/*
 * tp__ns_split finds up to max whitespace-separated fields of line[0..len). Returns the
 * number of fields, or max + 1 when there are more than max (starts/lens hold the first
 * max then).
 */
static inline size_t tp__ns_split(const char *line, size_t len, const char **starts,
                                  size_t *lens, size_t max)
{
    const char *p = line, *end = line + len;
    size_t n = 0;
    for (;;) {
        p = tp__ns_skip(p, end);
        if (p == end)
            return n;
        if (n == max)
            return max + 1;
        const char *e = tp__ns_token(p, end);
        starts[n] = p;
        lens[n] = (size_t)(e - p);
        n++;
        p = e;
    }
}

__extension__ typedef unsigned __int128 tp__ns_u128;

/*
 * tp__ns_quotient returns mant / 5^fives * 2^-fives (that is mant / 10^fives) rounded to
 * nearest even, for 1 <= mant < 2^64 and fives <= 27 (so 5^fives fits in 64 bits). The
 * mantissa is shifted to the top of 128 bits, divided once, and the remainder serves as
 * the sticky bit, so the rounding is exact: this is what keeps 19-digit numbers (3DE
 * writes %.15f) off strtod's slow multi-precision path.
 */
static inline double tp__ns_quotient(uint64_t mant, int fives)
{
    uint64_t den = 1;
    for (int i = 0; i < fives; i++)
        den *= 5;
    int lead = __builtin_clzll(mant);
    tp__ns_u128 n = (tp__ns_u128)mant << (64 + lead);
    tp__ns_u128 q = n / den;
    bool inexact = n % den != 0;
    uint64_t q_high = (uint64_t)(q >> 64);
    int q_bits = q_high ? 128 - __builtin_clzll(q_high) : 64 - __builtin_clzll((uint64_t)q);
    int drop = q_bits - 53;
    uint64_t m = (uint64_t)(q >> drop);
    tp__ns_u128 low = q & (((tp__ns_u128)1 << drop) - 1);
    tp__ns_u128 half = (tp__ns_u128)1 << (drop - 1);
    if (low > half || (low == half && (inexact || (m & 1))))
        m++;
    return ldexp((double)m, drop - 64 - lead - fives);
}

/* tp__ns_double parses the whole token s[0..len) as a finite decimal number. */
static inline bool tp__ns_double(const char *s, size_t len, double *out)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s, *end = s + len;
    bool neg = false;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    uint64_t mant = 0;
    int digits = 0, scale = 0;
    bool any = false;
    while (p < end && *p == '0') { /* leading zeros are not significant */
        p++;
        any = true;
    }
    while (p < end && tp__ns_digit(*p)) {
        if (digits < 19)
            mant = mant * 10 + (uint64_t)(*p - '0');
        else
            scale++; /* beyond 19 digits: leave it to strtod below */
        digits++;
        p++;
        any = true;
    }
    if (p < end && *p == '.') {
        p++;
        while (p < end && tp__ns_digit(*p)) {
            if (mant == 0 && *p == '0') {
                scale--;
            } else {
                if (digits < 19)
                    mant = mant * 10 + (uint64_t)(*p - '0');
                digits++;
                scale--;
            }
            p++;
            any = true;
        }
    }
    if (!any)
        return false;
    bool exp_given = false;
    int exp = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        bool eneg = false;
        if (q < end && (*q == '-' || *q == '+'))
            eneg = *q++ == '-';
        if (q == end || !tp__ns_digit(*q))
            return false;
        while (q < end && tp__ns_digit(*q)) {
            if (exp < 10000)
                exp = exp * 10 + (*q - '0');
            q++;
        }
        if (eneg)
            exp = -exp;
        exp_given = true;
        p = q;
    }
    if (p != end)
        return false;
    if (digits <= 19 && !exp_given && mant <= (UINT64_C(1) << 53) && scale >= -22 &&
        scale <= 0) {
        double v = scale ? (double)mant / pow10[-scale] : (double)mant;
        *out = neg ? -v : v;
        return true;
    }
    if (digits <= 19 && mant != 0) {
        int total = scale + (exp_given ? exp : 0);
        if (total >= -27 && total <= 0) {
            double v = tp__ns_quotient(mant, -total);
            *out = neg ? -v : v;
            return true;
        }
    }
    /* The general case: a bounded copy for strtod. */
    char buf[400];
    if (len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *stop;
    double v = strtod(buf, &stop);
    if (*stop || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* tp__ns_int parses the whole token s[0..len) as a decimal integer within int's range
 * (an optional sign, then digits only). */
static inline bool tp__ns_int(const char *s, size_t len, int *out)
{
    const char *p = s, *end = s + len;
    bool neg = false;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    if (p == end)
        return false;
    long long v = 0;
    for (; p < end; p++) {
        if (!tp__ns_digit(*p))
            return false;
        v = v * 10 + (*p - '0');
        if (v > (long long)INT_MAX + 1)
            return false;
    }
    if (neg)
        v = -v;
    if (v < INT_MIN || v > INT_MAX)
        return false;
    *out = (int)v;
    return true;
}

/* tp__ns_all_digits tells whether s[0..len) is one or more ASCII digits only. */
static inline bool tp__ns_all_digits(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!tp__ns_digit(s[i]))
            return false;
    return true;
}

/* tp__ns_trim narrows [*s, *s + *len) to exclude leading and trailing whitespace. */
static inline void tp__ns_trim(const char **s, size_t *len)
{
    const char *p = *s, *end = *s + *len;
    while (p < end && tp__ns_space(*p))
        p++;
    while (end > p && tp__ns_space(end[-1]))
        end--;
    *s = p;
    *len = (size_t)(end - p);
}

#endif
