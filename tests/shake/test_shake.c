/*
 * test_shake.c — the Shake script importer, the Shake text importer and exporter: hand-made
 * scripts with every curve type, tracker/stabilizer/matchmove nodes old and new, comments,
 * variable definitions, negative time ranges, nested expressions; truncated, deeply nested
 * and garbage input; sniffing; exact exporter output and a round trip through it. Each case
 * runs in a child process of its own; `test_shake CASE` runs only the case of that name.
 */
#include "check.h"
#include "keep_sink.h"
#include "trackport.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct tp_importer tp_import_shakescript;
extern const struct tp_importer tp_import_shaketext;
extern const struct tp_exporter tp_export_shaketext;

/* Imports text with imp; a comp size that is not positive or a tracker whose frames are not
 * strictly increasing counts as a failure of the import, as every test here expects. */
static int import_with(const struct tp_importer *imp, const char *text, size_t len,
                       struct keep_sink *k, struct tp_diag *diag)
{
    int rc = keep_sink_import(imp, text, len, 1920, 1080, k, diag);
    if (rc == TP_OK && k->begun && (k->width <= 0 || k->height <= 0 || !k->sorted))
        rc = TP_ERR_BAD_ARGUMENT;
    return rc;
}

static int shk(const char *text, struct keep_sink *k, struct tp_diag *diag)
{
    return import_with(&tp_import_shakescript, text, strlen(text), k, diag);
}

static const struct tp_keyframe *key_at(const struct tp_tracker *t, int frame)
{
    return tp_tracker_find(t, frame);
}

#define CHECK_KEY(t, fr, ex, ey, er)                                                          \
    do {                                                                                      \
        const struct tp_keyframe *k_ = key_at((t), (fr));                                     \
        CHECK(k_ != NULL);                                                                    \
        if (k_) {                                                                             \
            CHECK_NEAR(k_->x, (ex), 1e-9);                                                    \
            CHECK_NEAR(k_->y, (ey), 1e-9);                                                    \
            CHECK_NEAR(k_->residual, (er), 1e-9);                                             \
        }                                                                                     \
    } while (0)

/* The 16 settings of a Shake 4 Tracker node before its first track. */
#define TRACKER_HEAD                                                                          \
    "In, \"1-100\", \"1/64\", \"luminance\", 0.75, \"use start frame\", 0.5, \"stop\", 1, 1, " \
    "\"v2.0\", 0.3, 0.59, 0.11, 0, 10"
/* The 12 settings after a track's correlation. */
#define TRACK_TAIL "1, 2, 3, 4, 5, 6, 7, 8, Linear(0,1@1), Linear(0,2@1), 1, 1"

static void test_tracker_node(void)
{
    struct keep_sink k;
    struct tp_diag d;
    const char *script =
        "// Shake v4.10.0606 - (c) Apple Computer, Inc.\n"
        "SetTimeRange(\"1-100\");\n"
        "Tracker1 = Tracker(" TRACKER_HEAD ",\n"
        "    \"track1\", Linear(0,716.08@1,715.846@2,715.5@3),\n"
        "    Linear(0,885.123@1,884.982@2,884.8@3),\n"
        "    Linear(0,1@1,0.999@2,0.75@3), " TRACK_TAIL ",\n"
        "    \"my track\", Linear(0,10@5,11@6), Linear(0,20@5,21@6), 1, " TRACK_TAIL ");\n";
    CHECK_INT(shk(script, &k, &d), TP_OK);
    CHECK_INT(k.n, 2);
    if (k.n == 2) {
        CHECK_STR(k.t[0].name, "Tracker1_track1");
        CHECK_INT(k.t[0].len, 3);
        CHECK_KEY(&k.t[0], 0, 716.08, 885.123, 0.0);
        CHECK_KEY(&k.t[0], 1, 715.846, 884.982, 1.0 - 0.999);
        CHECK_KEY(&k.t[0], 2, 715.5, 884.8, 0.25);
        /* a constant correlation: residual 1 */
        CHECK_STR(k.t[1].name, "Tracker1_my_track");
        CHECK_KEY(&k.t[1], 4, 10, 20, 1.0);
        CHECK_KEY(&k.t[1], 5, 11, 21, 1.0);
    }
    keep_sink_cleanup(&k);

    /* a correlation curve shorter than x is ignored; keys missing in y drop the frame */
    CHECK_INT(shk("T = Tracker(" TRACKER_HEAD ", \"a\", Linear(0,1@1,2@2,3@3), "
                  "Linear(0,4@1,6@3), Linear(0,0.5@1), " TRACK_TAIL ");",
                  &k, &d),
              TP_OK);
    CHECK_INT(k.n, 1);
    if (k.n == 1) {
        CHECK_INT(k.t[0].len, 2);
        CHECK_KEY(&k.t[0], 0, 1, 4, 1.0);
        CHECK_KEY(&k.t[0], 2, 3, 6, 1.0);
        CHECK(key_at(&k.t[0], 1) == NULL);
    }
    keep_sink_cleanup(&k);

    /* extra arguments that do not make a whole track are ignored */
    CHECK_INT(shk("T = Tracker(" TRACKER_HEAD ", \"a\", Linear(0,1@1), Linear(0,2@1), 1, "
                  TRACK_TAIL ", \"b\", Linear(0,1@1));",
                  &k, &d),
              TP_OK);
    CHECK_INT(k.n, 1);
    keep_sink_cleanup(&k);
}

