/*
 * test_mmsolver_fusion.c — the mmSolver .uv and Fusion .setting importers and exporters:
 * every .uv version, CRLF, sizes from the file or the user, broken input with the line
 * and sentence the user sees, the sniffers and detection, and exact exporter text.
 * Each case runs in its own process.
 *
 *   test_mmsolver_fusion [CASE]
 */
#include "check.h"
#include "keep_sink.h"
#include "trackport.h"

#include <stdlib.h>

extern const struct tp_importer tp_import_mmsolver, tp_import_fusion;
extern const struct tp_exporter tp_export_mmsolveruv1, tp_export_mmsolveruv5, tp_export_fusion;

static int import(const struct tp_importer *imp, const char *text, int w, int h,
                  struct keep_sink *k, struct tp_diag *d)
{
    return keep_sink_import(imp, text, strlen(text), w, h, k, d);
}

static void expect_error(const struct tp_importer *imp, const char *text, int w, int code,
                         long line, const char *needle)
{
    struct keep_sink k;
    struct tp_diag d;
    int rc = import(imp, text, w, w, &k, &d);
    CHECK_REPORT(rc == code, "%.50s: expected %s, got %s (%s)", text, tp_error_name(code),
                 tp_error_name(rc), d.message);
    if (line >= 0)
        CHECK_INT(d.line, line);
    CHECK_REPORT(strstr(d.message, needle) != NULL, "message \"%s\" lacks \"%s\"", d.message,
                 needle);
    keep_sink_cleanup(&k);
}

/* crlf returns text with every "\n" made "\r\n" (caller frees). */
static char *crlf(const char *text)
{
    char *out = malloc(strlen(text) * 2 + 1), *o = out;
    for (const char *s = text; *s; s++) {
        if (*s == '\n')
            *o++ = '\r';
        *o++ = *s;
    }
    *o = '\0';
    return out;
}

/* ------------------------------------------------------------------ .uv import */

static const char *uv_v1 = "2\nCorner Left\n3\n1001 0.25 0.5 1.0\n1004 0.28 0.53 1.0\n"
                           "1002 0.26 0.51 0.75\n\npoint_02\n1\n1 0.0 1.0 0.0\n";

static void test_uv_v1(void)
{
    struct keep_sink k;
    struct tp_diag d;
    for (int pass = 0; pass < 2; pass++) {
        char *text = pass ? crlf(uv_v1) : strdup(uv_v1);
        CHECK_INT(import(&tp_import_mmsolver, text, 1000, 500, &k, &d), TP_OK);
        CHECK_INT(k.n, 2);
        CHECK(k.sorted);
        if (k.n == 2) {
            CHECK_STR(k.t[0].name, "Corner_Left");
            CHECK_INT(k.t[0].len, 3);
            CHECK_INT(k.t[0].keys[0].frame, 1000);
            CHECK_NEAR(k.t[0].keys[0].x, 250, 1e-9);
            CHECK_NEAR(k.t[0].keys[0].y, 250, 1e-9);
            CHECK_INT(k.t[0].keys[2].frame, 1003); /* rows are sorted */
            CHECK_NEAR(k.t[0].keys[2].residual, 0, 0);
            CHECK_INT(k.t[1].keys[0].frame, 0);
            CHECK_NEAR(k.t[1].keys[0].y, 500, 1e-9);
        }
        keep_sink_cleanup(&k);
        free(text);
    }
    /* A point announcing no frames is no tracker; no size is a clear refusal. */
    CHECK_INT(import(&tp_import_mmsolver, "2\nempty\n0\nA\n1\n1 0 0 1\n", 10, 10, &k, &d), TP_OK);
    CHECK_INT(k.n, 1);
    keep_sink_cleanup(&k);
    CHECK_INT(import(&tp_import_mmsolver, uv_v1, 0, 0, &k, &d), TP_ERR_SIZE_REQUIRED);
    CHECK(strstr(d.message, "version 1 hold no image size") != NULL);
    keep_sink_cleanup(&k);
}

