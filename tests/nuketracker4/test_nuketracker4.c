/*
 * test_nuketracker4.c — the Nuke Tracker4 exporter: exact output, the node layout Nuke 7
 * writes (a "{ 1 31 N }" preamble, 31 column definitions, 31 cells a row), names that need
 * TCL quoting, gaps in the enable curve, and round trips through the Nuke script importer.
 */
#include "check.h"
#include "export_text.h"
#include "keep_sink.h"
#include "trackport.h"

#include <stdint.h>
#include <stdlib.h>

extern const struct tp_importer tp_import_nukescript;
extern const struct tp_exporter tp_export_nuketracker4;
extern const struct tp_exporter tp_export_nukescript;

static char *export_tracker4(const struct tp_tracker *t, size_t n, int w, int h)
{
    return export_all(&tp_export_nuketracker4, t, n, w, h);
}

static int import_text(const char *text, struct keep_sink *k, struct tp_diag *d)
{
    return keep_sink_import(&tp_import_nukescript, text, strlen(text), 1920, 1080, k, d);
}

/* ------------------------------------------------------------------ a tiny TCL list reader */

/* Skips one element at *p (a braced group, a quoted string or a bare word); returns false at
 * the end of the enclosing list. */
static bool skip_element(const char **p)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\n' || *s == '\t')
        s++;
    if (!*s || *s == '}')
        return *p = s, false;
    if (*s == '{') {
        int depth = 0;
        do {
            if (*s == '\\' && s[1])
                s++;
            else if (*s == '{')
                depth++;
            else if (*s == '}')
                depth--;
            s++;
        } while (*s && depth > 0);
    } else if (*s == '"') {
        for (s++; *s && *s != '"'; s++)
            if (*s == '\\' && s[1])
                s++;
        if (*s)
            s++;
    } else {
        while (*s && *s != ' ' && *s != '\n' && *s != '}' && *s != '{')
            s++;
    }
    *p = s;
    return true;
}

/* Counts the elements of the braced list that starts at p ("{ a b {c} }"). */
static size_t count_elements(const char *p)
{
    size_t n = 0;
    p++; /* the "{" */
    while (skip_element(&p))
        n++;
    return n;
}

/* Checks the tracks knob's layout and returns the number of rows. */
static size_t check_layout(const char *text, size_t want_rows)
{
    const char *tracks = strstr(text, "Tracker4 {\n tracks { ");
    CHECK(tracks != NULL);
    if (!tracks)
        return 0;
    const char *p = strchr(tracks, '{') + 1; /* Tracker4 body */
    p = strchr(p, '{');                      /* the tracks knob's list */
    const char *list = p;
    p++;
    /* preamble { 1 31 N } */
    while (*p == ' ')
        p++;
    CHECK(p[0] == '{');
    unsigned a = 0, b = 0;
    size_t rows = 0;
    CHECK(sscanf(p, "{ %u %u %zu }", &a, &b, &rows) == 3);
    CHECK_INT(a, 1);
    CHECK_INT(b, 31);
    CHECK_INT(rows, want_rows);
    skip_element(&p);
    /* column definitions: 31 lists of five elements, the fourth the column name */
    while (*p == ' ' || *p == '\n')
        p++;
    CHECK_INT(count_elements(p), 31);
    const char *cols = p + 1;
    static const char *const names[] = {"enable", "name", "track_x", "track_y"};
    for (size_t c = 0; c < 4; c++) {
        while (*cols == ' ' || *cols == '\n')
            cols++;
        CHECK_INT(count_elements(cols), 5);
        char name[32] = "";
        CHECK(sscanf(cols, "{ %*s %*s %*s %31s", name) == 1);
        CHECK_STR(name, names[c]);
        skip_element(&cols);
    }
    skip_element(&p);
    /* rows: each a list of 31 cells */
    while (*p == ' ' || *p == '\n')
        p++;
    CHECK_INT(count_elements(p), rows);
    const char *row = p + 1;
    for (size_t r = 0; r < rows; r++) {
        while (*row == ' ' || *row == '\n')
            row++;
        CHECK_INT(count_elements(row), 31);
        skip_element(&row);
    }
    skip_element(&p);
    /* and nothing else in the knob */
    const char *end = list;
    skip_element(&end);
    while (*p == ' ' || *p == '\n')
        p++;
    CHECK(p + 1 == end);
    return rows;
}

/* ------------------------------------------------------------------ cases */

static void test_exact_output(void)
{
    struct tp_tracker t[2];
    tp_tracker_init(&t[0]);
    tp_tracker_init(&t[1]);
    tp_tracker_set_name(&t[0], "Gappy", 5);
    tp_tracker_add(&t[0], 5, 234, 145, 0);
    tp_tracker_add(&t[0], 7, 144, 223, 0.25);
    tp_tracker_add(&t[0], 8, 231, 189, 0);
    tp_tracker_set_name(&t[1], "One", 3);
    tp_tracker_add(&t[1], 0, 970, 550, 0);
    char *nk = export_tracker4(t, 2, 1080, 720);
    CHECK(nk != NULL);
    if (nk) {
        CHECK(strncmp(nk, "#! Nuke 7 script", 16) == 0);
        CHECK(strstr(nk, "\nversion 7.0 v1\nRoot {\n inputs 0\n frame 1\n last_frame 9\n"
                         " format \"1080 720 0 0 1080 720 1 CompSize_1080x720\"\n}\n") != NULL);
        CHECK(strstr(nk, "\nConstant {\n inputs 0\n") != NULL);
        CHECK(strstr(nk, "Tracker4 {\n tracks { { 1 31 2 }\n{ { 5 1 20 enable e }\n"
                         "{ 3 1 75 name name }\n{ 2 1 58 track_x track_x }\n") != NULL);
        CHECK(strstr(nk,
                     " { {curve K x6 1 x7 0 x8 1 x10 0} \"Gappy\" "
                     "{curve x6 234.0000 x8 144.0000 x9 231.0000} "
                     "{curve x6 145.0000 x8 223.0000 x9 189.0000} "
                     "{curve K x6 0} {curve K x6 0} 1 0 0 "
                     "{curve x6 0.000000 x8 0.250000 x9 0.000000} 0 0.250000 "
                     "-32 -32 32 32 -22 -22 22 22 {} {} {} {} {} {} {} {} {} {} {} }\n") != NULL);
        CHECK(strstr(nk, " { {curve K x1 1 x2 0} \"One\" {curve x1 970.0000} ") != NULL);
        CHECK(strstr(nk, "}\n}\n name Tracker1\n") != NULL);
        check_layout(nk, 2);
    }
    free(nk);
    tp_tracker_cleanup(&t[0]);
    tp_tracker_cleanup(&t[1]);
}