static void test_curve_types(void)
{
    static const char *const linear_kin[] = {"Linear", "NSpline", "JSpline", "CSpline",
                                             "linear"};
    for (size_t i = 0; i < sizeof linear_kin / sizeof linear_kin[0]; i++) {
        char script[512];
        snprintf(script, sizeof script,
                 "S = Stabilize(In, 1, 0, \"1 point\", %s(0,1.5@1,2.5@2), "
                 "%s(1, 3.25@1, 4.75@2), 1, 1, 0, 0, 1, 1, 0, 0, 0, 0);",
                 linear_kin[i], linear_kin[i]);
        struct keep_sink k;
        struct tp_diag d;
        CHECK_INT(shk(script, &k, &d), TP_OK);
        CHECK_INT(k.n, 1);
        if (k.n == 1) {
            CHECK_STR(k.t[0].name, "S_track1");
            CHECK_INT(k.t[0].len, 2);
            CHECK_KEY(&k.t[0], 0, 1.5, 3.25, 0.0);
            CHECK_KEY(&k.t[0], 1, 2.5, 4.75, 0.0);
        }
        keep_sink_cleanup(&k);
    }

    /* Hermite keys carry tangents: [value, in, out]@frame */
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(shk("Stabilize1 = Stabilize(0, 0, 0, \"1 point\",\n"
                  "  Hermite(0,[1379.04,-0.02,-0.02]@1,[1380.5,0,0]@6),\n"
                  "  Hermite(0,[10,1,1]@1,[-12.5,0,0]@6), 1, 1, 0, 0, 1, 1, 0, 0, 0, 0);",
                  &k, &d),
              TP_OK);
    CHECK_INT(k.n, 1);
    if (k.n == 1) {
        CHECK_INT(k.t[0].len, 2);
        CHECK_KEY(&k.t[0], 0, 1379.04, 10, 0.0);
        CHECK_KEY(&k.t[0], 5, 1380.5, -12.5, 0.0);
    }
    keep_sink_cleanup(&k);

    /* an unknown curve type, expressions, links and exponent numbers give nothing */
    CHECK_INT(shk("S = Stabilize(In, 1, 0, \"1 point\", Bezier(0,1@1), Linear(0,1@1), 1, 1,\n"
                  "  width/2, height/2, 1, 1, Tracker1.track1X, Linear(0,1@1), "
                  "Linear(0,1e+06@1,2@2), Linear(0,5@1,6@2));",
                  &k, &d),
              TP_OK);
    CHECK_INT(k.n, 1);
    if (k.n == 1) {
        CHECK_STR(k.t[0].name, "S_track4");
        CHECK_INT(k.t[0].len, 1);
        CHECK_KEY(&k.t[0], 1, 2, 6, 0.0);
    }
    keep_sink_cleanup(&k);
}