static void test_uv_json_versions(void)
{
    static const char *v2 = "{\"version\": 2, \"num_points\": 1, \"is_undistorted\": true, "
                            "\"points\": [{\"name\": \"A\", \"id\": null, \"set_name\": null, "
                            "\"per_frame\": [{\"frame\": 2, \"pos\": [0.5, 0.25], "
                            "\"weight\": 1.0}]}]}";
    static const char *v3 = "{\"version\": 3, \"points\": [{\"name\": \"B\", \"per_frame\": "
                            "[{\"frame\": 1, \"pos_dist\": [0.1, 0.2], \"pos\": [0.9, 0.9], "
                            "\"weight\": 1}], \"3d\": {\"x\": 1.0, \"y\": null, \"z\": null, "
                            "\"x_lock\": true, \"y_lock\": null, \"z_lock\": null}}]}";
    static const char *v4 = "{\"version\": 4, \"points\": [{\"name\": \"C\", \"per_frame\": "
                            "[{\"frame\": 1, \"pos_dist\": [0.5, 0.5], \"pos\": [0.5, 0.5], "
                            "\"weight\": 1}]}], \"camera\": {\"resolution\": [2048, 1152], "
                            "\"film_back_cm\": [3.6, 2.0], \"lens_center_offset_cm\": [0, 0], "
                            "\"per_frame\": []}}";
    static const char *v5 = "\xEF\xBB\xBF {\"version\": 5, \"scene\": {\"transform\": [1, 0, 0, "
                            "0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]}, \"point_group\": "
                            "{\"name\": \"g\", \"type\": \"OBJECT\", \"transform\": {\"1\": "
                            "[]}}, \"points\": [{\"name\": \"D \\u00e9\\\"q\", \"per_frame\": "
                            "[{\"frame\": 3, \"pos_dist\": [1, 0], \"pos\": [0, 0], \"weight\": "
                            "0.0}, {\"frame\": 1, \"pos_dist\": null, \"pos\": [0, 1], "
                            "\"weight\": null}]}], \"camera\": {\"resolution\": [100, 50]}}";
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import(&tp_import_mmsolver, v2, 1000, 500, &k, &d), TP_OK);
    CHECK_INT(k.n, 1);
    CHECK_INT(k.t[0].keys[0].frame, 1);
    CHECK_NEAR(k.t[0].keys[0].x, 500, 1e-9);
    CHECK_NEAR(k.t[0].keys[0].y, 125, 1e-9);
    keep_sink_cleanup(&k);
    CHECK_INT(import(&tp_import_mmsolver, v2, 0, 0, &k, &d), TP_ERR_SIZE_REQUIRED);
    CHECK(strstr(d.message, "version 2 hold no image size") != NULL);
    keep_sink_cleanup(&k);

    CHECK_INT(import(&tp_import_mmsolver, v3, 1000, 500, &k, &d), TP_OK);
    CHECK_NEAR(k.t[0].keys[0].x, 100, 1e-9); /* pos_dist, the distorted position */
    CHECK_NEAR(k.t[0].keys[0].y, 100, 1e-9);
    keep_sink_cleanup(&k);

    CHECK_INT(import(&tp_import_mmsolver, v4, 0, 0, &k, &d), TP_OK); /* its own size */
    CHECK_INT(k.width, 2048);
    CHECK_INT(k.height, 1152);
    CHECK_NEAR(k.t[0].keys[0].x, 1024, 1e-9);
    keep_sink_cleanup(&k);
    /* A fractional resolution, as Maya writes some, is rounded to whole pixels. */
    CHECK_INT(import(&tp_import_mmsolver,
                     "{\"version\": 4, \"points\": [{\"name\": \"a\", \"per_frame\": "
                     "[{\"frame\": 1, \"pos\": [1, 1]}]}], \"camera\": {\"resolution\": "
                     "[2224.6, 1480.0000000000002]}}",
                     0, 0, &k, &d),
              TP_OK);
    CHECK_INT(k.width, 2225);
    CHECK_INT(k.height, 1480);
    keep_sink_cleanup(&k);
    CHECK_INT(import(&tp_import_mmsolver, v4, 200, 100, &k, &d), TP_OK); /* the user's wins */
    CHECK_INT(k.width, 200);
    CHECK_NEAR(k.t[0].keys[0].x, 100, 1e-9);
    keep_sink_cleanup(&k);

    char *v5crlf = crlf(v5);
    CHECK_REPORT(import(&tp_import_mmsolver, v5crlf, 0, 0, &k, &d) == TP_OK, "%s", d.message);
    CHECK_INT(k.n, 1);
    if (k.n == 1) {
        CHECK_STR(k.t[0].name, "D_\xC3\xA9\"q");
        CHECK_INT(k.t[0].len, 2);
        CHECK_INT(k.t[0].keys[0].frame, 0);
        CHECK_NEAR(k.t[0].keys[0].y, 50, 1e-9); /* pos, as pos_dist is null */
        CHECK_NEAR(k.t[0].keys[1].x, 100, 1e-9);
    }
    keep_sink_cleanup(&k);
    free(v5crlf);
}

