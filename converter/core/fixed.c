/*
 * fixed.c — "%.Nf" as Ruby 3.1 writes it (see fixed.h for the rule and why the fast path
 * may skip all this). This file replays the decision Ruby's dtoa makes in mode 3, step by
 * step in the same double operations, and finishes the cases it leaves to exact arithmetic
 * with 128-bit integers.
 *
 * What dtoa does for a > 0 and N decimals, as replayed here:
 *  1. It estimates k = floor(log10(a)) from the binary exponent and a first-order series
 *     (one too high at most; checked against 10^k when 0 <= k <= 22, else fixed later).
 *  2. With ilim = N + k + 1 digits to produce, 0 <= ilim <= 14, it tries double
 *     arithmetic: d = a / 10^k (a * 10^-k), a bound eps = (ieps * d + 7) * 2^-52 where
 *     ieps counts the roundings so far, then peels one digit per multiplication by 10.
 *     After the last digit, a remainder above 0.5 + eps rounds up, below 0.5 - eps
 *     down; in between it rounds half to even: an odd digit goes up at once, an even one
 *     is handed to the exact path marked "half", which then never rounds up. With no
 *     digits to produce (ilim == 0) it compares d with 5 +- eps, and hands over when
 *     inside the band.
 *  3. The exact path rounds the true value correctly, ties to even.
 * The replay must use the very operations dtoa uses, rounded to double after each one:
 * Ruby's binaries (x86-64, no fused multiply-add) do, and where this compiler could fuse
 * a product into a sum (FMA targets) or keep excess precision, `rounded` forces it.
 */
#include "fixed.h"

#include <float.h>
#include <stdbool.h>
#include <stdio.h>

typedef unsigned __int128 u128;

#if defined(__FP_FAST_FMA) || FLT_EVAL_METHOD != 0
static double rounded(double x)
{
    volatile double stored = x;
    return stored;
}
#else
#define rounded(x) (x)
#endif

