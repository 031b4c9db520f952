/* Unit tests of the converter core: model, input, output, detection, tsv, pipeline. */
#include "check.h"
#include "trackport.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_tracker_order(void)
{
    struct tp_tracker t;
    tp_tracker_init(&t);
    CHECK_INT(tp_tracker_add(&t, 5, 1, 1, 0), TP_OK);
    CHECK_INT(tp_tracker_add(&t, 2, 2, 2, 0), TP_OK);
    CHECK_INT(tp_tracker_add(&t, 9, 3, 3, 0), TP_OK);
    CHECK_INT(tp_tracker_add(&t, 5, 4, 4, 0.5), TP_OK); /* replaces frame 5 */
    CHECK_INT(t.len, 3);
    CHECK_INT(t.keys[0].frame, 2);
    CHECK_INT(t.keys[1].frame, 5);
    CHECK_NEAR(t.keys[1].x, 4, 0);
    CHECK_NEAR(t.keys[1].residual, 0.5, 0);
    CHECK(tp_tracker_find(&t, 9) != NULL);
    CHECK(tp_tracker_find(&t, 3) == NULL);
    CHECK_INT(tp_tracker_set_name(&t, "a b\tc", 5), TP_OK);
    CHECK_STR(t.name, "a_b_c");
    tp_tracker_cleanup(&t);
}

static void test_input_lines(void)
{
    const char text[] = "one\r\ntwo\n\nthree";
    struct tp_input *in;
    CHECK_INT(tp_input_open_memory(text, sizeof text - 1, &in), TP_OK);
    size_t len;
    CHECK_STR(tp_input_getline(in, &len), "one");
    CHECK_INT(len, 3);
    CHECK_STR(tp_input_getline(in, &len), "two");
    CHECK_STR(tp_input_getline(in, &len), "");
    CHECK_STR(tp_input_getline(in, &len), "three");
    CHECK_INT(tp_input_line_number(in), 4);
    CHECK(tp_input_getline(in, &len) == NULL);
    CHECK_INT(tp_input_error(in), 0);
    CHECK_INT(tp_input_rewind(in), TP_OK);
    CHECK_STR(tp_input_getline(in, &len), "one");
    tp_input_free(in);

    /* A line far longer than the read chunk still comes back whole. */
    size_t big = 3u * 1024u * 1024u;
    char *data = malloc(big + 2);
    memset(data, 'x', big);
    data[big] = '\n';
    data[big + 1] = 'y';
    CHECK_INT(tp_input_open_memory(data, big + 2, &in), TP_OK);
    CHECK(tp_input_getline(in, &len) != NULL);
    CHECK_INT(len, big);
    CHECK_STR(tp_input_getline(in, &len), "y");
    CHECK_INT(tp_input_consumed(in), big + 2);
    tp_input_free(in);
    free(data);
}

static void test_fixed_format(void)
{
    char mine[64], theirs[64];
    int mismatches = 0;
    srand(7);
    for (int i = 0; i < 200000; i++) {
        double v = ((double)rand() / RAND_MAX - 0.5) * pow(10.0, rand() % 9);
        if (i % 7 == 0)
            v = (double)(rand() % 100000) / 1000.0 + 0.0005; /* near ties */
        int decimals = rand() % 10;
        tp_format_fixed(mine, v, decimals);
        snprintf(theirs, sizeof theirs, "%.*f", decimals, v);
        /* Far from a tie at the cut both round correctly; near one, Ruby's dtoa may round
         * half to even where printf goes by the binary value (tests/digits covers those). */
        double scaled = fabs(v) * pow(10.0, decimals);
        if (fabs(scaled - floor(scaled) - 0.5) <= scaled * 0x1p-40)
            continue;
        if (strcmp(mine, theirs) != 0 && mismatches++ < 5)
            fprintf(stderr, "fixed %.17g/%d: %s vs %s\n", v, decimals, mine, theirs);
    }
    CHECK_INT(mismatches, 0);
    /* Decimal ties, whichever side of them the binary value lies. */
    tp_format_fixed(mine, (1 - 0.852) / 8, 3); /* 0.018500000000000003 */
    CHECK_STR(mine, "0.018");
    tp_format_fixed(mine, (1 - 0.868) / 8, 3); /* 0.016500000000000001 */
    CHECK_STR(mine, "0.016");
    tp_format_fixed(mine, 1.0005, 3); /* 1.000499999999999989 */
    CHECK_STR(mine, "1.000");
    tp_format_fixed(mine, 0.0175, 3);
    CHECK_STR(mine, "0.018");
    tp_format_fixed(mine, 9.9995, 3);
    CHECK_STR(mine, "10.000");
    tp_format_fixed(mine, -99.5, 0);
    CHECK_STR(mine, "-100");
    tp_format_fixed(mine, 2.5, 0);
    CHECK_STR(mine, "2");
    tp_format_fixed(mine, -0.0015, 3);
    CHECK_STR(mine, "-0.002");
    tp_format_fixed(mine, -0.0001, 3);
    CHECK_STR(mine, "-0.000");
    tp_format_fixed(mine, 1e30, 2);
    snprintf(theirs, sizeof theirs, "%.2f", 1e30);
    CHECK_STR(mine, theirs);
}

