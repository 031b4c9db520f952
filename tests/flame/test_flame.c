/*
 * test_flame.c — the Flame stabilizer importer and exporters: parsing of hand-made setups,
 * truncated and garbage input, setups without trackers, corner pin ordering, and round
 * trips through every Flame exporter back into the importer. Each case runs in a child
 * process of its own; `test_flame CASE` runs only the case of that name.
 */
#include "check.h"
#include "keep_sink.h"
#include "trackport.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct tp_importer tp_import_flamestabilizer;
extern const struct tp_exporter tp_export_flamestabilizer;
extern const struct tp_exporter tp_export_flamestabilizer2014;
extern const struct tp_exporter tp_export_flamestabilizercornerpin;
extern const struct tp_exporter tp_export_flamestabilizer2014cornerpin;


static const struct tp_tracker *keep_find(const struct keep_sink *k, const char *name)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->t[i].name, name) == 0)
            return &k->t[i];
    return NULL;
}

/* Imports len bytes of text; the diagnostic lands in *diag. */
static int import_text(const char *text, size_t len, struct keep_sink *k, struct tp_diag *diag)
{
    return keep_sink_import(&tp_import_flamestabilizer, text, len, 0, 0, k, diag);
}

/* Runs an exporter over trackers into a memory block; caller owns *text (free). */
static int export_text(const struct tp_exporter *e, const struct tp_tracker *trackers, size_t n,
                       int width, int height, char **text, size_t *len)
{
    struct tp_out *out;
    if (tp_out_open_memory(&out) != TP_OK)
        return TP_ERR_NOMEM;
    void *state = calloc(1, e->state_size ? e->state_size : 1);
    int rc = state ? e->begin(state, out, width, height) : TP_ERR_NOMEM;
    for (size_t i = 0; i < n && rc == TP_OK; i++)
        rc = e->tracker(state, out, &trackers[i]);
    if (rc == TP_OK && e->end)
        rc = e->end(state, out);
    if (state && e->cleanup)
        e->cleanup(state);
    free(state);
    if (rc == TP_OK)
        rc = tp_out_flush(out);
    if (rc == TP_OK) {
        size_t l;
        const char *mem = tp_out_memory(out, &l);
        *text = malloc(l + 1);
        if (*text) {
            memcpy(*text, mem, l);
            (*text)[l] = '\0';
            *len = l;
        } else {
            rc = TP_ERR_NOMEM;
        }
    }
    tp_out_free(out);
    return rc;
}

/* ------------------------------------------------------------------ setups */

static const char header[] = "StabilizerFileVersion 5.0\n"
                             "CreationDate Mon Sep  7 01:19:49 2009\n"
                             "\n\nNbTrackers 2\nSelected 0\n"
                             "FrameWidth 720\nFrameHeight 576\n"
                             "AutoKey yes\nAnim\n";

/* A channel with keys at the given frames and values. */
static void add_channel(char *buf, size_t cap, const char *name, const double *frames,
                        const char *const *values, size_t n)
{
    size_t len = strlen(buf);
    len += (size_t)snprintf(buf + len, cap - len,
                            "Channel %s\n\tExtrapolation constant\n\tValue 0\n\tSize %zu\n"
                            "\tKeyVersion 1\n",
                            name, n);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, cap - len,
                                "\tKey %zu\n\t\tFrame %g\n\t\tValue %s\n"
                                "\t\tInterpolation constant\n\t\tEnd\n",
                                i, frames[i], values[i]);
    snprintf(buf + len, cap - len, "\tColour 50 50 50\n\tEnd\n");
}

/* Two trackers, tracker2 written before tracker10 (they must come out in name order), a
 * channel that is not needed, and an exponent that only the leading digits count of. */
