/*
 * test_formats_misc.c — unit tests of the 3DEqualizer v3/v4, boujou, Maya Live, MatchMover
 * (.rz2) and MatchMover RZML importers and exporters: parsing of small hand-written files,
 * truncated files, garbage, huge numbers, malformed XML, sniffers, the wide fixed-point
 * formatter, exporter layout and round trips through each format.
 *
 * The format descriptors are used directly, so these tests do not depend on which rows
 * formats.def has enabled.
 */
#include "check.h"
#include "keep_sink.h"
#include "trackport.h"

#include <stdlib.h>
#include <time.h>

extern const struct tp_importer tp_import_equalizer3, tp_import_equalizer4, tp_import_boujou,
    tp_import_mayalive, tp_import_matchmover, tp_import_matchmoverrzml;
extern const struct tp_exporter tp_export_equalizer3, tp_export_equalizer4, tp_export_boujou,
    tp_export_mayalive, tp_export_matchmover;

/* ------------------------------------------------------------------ helpers */

/* Imports len bytes of data with imp (size w x h, 0 if not given) into k. */
static int import_mem(const struct tp_importer *imp, const char *data, size_t len, int w, int h,
                      struct keep_sink *k, struct tp_diag *diag)
{
    return keep_sink_import(imp, data, len, w, h, k, diag);
}

static int import_str(const struct tp_importer *imp, const char *text, int w, int h,
                      struct keep_sink *k, struct tp_diag *diag)
{
    return import_mem(imp, text, strlen(text), w, h, k, diag);
}

/* Runs an exporter over n trackers into a new memory out (caller frees). */
static struct tp_out *export_mem(const struct tp_exporter *ex, const struct tp_tracker *t,
                                 size_t n, int w, int h)
{
    struct tp_out *out;
    if (tp_out_open_memory(&out))
        return NULL;
    void *state = calloc(1, ex->state_size ? ex->state_size : 1);
    int rc = ex->begin ? ex->begin(state, out, w, h) : TP_OK;
    for (size_t i = 0; rc == TP_OK && i < n; i++)
        rc = ex->tracker(state, out, &t[i]);
    if (rc == TP_OK && ex->end)
        rc = ex->end(state, out);
    if (ex->cleanup)
        ex->cleanup(state);
    free(state);
    CHECK_INT(rc, TP_OK);
    CHECK_INT(tp_out_flush(out), TP_OK);
    return out;
}

static char *out_text(struct tp_out *out)
{
    size_t len;
    const char *mem = tp_out_memory(out, &len);
    char *s = malloc(len + 1);
    memcpy(s, mem, len);
    s[len] = '\0';
    return s;
}

/* ------------------------------------------------------------------ importers */

static void test_equalizer3(void)
{
    struct keep_sink k;
    struct tp_diag d;
    const char text[] = "// 3DE Multiple Tracking Curves Export 2048 x 778 * 275 frames\n"
                        "02\n"
                        "03\n"
                        "\t23\t71.7889\t481.708\n"
                        "\t24\t141.189\t477.176\n"
                        "\n"
                        "a 01\r\n"
                        "\t2\t1\t2\r\n"
                        "\t1\t3\t4\r\n";
    CHECK_INT(import_str(&tp_import_equalizer3, text, 0, 0, &k, &d), TP_OK);
    CHECK_INT(k.width, 2048);
    CHECK_INT(k.height, 778);
    CHECK_INT(k.n, 2); /* "02" has no keyframes and is dropped */
    CHECK(k.sorted);
    if (k.n == 2) {
        CHECK_STR(k.t[0].name, "03");
        CHECK_INT(k.t[0].len, 2);
        CHECK_INT(k.t[0].keys[0].frame, 22);
        CHECK_NEAR(k.t[0].keys[0].x, 71.7889, 1e-9);
        CHECK_NEAR(k.t[0].keys[0].y, 481.708, 1e-9);
        CHECK_STR(k.t[1].name, "a_01");
        CHECK_INT(k.t[1].keys[0].frame, 0);
        CHECK_NEAR(k.t[1].keys[0].x, 3, 0);
    }
    keep_sink_cleanup(&k);

    /* no header, a keyframe before any name, a bad number */
    CHECK_INT(import_str(&tp_import_equalizer3, "03\n\t1\t2\t3\n", 0, 0, &k, &d), TP_ERR_PARSE);
    CHECK_INT(d.line, 1);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_equalizer3, "// x 10 x 10\n\t1\t2\t3\n", 0, 0, &k, &d),
              TP_ERR_PARSE);
    CHECK(strstr(d.message, "before the first point") != NULL);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_equalizer3, "// 10 x 10\np\n\t1\t1e999\t3\n", 0, 0, &k, &d),
              TP_ERR_PARSE);
    CHECK_INT(d.line, 3);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_equalizer3, "// 10 x 10\np\n\t99999999999\t1\t3\n", 0, 0, &k,
                         &d),
              TP_ERR_PARSE);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_equalizer3, "", 0, 0, &k, &d), TP_ERR_PARSE);
    CHECK(d.message[0] != '\0');
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_equalizer3, "// 10 x 10\np\n", 0, 0, &k, &d),
              TP_ERR_NO_TRACKERS);
    keep_sink_cleanup(&k);
}