static void test_output_memory(void)
{
    struct tp_out *out;
    CHECK_INT(tp_out_open_memory(&out), TP_OK);
    tp_out_puts(out, "a=");
    tp_out_int(out, -42);
    tp_out_putc(out, ' ');
    tp_out_fixed(out, 2.5, 3);
    tp_out_printf(out, " %s", "z");
    size_t len;
    const char *mem = tp_out_memory(out, &len);
    CHECK_INT(len, strlen("a=-42 2.500 z"));
    CHECK(memcmp(mem, "a=-42 2.500 z", len) == 0);
    CHECK_INT(tp_out_bytes(out), len);
    tp_out_free(out);

    struct tp_spill *spill;
    CHECK_INT(tp_spill_new(&spill), TP_OK);
    tp_out_puts(tp_spill_out(spill), "body\n");
    CHECK_INT(tp_out_open_memory(&out), TP_OK);
    tp_out_puts(out, "head\n");
    CHECK_INT(tp_spill_copy_to(spill, out), TP_OK);
    mem = tp_out_memory(out, &len);
    CHECK(len == 10 && memcmp(mem, "head\nbody\n", 10) == 0);
    tp_out_free(out);
    tp_spill_free(spill);
}

static void test_detect(void)
{
    const struct tp_importer *imp = NULL;
    struct tp_diag diag = {0};
    const char tsv[] = "# width\t10\ntracker\tframe\tx\ty\tresidual\n";
    CHECK_INT(tp_detect("x.unknown", tsv, sizeof tsv - 1, &imp, &diag), TP_OK);
    CHECK(imp && strcmp(imp->name, "tsv") == 0);
    CHECK_INT(tp_detect("data.tsv", "", 0, &imp, &diag), TP_OK);
    CHECK_INT(tp_detect("mystery.bin", "\x01\x02", 2, &imp, &diag), TP_ERR_UNKNOWN_FORMAT);
    CHECK(strstr(diag.message, "Unknown input format") != NULL);
    CHECK(tp_find_importer("TSV") != NULL);
    CHECK(tp_find_exporter("Tsv") != NULL);
    CHECK(tp_find_importer("nope") == NULL);
}

/* A sink that records trackers, to drive importers directly. */
struct collect {
    struct tp_sink base;
    int width, height, trackers, keyframes, ended;
    char first[64];
};

static int collect_begin(struct tp_sink *s, int w, int h, struct tp_diag *d)
{
    (void)d;
    ((struct collect *)s)->width = w;
    ((struct collect *)s)->height = h;
    return TP_OK;
}

static int collect_tracker(struct tp_sink *s, struct tp_tracker *t, struct tp_diag *d)
{
    (void)d;
    struct collect *c = (struct collect *)s;
    if (c->trackers++ == 0)
        snprintf(c->first, sizeof c->first, "%s", t->name);
    c->keyframes += (int)t->len;
    return TP_OK;
}

static int collect_end(struct tp_sink *s, struct tp_diag *d)
{
    (void)d;
    ((struct collect *)s)->ended++;
    return TP_OK;
}