static size_t sample_setup(char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", header);
    const double rf[] = {5, 9};
    const char *const rx[] = {"100", "200"}, *const ry[] = {"50", "60"};
    add_channel(buf, cap, "tracker2/ref/x", rf, rx, 2);
    add_channel(buf, cap, "tracker2/ref/y", rf, ry, 2);
    add_channel(buf, cap, "tracker2/ref/width", rf, rx, 1);
    const double sf[] = {1, 2, 9, 10};
    const char *const sx[] = {"1", "-2.5", "0", "3.05176e-05"};
    const char *const sy[] = {"0", "1", "2", "3"};
    add_channel(buf, cap, "tracker2/shift/x", sf, sx, 4);
    add_channel(buf, cap, "tracker2/shift/y", sf, sy, 3); /* frame 10 keyed on x only */
    const double tf[] = {3};
    const char *const tx[] = {"10"}, *const ty[] = {"20"};
    add_channel(buf, cap, "tracker10/ref/x", tf, tx, 1);
    add_channel(buf, cap, "tracker10/ref/y", tf, ty, 1);
    add_channel(buf, cap, "tracker10/shift/x", tf, tx, 1);
    add_channel(buf, cap, "tracker10/shift/y", tf, ty, 1);
    size_t len = strlen(buf);
    snprintf(buf + len, cap - len, "ChannelEnd\nTracker 0\n\tActive yes\nEnd\n");
    return strlen(buf);
}

static void test_parse(void)
{
    char buf[16384];
    size_t len = sample_setup(buf, sizeof buf);
    struct keep_sink k;
    struct tp_diag diag;
    int rc = import_text(buf, len, &k, &diag);
    CHECK_INT(rc, TP_OK);
    CHECK_INT(k.width, 720);
    CHECK_INT(k.height, 576);
    CHECK_INT(k.n, 2);
    if (k.n == 2) {
        CHECK_STR(k.t[0].name, "tracker10");
        CHECK_STR(k.t[1].name, "tracker2");
        const struct tp_tracker *t = &k.t[1];
        /* The base is ref at frame 9, the first ref frame the shift curves also key. */
        CHECK_INT(t->len, 3);
        if (t->len == 3) {
            CHECK_INT(t->keys[0].frame, 0);
            CHECK_NEAR(t->keys[0].x, 199.0, 1e-9);
            CHECK_NEAR(t->keys[0].y, 60.0, 1e-9);
            CHECK_INT(t->keys[1].frame, 1);
            CHECK_NEAR(t->keys[1].x, 202.5, 1e-9);
            CHECK_NEAR(t->keys[1].y, 59.0, 1e-9);
            CHECK_INT(t->keys[2].frame, 8);
            CHECK_NEAR(t->keys[2].x, 200.0, 1e-9);
            CHECK_NEAR(t->keys[2].y, 58.0, 1e-9);
            CHECK_NEAR(t->keys[2].residual, 0.0, 1e-12);
        }
        t = &k.t[0];
        CHECK_INT(t->len, 1);
        if (t->len == 1) {
            CHECK_INT(t->keys[0].frame, 2);
            CHECK_NEAR(t->keys[0].x, 0.0, 1e-9);
            CHECK_NEAR(t->keys[0].y, 0.0, 1e-9);
        }
    }
    keep_sink_cleanup(&k);
}

static void test_truncated(void)
{
    char buf[16384];
    size_t len = sample_setup(buf, sizeof buf);
    size_t failures = 0, successes = 0;
    /* Every cut inside the channels either fails with a line and a message or, when it falls
     * between channels, recovers what was complete. */
    for (size_t cut = 0; cut < len; cut++) {
        struct keep_sink k;
        struct tp_diag diag;
        int rc = import_text(buf, cut, &k, &diag);
        if (rc == TP_OK) {
            successes++;
        } else {
            failures++;
            CHECK_REPORT(diag.message[0] != '\0', "cut at %zu: error without a message", cut);
            CHECK_REPORT(rc == TP_ERR_PARSE || rc == TP_ERR_NO_TRACKERS,
                         "cut at %zu: unexpected %s", cut, tp_error_name(rc));
        }
        keep_sink_cleanup(&k);
    }
    CHECK(failures > 0);
    CHECK(successes > 0);

    /* A cut inside a key says the file is truncated and where. */
    const char *inside = strstr(buf, "Channel tracker2/shift/x");
    CHECK(inside != NULL);
    if (inside) {
        size_t cut = (size_t)(strstr(inside, "Value -2.5") - buf);
        struct keep_sink k;
        struct tp_diag diag;
        int rc = import_text(buf, cut, &k, &diag);
        CHECK_INT(rc, TP_ERR_PARSE);
        CHECK(diag.line > 0);
        CHECK(strstr(diag.message, "truncated") != NULL);
        CHECK(strstr(diag.message, "tracker2/shift/x") != NULL);
        keep_sink_cleanup(&k);
    }

    /* A channel that never ends before the next one starts. */
    char broken[16384];
    snprintf(broken, sizeof broken,
             "%sChannel tracker1/ref/x\n\tValue 1\nChannel tracker1/ref/y\n\tEnd\n", header);
    struct keep_sink k;
    struct tp_diag diag;
    int rc = import_text(broken, strlen(broken), &k, &diag);
    CHECK_INT(rc, TP_ERR_PARSE);
    CHECK_INT(diag.line, 13);
    keep_sink_cleanup(&k);
}