static void test_equalizer4(void)
{
    struct keep_sink k;
    struct tp_diag d;
    const char text[] = "2\n"
                        "01\n"
                        "0\n"
                        "3\n"
                        "40 407.384758225105315 232.449011732690479\n"
                        "\n"
                        "39 1 2\n"
                        "41 3 4\n"
                        "second one\n"
                        "0\n"
                        "1\n"
                        "1 5 6\n";
    CHECK_INT(import_str(&tp_import_equalizer4, text, 1024, 512, &k, &d), TP_OK);
    CHECK_INT(k.n, 2);
    CHECK(k.sorted);
    if (k.n == 2) {
        CHECK_STR(k.t[0].name, "01");
        CHECK_INT(k.t[0].len, 3);
        CHECK_INT(k.t[0].keys[0].frame, 38);
        CHECK_INT(k.t[0].keys[1].frame, 39);
        CHECK_NEAR(k.t[0].keys[1].x, 407.384758225105315, 1e-12);
        CHECK_STR(k.t[1].name, "second_one");
        CHECK_INT(k.t[1].keys[0].frame, 0);
    }
    keep_sink_cleanup(&k);

    /* the size is required */
    CHECK_INT(import_str(&tp_import_equalizer4, text, 0, 0, &k, &d), TP_ERR_SIZE_REQUIRED);
    keep_sink_cleanup(&k);
    /* truncated in the last point's keyframes: keeps what is there */
    CHECK_INT(import_str(&tp_import_equalizer4, "1\np\n0\n5\n1 1 1\n2 2 2\n", 10, 10, &k, &d),
              TP_OK);
    CHECK_INT(k.n == 1 ? k.t[0].len : 0, 2);
    keep_sink_cleanup(&k);
    /* announces more points than it has */
    CHECK_INT(import_str(&tp_import_equalizer4, "3\np\n0\n1\n1 1 1\n", 10, 10, &k, &d),
              TP_ERR_PARSE);
    CHECK(strstr(d.message, "truncated") != NULL);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_equalizer4, "many\n", 10, 10, &k, &d), TP_ERR_PARSE);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_equalizer4, "1\np\n0\nlots\n", 10, 10, &k, &d), TP_ERR_PARSE);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_equalizer4, "99999999999999999999\n", 10, 10, &k, &d),
              TP_ERR_PARSE);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_equalizer4, "1\np\n0\n1\n1 x 2\n", 10, 10, &k, &d),
              TP_ERR_PARSE);
    CHECK_INT(d.line, 5);
    keep_sink_cleanup(&k);
}

static void test_boujou(void)
{
    struct keep_sink k;
    struct tp_diag d;
    const char text[] = "# boujou 2d tracks export: text\r\n"
                        "# boujou version: 4.1.0 28444 \r\n"
                        "# Creation date : Thu Nov 26 01:20:19 2009\r\n"
                        "# \r\n"
                        "# track_id    view      x    y\r\n"
                        "Target_track_1  5  252.046  171.677\r\n"
                        "Target_track_1  6  250.754  171.581\r\n"
                        "tracker1  1  10  20\r\n"
                        "Target_track_1  1  1011.07  567.902\r\n";
    CHECK_INT(import_str(&tp_import_boujou, text, 2560, 1200, &k, &d), TP_OK);
    CHECK_INT(k.n, 3); /* a name that comes back starts a new track */
    if (k.n == 3) {
        CHECK_STR(k.t[0].name, "Target_track_1");
        CHECK_INT(k.t[0].keys[0].frame, 4);
        CHECK_NEAR(k.t[0].keys[0].x, 252.046, 1e-9);
        CHECK_NEAR(k.t[0].keys[0].y, 1200 - 171.677 - 1, 1e-9);
        CHECK_STR(k.t[2].name, "Target_track_1");
        CHECK_INT(k.t[2].len, 1);
    }
    keep_sink_cleanup(&k);

    /* columns in another order */
    CHECK_INT(import_str(&tp_import_boujou, "# track_id x y view\na 1 2 3\n", 100, 100, &k, &d),
              TP_OK);
    if (k.n == 1) {
        CHECK_INT(k.t[0].keys[0].frame, 2);
        CHECK_NEAR(k.t[0].keys[0].x, 1, 0);
        CHECK_NEAR(k.t[0].keys[0].y, 100 - 2 - 1, 0);
    }
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_boujou, "a 1 2 3\n", 100, 100, &k, &d), TP_ERR_PARSE);
    CHECK(strstr(d.message, "track_id") != NULL);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_boujou, "# track_id view x y\na 1 2\n", 100, 100, &k, &d),
              TP_ERR_PARSE);
    CHECK_INT(d.line, 2);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_boujou, "# track_id view x y\na 1 2 -1e309\n", 100, 100, &k,
                         &d),
              TP_ERR_PARSE);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_boujou, "# track_id view x y\na 1 2 3\n", 0, 0, &k, &d),
              TP_ERR_SIZE_REQUIRED);
    keep_sink_cleanup(&k);
}