static void test_stabilize_and_matchmove(void)
{
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(shk("Stabilize2 = Stabilize(In, 1, 1, \"4 point\",\n"
                  "  Linear(0,1@1), Linear(0,2@1), 1, 1, Linear(0,3@1), Linear(0,4@1), 1, 1,\n"
                  "  Linear(0,5@1), Linear(0,6@1), Linear(0,7@1), Linear(0,8@1), \"default\",\n"
                  "  xFilter, \"trsx\", 0, 0.5, 0, 1, 1, 0, 1, \"v2.0\");\n"
                  "rzMatchMove = MatchMove (\n  0,\n  rzVideo,\n  0,\n  \"4 point\",\n"
                  "  Linear(0,11@2), Linear(0,12@2), 1, 1, Linear(0,13@2), Linear(0,14@2),\n"
                  "  1, 1, Linear(0,15@2), Linear(0,16@2), Linear(0,17@2), Linear(0,18@2),\n"
                  "  0, 0, Background.width, 0);\n",
                  &k, &d),
              TP_OK);
    CHECK_INT(k.n, 8);
    if (k.n == 8) {
        static const char *const names[8] = {
            "Stabilize2_track1",  "Stabilize2_track2",  "Stabilize2_track3",
            "Stabilize2_track4",  "rzMatchMove_track1", "rzMatchMove_track2",
            "rzMatchMove_track3", "rzMatchMove_track4"};
        for (int i = 0; i < 8; i++) {
            CHECK_STR(k.t[i].name, names[i]);
            CHECK_INT(k.t[i].len, 1);
            CHECK_KEY(&k.t[i], i < 4 ? 0 : 1, 1 + 2 * (i % 4) + (i < 4 ? 0 : 10),
                      2 + 2 * (i % 4) + (i < 4 ? 0 : 10), 0.0);
        }
    }
    keep_sink_cleanup(&k);

    /* too few arguments: no tracks, no crash */
    CHECK_INT(shk("S = Stabilize(In, 1, 0, \"1 point\", Linear(0,1@1), Linear(0,1@1));", &k, &d),
              TP_ERR_NO_TRACKERS);
    keep_sink_cleanup(&k);
}

static void test_old_tracker_node(void)
{
    struct keep_sink k;
    struct tp_diag d;
    /* before Shake 4 the first track starts where the "v2.0" marker would be */
    CHECK_INT(shk("Copy_tracker = Tracker (0, \"1-850\", \"1/64\", \"luminance\", 0.75, "
                  "\"use start frame\", 0.5, \"stop\", 1, 9,\n\"exportedTrack_1\",\n"
                  "Linear (1, 3698.31297286@1, 3700.02524579@2),\n"
                  "Linear (1, 1568.43202157@1, 1567.89347388@2),\n"
                  " 1,1,1,1,1,1,1,1,1,1,1,1,1);",
                  &k, &d),
              TP_OK);
    CHECK_INT(k.n, 1);
    if (k.n == 1) {
        CHECK_STR(k.t[0].name, "Copy_tracker_exportedTrack_1");
        CHECK_KEY(&k.t[0], 0, 3698.31297286, 1568.43202157, 1.0);
        CHECK_KEY(&k.t[0], 1, 3700.02524579, 1567.89347388, 1.0);
    }
    keep_sink_cleanup(&k);
}

static void test_time_range(void)
{
    struct keep_sink k;
    struct tp_diag d;
    /* a range starting at -70 shifts keys so that it starts at frame 0 (Shake frame 1) */
    CHECK_INT(shk("SetTimeRange(\"-70-218\");\n"
                  "Trackers = Tracker(" TRACKER_HEAD ", \"Tracker0001\",\n"
                  "  Linear(0,1819.63@-70,1820.17@-69), Linear(0,568.935@-70,567.593@-69),\n"
                  "  Linear(0,1@-70,0.87@-69), " TRACK_TAIL ");",
                  &k, &d),
              TP_OK);
    CHECK_INT(k.n, 1);
    if (k.n == 1) {
        CHECK_STR(k.t[0].name, "Trackers_Tracker0001");
        CHECK_KEY(&k.t[0], -1, 1819.63, 568.935, 0.0);
        CHECK_KEY(&k.t[0], 0, 1820.17, 567.593, 1.0 - 0.87);
    }
    keep_sink_cleanup(&k);
}

