/*
 * test_digits.c — the fixed-point writer (tp_out_fixed, tp_format_fixed) against Ruby's
 * format("%.Nf"), the text Tracksperanto's exporters wrote.
 *
 *   test_digits [CASE]     runs every case but ruby_differential, or the one named
 *
 * ruby_table      every row of ruby_fixed.tsv (Ruby's own output, near-tie values) matches
 * fast_path       the inline fast path agrees with the full replay of Ruby's dtoa on
 *                 millions of random, near-tie and band-edge values
 * specials        zeros, non-finite values, huge values, clamped precisions
 * ruby_differential  200,000 random and near-tie doubles formatted by one ruby process and
 *                 by trackport give identical text; exits 77 (skipped) without ruby
 *
 * Each case runs in its own process; counts come back through a pipe.
 */
#include "check.h"
#include "fixed.h"
#include "trackport.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef TP_DIGITS_DIR
#error "TP_DIGITS_DIR names the folder of ruby_fixed.tsv and ruby_format.rb"
#endif

#define SKIPPED_EXIT 77

static bool case_skipped;

/* The precisions exporters write (2 to 6, 10, 15) and the rest of 0..17. */
static const int precisions[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
#define PRECISION_COUNT (int)(sizeof precisions / sizeof precisions[0])

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double uniform(double lo, double hi)
{
    return lo + (hi - lo) * (double)(next_random() >> 11) * 0x1p-53;
}

static double from_bits(uint64_t bits)
{
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static uint64_t to_bits(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

/* v moved by `steps` ulps toward +infinity (negative: toward -infinity); the bit patterns
 * of doubles of one sign are in the order of their magnitudes. Stops at zero. */
static double step_ulps(double v, long steps)
{
    uint64_t bits = to_bits(v), sign = bits & 0x8000000000000000ull;
    int64_t magnitude = (int64_t)(bits ^ sign) + (sign ? -steps : steps);
    if (magnitude < 0)
        magnitude = 0;
    return from_bits(sign | (uint64_t)magnitude);
}

/* The double nearest to the decimal tie at `decimals` places just above |v|, signed as v. */
static double tie_above(double v, int decimals)
{
    double scaled = floor(fabs(v) * pow(10.0, decimals));
    if (scaled >= 1e17)
        return v;
    char text[64];
    snprintf(text, sizeof text, "%s%.0f5e-%d", v < 0 ? "-" : "", scaled, decimals + 1);
    return strtod(text, NULL);
}

/* A value for the random cases: magnitudes 1e-7 to 1e8, half of them near a tie, moved
 * by a few ulps or by a hundred or so (where the fast path's margin lies). */
static double sample_value(int decimals)
{
    double v = uniform(1, 10) * pow(10.0, (int)(next_random() % 16) - 7);
    if (next_random() & 1)
        v = -v;
    switch (next_random() % 6) {
    case 0:
    case 1:
        return v;
    case 2:
        return tie_above(v, decimals);
    case 3:
        return step_ulps(tie_above(v, decimals), (long)(next_random() % 9) - 4);
    case 4:
        return step_ulps(tie_above(v, decimals), (long)(next_random() % 600) - 300);
    default:
        return step_ulps(tie_above(v, decimals), (long)(next_random() % 4000) - 2000);
    }
}

/* Writes v through tp_out_fixed into a memory out; returns a malloc'd copy (caller owns). */
static char *out_fixed(double v, int decimals)
{
    struct tp_out *out;
    if (tp_out_open_memory(&out) != TP_OK)
        return NULL;
    tp_out_fixed(out, v, decimals);
    size_t len;
    const char *mem = tp_out_memory(out, &len);
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, mem, len);
        copy[len] = '\0';
    }
    tp_out_free(out);
    return copy;
}

/* ------------------------------------------------------------------ cases */

static void test_ruby_table(void)
{
    FILE *f = fopen(TP_DIGITS_DIR "/ruby_fixed.tsv", "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[512];
    int rows = 0, mismatches = 0, seen[TP__FIXED_MAX_DECIMALS + 1] = {0};
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        char want[400];
        uint64_t bits;
        int decimals;
        if (sscanf(line, "%" SCNx64 "\t%d\t%399s", &bits, &decimals, want) != 3) {
            CHECK_REPORT(false, "bad table row: %s", line);
            continue;
        }
        rows++;
        seen[decimals]++;
        double v = from_bits(bits);
        char *whole = out_fixed(v, decimals);
        bool ok = whole && strcmp(whole, want) == 0;
        char buf[TP__FIXED_BUF];
        if (strlen(want) < TP__FIXED_BUF) { /* the buffer API cuts longer (1e17 and up) */
            tp_format_fixed(buf, v, decimals);
            ok = ok && strcmp(buf, want) == 0;
            tp__fixed_ruby(buf, v, decimals);
            ok = ok && strcmp(buf, want) == 0;
        }
        if (!ok && mismatches++ < 10)
            fprintf(stderr, "%.17g to %d places: trackport %s, Ruby %s\n", v, decimals,
                    whole ? whole : "(null)", want);
        free(whole);
    }
    fclose(f);
    CHECK_INT(mismatches, 0);
    CHECK_REPORT(rows > 6000, "only %d rows in the table", rows);
    for (int i = 0; i < PRECISION_COUNT; i++)
        if (precisions[i] <= 10 || precisions[i] == 15 || precisions[i] == 17)
            CHECK_REPORT(seen[precisions[i]] > 300, "%d rows for %d places", seen[precisions[i]],
                         precisions[i]);
    printf("  %d table rows\n", rows);
}

static void test_fast_path(void)
{
    int mismatches = 0;
    long fast = 0, total = 0;
    for (int i = 0; i < 3000000; i++) {
        int decimals = precisions[next_random() % PRECISION_COUNT];
        double v = sample_value(decimals);
        char quick[TP__FIXED_BUF], replay[TP__FIXED_BUF], api[TP__FIXED_BUF];
        size_t n = tp__fixed_fast(quick, v, decimals);
        tp__fixed_ruby(replay, v, decimals);
        tp_format_fixed(api, v, decimals);
        total++;
        if (n)
            fast++;
        bool ok = strcmp(api, replay) == 0 && (!n || strcmp(quick, replay) == 0);
        if (!ok && mismatches++ < 10)
            fprintf(stderr, "%.17g (%016" PRIx64 ") to %d places: fast %s, replay %s\n", v,
                    to_bits(v), decimals, n ? quick : "-", replay);
    }
    CHECK_INT(mismatches, 0);
    printf("  %ld of %ld values (near ties by design) on the fast path\n", fast, total);
    /* Coordinates as exporters see them must almost never leave it. */
    fast = 0;
    for (int i = 0; i < 100000; i++) {
        char quick[TP__FIXED_BUF];
        fast += tp__fixed_fast(quick, uniform(-5000, 5000), 2 + (int)(next_random() % 5)) > 0;
    }
    CHECK_REPORT(fast > 99900, "fast path took %ld of 100000 coordinates", fast);
}

static void test_specials(void)
{
    char buf[TP__FIXED_BUF];
    tp_format_fixed(buf, 0.0, 3);
    CHECK_STR(buf, "0.000");
    tp_format_fixed(buf, -0.0, 3);
    CHECK_STR(buf, "-0.000");
    tp_format_fixed(buf, -0.0001, 3);
    CHECK_STR(buf, "-0.000");
    tp_format_fixed(buf, 5e-324, 17);
    CHECK_STR(buf, "0.00000000000000000");
    tp_format_fixed(buf, INFINITY, 3);
    CHECK_STR(buf, "Inf");
    tp_format_fixed(buf, -INFINITY, 3);
    CHECK_STR(buf, "-Inf");
    tp_format_fixed(buf, NAN, 3);
    CHECK_STR(buf, "NaN");
    tp_format_fixed(buf, 2.5, -4); /* negative precision: none */
    CHECK_STR(buf, "2");
    tp_format_fixed(buf, 0.1, 40); /* clamped to 17 */
    CHECK_STR(buf, "0.10000000000000001");
    tp_format_fixed(buf, 99999999999999984.0, 17); /* just below 1e17: the 128-bit path */
    CHECK_STR(buf, "99999999999999984.00000000000000000");
    tp_format_fixed(buf, 1e60, 2); /* cut to the buffer */
    CHECK_INT(strlen(buf), TP__FIXED_BUF - 1);
    char *text = out_fixed(1e30, 2);
    CHECK_STR(text, "1000000000000000019884624838656.00");
    free(text);
    text = out_fixed(-INFINITY, 5);
    CHECK_STR(text, "-Inf");
    free(text);
    /* A buffer that is already nearly full still gets every character. */
    struct tp_out *out;
    CHECK_INT(tp_out_open_memory(&out), TP_OK);
    for (int i = 0; i < 5000; i++)
        tp_out_fixed(out, -1234.5678905, 6);
    size_t len;
    const char *mem = tp_out_memory(out, &len);
    CHECK_INT(len, 5000 * strlen("-1234.567890"));
    CHECK(memcmp(mem, "-1234.567890", 12) == 0);
    tp_out_free(out);
}

static bool ruby_on_path(void)
{
    return system("command -v ruby >/dev/null 2>&1") == 0;
}

static void test_ruby_differential(void)
{
    if (!ruby_on_path()) {
        printf("  skipped: ruby is not on the PATH\n");
        case_skipped = true;
        return;
    }
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char in_path[512], out_path[520];
    snprintf(in_path, sizeof in_path, "%s/trackport-digits-XXXXXX", tmp);
    int fd = mkstemp(in_path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    snprintf(out_path, sizeof out_path, "%s.ruby", in_path);
    enum { COUNT = 200000 };
    static double values[COUNT];
    static int places[COUNT];
    FILE *in = fdopen(fd, "w");
    for (int i = 0; i < COUNT; i++) {
        places[i] = precisions[next_random() % PRECISION_COUNT];
        values[i] = sample_value(places[i]);
        fprintf(in, "%016" PRIx64 " %d\n", to_bits(values[i]), places[i]);
    }
    CHECK_INT(fclose(in), 0);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "ruby '%s' < '%s' > '%s'", TP_DIGITS_DIR "/ruby_format.rb", in_path,
             out_path);
    CHECK_INT(system(cmd), 0);
    FILE *answers = fopen(out_path, "r");
    CHECK(answers != NULL);
    int compared = 0, mismatches = 0, differs_from_printf = 0;
    char want[512], printf_text[512];
    while (answers && compared < COUNT && fgets(want, sizeof want, answers)) {
        want[strcspn(want, "\n")] = '\0';
        char *mine = out_fixed(values[compared], places[compared]);
        if (!mine || strcmp(mine, want) != 0) {
            if (mismatches++ < 10)
                fprintf(stderr, "%.17g (%016" PRIx64 ") to %d places: trackport %s, Ruby %s\n",
                        values[compared], to_bits(values[compared]), places[compared],
                        mine ? mine : "(null)", want);
        }
        snprintf(printf_text, sizeof printf_text, "%.*f", places[compared], values[compared]);
        differs_from_printf += strcmp(printf_text, want) != 0;
        free(mine);
        compared++;
    }
    if (answers)
        fclose(answers);
    unlink(in_path);
    unlink(out_path);
    CHECK_INT(compared, COUNT);
    CHECK_INT(mismatches, 0);
    /* The sample must hold the values where Ruby and C's printf part ways. */
    CHECK_REPORT(differs_from_printf > COUNT / 50, "only %d values where Ruby differs from printf",
                 differs_from_printf);
    printf("  %d values identical to Ruby's (%d of them unlike printf's)\n", compared,
           differs_from_printf);
}

/* ------------------------------------------------------------------ runner */

struct test_case {
    const char *name;
    void (*fn)(void);
    bool by_name_only; /* needs ruby: a test of its own in ctest, skipped without it */
};

static const struct test_case cases[] = {
    {"ruby_table", test_ruby_table, false},
    {"fast_path", test_fast_path, false},
    {"specials", test_specials, false},
    {"ruby_differential", test_ruby_differential, true},
};

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0, ran = 0, skipped = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (only ? strcmp(only, cases[i].name) != 0 : cases[i].by_name_only)
            continue;
        ran++;
        int fds[2];
        if (pipe(fds) != 0)
            return 1;
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            cases[i].fn();
            int counts[3] = {check_passed, check_failed, case_skipped};
            if (write(fds[1], counts, sizeof counts) != (ssize_t)sizeof counts)
                _exit(3);
            fflush(NULL);
            exit(0); /* exit, not _exit: the leak checker runs at exit */
        }
        close(fds[1]);
        int counts[3] = {0, 0, 0};
        ssize_t got = read(fds[0], counts, sizeof counts);
        close(fds[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        bool ok = got == (ssize_t)sizeof counts && WIFEXITED(status) && WEXITSTATUS(status) == 0;
        passed += counts[0];
        failed += counts[1];
        skipped += counts[2];
        if (!ok) {
            fprintf(stderr, "case %s: crashed or exited badly (status %d)\n", cases[i].name,
                    status);
            failed++;
        }
        printf("%-18s %s\n", cases[i].name,
               !ok || counts[1] ? "FAILED"
               : counts[2]      ? "skipped"
                                : "ok");
    }
    if (!ran) {
        fprintf(stderr, "no case named %s\n", only);
        return 2;
    }
    check_passed = passed;
    check_failed = failed;
    int rc = check_summary();
    return rc == 0 && skipped == ran ? SKIPPED_EXIT : rc;
}