static void test_mayalive(void)
{
    struct keep_sink k;
    struct tp_diag d;
    const char text[] = "#  Size  1280  540\n"
                        "#  Name  trackedPoint1\n"
                        "0 0 -0.9313242266 0.9012815096 -1\n"
                        "0 1 -0.9353751526 0.8866981763 0.0007730722427\n"
                        "#  Name second point\n"
                        "1 3 0 0\n";
    CHECK_INT(import_str(&tp_import_mayalive, text, 0, 0, &k, &d), TP_OK);
    CHECK_INT(k.width, 1280);
    CHECK_INT(k.height, 540);
    CHECK_INT(k.n, 2);
    if (k.n == 2) {
        CHECK_STR(k.t[0].name, "trackedPoint1");
        CHECK_NEAR(k.t[0].keys[0].x, 388.542459, 1e-6);
        CHECK_NEAR(k.t[0].keys[0].y, 513.346008, 1e-6);
        CHECK_NEAR(k.t[0].keys[0].residual, 0, 0);
        CHECK_NEAR(k.t[0].keys[1].residual, 0.0007730722427, 1e-15);
        CHECK_STR(k.t[1].name, "second_point");
        CHECK_INT(k.t[1].keys[0].frame, 3);
        CHECK_NEAR(k.t[1].keys[0].x, 640, 1e-9);
        CHECK_NEAR(k.t[1].keys[0].y, 270, 1e-9);
    }
    keep_sink_cleanup(&k);

    CHECK_INT(import_str(&tp_import_mayalive, "#  Size  10  10\n0 0 0 0 0\n", 0, 0, &k, &d),
              TP_ERR_PARSE);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_mayalive, "#  Size\n", 0, 0, &k, &d), TP_ERR_PARSE);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_mayalive, "#  Size 10 10\n#  Name a\n0 0 x 0 0\n", 0, 0, &k,
                         &d),
              TP_ERR_PARSE);
    CHECK_INT(d.line, 3);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_mayalive, "#  Size 99999999999 10\n", 0, 0, &k, &d),
              TP_ERR_PARSE);
    keep_sink_cleanup(&k);
}