static void test_comments(void)
{
    struct keep_sink k;
    struct tp_diag d;
    /* comments between arguments, a comma on its own line, a // inside a string */
    CHECK_INT(shk("Camera01 = SFileIn(\"//server/plate.#.dpx\", \"Auto\", 0, 0);\n"
                  "Camera01Trackers = Tracker(\n"
                  "    Camera01,\n    \"1-85\",\t\t// frame range\n    \"1/16\",\n"
                  "    \"luminance\",\n    0.75,\t\t\t// reference tolerance\n"
                  "    \"use start frame\",\t// reference behavior\n    0.5,\n    \"stop\",\n"
                  "    0,\t\t\t\t// limit processing\n    1,\n    \"v2.0\",\t\t\t// version\n"
                  "    0.3,\n    0.59,\n    0.11,\n    0,\n    10\t\t\t\t// bluramount\n,\n"
                  "\"Tracker8\",\nLinear(0,1727.497@11,1729.391@12),\n"
                  "Linear(0,88.443@11,84.424@12),\n\n    1,\t\t\t\t// Correlation\n"
                  "    -43.200,\n    43.200,\n    -43.200,\n    43.200,\n    -72.000,\n"
                  "    72.000,\n    -72.000,\n    72.000,\n    Linear(0,1@11),\n"
                  "    Linear(0,2@11),\n    1,\t\t\t\t// visible\n    1\t\t\t\t// enabled\n);\n",
                  &k, &d),
              TP_OK);
    CHECK_INT(k.n, 1);
    if (k.n == 1) {
        CHECK_STR(k.t[0].name, "Camera01Trackers_Tracker8");
        CHECK_KEY(&k.t[0], 10, 1727.497, 88.443, 1.0);
        CHECK_KEY(&k.t[0], 11, 1729.391, 84.424, 1.0);
    }
    keep_sink_cleanup(&k);
}

static void test_definitions(void)
{
    struct keep_sink k;
    struct tp_diag d;
    /* plug-in macro definitions with typed parameters and a body, curve variables: the "}"
     * closes the definition's "(" (the last "= 0)" took its ")") */
    CHECK_INT(shk("image Primatte_v2_(image ofx_Source = 0, image ofx_BG = 0, const char * "
                  "Poly00dral = \"0.0 0.0 0.0\", int N3D_Viewer = 0)\n{\n"
                  "    fx1 = OfxPluginFactory(Primatte_v2_);return fx1;\n}\n"
                  "curve float focal = Linear(0,2257.552@1,2257.552@2);\n"
                  "S = Stabilize(In, 1, 0, \"1 point\", Linear(0,1@1), Linear(0,2@1), "
                  "1, 1, 0, 0, 1, 1, 0, 0, 0, 0);\n",
                  &k, &d),
              TP_OK);
    CHECK_INT(k.n, 1);
    keep_sink_cleanup(&k);
    /* the broken header Shake writes for some plug-ins (no ")"): still read */
    CHECK_INT(shk("image Primatte_v2_(image ofx_Source = 0, const char * Poly02dral = \"0 0\"\n"
                  "{\n    fx1 = OfxPluginFactory(Primatte_v2_);return fx1;\n}\n"
                  "curve float focal = Linear(0,2257.552@1,2257.552@2);\n"
                  "S = Stabilize(In, 1, 0, \"1 point\", Linear(0,1@1), Linear(0,2@1), "
                  "1, 1, 0, 0, 1, 1, 0, 0, 0, 0);\n",
                  &k, &d),
              TP_OK);
    CHECK_INT(k.n, 1);
    if (k.n == 1)
        CHECK_STR(k.t[0].name, "S_track1");
    keep_sink_cleanup(&k);
    /* a closing bracket with nothing open ends the script */
    CHECK_INT(shk("}\nS = Stabilize(In, 1, 0, \"1 point\", Linear(0,1@1), Linear(0,2@1), "
                  "1, 1, 0, 0, 1, 1, 0, 0, 0, 0);\n",
                  &k, &d),
              TP_ERR_NO_TRACKERS);
    keep_sink_cleanup(&k);
}