/* Names that TCL would substitute or that would end the string are quoted. */
static void test_quoted_names(void)
{
    static const char *const names[] = {"a\"b",        "x[exit]",     "$HOME", "br{ace}",
                                        "back\\slash", "caf\xc3\xa9", "plain"};
    enum { N = sizeof names / sizeof names[0] };
    struct tp_tracker t[N];
    for (size_t i = 0; i < N; i++) {
        tp_tracker_init(&t[i]);
        tp_tracker_set_name(&t[i], names[i], strlen(names[i]));
        tp_tracker_add(&t[i], (int)i, 10.0 + (double)i, 20, 0);
    }
    char *nk = export_tracker4(t, N, 1920, 1080);
    CHECK(nk != NULL);
    if (nk) {
        CHECK(strstr(nk, "\"x\\[exit\\]\"") != NULL);
        CHECK(strstr(nk, "\"\\$HOME\"") != NULL);
        check_layout(nk, N);
        struct keep_sink k;
        struct tp_diag d;
        CHECK_INT(import_text(nk, &k, &d), TP_OK);
        CHECK_INT(k.n, N);
        for (size_t i = 0; i < k.n && i < N; i++) {
            char want[64];
            snprintf(want, sizeof want, "Tracker1_%s", names[i]);
            CHECK_STR(k.t[i].name, want);
            CHECK_INT(k.t[i].keys[0].frame, (int)i);
        }
        keep_sink_cleanup(&k);
    }
    free(nk);
    for (size_t i = 0; i < N; i++)
        tp_tracker_cleanup(&t[i]);
}

static void test_round_trip_random(void)
{
    enum { N = 14 };
    struct tp_tracker t[N];
    uint32_t seed = 1234;
    for (size_t i = 0; i < N; i++) {
        tp_tracker_init(&t[i]);
        tp_tracker_set_namef(&t[i], "track_%zu", i);
        int frame = (int)(i * 7);
        for (size_t j = 0; j < 1 + i * 19; j++) {
            seed = seed * 1664525u + 1013904223u;
            tp_tracker_add(&t[i], frame, (double)(seed >> 8) / 8192.0,
                           (double)(seed & 0xffff) / 32.0 - 50, (double)(seed % 1000) / 1000.0);
            static const int steps[] = {1, 1, 1, 2, 5, 1, 1, 30};
            frame += steps[(seed >> 3) % 8];
        }
    }
    char *nk = export_tracker4(t, N, 1920, 1080);
    CHECK(nk != NULL);
    if (nk) {
        check_layout(nk, N);
        struct keep_sink k;
        struct tp_diag d;
        CHECK_INT(import_text(nk, &k, &d), TP_OK);
        CHECK_INT(k.n, N);
        size_t bad = 0;
        for (size_t i = 0; i < k.n && i < N; i++) {
            char want[64];
            snprintf(want, sizeof want, "Tracker1_%s", t[i].name);
            bad += (strcmp(k.t[i].name, want) != 0) + keep_sink_mismatches(&t[i], &k.t[i], 1e-4);
        }
        CHECK_INT(bad, 0);
        keep_sink_cleanup(&k);
    }
    free(nk);
    for (size_t i = 0; i < N; i++)
        tp_tracker_cleanup(&t[i]);
}

static void test_no_trackers(void)
{
    char *nk = export_tracker4(NULL, 0, 640, 480);
    CHECK(nk != NULL);
    if (nk) {
        check_layout(nk, 0);
        struct keep_sink k;
        struct tp_diag d;
        CHECK_INT(import_text(nk, &k, &d), TP_ERR_NO_TRACKERS);
        keep_sink_cleanup(&k);
    }
    free(nk);
}

static void test_descriptors(void)
{
    CHECK(tp_find_exporter("nuketracker4") == &tp_export_nuketracker4);
    CHECK(tp_find_exporter("nukescript") == &tp_export_nukescript);
    CHECK_STR(tp_export_nuketracker4.application, "Nuke");
    CHECK(strstr(tp_export_nuketracker4.note, "Nuke 7") != NULL);
    CHECK(strcmp(tp_export_nuketracker4.suffix, tp_export_nukescript.suffix) != 0);
}

int main(int argc, char **argv)
{
    static const struct check_case cases[] = {
        {"exact_output", test_exact_output},
        {"quoted_names", test_quoted_names},
        {"round_trip_random", test_round_trip_random},
        {"no_trackers", test_no_trackers},
        {"descriptors", test_descriptors},
    };
    return check_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