static void test_matchmover(void)
{
    struct keep_sink k;
    struct tp_diag d;
    /* the sequence path spans lines, so b( ) comes two lines after the size */
    const char text[] = "imageSequence\t\"Sequence 01\"\n"
                        "{\n"
                        "\t2156\t1804\tf( \"/a/b c/\n"
                        "s_pm\n"
                        "/x.%d.jpg\" )\tb( 1001 1256 1 )\t\n"
                        "}\n"
                        "pointTrack  \"Track 01\"  rgb( 0 0 0 )\t\n"
                        "{\n"
                        "\t1120\t    10.715    1342.636    kb( 0.8 )\t    s( 28 28 33 33 )\n"
                        "\t1122\t    28.120    1288.317     p*( 0.926994 )\t\n"
                        "\t1121\t    15.694    1327.785     p+( 0.5 )\t\n"
                        "}\n";
    CHECK_INT(import_str(&tp_import_matchmover, text, 0, 0, &k, &d), TP_OK);
    CHECK_INT(k.width, 2156);
    CHECK_INT(k.height, 1804);
    CHECK_INT(k.n, 1);
    CHECK(k.sorted);
    if (k.n == 1 && k.t[0].len == 3) {
        CHECK_STR(k.t[0].name, "Track_01");
        CHECK_INT(k.t[0].keys[0].frame, 119);
        CHECK_NEAR(k.t[0].keys[0].y, 1804 - 1342.636, 1e-9);
        CHECK_NEAR(k.t[0].keys[0].residual, 0, 0);
        CHECK_INT(k.t[0].keys[1].frame, 120);
        CHECK_NEAR(k.t[0].keys[1].residual, 0.5, 1e-12);
        CHECK_NEAR(k.t[0].keys[2].residual, 1 - 0.926994, 1e-12);
    }
    keep_sink_cleanup(&k);

    /* no b( ): frames as they are */
    const char plain[] = "imageSequence\t\"Sequence 01\"\n{\n\t714\t480\n}\r\n"
                         "pointTrack\t\"Tracker0002\"\r\n{\n\t1017\t357.898651  108.031616\r\n}\n";
    CHECK_INT(import_str(&tp_import_matchmover, plain, 0, 0, &k, &d), TP_OK);
    CHECK_INT(k.n == 1 ? k.t[0].keys[0].frame : -1, 1017);
    keep_sink_cleanup(&k);

    /* a track that is not closed, a duplicate frame, a bad size, garbage keyframes */
    CHECK_INT(import_str(&tp_import_matchmover,
                         "imageSequence\n{\n\t10\t10\n}\npointTrack \"a\"\n{\n\t1\t1 1\n", 0, 0,
                         &k, &d),
              TP_ERR_PARSE);
    CHECK(strstr(d.message, "not closed") != NULL);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_matchmover,
                         "imageSequence\n{\n\t10\t10\n}\npointTrack \"a\"\n{\n\t1\t1 1\n\t1\t2 "
                         "2\n}\n",
                         0, 0, &k, &d),
              TP_ERR_PARSE);
    CHECK(strstr(d.message, "twice") != NULL);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_matchmover, "imageSequence\n{\n\tno size\n}\n", 0, 0, &k, &d),
              TP_ERR_PARSE);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_matchmover, "imageSequence\n", 0, 0, &k, &d), TP_ERR_PARSE);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_matchmover,
                         "imageSequence\n{\n\t10\t10\n}\npointTrack \"a\"\n{\n\t1\tnope 1\n}\n", 0,
                         0, &k, &d),
              TP_ERR_PARSE);
    CHECK_INT(d.line, 7);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_matchmover,
                         "imageSequence\n{\n\t10\t10\tb( 5 9 1 )\n}\npointTrack \"a\"\n{\n"
                         "\t99999999999999\t1 1\n}\n",
                         0, 0, &k, &d),
              TP_ERR_PARSE);
    keep_sink_cleanup(&k);
}

/* A large track listed in reverse frame order imports quickly and sorted. */
static void test_matchmover_reversed(void)
{
    enum { N = 200000 };
    size_t cap = (size_t)N * 40 + 256, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text + len, cap - len,
                            "imageSequence\n{\n\t100\t100\tb( 0 1 1 )\n}\npointTrack \"r\"\n{\n");
    for (int f = N - 1; f >= 0; f--)
        len += (size_t)snprintf(text + len, cap - len, "\t%d\t1.5 2.5  p+( 0.9 )\n", f);
    len += (size_t)snprintf(text + len, cap - len, "}\n");
    struct keep_sink k;
    struct tp_diag d;
    clock_t start = clock();
    CHECK_INT(import_mem(&tp_import_matchmover, text, len, 0, 0, &k, &d), TP_OK);
    double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
    CHECK_REPORT(seconds < 5.0, "a reversed track of %d keyframes took %.1f s", N, seconds);
    CHECK(k.sorted);
    CHECK_INT(k.n == 1 ? k.t[0].len : 0, N);
    keep_sink_cleanup(&k);
    free(text);
}

static const char rzml_doc[] =
    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" standalone=\"yes\"?>\n"
    "<!DOCTYPE RZML [ <!ENTITY e \"x>y\"> ]>\n"
    "<!-- a comment with <tags> inside -->\n"
    "<RZML v=\"1.3.2\" app='MatchMover'>\n"
    "  <SHOT i=\"1\" n=\"Sequence 01\" w=\"2048\"\n"
    "        h=\"1152\">\n"
    "    <CFRM t=\"3\"><T y=\"1\"/></CFRM>\n"
    "    <IPLN img=\"a&gt;b.####.jpg\" b=\"1\" e=\"71\">\n"
    "      <IFRM>\n"
    "        <M i=\"1\" k=\"i\" x=\"626.68\" y=\"488.56\" tt=\"0.8000000119\" cf=\"0\">\n"
    "          <TKP><RECT l=\"13\" r=\"13\" t=\"14\" b=\"14\"/></TKP>\n"
    "        </M>\n"
    "        <M i=\"a&amp;b\" x=\"1\" y=\"2\"/>\n"
    "      </IFRM>\n"
    "      <IFRM t=\"2\">\n"
    "        <M i=\"1\" x=\"627.24\" y=\"488.49\" tm=\"fw\" cs=\"0.95\"/>\n"
    "        <![CDATA[ <M i=\"9\" x=\"1\" y=\"1\"/> ]]>\n"
    "      </IFRM>\n"
    "      <IFRM t=\"1\"><M i=\"1\" x=\"1\" y=\"2\"/></IFRM>\n"
    "    </IPLN>\n"
    "    <M i=\"outside\" x=\"1\" y=\"1\"/>\n"
    "  </SHOT>\n"
    "</RZML>\n";