static void test_nested_expressions(void)
{
    struct keep_sink k;
    struct tp_diag d;
    /* calls inside calls, expressions with spaced parentheses */
    CHECK_INT(shk("Blur1 = Blur(Reorder1, 16.7, xPixels/GetDefaultAspect(), 0, \"gauss\");\n"
                  "S = Stabilize(In, 1, 0, \"1 point\", Linear(0,Foo(Bar(Baz(1)))@1, 5@2), "
                  "Linear(0,7@1,8@2), 1, 1, (Tracker1.track2X+Tracker1.track1X)/2, "
                  "(Tracker1.track2Y+Tracker1.track1Y)/2, 1, 1, 0, 0, 0, 0, "
                  "-(shutterTiming*script.shutterTiming)/2);\n",
                  &k, &d),
              TP_OK);
    CHECK_INT(k.n, 1);
    if (k.n == 1) {
        CHECK_STR(k.t[0].name, "S_track1");
        CHECK_INT(k.t[0].len, 1); /* the key whose value is a call is dropped */
        CHECK_KEY(&k.t[0], 1, 5, 8, 0.0);
    }
    keep_sink_cleanup(&k);

    /* an expression body "{{ a; b; }}" stops at its first statement, so its second "}"
     * closes the node's call and the node's ")" then ends the script */
    CHECK_INT(shk("A = Stabilize(In, 1, 0, \"1 point\", Linear(0,1@1), Linear(0,2@1), "
                  "1, 1, 0, 0, 1, 1, 0, 0, 0, 0);\n"
                  "W = WarpX(0, 1, {{ float k=distortion/(focal*focal); xc*k+ppx; }}, 1);\n"
                  "B = Stabilize(In, 1, 0, \"1 point\", Linear(0,1@1), Linear(0,2@1), "
                  "1, 1, 0, 0, 1, 1, 0, 0, 0, 0);\n",
                  &k, &d),
              TP_OK);
    CHECK_INT(k.n, 1);
    if (k.n == 1)
        CHECK_STR(k.t[0].name, "A_track1");
    keep_sink_cleanup(&k);

    /* "((" right after a separator closes one level too many: the script ends there */
    CHECK_INT(shk("S1 = Stabilize(In, 1, 0, \"2 point\", a, b, 1, 1, c, d, 1, 1, e, f, g, h,\n"
                  "  atan2d((track2Y-track1Y),(track2X-track1X))-(atan2d(((y2)-(y1)),((x2)-(x1)))), "
                  "1);\n"
                  "S = Stabilize(In, 1, 0, \"1 point\", Linear(0,1@1), Linear(0,2@1), "
                  "1, 1, 0, 0, 1, 1, 0, 0, 0, 0);\n",
                  &k, &d),
              TP_ERR_NO_TRACKERS);
    keep_sink_cleanup(&k);
}

static void test_no_animation(void)
{
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(shk("Tracker36 = Tracker(Expand1, \"1-1580\", \"1/64\", \"luminance\", 0.75,\n"
                  "    \"use start frame\", 0.5, \"stop\", 1, 1, \"v2.0\", 0.3, 0.59,\n"
                  "    0.11, 0, 10, \"track1\", width/2, height/2, 1, width/2-height/30,\n"
                  "    width/2+height/30, height/2-height/30, height/2+height/30,\n"
                  "    width/2-height/15, width/2+height/15, height/2-height/15,\n"
                  "    height/2+height/15, width/2, height/2, 1, 1);\n",
                  &k, &d),
              TP_ERR_NO_TRACKERS);
    CHECK(strstr(d.message, "tracker") != NULL);
    keep_sink_cleanup(&k);

    /* an unassigned tracker node has no name and sends nothing */
    CHECK_INT(shk("Stabilize(In, 1, 0, \"1 point\", Linear(0,1@1), Linear(0,2@1), "
                  "1, 1, 0, 0, 1, 1, 0, 0, 0, 0);\n",
                  &k, &d),
              TP_ERR_NO_TRACKERS);
    keep_sink_cleanup(&k);
    CHECK_INT(shk("", &k, &d), TP_ERR_NO_TRACKERS);
    keep_sink_cleanup(&k);
}