static void test_uv_errors(void)
{
    const struct tp_importer *uv = &tp_import_mmsolver;
    expect_error(uv, "", 10, TP_ERR_PARSE, 1, "the number of points");
    expect_error(uv, "two\n", 10, TP_ERR_PARSE, 1, "expected the number of points");
    expect_error(uv, "2\nA\n1\n1 0 0 1\n", 10, TP_ERR_PARSE, 5, "after 1 of the 2 points");
    expect_error(uv, "1\nA\n2\n1 0 0 1\n", 10, TP_ERR_PARSE, 5, "after 1 of the 2 frames");
    expect_error(uv, "1\nA\nmany\n", 10, TP_ERR_PARSE, 3, "number of frames of point A");
    expect_error(uv, "1\nA\n1\n1 0 0\n", 10, TP_ERR_PARSE, 4, "\"frame u v weight\"");
    expect_error(uv, "1\nA\n1\n1.5 0 0 1\n", 10, TP_ERR_PARSE, 4, "whole number");
    expect_error(uv, "1\nA\n1\n1 0 nan 1\n", 10, TP_ERR_PARSE, 4, "other than numbers");
    expect_error(uv, "1\nA\n2\n1 0 0 1\n1 0 0 1\n", 10, TP_ERR_PARSE, 5, "two rows for frame 1");
    expect_error(uv, "1\nA\n1\n1 0 0 1\nB\n", 10, TP_ERR_PARSE, 5, "more than the 1 points");
    expect_error(uv, "0\n", 10, TP_ERR_NO_TRACKERS, -1, "");
    expect_error(uv, "{\"version\": 2, \"points\": [", 10, TP_ERR_PARSE, 1, "not valid JSON");
    expect_error(uv, "{\"points\": []}", 10, TP_ERR_PARSE, 1, "no \"version\"");
    expect_error(uv, "{\"version\": 6, \"points\": []}", 10, TP_ERR_PARSE, 1, "other than 2, 3");
    expect_error(uv, "{\"version\": 2.5}", 10, TP_ERR_PARSE, 1, "other than 2, 3");
    expect_error(uv, "{\"version\": 2, \"points\": {}}", 10, TP_ERR_PARSE, 1, "not a list");
    expect_error(uv, "{\"version\": 2, \"points\": [{\"per_frame\": []}]}", 10, TP_ERR_PARSE, 1,
                 "point 1 has no \"name\"");
    expect_error(uv,
                 "{\"version\": 2,\n\"points\": [{\"name\": \"a\", \"per_frame\": "
                 "[{\"frame\": 1, \"pos\": [1]}]}]}",
                 10, TP_ERR_PARSE, 2, "is not two numbers");
    expect_error(uv,
                 "{\"version\": 2, \"points\": [{\"name\": \"a\", \"per_frame\": "
                 "[{\"frame\": 1.5, \"pos\": [1, 1]}]}]}",
                 10, TP_ERR_PARSE, 1, "whole \"frame\"");
    expect_error(uv,
                 "{\"version\": 2, \"points\": [{\"name\": \"a\", \"per_frame\": "
                 "[{\"frame\": 1, \"pos\": [1, 1]}, {\"frame\": 1, \"pos\": [1, 1]}]}]}",
                 10, TP_ERR_PARSE, 1, "lists frame 1 twice");
    expect_error(uv, "{\"version\": 4, \"points\": [], \"camera\": {\"resolution\": [0, 1]}}", 0,
                 TP_ERR_PARSE, 1, "not two numbers of pixels");
    expect_error(uv, "{\"version\": 4, \"points\": []}", 0, TP_ERR_SIZE_REQUIRED, 0,
                 "no camera resolution");
    expect_error(uv, "{\"version\": 2} x", 10, TP_ERR_PARSE, 1, "follows the closing");
}

