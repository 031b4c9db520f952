/*
 * misc_fixed.h — printf("%.Nf") for N up to 17, fast and exact, for the exporters whose
 * formats print more decimals than tp_out_fixed offers (3DE v4 writes 15, Maya Live 10).
 *
 * A finite double is m * 2^e with m < 2^53; v * 10^N is then an exact 128-bit integer
 * ratio, rounded to nearest with ties to even exactly as glibc's printf rounds, so the
 * digits are the ones printf would print, at a fraction of its cost. Values of 1e17 and
 * more (never coordinates) and non-finite ones go to printf itself.
 */
#ifndef TP_MISC_FIXED_H
#define TP_MISC_FIXED_H

#include "trackport.h"

#include <math.h>
#include <stdio.h>

static inline size_t misc_put_u64(char *out, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* misc_format_fixed writes v with exactly decimals (0..17) digits after the point into
 * buf (at least 64 bytes) and returns the length, as snprintf("%.*f") would. */
static inline size_t misc_format_fixed(char *buf, double v, int decimals)
{
    if (decimals < 0)
        decimals = 0;
    if (!isfinite(v) || fabs(v) >= 1e17 || decimals > 17) {
        int n = snprintf(buf, 64, "%.*f", decimals, v);
        return n < 0 ? 0 : (n >= 64 ? 63 : (size_t)n);
    }
    typedef unsigned __int128 u128;
    uint64_t p10 = 1;
    for (int i = 0; i < decimals; i++)
        p10 *= 10;
    int exp2;
    double m = frexp(fabs(v), &exp2); /* |v| = m * 2^exp2, m in [0.5, 1) */
    uint64_t mant = (uint64_t)ldexp(m, 53);
    int e = exp2 - 53; /* |v| = mant * 2^e exactly */
    u128 q;
    if (mant == 0) {
        q = 0;
    } else if (e >= 0) {
        q = ((u128)mant << e) * p10; /* |v| < 2^57, so e <= 4 */
    } else {
        int s = -e;
        u128 n = (u128)mant * p10; /* < 2^110 */
        if (s > 112) {
            q = 0; /* below half a unit of the last digit */
        } else {
            q = n >> s;
            u128 rem = n - (q << s), half = (u128)1 << (s - 1);
            if (rem > half || (rem == half && (q & 1)))
                q++;
        }
    }
    size_t len = 0;
    if (signbit(v))
        buf[len++] = '-';
    uint64_t ip = (uint64_t)(q / p10), fp = (uint64_t)(q % p10);
    len += misc_put_u64(buf + len, ip);
    if (decimals) {
        buf[len++] = '.';
        for (int i = decimals - 1; i >= 0; i--) {
            buf[len + (size_t)i] = (char)('0' + fp % 10);
            fp /= 10;
        }
        len += (size_t)decimals;
    }
    buf[len] = '\0';
    return len;
}

/* misc_out_fixed is tp_out_fixed for up to 17 decimals. */
static inline void misc_out_fixed(struct tp_out *out, double v, int decimals)
{
    if (decimals <= 9) {
        tp_out_fixed(out, v, decimals);
        return;
    }
    char buf[64];
    size_t n = misc_format_fixed(buf, v, decimals);
    tp_out_write(out, buf, n);
}

#endif