static const char good_script[] =
    "// Shake v4.10.0606\n"
    "SetTimeRange(\"1-3\");\n"
    "A = Stabilize(In, 1, 0, \"1 point\", Linear(0,1@1,2@2,3@3), Linear(0,4@1,5@2,6@3), "
    "1, 1, 0, 0, 1, 1, 0, 0, 0, 0);\n"
    "B = Tracker(" TRACKER_HEAD ", \"t\", Hermite(0,[1,0,0]@1,[2,0,0]@2),\n"
    "  Hermite(0,[3,0,0]@1,[4,0,0]@2), Linear(0,1@1,0.5@2), " TRACK_TAIL ");\n"
    "SetKey(\"nodeView.A.x\", \"10\");\n";

static void test_truncated(void)
{
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(shk(good_script, &k, &d), TP_OK);
    CHECK_INT(k.n, 2);
    keep_sink_cleanup(&k);

    /* cut inside the Tracker node: refused as truncated, with its line */
    const char *cut = strstr(good_script, "Hermite(0,[3");
    CHECK_INT(import_with(&tp_import_shakescript, good_script, (size_t)(cut - good_script), &k,
                          &d),
              TP_ERR_PARSE);
    CHECK(strstr(d.message, "truncated") != NULL);
    CHECK(strstr(d.message, "Line 4") != NULL);
    keep_sink_cleanup(&k);

    /* every prefix ends in success or an error with a message, never a crash */
    size_t len = sizeof good_script - 1;
    int ok = 0, failed = 0;
    for (size_t n = 0; n <= len; n++) {
        int rc = import_with(&tp_import_shakescript, good_script, n, &k, &d);
        if (rc == TP_OK)
            ok++;
        else if (d.message[0])
            failed++;
        else
            CHECK_REPORT(0, "prefix %zu failed (%d) without a message", n, rc);
        keep_sink_cleanup(&k);
    }
    CHECK(ok > 0 && failed > 0);
}

static void test_deep_nesting(void)
{
    struct keep_sink k;
    struct tp_diag d;
    size_t n = 100000;
    char *deep = malloc(n * 2 + 1);
    CHECK(deep != NULL);
    if (!deep)
        return;
    for (size_t i = 0; i < n; i++) {
        deep[2 * i] = 'f';
        deep[2 * i + 1] = '(';
    }
    deep[2 * n] = '\0';
    CHECK_INT(shk(deep, &k, &d), TP_ERR_PARSE);
    CHECK(strstr(d.message, "nest") != NULL);
    keep_sink_cleanup(&k);
    memset(deep, '[', n * 2);
    CHECK_INT(shk(deep, &k, &d), TP_ERR_PARSE);
    keep_sink_cleanup(&k);
    for (size_t i = 0; i < n * 2; i++)
        deep[i] = "x={"[i % 3];
    CHECK_INT(shk(deep, &k, &d), TP_ERR_PARSE);
    keep_sink_cleanup(&k);
    /* a "(" after a separator is text, so every second one opens a call */
    memset(deep, '(', n * 2);
    CHECK_INT(shk(deep, &k, &d), TP_ERR_PARSE);
    keep_sink_cleanup(&k);
    /* a few levels are fine */
    memset(deep, '(', 200);
    deep[200] = '\0';
    CHECK_INT(shk(deep, &k, &d), TP_ERR_NO_TRACKERS);
    keep_sink_cleanup(&k);
    free(deep);
}

static void test_garbage(void)
{
    struct keep_sink k;
    struct tp_diag d;
    /* pseudo-random bytes, and random picks from the script alphabet */
    static const char alphabet[] = "()[]{},;=@\"/ \n0123456789.-abLinearTrk";
    uint32_t seed = 2463534242u;
    char buf[4096];
    for (int round = 0; round < 400; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            buf[i] = round % 2 ? (char)(seed & 0xff) : alphabet[seed % (sizeof alphabet - 1)];
        }
        int rc = import_with(&tp_import_shakescript, buf, sizeof buf, &k, &d);
        CHECK(rc == TP_OK || d.message[0]);
        keep_sink_cleanup(&k);
    }
}