/* ------------------------------------------------------------------ .setting import */

static const char *setting =
    "{\n\tTools = ordered() {\n"
    "\t\tT = Tracker { CustomData = { TrackportWidth = 200, TrackportHeight = 100 },\n"
    "\t\t\tInputs = { Name2 = Input { Value = \"second\\034q\" },\n"
    "\t\t\t\tTrackedCenter2 = Input { SourceOp = \"P2\", Source = \"Value\" },\n"
    "\t\t\t\tTrackedCenter10 = Input { SourceOp = \"P1\", Source = \"Value\" }, }, },\n"
    "\t\tP1 = XYPath { Inputs = { X = Input { SourceOp = \"X1\" }, Y = Input { SourceOp = "
    "\"Y1\" } } },\n"
    "\t\tX1 = BezierSpline { KeyFrames = { [1] = { 0.5, Flags = { Linear = true } }, [3] = { "
    "1.0 } } },\n"
    "\t\tY1 = BezierSpline { KeyFrames = { [1] = { 0.25 }, [2] = { 0.75 } } },\n"
    "\t\tP2 = XYPath { Inputs = { X = Input { Value = 0.1 }, Y = Input { SourceOp = \"Y1\" } "
    "} },\n"
    "\t},\n\tActiveTool = \"T\"\n}\n";

static void test_fusion_import(void)
{
    struct keep_sink k;
    struct tp_diag d;
    for (int pass = 0; pass < 2; pass++) {
        char *text = pass ? crlf(setting) : strdup(setting);
        CHECK_INT(import(&tp_import_fusion, text, 0, 0, &k, &d), TP_OK);
        CHECK_INT(k.width, 200);
        CHECK_INT(k.n, 2);
        if (k.n == 2) {
            CHECK_STR(k.t[0].name, "second\"q"); /* number 2 before number 10 */
            CHECK_INT(k.t[0].len, 2);
            CHECK_NEAR(k.t[0].keys[0].x, 20, 1e-9);
            CHECK_NEAR(k.t[0].keys[1].y, 75, 1e-9);
            CHECK_STR(k.t[1].name, "Tracker10");
            CHECK_INT(k.t[1].len, 3);
            CHECK_INT(k.t[1].keys[1].frame, 2);
            CHECK_NEAR(k.t[1].keys[1].x, 150, 1e-9); /* X between its keys */
            CHECK_NEAR(k.t[1].keys[2].y, 75, 1e-9);  /* Y held past its last key */
        }
        keep_sink_cleanup(&k);
        free(text);
    }
    CHECK_INT(import(&tp_import_fusion, setting, 400, 400, &k, &d), TP_OK);
    CHECK_NEAR(k.t[0].keys[0].x, 40, 1e-9);
    keep_sink_cleanup(&k);
}