static void test_tsv_import(void)
{
    const char text[] = "# width\t1920\n# height\t1080\ntracker\tframe\tx\ty\tresidual\n"
                        "A\t0\t1.5\t2.5\t0\nA\t1\t1.6\t2.6\t0\nB c\t4\t1\t1\t0.25\n";
    struct collect c = {.base = {collect_begin, collect_tracker, collect_end, NULL, NULL}};
    struct tp_input *in;
    struct tp_diag diag = {0};
    CHECK_INT(tp_input_open_memory(text, sizeof text - 1, &in), TP_OK);
    CHECK_INT(tp_import(tp_find_importer("tsv"), in, 0, 0, &c.base, NULL, NULL, &diag), TP_OK);
    CHECK_INT(c.width, 1920);
    CHECK_INT(c.trackers, 2);
    CHECK_INT(c.keyframes, 3);
    CHECK_INT(c.ended, 1);
    CHECK_STR(c.first, "A");
    tp_input_free(in);

    const char bad[] = "tracker\tframe\tx\ty\tresidual\nA\tone\t1\t2\t0\n";
    struct collect c2 = {.base = {collect_begin, collect_tracker, collect_end, NULL, NULL}};
    CHECK_INT(tp_input_open_memory(bad, sizeof bad - 1, &in), TP_OK);
    CHECK_INT(tp_import(tp_find_importer("tsv"), in, 0, 0, &c2.base, NULL, NULL, &diag),
              TP_ERR_PARSE);
    CHECK(strstr(diag.message, "Line 2") != NULL);
    tp_input_free(in);

    const char empty[] = "";
    CHECK_INT(tp_input_open_memory(empty, 0, &in), TP_OK);
    CHECK_INT(tp_import(tp_find_importer("tsv"), in, 0, 0, &c2.base, NULL, NULL, &diag),
              TP_ERR_NO_TRACKERS);
    tp_input_free(in);
}

static void test_convert_files(void)
{
    char dir[] = "/tmp/tp-unit-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char input[256];
    snprintf(input, sizeof input, "%s/shot.tsv", dir);
    FILE *f = fopen(input, "w");
    fputs("# width\t100\n# height\t50\nA\t0\t1\t2\t0\nA\t3\t4\t5\t0\n", f);
    fclose(f);
    const char *only[] = {"tsv"};
    struct tp_convert_options opts = {.input_path = input, .exporters = only, .exporter_count = 1};
    struct tp_convert_result result;
    struct tp_diag diag = {0};
    CHECK_INT(tp_convert(&opts, &result, &diag), TP_OK);
    CHECK_INT(result.trackers, 1);
    CHECK_INT(result.keyframes, 2);
    CHECK_INT(result.width, 100);
    CHECK_INT(result.output_count, 1);
    if (result.output_count) {
        char expect[300];
        snprintf(expect, sizeof expect, "%s/shot_tracks.tsv", dir);
        CHECK_STR(result.outputs[0].path, expect);
        CHECK(access(expect, R_OK) == 0);
        unlink(expect);
    }
    tp_convert_result_cleanup(&result);

    const char *unknown[] = {"nosuch"};
    opts.exporters = unknown;
    CHECK_INT(tp_convert(&opts, &result, &diag), TP_ERR_UNKNOWN_EXPORTER);
    tp_convert_result_cleanup(&result);
    unlink(input);
    rmdir(dir);
}

/* Whether two lines are equal but for digits at the same places (the creation dates some
 * exporters write). */
static bool same_but_digits(const char *a, const char *b)
{
    if (strlen(a) != strlen(b))
        return false;
    for (; *a; a++, b++)
        if (*a != *b && !(isdigit((unsigned char)*a) && isdigit((unsigned char)*b)))
            return false;
    return true;
}

/* Counts the lines of two files that differ (other than in dates); -1 if one is missing. */
static long differing_lines(const char *path_a, const char *path_b)
{
    FILE *a = fopen(path_a, "r"), *b = fopen(path_b, "r");
    long differ = -1;
    if (a && b) {
        char *la = NULL, *lb = NULL;
        size_t ca = 0, cb = 0;
        differ = 0;
        for (;;) {
            ssize_t na = getline(&la, &ca, a), nb = getline(&lb, &cb, b);
            if (na < 0 || nb < 0) {
                differ += na != nb;
                break;
            }
            differ += !same_but_digits(la, lb);
        }
        free(la);
        free(lb);
    }
    if (a)
        fclose(a);
    if (b)
        fclose(b);
    return differ;
}

/* A conversion big enough to start the export helper thread must write every output
 * exactly as one thread does. */
