/*
 * test_nuke.c — the Nuke script importer and the two Nuke exporters: hand-made scripts with
 * curve gaps, offsets, expressions and damaged tables, truncated and garbage input, scripts
 * without trackers, sniffing, exact exporter output, and a round trip through the exporter.
 * Each case runs in a child process of its own; `test_nuke CASE` runs only that case.
 */
#include "check.h"
#include "export_text.h"
#include "keep_sink.h"
#include "trackport.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct tp_importer tp_import_nukescript;
extern const struct tp_exporter tp_export_nukescript;
extern const struct tp_exporter tp_export_nukecamtrackerusertracks;


/* Imports len bytes of text into k; returns the importer's result. */
static int import_bytes(const char *text, size_t len, struct keep_sink *k, struct tp_diag *diag)
{
    return keep_sink_import(&tp_import_nukescript, text, len, 1920, 1080, k, diag);
}

static int import_text(const char *text, struct keep_sink *k, struct tp_diag *diag)
{
    return import_bytes(text, strlen(text), k, diag);
}

static const struct tp_tracker *find(const struct keep_sink *k, const char *name)
{
    for (size_t i = 0; i < k->n; i++) {
        if (strcmp(k->t[i].name, name) == 0)
            return &k->t[i];
    }
    return NULL;
}

static void check_frames(const struct tp_tracker *t, const int *frames, size_t n)
{
    CHECK(t != NULL);
    if (!t)
        return;
    CHECK_INT(t->len, n);
    for (size_t i = 0; i < n && i < t->len; i++)
        CHECK_INT(t->keys[i].frame, frames[i]);
}

static void test_tracker3_gaps(void)
{
    const char *script =
        "#! /Applications/Nuke5.2v3/Nuke5.2v3.app/Contents/MacOS/Nuke5.2v3 -nx\n"
        "version 5.2300\n"
        "Root {\n inputs 0\n format \"2048 1556 0 0 2048 1556 1 2K\"\n}\n"
        "Tracker3 {\n"
        " track1 {{curve x1 196 326 440 x6 554 658 752} {curve x1 574 556 534 x6 512 492 476}}\n"
        " track2 {1126 676}\n"
        " track3 {{parent.Other.track1} {parent.Other.track1}}\n"
        " track4 {{curve i x10 1 s95 2 x20 3} {curve L x10 5 6 x20 7}}\n"
        " translate {{curve x1 0 130} {curve x1 0 -18}}\n"
        " name Tracker1\n"
        "}\n";
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_text(script, &k, &d), TP_OK);
    CHECK_INT(k.n, 2);
    if (k.n == 2) {
        CHECK_STR(k.t[0].name, "Tracker1_track1");
        CHECK_STR(k.t[1].name, "Tracker1_track4");
    }
    /* x6 after frame 3 makes the following keys 3 frames apart. */
    const int f1[] = {0, 1, 2, 5, 8, 11};
    check_frames(find(&k, "Tracker1_track1"), f1, 6);
    const struct tp_tracker *t = find(&k, "Tracker1_track1");
    if (t && t->len == 6) {
        CHECK_NEAR(t->keys[3].x, 554, 1e-9);
        CHECK_NEAR(t->keys[3].y, 512, 1e-9);
        CHECK_NEAR(t->keys[5].residual, 0, 0);
    }
    /* "s95" is a slope, not a key; x20 restates the frame. */
    const int f4[] = {9, 10, 19};
    check_frames(find(&k, "Tracker1_track4"), f4, 3);
    t = find(&k, "Tracker1_track4");
    if (t && t->len == 3) {
        CHECK_NEAR(t->keys[1].x, 2, 1e-9);
        CHECK_NEAR(t->keys[1].y, 6, 1e-9);
    }
    keep_sink_cleanup(&k);
}