static void test_rzml(void)
{
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_str(&tp_import_matchmoverrzml, rzml_doc, 0, 0, &k, &d), TP_OK);
    CHECK_INT(k.width, 2048);
    CHECK_INT(k.height, 1152);
    CHECK_INT(k.n, 2);
    CHECK(k.sorted);
    if (k.n == 2) {
        CHECK_STR(k.t[0].name, "1");
        CHECK_INT(k.t[0].len, 3);
        CHECK_INT(k.t[0].keys[0].frame, 0);
        CHECK_NEAR(k.t[0].keys[0].x, 626.68, 1e-9);
        CHECK_NEAR(k.t[0].keys[0].y, 1152 - 488.56, 1e-9);
        CHECK_NEAR(k.t[0].keys[0].residual, 0.8000000119, 1e-12);
        CHECK_INT(k.t[0].keys[1].frame, 1);
        CHECK_INT(k.t[0].keys[2].frame, 2);
        CHECK_NEAR(k.t[0].keys[2].residual, 0, 0);
        CHECK_STR(k.t[1].name, "a&b");
    }
    keep_sink_cleanup(&k);

    /* Every cut of the document is an error with a message, never a partial result. */
    size_t len = strlen(rzml_doc);
    int errors = 0;
    for (size_t cut = 0; cut < len - 1; cut++) {
        int rc = import_mem(&tp_import_matchmoverrzml, rzml_doc, cut, 0, 0, &k, &d);
        if (rc != TP_OK && d.message[0])
            errors++;
        keep_sink_cleanup(&k);
    }
    CHECK_INT(errors, (int)len - 1);
}

static void check_rzml_error(const char *doc, const char *words)
{
    struct keep_sink k;
    struct tp_diag d;
    int rc = import_str(&tp_import_matchmoverrzml, doc, 0, 0, &k, &d);
    CHECK_REPORT(rc != TP_OK && strstr(d.message, words) != NULL,
                 "%.60s: expected an error with \"%s\", got %s \"%s\"", doc, words,
                 tp_error_name(rc), d.message);
    keep_sink_cleanup(&k);
}

static void test_rzml_malformed(void)
{
    check_rzml_error("<RZML><SHOT w=\"1\" h=\"1\"><IPLN>", "ends inside <IPLN>");
    check_rzml_error("<RZML><SHOT w=\"1\" h=\"1\"></IPLN></RZML>", "does not match");
    check_rzml_error("</RZML>", "no matching opening");
    check_rzml_error("<RZML><SHOT w=\"1\" h=\"1></SHOT></RZML>", "ends inside a tag");
    check_rzml_error("<RZML><SHOT w=1 h=1/></RZML>", "quoted");
    check_rzml_error("<RZML><SHOT w=\"1\"h=\"1\"/></RZML>", "Malformed attribute");
    check_rzml_error("<RZML><SHOT w=\"1\" h=\"1\" / ></RZML>", "'/' inside");
    check_rzml_error("<RZML><!-- never closed </RZML>", "comment is not closed");
    check_rzml_error("<RZML><![CDATA[ never closed </RZML>", "CDATA");
    check_rzml_error("<?xml version=\"1.0\"", "processing instruction");
    check_rzml_error("<RZML>< SHOT/></RZML>", "element name");
    check_rzml_error("<RZML><SHOT w=\"1\" h=\"1\" <M/></RZML>", "before the next '<'");
    check_rzml_error("<RZML></RZML x>", "Malformed closing");
    check_rzml_error("<RZML><IPLN><M i=\"1\" x=\"1\" y=\"1\"/></IPLN></RZML>", "SHOT");
    check_rzml_error("<RZML><SHOT w=\"1\" h=\"1\"><IPLN><M x=\"1\" y=\"1\"/></IPLN></SHOT></RZML>",
                     "needs an i");
    check_rzml_error("<RZML><SHOT w=\"1\" h=\"1\"><IPLN><M i=\"1\" x=\"1e999\" y=\"1\"/>"
                     "</IPLN></SHOT></RZML>",
                     "numeric x and y");
    check_rzml_error("<RZML><SHOT w=\"big\" h=\"1\"/></RZML>", "whole numbers");
    check_rzml_error("<RZML><SHOT w=\"99999999999999\" h=\"1\"/></RZML>", "whole numbers");
    check_rzml_error("<RZML><SHOT w=\"1\" h=\"1\"><IPLN><IFRM t=\"x\"/></IPLN></SHOT></RZML>",
                     "whole frame");

    /* deep nesting stops at the limit with a message */
    size_t depth = 300, len = 0;
    char *doc = malloc(depth * 3 + 16);
    for (size_t i = 0; i < depth; i++) {
        memcpy(doc + len, "<a>", 3);
        len += 3;
    }
    doc[len] = '\0';
    check_rzml_error(doc, "deeper than 256");
    free(doc);

    /* too many attributes */
    char many[128 * 8 + 64];
    len = (size_t)snprintf(many, sizeof many, "<RZML><X");
    for (int i = 0; i < 130; i++)
        len += (size_t)snprintf(many + len, sizeof many - len, " a%d=\"\"", i);
    snprintf(many + len, sizeof many - len, "/></RZML>");
    check_rzml_error(many, "more than 128");

    /* a well-formed document without RZML content has no trackers */
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_str(&tp_import_matchmoverrzml, "<a><b/></a>", 0, 0, &k, &d),
              TP_ERR_NO_TRACKERS);
    keep_sink_cleanup(&k);
    CHECK_INT(import_str(&tp_import_matchmoverrzml, "", 0, 0, &k, &d), TP_ERR_NO_TRACKERS);
    keep_sink_cleanup(&k);
    /* binary garbage */
    static const char garbage[] = "\x00\xff<\xfe\x01<<<\"\"'>>\x7f<!";
    int rc = import_mem(&tp_import_matchmoverrzml, garbage, sizeof garbage - 1, 0, 0, &k, &d);
    CHECK(rc != TP_OK && d.message[0]);
    keep_sink_cleanup(&k);
}