static void test_huge_argument(void)
{
    struct keep_sink k;
    struct tp_diag d;
    /* a huge argument is kept truncated and means nothing */
    size_t big = 200000;
    char *huge = malloc(big + 64);
    CHECK(huge != NULL);
    if (huge) {
        memcpy(huge, "x = Foo(", 8);
        memset(huge + 8, '7', big);
        memcpy(huge + 8 + big, ");", 3);
        CHECK_INT(shk(huge, &k, &d), TP_ERR_NO_TRACKERS);
        keep_sink_cleanup(&k);
        free(huge);
    }
}

static void test_sniff_script(void)
{
    CHECK(tp_import_shakescript.sniff("// Shake v4.10.0606 - (c)\n", 26) >= 90);
    const char *s1 = "SetTimeRange(\"1-85\");\nSetFps(24);\n";
    CHECK(tp_import_shakescript.sniff(s1, strlen(s1)) > 0);
    const char *s2 = "T = Tracker(In, 1, Linear(0, 1@1));";
    CHECK(tp_import_shakescript.sniff(s2, strlen(s2)) > 0);
    const char *no = "TrackName track1\n   Frame             X             Y   Correlation\n";
    CHECK_INT(tp_import_shakescript.sniff(no, strlen(no)), 0);
    const char *nk = "Tracker3 {\n inputs 0\n track1 {{curve x1 1}}\n}\n";
    CHECK_INT(tp_import_shakescript.sniff(nk, strlen(nk)), 0);
}

/* ------------------------------------------------------------------ shake text */

static const char two_trackers[] =
    "TrackName track1\n"
    "   Frame             X             Y   Correlation\n"
    "  111.00      2107.280      1054.390         1.000 \n"
    "  112.00      2103.980      1020.820         0.993 \n"
    "\n"
    "TrackName track 2\r\n"
    "   Frame             X             Y   Correlation\r\n"
    "    1.00       348.000       614.667         1.000\r\n"
    "    2.00       349.623       614.489         0.996\r\n";

static void test_text_import(void)
{
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_with(&tp_import_shaketext, two_trackers, sizeof two_trackers - 1, &k, &d),
              TP_OK);
    CHECK_INT(k.n, 2);
    if (k.n == 2) {
        CHECK_STR(k.t[0].name, "track1");
        CHECK_INT(k.t[0].len, 2);
        CHECK_KEY(&k.t[0], 110, 2107.28, 1054.39, 0.0);
        CHECK_KEY(&k.t[0], 111, 2103.98, 1020.82, 1.0 - 0.993);
        CHECK_STR(k.t[1].name, "track_2");
        CHECK_KEY(&k.t[1], 0, 348.0, 614.667, 0.0);
        CHECK_KEY(&k.t[1], 1, 349.623, 614.489, 1.0 - 0.996);
    }
    keep_sink_cleanup(&k);

    const char *early = "  1.00  2.0  3.0  1.0\nTrackName a\nheader\n";
    CHECK_INT(import_with(&tp_import_shaketext, early, strlen(early), &k, &d), TP_ERR_PARSE);
    CHECK(strstr(d.message, "TrackName") != NULL);
    keep_sink_cleanup(&k);

    const char *junk = "TrackName a\nheader\n 1.00 2 3 1\nthis is not a keyframe\n";
    CHECK_INT(import_with(&tp_import_shaketext, junk, strlen(junk), &k, &d), TP_ERR_PARSE);
    CHECK(strstr(d.message, "Line 4") != NULL);
    keep_sink_cleanup(&k);

    const char *empty = "TrackName a\n   Frame             X             Y   Correlation\n\n";
    CHECK_INT(import_with(&tp_import_shaketext, empty, strlen(empty), &k, &d),
              TP_ERR_NO_TRACKERS);
    keep_sink_cleanup(&k);

    /* every prefix and some garbage: success or a message */
    for (size_t n = 0; n < sizeof two_trackers; n++) {
        int rc = import_with(&tp_import_shaketext, two_trackers, n, &k, &d);
        CHECK(rc == TP_OK || d.message[0]);
        keep_sink_cleanup(&k);
    }
}