static void test_expressions_and_offsets(void)
{
    const char *script =
        "Transform {\n"
        " translate {{curve+5 x1 10 20} {\"curve \" x1 1.5e-05 -2.5e+01}}\n"
        " center {{curve-12 x3 100} {curve x3 200 x4 300}}\n"
        " scale {1 0.74}\n"
        " name Move\n"
        "}\n"
        "CornerPin2D {\n"
        " to1 {{curve} {curve}}\n"
        " to2 {{curve*2 x1 5} {curve x1 6}}\n"
        " to3 {{curve x1 1 2} 500}\n"
        " to4 {{curve x1 1 2} {curve x2 3 4}}\n"
        " name Pin\n"
        "}\n";
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_text(script, &k, &d), TP_OK);
    CHECK_INT(k.n, 3);
    const struct tp_tracker *t = find(&k, "Move_translate");
    CHECK(t != NULL);
    if (t && t->len == 2) {
        CHECK_NEAR(t->keys[0].x, 15, 1e-9);
        CHECK_NEAR(t->keys[0].y, 1.5e-05, 1e-15);
        CHECK_NEAR(t->keys[1].x, 25, 1e-9);
        CHECK_NEAR(t->keys[1].y, -25, 1e-9);
    }
    t = find(&k, "Move_center");
    const int fc[] = {2};
    check_frames(t, fc, 1);
    if (t && t->len == 1) {
        CHECK_NEAR(t->keys[0].x, 88, 1e-9);
        CHECK_NEAR(t->keys[0].y, 200, 1e-9);
    }
    if (k.n == 3)
        CHECK_STR(k.t[0].name, "Move_translate");
    /* to4 keys only where both curves have one: frame 2 (0-based 1). */
    const int f4[] = {1};
    check_frames(find(&k, "Pin_to4"), f4, 1);
    CHECK(find(&k, "Pin_to1") == NULL);
    CHECK(find(&k, "Pin_to2") == NULL);
    CHECK(find(&k, "Pin_to3") == NULL);
    keep_sink_cleanup(&k);
}

static void test_tracker4_table(void)
{
    /* Headers put the columns in an unusual order; the table tells where they are. */
    const char *script =
        "set cut_paste_input [stack 0]\n"
        "version 8.0 v1\n"
        "push $cut_paste_input\n"
        "Tracker4 {\n"
        "tracks { { 1 31 4 }\n"
        "{ { 5 1 20 enable e 1 }\n"
        "{ 2 1 58 track_x track_x 1 }\n"
        "{ 3 1 75 name name 1 }\n"
        "{ 2 1 58 track_y track_y 1 }\n"
        "}\n"
        "{\n"
        " { {curve K x1 1} {curve x3 10 11 12} \"track 1\" {curve x3 20 21 22} }\n"
        " { {curve K 1} {} \"avg track 1\" {} }\n"
        " { {curve K x1 1} {curve x1 5 x3 6} \"wide {braced} \\\"name\\\"\" {curve x1 7 x3 8} }\n"
        " { {curve K x1 1} 12 \"static\" 13 }\n"
        "}\n"
        "}\n"
        "\n"
        "translate {{curve x3 0 1 2} {curve x3 0 1 2}}\n"
        "name Tracker1\n"
        "}";
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_text(script, &k, &d), TP_OK);
    CHECK_INT(k.n, 2);
    const int f1[] = {2, 3, 4};
    check_frames(find(&k, "Tracker1_track_1"), f1, 3);
    const struct tp_tracker *t = find(&k, "Tracker1_track_1");
    if (t && t->len == 3) {
        CHECK_NEAR(t->keys[2].x, 12, 1e-9);
        CHECK_NEAR(t->keys[2].y, 22, 1e-9);
    }
    const int f2[] = {0, 2};
    check_frames(find(&k, "Tracker1_wide_{braced}_\"name\""), f2, 2);
    keep_sink_cleanup(&k);
}

static void test_groups_duplicates_and_line_ends(void)
{
    /* Group children follow the Group at the top level; a section jumping back
     * overwrites earlier keys (the last key written at a frame counts); CRLF. */
    const char *script =
        "Root {\r\n inputs 0\r\n}\r\n"
        "# a comment with a { brace\r\n"
        "Group {\r\n name Group1\r\n}\r\n"
        " Tracker3 {\r\n"
        "  track1 {{curve x1 1 2 3 4 x3 30 40} {curve x1 5 6 7 8 x3 70}}\r\n"
        "  name Inner\r\n"
        " }\r\n"
        "end_group\r\n"
        "Reconcile3D {\r\n output {{curve x1 9} {curve x1 10}}\r\n name Rec\r\n}\r\n";
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_text(script, &k, &d), TP_OK);
    CHECK_INT(k.n, 2);
    const struct tp_tracker *t = find(&k, "Inner_track1");
    const int f[] = {0, 1, 2, 3};
    check_frames(t, f, 4);
    if (t && t->len == 4) {
        /* "x3" after frame 4 makes the gap -1: 30 lands on frame 3, 40 on frame 2. */
        CHECK_NEAR(t->keys[1].x, 40, 1e-9);
        CHECK_NEAR(t->keys[2].x, 30, 1e-9);
        CHECK_NEAR(t->keys[2].y, 70, 1e-9);
        CHECK_NEAR(t->keys[3].x, 4, 1e-9);
    }
    CHECK(find(&k, "Rec_output") != NULL);
    keep_sink_cleanup(&k);
}