static uint32_t rng_state = 2463534242u;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void test_garbage(void)
{
    struct keep_sink k;
    struct tp_diag diag;
    /* Empty input, binary noise, and noise after a plausible header. */
    int rc = import_text("", 0, &k, &diag);
    CHECK(rc != TP_OK && diag.message[0] != '\0');
    keep_sink_cleanup(&k);

    char noise[8192];
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + rng() % sizeof noise;
        for (size_t i = 0; i < n; i++)
            noise[i] = (char)(rng() & 0xff);
        if (round % 2) {
            size_t h = strlen(header) < n ? strlen(header) : n;
            memcpy(noise, header, h);
        }
        rc = import_text(noise, n, &k, &diag);
        CHECK_REPORT(rc != TP_OK && diag.message[0] != '\0',
                     "noise round %d: %s without a message", round, tp_error_name(rc));
        keep_sink_cleanup(&k);
    }

    /* Numbers that are not numbers, absurd frames, keys without a frame. */
    static const char *const bad[] = {
        "\tKey 0\n\t\tFrame abc\n\t\tValue 1\n\t\tEnd\n",
        "\tKey 0\n\t\tFrame 1\n\t\tValue x1\n\t\tEnd\n",
        "\tKey 0\n\t\tFrame 99999999999999999999\n\t\tValue 1\n\t\tEnd\n",
        "\tKey 0\n\t\tValue 1\n\t\tEnd\n",
        "\tKey 0\n\t\tFrame 1\n\tKey 1\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[4096];
        snprintf(text, sizeof text, "%sChannel t/shift/x\n\tSize 1\n%s\tEnd\n", header, bad[i]);
        rc = import_text(text, strlen(text), &k, &diag);
        CHECK_REPORT(rc == TP_ERR_PARSE && diag.line > 0, "bad key %zu: %s, line %ld", i,
                     tp_error_name(rc), diag.line);
        keep_sink_cleanup(&k);
    }

    /* No comp size at all. */
    const char *nosize = "StabilizerFileVersion 5.0\nChannel t/ref/x\n\tEnd\n";
    rc = import_text(nosize, strlen(nosize), &k, &diag);
    CHECK_INT(rc, TP_ERR_PARSE);
    CHECK(strstr(diag.message, "FrameWidth") != NULL);
    keep_sink_cleanup(&k);
}

static void test_no_trackers(void)
{
    struct keep_sink k;
    struct tp_diag diag;
    /* Only the header. */
    int rc = import_text(header, strlen(header), &k, &diag);
    CHECK_INT(rc, TP_ERR_NO_TRACKERS);
    keep_sink_cleanup(&k);

    /* Channels, but none that place a feature; and a tracker whose shift has no keys. */
    char buf[8192];
    snprintf(buf, sizeof buf,
             "%sChannel tracker1/tolerance\n\tEnd\n"
             "Channel tracker1/ref/width\n\tExtrapolation constant\n\tValue 10\n\tEnd\n"
             "Channel tracker1/ref/x\n\tValue 3\n\tSize 1\n\tKey 0\n\t\tFrame 1\n\t\tValue 3\n"
             "\t\tEnd\n\tEnd\n"
             "Channel tracker1/ref/y\n\tValue 3\n\tSize 1\n\tKey 0\n\t\tFrame 1\n\t\tValue 3\n"
             "\t\tEnd\n\tEnd\n"
             "Channel tracker1/shift/x\n\tValue 0\n\tEnd\n"
             "Channel tracker1/shift/y\n\tValue 0\n\tEnd\n"
             "ChannelEnd\nEnd\n",
             header);
    rc = import_text(buf, strlen(buf), &k, &diag);
    CHECK_INT(rc, TP_ERR_NO_TRACKERS);
    CHECK(diag.message[0] != '\0');
    keep_sink_cleanup(&k);
}

