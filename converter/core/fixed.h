/*
 * fixed.h — the fixed-point number writer behind tp_format_fixed and tp_out_fixed: the
 * text Ruby's format("%.Nf") gives, which is what Tracksperanto's exporters wrote. Internal
 * to the converter library (output.c and fixed.c), and to the tests and the fuzz target
 * that check it.
 *
 * Ruby 3.1 formats "%.Nf" with David Gay's dtoa in mode 3. For up to 14 significant digits
 * it first computes the digits in double arithmetic, with an error bound eps; when the
 * remainder after the last digit is within eps of one half it rounds half to even on that
 * last digit (ties to even even where the binary value is not a tie), and otherwise the
 * result is correctly rounded. Everything else is rounded exactly, ties to even.
 *
 * The writer has two paths. The inline fast one here rounds v * 10^N computed in one
 * multiplication (error: half an ulp), and answers only when the fraction is more than
 * scaled * 2^-45 = 128 * 2^-52 * scaled away from one half. dtoa's eps is at most
 * 47 * 2^-52 * scaled and bounds its own error, so a value whose true fraction is more than
 * 2 * eps from one half is one dtoa rounds correctly: out there Ruby's answer is the correctly
 * rounded one the fast path gives. Everything else (about one value in 18,000 for
 * coordinates near 1000 with 6 decimals) goes to tp__fixed_ruby in fixed.c, which replays
 * dtoa's double arithmetic step by step and finishes exactly with 128-bit integers.
 *
 * Nothing here allocates or keeps state; all is safe across fork() and threads.
 */
#ifndef TP_FIXED_H
#define TP_FIXED_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Decimals the writer handles (more are clamped): enough for every exporter (3DE v4: 15). */
#define TP__FIXED_MAX_DECIMALS 17

/* Room tp__fixed_ruby and tp_format_fixed need for any value under 1e17 (sign, 17 digits,
 * point, 17 decimals, NUL) and for the text they cut longer output to. */
#define TP__FIXED_BUF 48

static const double tp__fixed_pow10[TP__FIXED_MAX_DECIMALS + 1] = {
    1e0, 1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,
    1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17}; /* all exact doubles */

static const char tp__fixed_digit_pairs[] = "00010203040506070809101112131415161718192021222324"
                                            "25262728293031323334353637383940414243444546474849"
                                            "50515253545556575859606162636465666768697071727374"
                                            "75767778798081828384858687888990919293949596979899";

/* tp__put_scaled writes r / 10^decimals with exactly `decimals` digits after the point
 * (none and no point for 0), two digits per division: the innermost loop of every
 * exporter. Returns the length; writes no NUL. buf needs 40 bytes. */
static inline size_t tp__put_scaled(char *buf, uint64_t r, int decimals)
{
    char tmp[40];
    char *end = tmp + sizeof tmp, *p = end;
    while (r >= 100) {
        unsigned pair = (unsigned)(r % 100);
        r /= 100;
        p -= 2;
        memcpy(p, tp__fixed_digit_pairs + 2 * pair, 2);
    }
    if (r >= 10) {
        p -= 2;
        memcpy(p, tp__fixed_digit_pairs + 2 * r, 2);
    } else {
        *--p = (char)('0' + r);
    }
    while (end - p < decimals + 1)
        *--p = '0';
    size_t digits = (size_t)(end - p), whole = digits - (size_t)decimals;
    memcpy(buf, p, whole);
    if (!decimals)
        return whole;
    buf[whole] = '.';
    memcpy(buf + whole + 1, p + whole, (size_t)decimals);
    return digits + 1;
}

/* tp__fixed_fast writes v with `decimals` (0..TP__FIXED_MAX_DECIMALS) places and a NUL
 * when the rounding is decided far from a tie, and returns the length; returns 0, having
 * written nothing, for values near a tie, from 2^53 scaled units up, and non-finite. */
static inline size_t tp__fixed_fast(char *buf, double v, int decimals)
{
    double scaled = fabs(v) * tp__fixed_pow10[decimals];
    if (!(scaled < 0x1p53)) /* NaN too */
        return 0;
    int64_t whole = (int64_t)scaled; /* exact: scaled is an integer plus frac */
    double frac = scaled - (double)whole;
    if (fabs(frac - 0.5) <= scaled * 0x1p-45)
        return 0;
    uint64_t r = (uint64_t)whole + (frac > 0.5);
    size_t n = 0;
    if (signbit(v))
        buf[n++] = '-'; /* as Ruby: "-0.000" for negative zero and tiny negatives */
    n += tp__put_scaled(buf + n, r, decimals);
    buf[n] = '\0';
    return n;
}

/* tp__fixed_ruby writes v exactly as Ruby 3.1's format("%.*f", decimals, v) does, into buf
 * (TP__FIXED_BUF bytes), NUL-terminated, and returns the length. Every value takes the
 * replayed dtoa path: the reference tp__fixed_fast is checked against. "Inf", "-Inf" and
 * "NaN" as Ruby writes them; magnitudes from 1e17 (integers, printed exactly) are cut to
 * TP__FIXED_BUF - 1 characters. */
size_t tp__fixed_ruby(char *buf, double v, int decimals);

#endif