static void test_planar_order(void)
{
    const char *script = "PlanarTracker {\n"
                         " serializeKnob \"22 serialization { unbalanced\n"
                         "0 0 1 1 0.375\"\n"
                         " outputTopRight {{curve x1 3} {curve x1 3}}\n"
                         " outputBottomLeft {{curve x1 1} {curve x1 1}}\n"
                         " outputTopLeft {{curve x1 4} {curve x1 4}}\n"
                         " outputBottomRight {{curve x1 2} {curve x1 2}}\n"
                         " name PT\n"
                         "}\n";
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_text(script, &k, &d), TP_OK);
    CHECK_INT(k.n, 4);
    if (k.n == 4) {
        CHECK_STR(k.t[0].name, "PT_outputBottomLeft");
        CHECK_STR(k.t[1].name, "PT_outputBottomRight");
        CHECK_STR(k.t[2].name, "PT_outputTopLeft");
        CHECK_STR(k.t[3].name, "PT_outputTopRight");
    }
    keep_sink_cleanup(&k);
}

static void test_truncated(void)
{
    const char *script = "Root {\n inputs 0\n}\n"
                         "Tracker3 {\n"
                         " track1 {{curve x1 1 2 3} {curve x1 4 5 6}}\n"
                         " name Complete\n"
                         "}\n"
                         "Tracker4 {\n"
                         "tracks { { 1 31 1 }\n"
                         "{ { 5 1 20 enable e 1 } }\n"
                         "{\n"
                         " { {curve K x1 1} \"track 1\" {curve x1 1 2 3 4";
    size_t full = strlen(script);
    struct keep_sink k;
    struct tp_diag d;
    /* Cut anywhere after the first node: a parse error naming a line, never a crash. */
    for (size_t cut = 60; cut <= full; cut += 7) {
        int rc = import_bytes(script, cut, &k, &d);
        if (rc == TP_OK || rc == TP_ERR_NO_TRACKERS) {
            keep_sink_cleanup(&k);
            continue;
        }
        CHECK_INT(rc, TP_ERR_PARSE);
        CHECK(d.line > 0);
        CHECK(strstr(d.message, "Line ") == d.message);
        keep_sink_cleanup(&k);
    }
    CHECK_INT(import_bytes(script, full, &k, &d), TP_ERR_PARSE);
    CHECK_INT(d.line, 8);
    CHECK(strstr(d.message, "Tracker4") != NULL);
    CHECK(strstr(d.message, "never closed") != NULL);
    keep_sink_cleanup(&k);

    /* An unterminated quoted string names the line it starts on. */
    const char *quote = "Root {\n name \"never\nclosed\n}\n";
    CHECK_INT(import_text(quote, &k, &d), TP_ERR_PARSE);
    CHECK_INT(d.line, 2);
    keep_sink_cleanup(&k);
}

static void test_no_trackers(void)
{
    const char *script = "#! /usr/local/Nuke7.0v6/Nuke7.0 -nx\nversion 7.0 v6\n"
                         "Root {\n inputs 0\n}\n"
                         "Blur {\n size 5\n name Blur1\n}\n"
                         "Tracker4 {\n center {1024 576}\n name Tracker3\n"
                         " label \"\\[value transform]\"\n}\n"
                         "Tracker3 {\n track1 {100 200}\n name Static\n}\n";
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_text(script, &k, &d), TP_ERR_NO_TRACKERS);
    CHECK_INT(k.n, 0);
    keep_sink_cleanup(&k);
    CHECK_INT(import_text("", &k, &d), TP_ERR_NO_TRACKERS);
    keep_sink_cleanup(&k);
}