/* Every importer survives every cut and a set of damaged variants of a valid file. */
static void test_truncations(void)
{
    static const struct {
        const struct tp_importer *imp;
        const char *text;
    } cases[] = {
        {&tp_import_equalizer3, "// 3DE Multiple Tracking Curves Export 20 x 10 * 3 frames\n"
                                "p1\n\t1\t1.5\t2.5\n\t2\t3\t4\n"},
        {&tp_import_equalizer4, "1\np1\n0\n2\n1 1.5 2.5\n2 3 4\n"},
        {&tp_import_boujou, "# boujou 2d tracks export: text\n# track_id view x y\n"
                            "p1  1  1.5  2.5\np1  2  3  4\n"},
        {&tp_import_mayalive, "#  Size  20  10  2.00\n#  Name p1\n0 0 0.1 0.2 0.3\n"},
        {&tp_import_matchmover, "imageSequence \"s\"\n{\n\t20\t10\tb( 1 9 1 )\n}\n"
                                "pointTrack \"p1\"\n{\n\t1\t1.5 2.5 ki( 0.8 )\n}\n"},
        {&tp_import_matchmoverrzml, "<RZML><SHOT w=\"20\" h=\"10\"><IPLN><IFRM t=\"0\">"
                                    "<M i=\"1\" x=\"1\" y=\"2\"/></IFRM></IPLN></SHOT></RZML>"},
    };
    static const char *const nasty[] = {"1e400", "-99999999999999999999", "nan", "\"", "}",
                                        "<",     "\n",                    "\t", "#  Name", "&#0;"};
    uint32_t seed = 99;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *text = cases[c].text;
        size_t len = strlen(text);
        struct keep_sink k;
        struct tp_diag d;
        CHECK_INT(import_str(cases[c].imp, text, 20, 10, &k, &d), TP_OK);
        keep_sink_cleanup(&k);
        for (size_t cut = 0; cut <= len; cut++) {
            int rc = import_mem(cases[c].imp, text, cut, 20, 10, &k, &d);
            CHECK_REPORT(rc == TP_OK || d.message[0], "%s cut at %zu: %s without a message",
                         cases[c].imp->name, cut, tp_error_name(rc));
            CHECK(k.sorted);
            keep_sink_cleanup(&k);
        }
        char buf[512];
        for (int round = 0; round < 400; round++) {
            size_t n = len < sizeof buf - 32 ? len : sizeof buf - 32;
            memcpy(buf, text, n);
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % n;
            const char *tok = nasty[(seed >> 20) % (sizeof nasty / sizeof nasty[0])];
            size_t tl = strlen(tok);
            if (round % 2) {
                memmove(buf + at + tl, buf + at, n - at);
                memcpy(buf + at, tok, tl);
                n += tl;
            } else {
                buf[at] = (char)(seed >> 24);
            }
            int rc = import_mem(cases[c].imp, buf, n, 20, 10, &k, &d);
            CHECK_REPORT(rc == TP_OK || d.message[0], "%s damaged: %s without a message",
                         cases[c].imp->name, tp_error_name(rc));
            CHECK(k.sorted);
            keep_sink_cleanup(&k);
        }
    }
}

