/*
 * fuzz_fixed.c — a differential libFuzzer target for the fixed-point writer. For any double
 * and precision, tp_format_fixed (inline fast path first) and tp__fixed_fast, when it
 * answers, must write exactly what the full replay of Ruby's dtoa (tp__fixed_ruby) writes;
 * and that text may differ from C's printf (correct rounding) only for a value within the
 * fast path's margin of a decimal tie, where dtoa rounds half to even. Any disagreement
 * aborts.
 *
 * Input: 8 bytes of IEEE-754 double (little-endian), 1 byte of precision (mod 18); with 2
 * more bytes the value is first moved onto the decimal tie above it at that precision and
 * then by that many ulps (signed 16-bit), so the fuzzer reaches the rare near-tie values.
 *
 * Without libFuzzer the same file, linked with fuzz_replay.c, replays saved inputs as a test.
 */
#include "fixed.h"
#include "trackport.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static double tie_above(double v, int decimals)
{
    double scaled = floor(fabs(v) * tp__fixed_pow10[decimals]);
    if (!(scaled < 1e17))
        return v;
    char text[64];
    snprintf(text, sizeof text, "%s%.0f5e-%d", signbit(v) ? "-" : "", scaled, decimals + 1);
    return strtod(text, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9)
        return 0;
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--)
        bits = bits << 8 | data[i];
    double v;
    memcpy(&v, &bits, sizeof v);
    int decimals = data[8] % (TP__FIXED_MAX_DECIMALS + 1);
    if (size >= 11 && isfinite(v)) {
        int steps = (int16_t)(data[9] | data[10] << 8);
        v = tie_above(v, decimals);
        for (int i = 0; i < abs(steps); i++)
            v = nextafter(v, steps > 0 ? INFINITY : -INFINITY);
    }
    char replay[TP__FIXED_BUF], api[TP__FIXED_BUF], quick[TP__FIXED_BUF];
    tp__fixed_ruby(replay, v, decimals);
    tp_format_fixed(api, v, decimals);
    if (strcmp(api, replay) != 0)
        abort();
    if (tp__fixed_fast(quick, v, decimals) && strcmp(quick, replay) != 0)
        abort();
    if (isfinite(v) && fabs(v) < 1e17) {
        char correct[512];
        snprintf(correct, sizeof correct, "%.*f", decimals, v);
        double scaled = fabs(v) * tp__fixed_pow10[decimals];
        double frac = scaled - floor(scaled);
        /* Differing from correct rounding is only allowed inside the margin around a tie. */
        if (strcmp(correct, replay) != 0 && fabs(frac - 0.5) > scaled * 0x1p-45 + 0x1p-60)
            abort();
    }
    return 0;
}