static void test_fusion_errors(void)
{
    const struct tp_importer *fu = &tp_import_fusion;
    expect_error(fu, "x = 1", 10, TP_ERR_PARSE, 1, "expected a table after a name");
    expect_error(fu, "{ Tools = ordered() {\n\n", 10, TP_ERR_PARSE, 3, "not closed with '}'");
    expect_error(fu, "{ Tools = 1 }", 10, TP_ERR_PARSE, 0, "no Tools table");
    expect_error(fu, "{ A = \"open\n }", 10, TP_ERR_PARSE, 1, "string is not closed");
    expect_error(fu, "{ A = 1 B = 2 }", 10, TP_ERR_PARSE, 1, "expected ',' or '}'");
    expect_error(fu, "{ A = 0x10 }", 10, TP_ERR_PARSE, 1, "number is malformed");
    expect_error(fu, "{ A = f(1) {} }", 10, TP_ERR_PARSE, 1, "only empty calls");
    expect_error(fu, "{ --[[ open\n", 10, TP_ERR_PARSE, 1, "comment is not closed");
    expect_error(fu, "{} {}", 10, TP_ERR_PARSE, 1, "follows the closing");
    expect_error(fu,
                 "{ Tools = ordered() { T = Tracker { Inputs = { TrackedCenter1 = Input { "
                 "SourceOp = \"gone\" } } } } }",
                 10, TP_ERR_PARSE, 1, "a tool this setting does not hold");
    expect_error(fu,
                 "{ Tools = ordered() { T = Tracker { Inputs = { TrackedCenter1 = Input { "
                 "SourceOp = \"P\" } } }, P = XYPath { Inputs = { X = Input { SourceOp = "
                 "\"S\" } } }, S = BezierSpline { KeyFrames = { [1.5] = { 0 } } } } }",
                 10, TP_ERR_PARSE, 0, "only whole frames");
    expect_error(fu,
                 "{ Tools = ordered() { T = Tracker { Inputs = { TrackedCenter1 = Input { "
                 "SourceOp = \"P\" } } }, P = XYPath { Inputs = { X = Input { SourceOp = "
                 "\"S\" } } }, S = BezierSpline { KeyFrames = { [1] = { 0 }, [1] = { 1 } } } } }",
                 10, TP_ERR_PARSE, 0, "two keys at frame 1");
    expect_error(fu,
                 "{ Tools = ordered() { T = Tracker { Inputs = { TrackedCenter1 = Input { "
                 "SourceOp = \"P\" } } },\n P = PolyPath { } } }",
                 10, TP_ERR_PARSE, 2, "Convert to XY Path");
    expect_error(fu,
                 "{ Tools = ordered() { T = Tracker { Inputs = { TrackedCenter1 = Input { "
                 "SourceOp = \"P\" } } }, P = XYPath { Inputs = { X = Input { Value = 0.5 }, "
                 "Y = Input { SourceOp = \"S\" } } }, S = BezierSpline { KeyFrames = { [1] = "
                 "{ 0 } } } } }",
                 0, TP_ERR_SIZE_REQUIRED, 0, "does not record the comp size");
}

/* Deep nesting is refused, not a stack overflow. */
static void test_fusion_depth(void)
{
    size_t n = 100000;
    char *text = malloc(n * 2 + 1);
    memset(text, '{', n);
    memset(text + n, '}', n);
    text[2 * n] = '\0';
    expect_error(&tp_import_fusion, text, 10, TP_ERR_LIMIT, -1, "nested more than");
    free(text);
}

/* ------------------------------------------------------------------ sniffers, detection */

static void test_detect(void)
{
    const struct tp_importer *imp = NULL;
    struct tp_diag d = {0};
    static const char *json = "{\"version\": 5, \"num_points\": 0, \"points\": []}";
    CHECK_INT(tp_detect("x.uv", uv_v1, strlen(uv_v1), &imp, &d), TP_OK);
    CHECK(imp == &tp_import_mmsolver);
    CHECK_INT(tp_detect("x.json", json, strlen(json), &imp, &d), TP_OK);
    CHECK(imp == &tp_import_mmsolver);
    CHECK_INT(tp_detect("x.setting", setting, strlen(setting), &imp, &d), TP_OK);
    CHECK(imp == &tp_import_fusion);
    CHECK_INT(tp_detect("paste.txt", setting, strlen(setting), &imp, &d), TP_OK);
    CHECK(imp == &tp_import_fusion);
    static const char *commented = "-- saved\n-- by hand\n{ Tools = ordered() { T = Tracker {} } }";
    CHECK(tp_import_fusion.sniff(commented, strlen(commented)) > 0);
    CHECK_INT(tp_import_fusion.sniff("{ a = 1 }", 9), 0);
    CHECK_INT(tp_import_mmsolver.sniff("{\"a\": 1}", 8), 0);
    CHECK_INT(tp_import_mmsolver.sniff(uv_v1, strlen(uv_v1)), 0); /* text: the extension decides */
}

/* ------------------------------------------------------------------ exporters */

static char *export_one(const struct tp_exporter *ex, const struct tp_tracker *t, size_t n, int w,
                        int h)
{
    struct tp_out *out;
    tp_out_open_memory(&out);
    void *state = calloc(1, ex->state_size ? ex->state_size : 1);
    CHECK_INT(ex->begin(state, out, w, h), TP_OK);
    for (size_t i = 0; i < n; i++)
        CHECK_INT(ex->tracker(state, out, &t[i]), TP_OK);
    if (ex->end)
        CHECK_INT(ex->end(state, out), TP_OK);
    if (ex->cleanup)
        ex->cleanup(state);
    free(state);
    tp_out_flush(out);
    size_t len;
    const char *mem = tp_out_memory(out, &len);
    char *text = strndup(mem, len);
    tp_out_free(out);
    return text;
}