/* ------------------------------------------------------------------ sniffers */

static void test_sniffers(void)
{
    static const char shake_text[] = "TrackName track1\n   Frame             X             Y   "
                                     "Correlation\n  121.00       379.820      1020.810   1.000\n";
    static const char syntheyes[] = "Tracker1 1 -0.067728 -0.244922 15\nTracker1 2 -0.06 -0.2 7\n";
    static const char sy_all[] = "Tracker2\n0 760.632 727.860\n1 754.284 723.877\n";
    static const char pftrack[] = "# 2D feature tracks generated by PFTrack 5.0r11\n#\n"
                                  "\"Tracker1\"\n\"Primary\"\n1\n0 960.000 540.000 0.000\n";
    static const char pftrack4[] = "\n\n\"Tracker1\"\n341\n41 984.611 30.220 0.000\n";
    static const char *const others[] = {shake_text, syntheyes, sy_all, pftrack, pftrack4};
    const struct tp_importer *mine[] = {&tp_import_equalizer3, &tp_import_equalizer4,
                                        &tp_import_boujou,     &tp_import_mayalive,
                                        &tp_import_matchmover, &tp_import_matchmoverrzml};
    for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++)
        for (size_t o = 0; o < sizeof others / sizeof others[0]; o++)
            CHECK_REPORT(mine[i]->sniff(others[o], strlen(others[o])) == 0,
                         "%s claims another format's file %zu", mine[i]->name, o);

    const char e3[] = "// 3DE Multiple Tracking Curves Export 2048 x 778 * 275 frames\n02\n";
    const char e4[] = "8\n01\n0\n61\n40 407.384758225105315 232.449011732690479\n";
    const char bj[] = "# boujou 2d tracks export: text\n# track_id    view      x    y\n";
    const char ml[] = "#  Size  1280  540\n#  Name  trackedPoint1\n0 0 -0.93 0.90 -1\n";
    const char mm[] = "imageSequence\t\"Sequence 01\"\n{\n\t2560\t1080\n}\npointTrack \"a\"\n";
    const char rz[] = "<?xml version=\"1.0\"?>\n<RZML v=\"1.3.2\">\n";
    const char *const own[] = {e3, e4, bj, ml, mm, rz};
    for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++) {
        for (size_t j = 0; j < sizeof own / sizeof own[0]; j++) {
            int score = mine[i]->sniff(own[j], strlen(own[j]));
            if (i == j)
                CHECK_REPORT(score >= 60, "%s scores its own file %d", mine[i]->name, score);
            else
                CHECK_REPORT(score == 0, "%s claims file %zu (%d)", mine[i]->name, j, score);
        }
    }
    CHECK_INT(tp_import_equalizer4.sniff("", 0), 0);
    CHECK_INT(tp_import_mayalive.sniff("#", 1), 0);
}

/* ------------------------------------------------------------------ exporters */

static void make_tracker(struct tp_tracker *t, const char *name, int first, int count, double x0,
                         double y0)
{
    tp_tracker_init(t);
    tp_tracker_set_name(t, name, strlen(name));
    for (int i = 0; i < count; i++)
        tp_tracker_add(t, first + i + i / 3, x0 + i * 12.345678, y0 - i * 7.654321,
                       (i % 10) / 10.0);
}

static void test_exporter_layout(void)
{
    struct tp_tracker t[2];
    make_tracker(&t[0], "a", 0, 2, 1, 2);
    make_tracker(&t[1], "say \"hi\" #{x}", 9, 1, 3, 4);

    struct tp_out *out = export_mem(&tp_export_equalizer3, t, 2, 640, 480);
    char *s = out_text(out);
    CHECK_STR(s, "// 3DE Multiple Tracking Curves Export 640 x 480 * 10 frames\n"
                 "a\n\t1\t1.000\t2.000\n\t2\t13.346\t-5.654\n"
                 "say_\"hi\"_#{x}\n\t10\t3.000\t4.000\n\n");
    free(s);
    tp_out_free(out);

    out = export_mem(&tp_export_equalizer4, t, 1, 640, 480);
    s = out_text(out);
    CHECK_STR(s, "1\na\n0\n2\n1 1.000000000000000 2.000000000000000\n"
                 "2 13.345677999999999 -5.654321000000000\n");
    free(s);
    tp_out_free(out);
    out = export_mem(&tp_export_equalizer4, t, 0, 640, 480);
    s = out_text(out);
    CHECK_STR(s, "0\n\n");
    free(s);
    tp_out_free(out);

    out = export_mem(&tp_export_matchmover, t + 1, 1, 640, 480);
    s = out_text(out);
    CHECK(strstr(s, "pointTrack  \"say_\\\"hi\\\"_\\#{x}\"  rgb( 255 0 0 )\t\n{\n") != NULL);
    CHECK(strstr(s, "\t640\t480\tf( \"D:/temp/sequence.%04d.dpx\" )\tb( 1 211 1 )\t\n") != NULL);
    free(s);
    tp_out_free(out);

    out = export_mem(&tp_export_mayalive, t, 1, 640, 480);
    s = out_text(out);
    CHECK(strncmp(s, "#  Size  640  480  1.33\n#  Name a\n0 0 ", 37) == 0);
    free(s);
    tp_out_free(out);

    out = export_mem(&tp_export_boujou, t, 1, 640, 480);
    s = out_text(out);
    CHECK(strstr(s, "# track_id      view      x      y\na  0  1.000  479.000\n") != NULL);
    free(s);
    tp_out_free(out);
    tp_tracker_cleanup(&t[0]);
    tp_tracker_cleanup(&t[1]);
}