static void test_helper_thread_outputs(void)
{
    char dir[] = "/tmp/tp-unit-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char input[256], one_dir[300], two_dir[300];
    snprintf(input, sizeof input, "%s/big.tsv", dir);
    snprintf(one_dir, sizeof one_dir, "%s/one", dir);
    snprintf(two_dir, sizeof two_dir, "%s/two", dir);
    FILE *f = fopen(input, "w");
    fputs("# width\t1920\n# height\t1080\n", f);
    for (int t = 0; t < 40; t++)
        for (int frame = 0; frame < 1000; frame++)
            fprintf(f, "T%d\t%d\t%.4f\t%.4f\t0.1\n", t, frame, 960 + 400 * sin(frame * 0.01 + t),
                    540 + 300 * cos(frame * 0.013 + t));
    fclose(f);
    struct tp_convert_result one, two;
    struct tp_diag diag = {0};
    struct tp_convert_options opts = {.input_path = input, .output_dir = one_dir};
    CHECK(mkdir(one_dir, 0700) == 0 && mkdir(two_dir, 0700) == 0);
    setenv("TRACKPORT_ONE_THREAD", "1", 1);
    CHECK_INT(tp_convert(&opts, &one, &diag), TP_OK);
    unsetenv("TRACKPORT_ONE_THREAD");
    opts.output_dir = two_dir;
    CHECK_INT(tp_convert(&opts, &two, &diag), TP_OK);
    CHECK_INT(one.keyframes, 40000);
    CHECK_INT(one.output_count, two.output_count);
    CHECK(one.output_count >= 20);
    for (size_t i = 0; i < one.output_count && i < two.output_count; i++) {
        long differ = differing_lines(one.outputs[i].path, two.outputs[i].path);
        CHECK_REPORT(differ == 0, "%s: %ld lines differ", two.outputs[i].path, differ);
        unlink(one.outputs[i].path);
        unlink(two.outputs[i].path);
    }
    tp_convert_result_cleanup(&one);
    tp_convert_result_cleanup(&two);
    unlink(input);
    rmdir(one_dir);
    rmdir(two_dir);
    rmdir(dir);
}

/* tp_parse_double must give exactly what a correctly rounding strtod gives, on the short
 * path, the 19-digit path and the fallback alike; random decimals cover all three. */
static void test_parse_double(void)
{
    static const char *edges[] = {"1186.125675000000001", "18446744073709551615",
                                  "9007199254740993",     "0.1",
                                  "-0",                   "4.9406564584124654e-5",
                                  "1e-27",                "123456789012345678.9e-20",
                                  "0.000000000000000000000000000001234567890123456789",
                                  "1e308",                "2.5E+3"};
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
        double mine = 0, want = strtod(edges[i], NULL);
        CHECK(tp_parse_double(edges[i], strlen(edges[i]), &mine));
        CHECK_REPORT(memcmp(&mine, &want, sizeof mine) == 0, "%s: %.17g != %.17g", edges[i],
                     mine, want);
    }
    uint64_t state = 88172645463325252u;
    int mismatches = 0;
    for (int i = 0; i < 200000; i++) {
        char text[64], *p = text;
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        uint64_t bits = state;
        int digits = 1 + (int)(bits % 22), point = (int)((bits >> 8) % (uint64_t)(digits + 1));
        if (bits & (1u << 20))
            *p++ = '-';
        for (int d = 0; d < digits; d++) {
            if (d == point && d)
                *p++ = '.';
            state ^= state << 13, state ^= state >> 7, state ^= state << 17;
            *p++ = (char)('0' + state % 10);
        }
        if ((bits >> 24) % 4 == 0)
            p += sprintf(p, "e%d", (int)((bits >> 32) % 60) - 30);
        *p = '\0';
        double mine = 0, want = strtod(text, NULL);
        if (!tp_parse_double(text, strlen(text), &mine) ||
            memcmp(&mine, &want, sizeof mine) != 0) {
            if (mismatches++ < 5)
                fprintf(stderr, "parse %s: %.17g, strtod %.17g\n", text, mine, want);
        }
    }
    CHECK_INT(mismatches, 0);
}

/* Names from files and uploads go into JSON and HTML: whatever their bytes, the repaired
 * text is valid UTF-8, and valid text is left alone. */
static void test_utf8_repair(void)
{
    static const struct {
        const char *in;
        size_t len;
        const char *want;
    } cases[] = {
        {"plain.tsv", 9, "plain.tsv"},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xa5", 14, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xa5"},
        {"\xff\xfe.tsv", 6, "\xef\xbf\xbd\xef\xbf\xbd.tsv"},
        {"\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd"},                 /* overlong '/' */
        {"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate */
        {"\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        {"ab\xe2\x82", 4, "ab\xef\xbf\xbd\xef\xbf\xbd"},                 /* cut short */
        {"a\0b", 3, "a\xef\xbf\xbd" "b"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = tp_utf8_repair(cases[i].in, cases[i].len);
        CHECK(got != NULL);
        if (got)
            CHECK_REPORT(strcmp(got, cases[i].want) == 0, "case %zu: got \"%s\"", i, got);
        free(got);
    }
}

int main(void)
{
    test_tracker_order();
    test_input_lines();
    test_fixed_format();
    test_parse_double();
    test_output_memory();
    test_detect();
    test_tsv_import();
    test_convert_files();
    test_helper_thread_outputs();
    test_utf8_repair();
    return check_summary();
}