/* ------------------------------------------------------------------ round trips */

#define RT_TRACKERS 12

static void make_trackers(struct tp_tracker *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tp_tracker_init(&t[i]);
        tp_tracker_set_namef(&t[i], "Feature %zu", i);
        int first = (int)(i % 3) - 1; /* -1, 0 or 1: the first key need not be frame 0 */
        for (int f = first; f < first + 40; f++) {
            if (f % 7 == 3)
                continue; /* gaps */
            double x = 100.0 + 13.25 * (double)i + 3.5 * f + 0.001 * (double)(f * f);
            double y = 900.0 - 7.125 * (double)i - 2.25 * f;
            tp_tracker_add(&t[i], f, x, y, 0.25);
        }
    }
}

static void test_round_trip(const struct tp_exporter *e)
{
    struct tp_tracker src[RT_TRACKERS];
    make_trackers(src, RT_TRACKERS);
    char *text = NULL;
    size_t len = 0;
    int rc = export_text(e, src, RT_TRACKERS, 1920, 1080, &text, &len);
    CHECK_INT(rc, TP_OK);
    if (rc == TP_OK) {
        CHECK(strstr(text, "NbTrackers 12\n") != NULL);
        struct keep_sink k;
        struct tp_diag diag;
        rc = import_text(text, len, &k, &diag);
        CHECK_REPORT(rc == TP_OK, "%s round trip: %s", e->name, diag.message);
        CHECK_INT(k.width, 1920);
        CHECK_INT(k.height, 1080);
        CHECK_INT(k.n, RT_TRACKERS);
        /* Names become tracker1..N and come back in name order (tracker1, tracker10...). */
        if (k.n >= 3) {
            CHECK_STR(k.t[0].name, "tracker1");
            CHECK_STR(k.t[1].name, "tracker10");
            CHECK_STR(k.t[2].name, "tracker11");
        }
        for (size_t i = 0; i < RT_TRACKERS; i++) {
            char name[32];
            snprintf(name, sizeof name, "tracker%zu", i + 1);
            const struct tp_tracker *got = keep_find(&k, name);
            CHECK_REPORT(got != NULL, "%s: %s missing", e->name, name);
            if (!got)
                continue;
            CHECK_INT(got->len, src[i].len);
            for (size_t j = 0; j < got->len && j < src[i].len; j++) {
                CHECK_INT(got->keys[j].frame, src[i].keys[j].frame);
                CHECK_NEAR(got->keys[j].x, src[i].keys[j].x, 1.5e-3);
                CHECK_NEAR(got->keys[j].y, src[i].keys[j].y, 1.5e-3);
            }
        }
        keep_sink_cleanup(&k);
    }
    free(text);
    for (size_t i = 0; i < RT_TRACKERS; i++)
        tp_tracker_cleanup(&src[i]);
}

/* Four corners given in a scrambled order come out under the right names. */
static void test_cornerpin(const struct tp_exporter *e, const char *const names[4])
{
    /* bottom right, top left, bottom left, top right, plus one that must be dropped */
    static const double pos[5][2] = {
        {1500, 100}, {200, 900}, {150, 120}, {1600, 950}, {960, 540},
    };
    struct tp_tracker src[5];
    for (size_t i = 0; i < 5; i++) {
        tp_tracker_init(&src[i]);
        tp_tracker_set_namef(&src[i], "corner%zu", i);
        for (int f = 0; f < 5; f++)
            tp_tracker_add(&src[i], f, pos[i][0] + f, pos[i][1] - f, 0);
    }
    char *text = NULL;
    size_t len = 0;
    int rc = export_text(e, src, 5, 1920, 1080, &text, &len);
    CHECK_INT(rc, TP_OK);
    if (rc == TP_OK) {
        CHECK(strstr(text, "NbTrackers 4\n") != NULL);
        struct keep_sink k;
        struct tp_diag diag;
        rc = import_text(text, len, &k, &diag);
        CHECK_INT(rc, TP_OK);
        CHECK_INT(k.n, 4);
        /* names[] lists the corners as bottom left, top left, bottom right, top right. */
        static const size_t expect_src[4] = {2, 1, 0, 3};
        for (size_t c = 0; c < 4; c++) {
            const struct tp_tracker *got = keep_find(&k, names[c]);
            CHECK_REPORT(got != NULL, "%s: corner %s missing", e->name, names[c]);
            if (got && got->len > 0) {
                CHECK_NEAR(got->keys[0].x, pos[expect_src[c]][0], 1e-3);
                CHECK_NEAR(got->keys[0].y, pos[expect_src[c]][1], 1e-3);
            }
        }
        keep_sink_cleanup(&k);
    }
    free(text);
    for (size_t i = 0; i < 5; i++)
        tp_tracker_cleanup(&src[i]);
}