static void test_exporters(void)
{
    struct tp_tracker t[2];
    tp_tracker_init(&t[0]);
    tp_tracker_init(&t[1]);
    tp_tracker_set_name(&t[0], "A", 1);
    tp_tracker_add(&t[0], 0, 50, 25, 0.5);
    tp_tracker_add(&t[0], 2, 100, 50, 0);
    tp_tracker_set_name(&t[1], "q\"\\\x01", 4);
    tp_tracker_add(&t[1], -1, 0, 100, 0);

    char *v1 = export_one(&tp_export_mmsolveruv1, t, 2, 100, 100);
    CHECK_STR(v1, "2\nA\n2\n1 0.500000000000000 0.250000000000000 1.00000000\n"
                  "3 1.000000000000000 0.500000000000000 1.00000000\n"
                  "q\"\\\x01\n1\n0 0.000000000000000 1.000000000000000 1.00000000\n");
    free(v1);

    char *v5 = export_one(&tp_export_mmsolveruv5, t + 1, 1, 100, 50);
    CHECK(strstr(v5, "{\"name\": \"q\\\"\\\\\\u0001\", \"id\": null") != NULL);
    CHECK(strstr(v5, "{\"frame\": 0, \"pos_dist\": [0.000000000000000, 2.000000000000000], "
                     "\"pos\": [0.000000000000000, 2.000000000000000], \"weight\": 1.0}") != NULL);
    CHECK(strstr(v5, "\"num_points\": 1, \"camera\": {\"resolution\": [100, 50]") != NULL);
    free(v5);

    char *fu = export_one(&tp_export_fusion, t, 2, 100, 100);
    CHECK(strstr(fu, "Name2 = Input { Value = \"q\\\"\\\\\\001\", },") != NULL);
    CHECK(strstr(fu, "\t\t\t\t[2] = { 1.000000000000000, Flags = { Linear = true } },\n") != NULL);
    CHECK(strstr(fu, "{ PatternTime = -1, PatternX = 0.000000000000000, PatternY = "
                     "1.000000000000000 },") != NULL);
    CHECK(strstr(fu, "CustomData = { TrackportWidth = 100, TrackportHeight = 100 }") != NULL);
    /* And the importer reads it back, name and all. */
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import(&tp_import_fusion, fu, 0, 0, &k, &d), TP_OK);
    CHECK_INT(k.n, 2);
    if (k.n == 2) {
        CHECK_STR(k.t[1].name, "q\"\\\x01");
        CHECK_INT(k.t[0].len, 2);
        CHECK_NEAR(k.t[0].keys[1].x, 100, 1e-9);
    }
    keep_sink_cleanup(&k);
    free(fu);
    tp_tracker_cleanup(&t[0]);
    tp_tracker_cleanup(&t[1]);
}

/* The JSON and setting readers take the whole text: past a line's 64 MiB limit too. */
static void test_read_all_large(void)
{
    size_t n = (size_t)TP_MAX_LINE + 3 * 1024 * 1024;
    char *big = malloc(n);
    memset(big, 'x', n);
    for (int pass = 0; pass < 2; pass++) {
        struct tp_input *in;
        CHECK_INT(tp_input_open_memory(big, n, &in), TP_OK);
        char *data = NULL;
        size_t len = 0;
        size_t max = pass ? n - 1 : n;
        CHECK_INT(tp_input_read_all(in, max, &data, &len), pass ? TP_ERR_LIMIT : TP_OK);
        if (!pass) {
            CHECK_INT(len, n);
            CHECK(data && data[n - 1] == 'x' && data[n] == '\0');
            CHECK(tp_input_getline(in, &len) == NULL); /* nothing left, buffer still usable */
        }
        free(data);
        tp_input_free(in);
    }
    free(big);
}

/* ------------------------------------------------------------------ runner */

static const struct check_case cases[] = {
    {"uv_v1", test_uv_v1},
    {"uv_json_versions", test_uv_json_versions},
    {"uv_errors", test_uv_errors},
    {"fusion_import", test_fusion_import},
    {"fusion_errors", test_fusion_errors},
    {"fusion_depth", test_fusion_depth},
    {"detect", test_detect},
    {"exporters", test_exporters},
    {"read_all_large", test_read_all_large},
};

int main(int argc, char **argv)
{
    return check_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