static void test_text_sniff(void)
{
    CHECK(tp_import_shaketext.sniff(two_trackers, sizeof two_trackers - 1) >= 90);
    const char *weak = "\n\nTrackName a\n1 2 3 4\n";
    int w = tp_import_shaketext.sniff(weak, strlen(weak));
    CHECK(w > 0 && w < 90);
    const char *sy = "Track1 120 -0.604669 -0.891214 15\n";
    CHECK_INT(tp_import_shaketext.sniff(sy, strlen(sy)), 0);
    const char *ml = "#  Size  1920  1080  1.78\n#  Name track1\n";
    CHECK_INT(tp_import_shaketext.sniff(ml, strlen(ml)), 0);
    CHECK_INT(tp_import_shaketext.sniff("", 0), 0);
}

static void test_text_export_and_round_trip(void)
{
    struct tp_tracker a, b;
    tp_tracker_init(&a);
    tp_tracker_init(&b);
    tp_tracker_set_name(&a, "Parabolic_1", 11);
    tp_tracker_add(&a, 0, 0.0, 1080.0, 0.0);
    tp_tracker_add(&a, 1, 96.0, 874.8, 0.048);
    tp_tracker_add(&a, 9, 1234.5678, -17.25, 0.5);
    tp_tracker_set_name(&b, "Single", 6);
    tp_tracker_add(&b, 120, 970.0, 550.0, 1.0);

    struct tp_out *out;
    CHECK_INT(tp_out_open_memory(&out), TP_OK);
    const struct tp_exporter *e = &tp_export_shaketext;
    CHECK_STR(e->suffix, "shake_trackers.txt");
    CHECK_STR(e->name, "shaketext");
    CHECK_INT(e->tracker(NULL, out, &a), TP_OK);
    CHECK_INT(e->tracker(NULL, out, &b), TP_OK);
    CHECK_INT(tp_out_flush(out), TP_OK);
    size_t len;
    const char *text = tp_out_memory(out, &len);
    static const char expected[] =
        "TrackName Parabolic_1\n"
        "   Frame             X             Y   Correlation\n"
        "   1.00   0.000   1080.000   1.000\n"
        "   2.00   96.000   874.800   0.952\n"
        "   10.00   1234.568   -17.250   0.500\n"
        "\n"
        "TrackName Single\n"
        "   Frame             X             Y   Correlation\n"
        "   121.00   970.000   550.000   0.000\n"
        "\n";
    CHECK_INT(len, sizeof expected - 1);
    CHECK(len == sizeof expected - 1 && memcmp(text, expected, len) == 0);

    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_with(&tp_import_shaketext, text, len, &k, &d), TP_OK);
    CHECK_INT(k.n, 2);
    const struct tp_tracker *orig[2] = {&a, &b};
    for (size_t i = 0; i < k.n && i < 2; i++) {
        CHECK_STR(k.t[i].name, orig[i]->name);
        CHECK_INT(k.t[i].len, orig[i]->len);
        for (size_t j = 0; j < k.t[i].len && j < orig[i]->len; j++) {
            CHECK_INT(k.t[i].keys[j].frame, orig[i]->keys[j].frame);
            CHECK_NEAR(k.t[i].keys[j].x, orig[i]->keys[j].x, 1e-3);
            CHECK_NEAR(k.t[i].keys[j].y, orig[i]->keys[j].y, 1e-3);
            CHECK_NEAR(k.t[i].keys[j].residual, orig[i]->keys[j].residual, 1e-3);
        }
    }
    keep_sink_cleanup(&k);
    tp_out_free(out);
    tp_tracker_cleanup(&a);
    tp_tracker_cleanup(&b);
}

int main(int argc, char **argv)
{
    static const struct check_case cases[] = {
        {"tracker_node", test_tracker_node},
        {"curve_types", test_curve_types},
        {"stabilize_and_matchmove", test_stabilize_and_matchmove},
        {"old_tracker_node", test_old_tracker_node},
        {"time_range", test_time_range},
        {"comments", test_comments},
        {"definitions", test_definitions},
        {"nested_expressions", test_nested_expressions},
        {"no_animation", test_no_animation},
        {"truncated", test_truncated},
        {"deep_nesting", test_deep_nesting},
        {"garbage", test_garbage},
        {"huge_argument", test_huge_argument},
        {"sniff_script", test_sniff_script},
        {"text_import", test_text_import},
        {"text_sniff", test_text_sniff},
        {"text_export_and_round_trip", test_text_export_and_round_trip},
    };
    return check_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