/* The exporter's text: the reference key is an integer 0, frames count from 1. */
static void test_export_text(void)
{
    struct tp_tracker t;
    tp_tracker_init(&t);
    tp_tracker_set_name(&t, "a", 1);
    tp_tracker_add(&t, 0, 10, 20, 0);
    tp_tracker_add(&t, 4, 12.5, 19, 0);
    char *text = NULL;
    size_t len = 0;
    CHECK_INT(export_text(&tp_export_flamestabilizer, &t, 1, 1025, 577, &text, &len), TP_OK);
    if (text) {
        CHECK(strncmp(text, "StabilizerFileVersion 5.0\nCreationDate ", 39) == 0);
        CHECK(strstr(text, "Channel tracker1/track/x\n\tExtrapolation constant\n\tValue 512\n"));
        CHECK(strstr(text, "Channel tracker1/track/y\n\tExtrapolation constant\n\tValue 288\n"));
        CHECK(strstr(text, "\tSize 2\n\tKey 0\n\t\tFrame 1\n\t\tValue 0\n\t\tInterpolation linear"));
        CHECK(strstr(text, "\tKey 1\n\t\tFrame 5\n\t\tValue -2.500\n"));
        CHECK(strstr(text, "Channel tracker1/offset/y\n\tExtrapolation constant\n\tValue 0\n"
                           "\tEnd\nChannelEnd\nTracker 0\n\tActive yes\n"));
        size_t l = strlen(text);
        CHECK(l > 4 && strcmp(text + l - 4, "End\n") == 0);
    }
    free(text);
    text = NULL;
    CHECK_INT(export_text(&tp_export_flamestabilizer2014, &t, 1, 1920, 1080, &text, &len),
              TP_OK);
    if (text) {
        CHECK(strncmp(text, "StabilizerFileVersion 6.0\n", 26) == 0);
        CHECK(strstr(text, "\t\tValue 0\n\t\tCurveMode hermite\n\t\tCurveOrder linear\n"));
        CHECK(strstr(text, "\tOffsetsX 0\n\tOffsetsY 0\n\tFirstRefFrame 1\nEnd\n"));
    }
    free(text);
    tp_tracker_cleanup(&t);
}

static void test_round_trip_v5(void)
{
    test_round_trip(&tp_export_flamestabilizer);
}

static void test_round_trip_2014(void)
{
    test_round_trip(&tp_export_flamestabilizer2014);
}

static void test_cornerpin_v5(void)
{
    static const char *const v5[4] = {"bottom_left", "top_left", "bottom_right", "top_right"};
    test_cornerpin(&tp_export_flamestabilizercornerpin, v5);
}

static void test_cornerpin_2014(void)
{
    static const char *const v2014[4] = {"tracker0_0", "tracker0_1", "tracker1_0", "tracker1_1"};
    test_cornerpin(&tp_export_flamestabilizer2014cornerpin, v2014);
}

int main(int argc, char **argv)
{
    static const struct check_case cases[] = {
        {"parse", test_parse},
        {"truncated", test_truncated},
        {"garbage", test_garbage},
        {"no_trackers", test_no_trackers},
        {"export_text", test_export_text},
        {"round_trip_v5", test_round_trip_v5},
        {"round_trip_2014", test_round_trip_2014},
        {"cornerpin_v5", test_cornerpin_v5},
        {"cornerpin_2014", test_cornerpin_2014},
    };
    return check_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