static const double exact_tens[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static const uint64_t pow10_u64[] = {1ull,
                                     10ull,
                                     100ull,
                                     1000ull,
                                     10000ull,
                                     100000ull,
                                     1000000ull,
                                     10000000ull,
                                     100000000ull,
                                     1000000000ull,
                                     10000000000ull,
                                     100000000000ull,
                                     1000000000000ull,
                                     10000000000000ull,
                                     100000000000000ull,
                                     1000000000000000ull,
                                     10000000000000000ull,
                                     100000000000000000ull};

/* The most digits dtoa produces in double arithmetic (its Quick_max). */
#define QUICK_MAX_DIGITS 14

/* dtoa's estimate of floor(log10(a)) for a normal a > 0; *unchecked tells whether it may
 * still be one too high (it is checked against 10^k only for 0 <= k <= 22). */
static int log10_estimate(double a, bool *unchecked)
{
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    int binary_exponent = (int)(bits >> 52) - 1023;
    uint64_t mantissa_bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
    double m; /* a's mantissa in [1, 2) */
    memcpy(&m, &mantissa_bits, sizeof m);
    double series = rounded(rounded((m - 1.5) * 0.289529654602168) + 0.1760912590558);
    double ds = rounded(series + rounded(binary_exponent * 0.301029995663981));
    int k = (int)ds;
    if (ds < 0. && ds != k)
        k--;
    *unchecked = true;
    if (k >= 0 && k <= 22) {
        if (a < exact_tens[k])
            k--;
        *unchecked = false;
    }
    return k;
}

/*
 * dtoa's double-arithmetic attempt (step 2 above) for `digits` = ilim digits of a, the
 * first of them at 10^k. Returns true with *units = a * 10^N rounded as dtoa rounds it,
 * or false when dtoa hands over to exact arithmetic, with *half set when it does so from
 * inside the band on an even digit.
 */
static bool quick_digits(double a, int k, bool unchecked, int digits, uint64_t *units, bool *half)
{
    int roundings = 2; /* dtoa's ieps: starts conservative */
    double d = a;
    if (k > 0) {
        d = rounded(d / exact_tens[k]); /* k <= 13 here: one division */
    } else if (k < 0) {
        int down = -k; /* <= N + 1 <= 18 here */
        d = rounded(d * exact_tens[down & 15]);
        if (down >> 4) {
            roundings++;
            d = rounded(d * 1e16);
        }
    }
    if (unchecked && d < 1. && digits > 0) { /* k was one too high */
        if (digits - 1 <= 0)
            return false;
        digits--;
        d = rounded(d * 10.);
        roundings++;
    }
    double eps = rounded(rounded(roundings * d) + 7.) * 0x1p-52; /* exact scaling */
    if (digits == 0) {
        d = rounded(d - 5.);
        if (d > eps) {
            *units = 1;
            return true;
        }
        if (d < -eps) {
            *units = 0;
            return true;
        }
        return false;
    }
    eps = rounded(eps * exact_tens[digits - 1]);
    uint64_t q = 0;
    for (int i = 1;; i++) {
        int digit = (int)d;
        d = rounded(d - digit);
        q = q * 10 + (uint64_t)digit;
        if (d == 0) { /* nothing left: the remaining digits are zeros */
            *units = q * pow10_u64[digits - i];
            return true;
        }
        if (i == digits) {
            if (d > rounded(0.5 + eps)) {
                *units = q + 1;
            } else if (d < rounded(0.5 - eps)) {
                *units = q;
            } else if (digit & 1) {
                *units = q + 1;
            } else {
                *half = true;
                return false;
            }
            return true;
        }
        d = rounded(d * 10.);
    }
}

/* a * 10^decimals for finite 0 <= a < 1e17, rounded to an integer exactly: ties to even,
 * or down (truncated) when `down`. Fits: mantissa * 10^17 < 2^110, times 2^4 at most. */
static u128 exact_units(double a, int decimals, bool down)
{
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    int biased = (int)(bits >> 52);
    uint64_t mantissa = bits & 0x000fffffffffffffull;
    int exponent = -1074; /* a = mantissa * 2^exponent */
    if (biased) {
        mantissa |= 1ull << 52;
        exponent = biased - 1075;
    }
    u128 n = (u128)mantissa * pow10_u64[decimals];
    if (exponent >= 0)
        return n << exponent;
    int shift = -exponent;
    if (shift > 110)
        return 0; /* n < 2^110 <= half a unit */
    u128 q = n >> shift, rest = n - (q << shift), half = (u128)1 << (shift - 1);
    if (!down && (rest > half || (rest == half && (q & 1))))
        q++;
    return q;
}

/* a * 10^decimals rounded to an integer as Ruby's dtoa does, for finite 0 <= a < 1e17. */
static u128 ruby_units(double a, int decimals)
{
    bool half = false;
    /* Below 2^-100 dtoa produces no digit in double arithmetic (ilim < 0). */
    if (a >= 0x1p-100) {
        bool unchecked;
        int k = log10_estimate(a, &unchecked);
        int digits = decimals + k + 1;
        uint64_t units;
        if (digits >= 0 && digits <= QUICK_MAX_DIGITS &&
            quick_digits(a, k, unchecked, digits, &units, &half))
            return units;
    }
    return exact_units(a, decimals, half);
}

size_t tp__fixed_ruby(char *buf, double v, int decimals)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > TP__FIXED_MAX_DECIMALS)
        decimals = TP__FIXED_MAX_DECIMALS;
    const char *word = isnan(v) ? "NaN" : !isinf(v) ? NULL : v < 0 ? "-Inf" : "Inf";
    if (word) {
        size_t n = strlen(word);
        memcpy(buf, word, n + 1);
        return n;
    }
    double a = fabs(v);
    if (a >= 1e17) { /* an integer: exact digits, which printf gives as Ruby does */
        int n = snprintf(buf, TP__FIXED_BUF, "%.*f", decimals, v);
        return n < 0 ? 0 : n >= TP__FIXED_BUF ? TP__FIXED_BUF - 1 : (size_t)n;
    }
    u128 units = ruby_units(a, decimals);
    size_t n = 0;
    if (signbit(v))
        buf[n++] = '-';
    uint64_t scale = pow10_u64[decimals];
    if (units <= UINT64_MAX) {
        n += tp__put_scaled(buf + n, (uint64_t)units, decimals);
    } else { /* below 1e17 * 10^decimals: the whole part fits 64 bits */
        n += tp__put_scaled(buf + n, (uint64_t)(units / scale), 0);
        buf[n++] = '.';
        uint64_t fraction = (uint64_t)(units % scale);
        for (int i = decimals - 1; i >= 0; i--) {
            buf[n + (size_t)i] = (char)('0' + fraction % 10);
            fraction /= 10;
        }
        n += (size_t)decimals;
    }
    buf[n] = '\0';
    return n;
}
