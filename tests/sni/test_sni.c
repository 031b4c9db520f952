/*
 * test_sni.c — Mocha's SynthEyes export, named *.sni: detected by its extension (in any case)
 * and read by the SynthEyes importer, with or without the outcome column; content that is
 * plainly another format wins over the extension; and extension lists of other importers.
 */
#include "check.h"
#include "keep_sink.h"
#include "trackport.h"

extern const struct tp_importer tp_import_syntheyes;
extern const struct tp_importer tp_import_aekeyframes;

static const struct tp_importer *detect(const char *name, const char *text, int *rc)
{
    const struct tp_importer *imp = NULL;
    struct tp_diag d = {0};
    *rc = tp_detect(name, text, strlen(text), &imp, &d);
    return imp;
}

static void test_detect_by_extension(void)
{
    /* Four columns: the SynthEyes sniffer alone would not claim this text. */
    const char *four = "Corner1 0 -0.6 -0.5\r\nCorner1 1 -0.599 -0.502\r\nCorner2 0 0.6 -0.5\r\n";
    int rc;
    CHECK(detect("shot.sni", four, &rc) == &tp_import_syntheyes);
    CHECK_INT(rc, TP_OK);
    CHECK(detect("/up/load/SHOT.SNI", four, &rc) == &tp_import_syntheyes);
    CHECK_INT(rc, TP_OK);
    CHECK(detect("shot.txt", four, &rc) == NULL);
    CHECK_INT(rc, TP_ERR_UNKNOWN_FORMAT);
    const char *five = "T 1 -0.25 0.1 15\nT 2 -0.25 0.11 15\nT 3 -0.25 0.12 15\n";
    CHECK(detect("shot.sni", five, &rc) == &tp_import_syntheyes);
    CHECK(strstr(tp_import_syntheyes.extension, ".sni") != NULL);
}

static void test_read(void)
{
    const char *four = "Corner1 0 -1 -1\r\nCorner1 1 1 1\r\n\r\nCorner2 3 0 0\r\n";
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(keep_sink_import(&tp_import_syntheyes, four, strlen(four), 101, 51, &k, &d), TP_OK);
    CHECK_INT(k.n, 2);
    if (k.n == 2) {
        CHECK_STR(k.t[0].name, "Corner1");
        /* -1 and 1 are the centres of the outermost pixels; v points down */
        CHECK_NEAR(k.t[0].keys[0].x, 0.5, 1e-9);
        CHECK_NEAR(k.t[0].keys[0].y, 50.5, 1e-9);
        CHECK_NEAR(k.t[0].keys[1].x, 100.5, 1e-9);
        CHECK_NEAR(k.t[0].keys[1].y, 0.5, 1e-9);
        CHECK_INT(k.t[1].keys[0].frame, 3);
    }
    keep_sink_cleanup(&k);
}

/* A .sni that holds something else: the content decides when it is sure, and otherwise the
 * SynthEyes importer says what is wrong rather than "unknown format". */
static void test_other_content(void)
{
    const char *ae = "Adobe After Effects 6.0 Keyframe Data\n\n\tSource Width\t10\n"
                     "\tSource Height\t10\n\nPosition\n\tFrame\tX pixels\tY pixels\n\t0\t1\t2\n";
    int rc;
    CHECK(detect("mocha.sni", ae, &rc) == &tp_import_aekeyframes);
    const char *binary = "SNI\x01\x02 binary scene";
    CHECK(detect("scene.sni", binary, &rc) == &tp_import_syntheyes);
    CHECK_INT(rc, TP_OK);
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(keep_sink_import(&tp_import_syntheyes, binary, strlen(binary), 100, 100, &k, &d),
              TP_ERR_PARSE);
    CHECK(strstr(d.message, "Line 1:") != NULL);
    keep_sink_cleanup(&k);
}

/* Single extensions still decide alone, as before. */
static void test_single_extensions(void)
{
    int rc;
    CHECK(detect("a.nk", "", &rc) == tp_find_importer("nukescript"));
    CHECK(detect("a.2dt", "", &rc) == tp_find_importer("pftrack"));
    CHECK(detect("a.rz2", "", &rc) == tp_find_importer("matchmover"));
}

int main(int argc, char **argv)
{
    static const struct check_case cases[] = {
        {"detect_by_extension", test_detect_by_extension},
        {"read", test_read},
        {"other_content", test_other_content},
        {"single_extensions", test_single_extensions},
    };
    return check_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