/* ------------------------------------------------------------------ round trips */

struct trip {
    const struct tp_exporter *ex;
    const struct tp_importer *imp;
    double pos_tol;      /* pixels */
    int frame_shift;     /* read-back frame minus written frame */
    double y_shift;      /* read-back y minus written y */
    int residual;        /* 0 lost (reads 0), 1 kept, 2 kept divided by 10, 3 kept but the first */
};

static void test_round_trips(void)
{
    static const struct trip trips[] = {
        {&tp_export_equalizer3, &tp_import_equalizer3, 5e-4, 0, 0, 0},
        {&tp_export_equalizer4, &tp_import_equalizer4, 1e-9, 0, 0, 0},
        /* boujou's importer and exporter disagree by one view and one pixel each way */
        {&tp_export_boujou, &tp_import_boujou, 5e-4, -1, -2, 0},
        {&tp_export_mayalive, &tp_import_mayalive, 1e-6, 0, 0, 2},
        {&tp_export_matchmover, &tp_import_matchmover, 5e-4, 0, 0, 3},
    };
    const int w = 1920, h = 1080;
    struct tp_tracker t[3];
    make_tracker(&t[0], "one", 0, 40, 0, 1080);
    make_tracker(&t[1], "two", 7, 25, 960.123456, 540.654321);
    make_tracker(&t[2], "three", 100, 1, -15.5, 1200.25); /* off the image */
    for (size_t i = 0; i < sizeof trips / sizeof trips[0]; i++) {
        const struct trip *tr = &trips[i];
        struct tp_out *out = export_mem(tr->ex, t, 3, w, h);
        size_t len;
        const char *mem = tp_out_memory(out, &len);
        struct keep_sink k;
        struct tp_diag d;
        int rc = import_mem(tr->imp, mem, len, w, h, &k, &d);
        CHECK_REPORT(rc == TP_OK, "%s: %s", tr->ex->name, d.message);
        CHECK_INT(k.n, 3);
        CHECK_REPORT(tr->imp->sniff(mem, len) >= 60, "%s does not recognise its own output",
                     tr->imp->name);
        if (tr->imp->flags & TP_IMPORT_KNOWS_SIZE) {
            CHECK_INT(k.width, w);
            CHECK_INT(k.height, h);
        }
        for (size_t j = 0; j < k.n && j < 3; j++) {
            CHECK_STR(k.t[j].name, t[j].name);
            CHECK_INT(k.t[j].len, t[j].len);
            for (size_t f = 0; f < k.t[j].len && f < t[j].len; f++) {
                const struct tp_keyframe *a = &t[j].keys[f], *b = &k.t[j].keys[f];
                double want_r = tr->residual == 0   ? 0
                                : tr->residual == 2 ? a->residual / 10
                                : tr->residual == 3 && f == 0 ? 0
                                                              : a->residual;
                CHECK_REPORT(b->frame == a->frame + tr->frame_shift &&
                                 fabs(b->x - a->x) <= tr->pos_tol &&
                                 fabs(b->y - (a->y + tr->y_shift)) <= tr->pos_tol &&
                                 fabs(b->residual - want_r) <= 1e-6,
                             "%s round trip, %s frame %d: got %d %.9g %.9g %.9g", tr->ex->name,
                             t[j].name, a->frame, b->frame, b->x, b->y, b->residual);
            }
        }
        keep_sink_cleanup(&k);
        tp_out_free(out);
    }
    for (int j = 0; j < 3; j++)
        tp_tracker_cleanup(&t[j]);
}

int main(void)
{
    test_equalizer3();
    test_equalizer4();
    test_boujou();
    test_mayalive();
    test_matchmover();
    test_matchmover_reversed();
    test_rzml();
    test_rzml_malformed();
    test_truncations();
    test_sniffers();
    test_exporter_layout();
    test_round_trips();
    return check_summary();
}