static void test_garbage(void)
{
    uint32_t seed = 12345;
    char *buf = malloc(1 << 16);
    struct keep_sink k;
    struct tp_diag d;
    CHECK(buf != NULL);
    if (!buf)
        return;
    static const char alphabet[] = "{}\"\\ \n\rx0123456789.-curveTracker4 tracks";
    for (int round = 0; round < 400; round++) {
        size_t len = 1 + (seed % (1 << 16));
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1664525u + 1013904223u;
            /* Half the rounds raw bytes (with NULs), half script-like characters. */
            buf[i] = (round & 1) ? (char)(seed >> 24)
                                 : alphabet[(seed >> 24) % (sizeof alphabet - 1)];
        }
        int rc = import_bytes(buf, len, &k, &d);
        CHECK(rc == TP_OK || rc == TP_ERR_PARSE || rc == TP_ERR_NO_TRACKERS);
        if (rc != TP_OK)
            CHECK(d.message[0] != '\0');
        keep_sink_cleanup(&k);
        (void)tp_import_nukescript.sniff(buf, len);
    }
    free(buf);
}

static void test_sniff(void)
{
    const char *yes[] = {
        "#! /Applications/Nuke7.0v6/Nuke7.0v6.app/Contents/MacOS/Nuke7.0v6 -nx\nversion 7.0\n",
        "version 5.1200\nRoot {\n inputs 0\n}\n",
        "set cut_paste_input [stack 0]\nversion 8.0 v1\npush $cut_paste_input\n",
        "CornerPin2D {\n to1 {{curve x1 1762} {curve x1 255}}\n}\n",
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        CHECK(tp_import_nukescript.sniff(yes[i], strlen(yes[i])) > 0);
    const char *no[] = {
        "# width\t1920\ntracker\tframe\tx\ty\tresidual\n",
        "SetTimeRange(\"1-100\");\nTracker1 = Tracker(0, 1, 1);\n",
        "",
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        CHECK_INT(tp_import_nukescript.sniff(no[i], strlen(no[i])), 0);
}

/* Two trackers for the exporters: one with gaps and a residual, one with a single key. */
static void make_export_trackers(struct tp_tracker t[2])
{
    tp_tracker_init(&t[0]);
    tp_tracker_init(&t[1]);
    tp_tracker_set_name(&t[0], "Gappy", 5);
    /* 0-based frames 5, 7, 8, 9: "x6 .. x8 .. x9 .. .." */
    tp_tracker_add(&t[0], 5, 234, 145, 0);
    tp_tracker_add(&t[0], 7, 144, 223, 0.25);
    tp_tracker_add(&t[0], 8, 231, 189, 0);
    tp_tracker_add(&t[0], 9, 232, 190, 0);
    tp_tracker_set_name(&t[1], "One", 3);
    tp_tracker_add(&t[1], 0, 970, 550, 0);
}

static void test_export_nukescript(void)
{
    struct tp_tracker t[2];
    make_export_trackers(t);
    char *nk = export_all(&tp_export_nukescript, t, 2, 1080, 720);
    const char *want_nk =
        "\nversion 5.1200\nRoot {\n inputs 0\n frame 1\n last_frame 10\n}\nConstant {\n"
        " inputs 0\n channels rgb\n format \"1080 720 0 0 1080 720 1\"\n name CompSize_1080x720\n"
        " postage_stamp false\n xpos 0\n ypos -60\n}\n"
        "\nTracker3 {\n     track1 {{curve i x6 234.0000 x8 144.0000 x9 231.0000 232.0000} "
        "{curve i x6 145.0000 x8 223.0000 x9 189.0000 190.0000}}\n     name Gappy\n"
        "     xpos 0\n     ypos 30\n}\n"
        "\nTracker3 {\n     track1 {{curve i x1 970.0000} {curve i x1 550.0000}}\n"
        "     name One\n     xpos 0\n     ypos 60\n}\n";
    CHECK_STR(nk, want_nk);

    /* Round trip: the script reads back to the same keys (names gain "_track1"). */
    struct keep_sink k;
    struct tp_diag d;
    if (nk) {
        CHECK_INT(import_text(nk, &k, &d), TP_OK);
        CHECK_INT(k.n, 2);
        for (size_t i = 0; i < k.n && i < 2; i++) {
            char want[64];
            snprintf(want, sizeof want, "%s_track1", t[i].name);
            CHECK_STR(k.t[i].name, want);
            CHECK_INT(k.t[i].len, t[i].len);
            for (size_t j = 0; j < t[i].len && j < k.t[i].len; j++) {
                CHECK_INT(k.t[i].keys[j].frame, t[i].keys[j].frame);
                CHECK_NEAR(k.t[i].keys[j].x, t[i].keys[j].x, 1e-4);
                CHECK_NEAR(k.t[i].keys[j].y, t[i].keys[j].y, 1e-4);
            }
        }
        keep_sink_cleanup(&k);
    }
    free(nk);
    tp_tracker_cleanup(&t[0]);
    tp_tracker_cleanup(&t[1]);
}

static void test_export_camtracker(void)
{
    struct tp_tracker t[2];
    make_export_trackers(t);
    char *cam = export_all(&tp_export_nukecamtrackerusertracks, t, 2, 1080, 720);
    const char *want_cam = "TrackName autotrack0\n   Frame             X             Y   Correlation\n"
                           "   6.00   234.000   145.000   1.000\n"
                           "   8.00   144.000   223.000   0.750\n"
                           "   9.00   231.000   189.000   1.000\n"
                           "   10.00   232.000   190.000   1.000\n"
                           "\nTrackName autotrack1\n   Frame             X             Y   Correlation\n"
                           "   1.00   970.000   550.000   1.000\n\n";
    CHECK_STR(cam, want_cam);
    free(cam);

    char *empty = export_all(&tp_export_nukecamtrackerusertracks, t, 0, 1080, 720);
    CHECK_STR(empty, "\n");
    free(empty);
    tp_tracker_cleanup(&t[0]);
    tp_tracker_cleanup(&t[1]);
}

static void test_round_trip_random(void)
{
    enum { N = 12 };
    struct tp_tracker t[N];
    uint32_t seed = 99;
    for (size_t i = 0; i < N; i++) {
        tp_tracker_init(&t[i]);
        tp_tracker_set_namef(&t[i], "rnd%zu", i);
        int frame = (int)(i * 3);
        size_t n = 1 + i * 17;
        for (size_t j = 0; j < n; j++) {
            seed = seed * 1664525u + 1013904223u;
            double x = (double)(seed >> 8) / 4096.0, y = (double)(seed & 0xffff) / 16.0 - 100;
            tp_tracker_add(&t[i], frame, x, y, 0);
            static const int steps[] = {1, 1, 1, 2, 3, 7, 1, 1, 40};
            frame += steps[(seed >> 4) % 9];
        }
    }
    char *nk = export_all(&tp_export_nukescript, t, N, 1920, 1080);
    struct keep_sink k;
    struct tp_diag d;
    CHECK(nk != NULL);
    if (nk) {
        CHECK_INT(import_text(nk, &k, &d), TP_OK);
        CHECK_INT(k.n, N);
        size_t bad = 0;
        for (size_t i = 0; i < k.n && i < N; i++) {
            if (k.t[i].len != t[i].len) {
                bad++;
                continue;
            }
            for (size_t j = 0; j < t[i].len; j++) {
                if (k.t[i].keys[j].frame != t[i].keys[j].frame ||
                    fabs(k.t[i].keys[j].x - t[i].keys[j].x) > 1e-4 ||
                    fabs(k.t[i].keys[j].y - t[i].keys[j].y) > 1e-4)
                    bad++;
            }
        }
        CHECK_INT(bad, 0);
        keep_sink_cleanup(&k);
    }
    free(nk);
    for (size_t i = 0; i < N; i++)
        tp_tracker_cleanup(&t[i]);
}

int main(int argc, char **argv)
{
    static const struct check_case cases[] = {
        {"tracker3_gaps", test_tracker3_gaps},
        {"expressions_and_offsets", test_expressions_and_offsets},
        {"tracker4_table", test_tracker4_table},
        {"groups_duplicates_line_ends", test_groups_duplicates_and_line_ends},
        {"planar_order", test_planar_order},
        {"truncated", test_truncated},
        {"no_trackers", test_no_trackers},
        {"garbage", test_garbage},
        {"sniff", test_sniff},
        {"export_nukescript", test_export_nukescript},
        {"export_camtracker", test_export_camtracker},
        {"round_trip_random", test_round_trip_random},
    };
    return check_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
