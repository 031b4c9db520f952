/*
 * test_aekeyframes.c — the After Effects keyframe data importer and its three exporters:
 * every header version, every kind of block (Transform Position and Anchor Point with and
 * without Z, Mocha's bare blocks, Corner Pin, CC Power Pin, tracker Feature Center and Attach
 * Point, skipped blocks), missing blocks and sizes, CRLF, comma decimals, tabs turned to
 * spaces, layers, damaged input, sniffing and detection, exact exporter output, the corner
 * assignment of the pin exporters, and round trips through each exporter.
 */
#include "check.h"
#include "export_text.h"
#include "keep_sink.h"
#include "trackport.h"

#include <stdint.h>
#include <stdlib.h>

extern const struct tp_importer tp_import_aekeyframes;
extern const struct tp_exporter tp_export_aekeyframes;
extern const struct tp_exporter tp_export_aecornerpin;
extern const struct tp_exporter tp_export_aepowerpin;

#define AE_HEAD(version)                                                                           \
    "Adobe After Effects " version " Keyframe Data\n\n\tUnits Per Second\t25\n"                    \
    "\tSource Width\t1920\n\tSource Height\t1080\n\tSource Pixel Aspect Ratio\t1\n"                \
    "\tComp Pixel Aspect Ratio\t1\n\n"

static int import_sized(const char *text, int w, int h, struct keep_sink *k, struct tp_diag *d)
{
    return keep_sink_import(&tp_import_aekeyframes, text, strlen(text), w, h, k, d);
}

static int import_text(const char *text, struct keep_sink *k, struct tp_diag *d)
{
    return import_sized(text, 0, 0, k, d);
}

static const struct tp_tracker *find(const struct keep_sink *k, const char *name)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->t[i].name, name) == 0)
            return &k->t[i];
    return NULL;
}

/* check_key checks keyframe i of the tracker named name (model coordinates). */
static void check_key(const struct keep_sink *k, const char *name, size_t i, int frame, double x,
                      double y)
{
    const struct tp_tracker *t = find(k, name);
    CHECK_REPORT(t != NULL, "no tracker named %s", name);
    if (!t)
        return;
    CHECK_REPORT(i < t->len, "%s has %zu keyframes, wanted index %zu", name, t->len, i);
    if (i >= t->len)
        return;
    CHECK_INT(t->keys[i].frame, frame);
    CHECK_NEAR(t->keys[i].x, x, 1e-9);
    CHECK_NEAR(t->keys[i].y, y, 1e-9);
    CHECK_NEAR(t->keys[i].residual, 0, 0);
}

/* ------------------------------------------------------------------ importer */

static void test_versions(void)
{
    static const char *const versions[] = {"5.0", "6.0", "7.0", "8.0", "9.0"};
    for (size_t v = 0; v < sizeof versions / sizeof versions[0]; v++) {
        char text[512];
        snprintf(text, sizeof text,
                 "Adobe After Effects %s Keyframe Data\n\n\tUnits Per Second\t23.976\n"
                 "\tSource Width\t1280\n\tSource Height\t720\n\tSource Pixel Aspect Ratio\t1\n"
                 "\tComp Pixel Aspect Ratio\t1\n\nTransform\tPosition\n"
                 "\tFrame\tX pixels\tY pixels\tZ pixels\n\t0\t640\t360\t0\n\t1\t641.5\t359\t0\n\n"
                 "End of Keyframe Data\n",
                 versions[v]);
        struct keep_sink k;
        struct tp_diag d;
        CHECK_INT(import_text(text, &k, &d), TP_OK);
        CHECK_INT(k.width, 1280);
        CHECK_INT(k.height, 720);
        CHECK_INT(k.n, 1);
        check_key(&k, "Position", 0, 0, 640, 360);
        check_key(&k, "Position", 1, 1, 641.5, 361);
        keep_sink_cleanup(&k);
    }
    CHECK_INT(tp_import_aekeyframes.flags & TP_IMPORT_KNOWS_SIZE, TP_IMPORT_KNOWS_SIZE);
}

static void test_transform_blocks(void)
{
    const char *text = AE_HEAD(
        "8.0") "Transform\tAnchor Point\n\tFrame\tX pixels\tY pixels\tZ pixels\t\n"
               "\t0\t10\t20\t0\t\n\t2\t11\t21\t0\t\n\n"
               "Transform\tPosition\n\tFrame\tX pixels\tY pixels\n\t5\t100\t80\n\n"
               "Transform\tScale\n\tFrame\tX percent\tY percent\tZ percent\n\t0\t100\t100\t100\n\n"
               "Transform\tRotation\n\tFrame\tdegrees\n\t0\t12.5\n\n"
               "Transform\tOpacity\n\tFrame\tpercent\n\t0\t50\n\n"
               "End of Keyframe Data\n";
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_text(text, &k, &d), TP_OK);
    CHECK_INT(k.n, 2);
    if (k.n == 2) {
        CHECK_STR(k.t[0].name, "Anchor_Point");
        CHECK_STR(k.t[1].name, "Position");
    }
    check_key(&k, "Anchor_Point", 0, 0, 10, 1060);
    check_key(&k, "Anchor_Point", 1, 2, 11, 1059);
    check_key(&k, "Position", 0, 5, 100, 1000);
    keep_sink_cleanup(&k);
}

/* Mocha's "After Effects Transform Data": bare block names, Z columns, trailing tabs. */
static void test_mocha_transform(void)
{
    const char *text = AE_HEAD(
        "6.0") "Anchor Point\n\tFrame\tX pixels\tY pixels\tZ pixels\t\n\t0\t960\t540\t0\t\n\n"
               "Position\n\tFrame\tX pixels\tY pixels\tZ pixels\t\n\t0\t960\t540\t0\t\n"
               "\t1\t962.25\t538.5\t0\t\n\n"
               "Scale\n\tFrame\tX percent\tY percent\tZ percent\t\n\t0\t100\t100\t100\t\n\n"
               "Rotation\n\tFrame\tDegrees\t\n\t0\t0\t\n\n"
               "End of Keyframe Data\n";
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_text(text, &k, &d), TP_OK);
    CHECK_INT(k.n, 2);
    check_key(&k, "Position", 1, 1, 962.25, 541.5);
    check_key(&k, "Anchor_Point", 0, 0, 960, 540);
    keep_sink_cleanup(&k);
}

static void test_corner_pin(void)
{
    static const char *const corners[4] = {"Upper Left #2", "Upper Right #3", "Lower Left #4",
                                           "Lower Right #5"};
    static const char *const names[4] = {"Corner_Pin_1_Upper_Left", "Corner_Pin_1_Upper_Right",
                                         "Corner_Pin_1_Lower_Left", "Corner_Pin_1_Lower_Right"};
    char text[4096];
    size_t used = (size_t)snprintf(text, sizeof text, "%s", AE_HEAD("6.0"));
    for (int c = 0; c < 4; c++)
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "Effects\tCorner Pin #1\t%s\n\tFrame\tX pixels\tY pixels\n"
                                 "\t0\t%d\t%d\n\t1\t%d.5\t%d.25\n\n",
                                 corners[c], 100 + c, 200 + c, 100 + c, 200 + c);
    snprintf(text + used, sizeof text - used, "End of Keyframe Data\n");
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_text(text, &k, &d), TP_OK);
    CHECK_INT(k.n, 4);
    for (int c = 0; c < 4 && c < (int)k.n; c++) {
        CHECK_STR(k.t[c].name, names[c]);
        check_key(&k, names[c], 0, 0, 100 + c, 1080 - (200 + c));
        check_key(&k, names[c], 1, 1, 100.5 + c, 1080 - (200.25 + c));
    }
    keep_sink_cleanup(&k);
}

static void test_power_pin(void)
{
    const char *text =
        AE_HEAD("6.0") "Effects\tCC Power Pin #1\tCC Power Pin-0002\n\tFrame\tX pixels\tY "
                       "pixels\n\t0\t1\t2\n\n"
                       "Effects\tCC Power Pin #1\tCC Power Pin-0003\n\tFrame\tX pixels\tY "
                       "pixels\n\t0\t3\t4\n\n"
                       "Effects\tCC Power Pin #1\tCC Power Pin-0005\n\tFrame\tX pixels\tY "
                       "pixels\n\t0\t7\t8\n\n"
                       "Effects\tCC Power Pin #1\tCC Power Pin-0004\n\tFrame\tX pixels\tY "
                       "pixels\n\t0\t5\t6\n\n"
                       "Effects\tCC Power Pin #1\tCC Power Pin-0007\n\tFrame\t\n\t0\t1\n\n"
                       "End of Keyframe Data\n";
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_text(text, &k, &d), TP_OK);
    CHECK_INT(k.n, 4);
    check_key(&k, "CC_Power_Pin_1_Top_Left", 0, 0, 1, 1078);
    check_key(&k, "CC_Power_Pin_1_Top_Right", 0, 0, 3, 1076);
    check_key(&k, "CC_Power_Pin_1_Bottom_Left", 0, 0, 5, 1074);
    check_key(&k, "CC_Power_Pin_1_Bottom_Right", 0, 0, 7, 1072);
    keep_sink_cleanup(&k);
}

/* After Effects' own tracker copies: only Feature Center and Attach Point are positions. */
static void test_motion_trackers(void)
{
    const char *text = AE_HEAD(
        "8.0") "Motion Trackers\tTracker #1\tTrack Point "
               "#1\tConfidence\n\tFrame\tpercent\n\t0\t100\n\n"
               "Motion Trackers\tTracker #1\tTrack Point #1\tAttach Point\n\tFrame\tX pixels\tY "
               "pixels\n"
               "\t0\t938.125\t525.75\n\t1\t937.273\t526.008\n\n"
               "Motion Trackers\tTracker #1\tTrack Point #1\tSearch Size\n\tFrame\tX "
               "\tY\n\t\t40\t40\n\n"
               "Motion Trackers\tTracker #1\tTrack Point #1\tFeature Center\n"
               "\tFrame\tX pixels\tY pixels\n\t0\t938.125\t525.75\n\n"
               "Motion Trackers\tTracker #1\tTrack Point #1\tAttach Point Offset\n\tFrame\tX \tY\n"
               "\t\t0\t0\n\n"
               "Motion Trackers\tTracker #2\tTrack Point #3\tFeature Center\n"
               "\tFrame\tX pixels\tY pixels\n\t4\t10\t20\n\n"
               "End of Keyframe Data\n";
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_text(text, &k, &d), TP_OK);
    CHECK_INT(k.n, 3);
    check_key(&k, "Tracker_1_Track_Point_1_Attach_Point", 1, 1, 937.273, 1080 - 526.008);
    check_key(&k, "Tracker_1_Track_Point_1_Feature_Center", 0, 0, 938.125, 1080 - 525.75);
    check_key(&k, "Tracker_2_Track_Point_3_Feature_Center", 0, 4, 10, 1060);
    keep_sink_cleanup(&k);
}

/* Several layers at once, and constant values (an empty frame column) that key nothing. */
static void test_layers_and_constants(void)
{
    const char *text = AE_HEAD(
        "9.0") "Layer\nTransform\tPosition\n\n\tFrame\tX pixels\tY pixels\tZ "
               "pixels\n\t\t0\t0\t0\t\n\n"
               "Transform\tAnchor Point\n\tFrame\tX pixels\tY pixels\tZ pixels\n\t3\t1\t2\t0\n\n"
               "Layer\nTransform\tPosition\n\tFrame\tX pixels\tY pixels\tZ pixels\n\t0\t5\t6\t0\n\n"
               "Layer\nTime Remap\n\tFrame\tseconds\n\t0\t0\n\n"
               "Layer Styles\tDrop Shadow\tDistance\n\tFrame\tpixels\n\t0\t5\n\n"
               "Transform\tPosition\n\tFrame\tX pixels\tY pixels\tZ pixels\n\t7\t8\t9\t0\n\n"
               "End of Keyframe Data\n";
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_text(text, &k, &d), TP_OK);
    CHECK_INT(k.n, 3);
    if (k.n == 3) {
        CHECK_STR(k.t[0].name, "Layer_1_Anchor_Point");
        CHECK_STR(k.t[1].name, "Layer_2_Position");
        CHECK_STR(k.t[2].name, "Layer_3_Position"); /* "Layer Styles" is no new layer */
    }
    check_key(&k, "Layer_2_Position", 0, 0, 5, 1074);
    keep_sink_cleanup(&k);
}

/* CRLF, comma decimals, tabs turned into spaces, rows without indentation, a BOM. */
static void test_text_variants(void)
{
    const char *crlf = "\xEF\xBB\xBF"
                       "Adobe After Effects 7.0 Keyframe Data\r\n\r\n\tUnits Per Second\t25\r\n"
                       "\tSource Width\t1920,0\r\n\tSource Height\t1080\r\n\r\n"
                       "Effects\tCorner Pin #1\tUpper Left #2\r\n\tFrame\tX pixels\tY pixels\r\n"
                       "\t0\t12,5\t-3,25\r\n\t1\t13,75\t4\r\n\r\nEnd of Keyframe Data\r\n";
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_text(crlf, &k, &d), TP_OK);
    check_key(&k, "Corner_Pin_1_Upper_Left", 0, 0, 12.5, 1083.25);
    check_key(&k, "Corner_Pin_1_Upper_Left", 1, 1, 13.75, 1076);
    keep_sink_cleanup(&k);

    const char *spaces = "Adobe After Effects 6.0 Keyframe Data\n\n Units Per Second 24\n"
                         " Source Width 1920\n Source Height 1080\n\n"
                         "Effects Corner Pin #1 Lower Right #5\n Frame X pixels Y pixels\n"
                         " 0 300 400\n 2 301 401\n\nPosition\n Frame X pixels Y pixels Z pixels\n"
                         " 0 1 2 0\n\nEnd of Keyframe Data\n";
    CHECK_INT(import_text(spaces, &k, &d), TP_OK);
    CHECK_INT(k.n, 2);
    check_key(&k, "Corner_Pin_1_Lower_Right", 1, 2, 301, 679);
    check_key(&k, "Position", 0, 0, 1, 1078);
    keep_sink_cleanup(&k);

    /* Rows without indentation and labels without units (scripts write these). */
    const char *bare = "Adobe After Effects 6.0 Keyframe Data\r\n\r\n\tUnits Per Second\t24\r\n"
                       "\r\nEffects\tCC Power Pin #1\tCC Power Pin-0002\r\n\tFrame\tX\tY\r\n"
                       "0\t0\t0\r\n1\t100\t100\r\n\r\nEnd of Keyframe Data\r\n";
    CHECK_INT(import_sized(bare, 640, 480, &k, &d), TP_OK);
    CHECK_INT(k.width, 640);
    check_key(&k, "CC_Power_Pin_1_Top_Left", 1, 1, 100, 380);
    keep_sink_cleanup(&k);
}

static void test_missing_parts(void)
{
    struct keep_sink k;
    struct tp_diag d;
    /* No size in the file: the user's serves; without either, a clear refusal. */
    const char *nosize = "Adobe After Effects 8.0 Keyframe Data\n\n\tUnits Per Second\t25\n"
                         "\tSource Width\t0.0\n\tSource Height\t0.0\n\n"
                         "Transform\tPosition\n\tFrame\tX pixels\tY pixels\tZ pixels\n"
                         "\t0\t10\t10\t0\n\nEnd of Keyframe Data\n";
    CHECK_INT(import_sized(nosize, 200, 100, &k, &d), TP_OK);
    CHECK_INT(k.height, 100);
    check_key(&k, "Position", 0, 0, 10, 90);
    keep_sink_cleanup(&k);
    CHECK_INT(import_text(nosize, &k, &d), TP_ERR_SIZE_REQUIRED);
    CHECK(strstr(d.message, "Source Width") != NULL);
    keep_sink_cleanup(&k);

    /* No End line (a paste cut short): what is there is kept. */
    const char *cut = AE_HEAD("8.0") "Transform\tPosition\n\tFrame\tX pixels\tY pixels\n"
                                     "\t0\t1\t2\n\t1\t3\t4\n";
    CHECK_INT(import_text(cut, &k, &d), TP_OK);
    check_key(&k, "Position", 1, 1, 3, 1076);
    keep_sink_cleanup(&k);

    /* No position blocks at all. */
    const char *none = AE_HEAD("8.0") "Transform\tRotation\n\tFrame\tdegrees\n\t0\t1\n\n"
                                      "End of Keyframe Data\n";
    CHECK_INT(import_text(none, &k, &d), TP_ERR_NO_TRACKERS);
    CHECK(strstr(d.message, "1 block but no positions") != NULL);
    keep_sink_cleanup(&k);

    /* No blocks, and only constants. */
    CHECK_INT(import_text(AE_HEAD("8.0") "End of Keyframe Data\n", &k, &d), TP_ERR_NO_TRACKERS);
    keep_sink_cleanup(&k);
    const char *constant = AE_HEAD("8.0") "Transform\tPosition\n"
                                          "\tFrame\tX pixels\tY pixels\tZ pixels\n\t\t5\t5\t0\n\n"
                                          "End of Keyframe Data\n";
    CHECK_INT(import_text(constant, &k, &d), TP_ERR_NO_TRACKERS);
    keep_sink_cleanup(&k);

    /* Empty input and a header only. */
    CHECK_INT(import_text("", &k, &d), TP_ERR_PARSE);
    keep_sink_cleanup(&k);
    CHECK_INT(import_text("Adobe After Effects 8.0 Keyframe Data\n", &k, &d), TP_ERR_NO_TRACKERS);
    keep_sink_cleanup(&k);

    /* Whatever follows the End line is not read. */
    const char *after = AE_HEAD("8.0") "Position\n\tFrame\tX pixels\tY pixels\n\t0\t1\t2\n"
                                       "End of Keyframe Data\ngarbage\tthat\tis\tnot\tours\n";
    CHECK_INT(import_text(after, &k, &d), TP_OK);
    CHECK_INT(k.n, 1);
    keep_sink_cleanup(&k);
}

static void test_damaged(void)
{
    struct keep_sink k;
    struct tp_diag d;
    CHECK_INT(import_text("Adobe Photoshop Keyframe Data\n", &k, &d), TP_ERR_PARSE);
    CHECK(strstr(d.message, "Line 1:") != NULL);
    keep_sink_cleanup(&k);

    const char *bad_row = AE_HEAD("8.0") "Transform\tPosition\n\tFrame\tX pixels\tY pixels\n"
                                         "\t0\t1\t2\n\t1\tone\t2\n";
    CHECK_INT(import_text(bad_row, &k, &d), TP_ERR_PARSE);
    CHECK(strstr(d.message, "Line 12:") != NULL);
    keep_sink_cleanup(&k);

    const char *fields = AE_HEAD("8.0") "Transform\tPosition\n\tFrame\tX pixels\tY pixels\n"
                                        "\t0\t1\t2\t3\t4\t5\n";
    CHECK_INT(import_text(fields, &k, &d), TP_ERR_PARSE);
    CHECK(strstr(d.message, "Position") != NULL);
    keep_sink_cleanup(&k);

    const char *frame = AE_HEAD("8.0") "Transform\tPosition\n\tFrame\tX pixels\tY pixels\n"
                                       "\t1e12\t1\t2\n";
    CHECK_INT(import_text(frame, &k, &d), TP_ERR_PARSE);
    keep_sink_cleanup(&k);

    const char *width = "Adobe After Effects 8.0 Keyframe Data\n\n\tSource Width\twide\n";
    CHECK_INT(import_text(width, &k, &d), TP_ERR_PARSE);
    CHECK(strstr(d.message, "Source Width") != NULL);
    keep_sink_cleanup(&k);

    static const char nul[] = AE_HEAD("8.0") "Position\n\tFrame\tX pixels\tY pixels\n\t0\t1\0\t2\n";
    CHECK_INT(keep_sink_import(&tp_import_aekeyframes, nul, sizeof nul - 1, 0, 0, &k, &d),
              TP_ERR_PARSE);
    keep_sink_cleanup(&k);

    /* Out-of-order and repeated frames: sorted, the last one wins. */
    const char *order = AE_HEAD("8.0") "Position\n\tFrame\tX pixels\tY pixels\n"
                                       "\t5\t1\t1\n\t2\t2\t2\n\t5\t3\t3\n";
    CHECK_INT(import_text(order, &k, &d), TP_OK);
    CHECK(k.sorted);
    check_key(&k, "Position", 0, 2, 2, 1078);
    check_key(&k, "Position", 1, 5, 3, 1077);
    keep_sink_cleanup(&k);
}

static void test_sniff_and_detect(void)
{
    const char *text = AE_HEAD("6.0") "Position\n\tFrame\tX pixels\tY pixels\n\t0\t1\t2\n";
    CHECK_INT(tp_import_aekeyframes.sniff(text, strlen(text)), 100);
    CHECK_INT(tp_import_aekeyframes.sniff("\r\n  Adobe After Effects 9.0 Keyframe Data\r\n", 44),
              100);
    CHECK_INT(tp_import_aekeyframes.sniff("TrackName a\n", 12), 0);
    CHECK_INT(tp_import_aekeyframes.sniff("", 0), 0);
    /* No other importer is as sure of this text. */
    size_t n;
    const struct tp_importer *const *all = tp_importers(&n);
    for (size_t i = 0; i < n; i++)
        if (all[i] != &tp_import_aekeyframes && all[i]->sniff)
            CHECK_REPORT(all[i]->sniff(text, strlen(text)) < 100, "%s claims AE text",
                         all[i]->name);
    const struct tp_importer *imp = NULL;
    struct tp_diag d = {0};
    static const char *const names[] = {"mocha.txt", "clipboard", "x.TXT", "pasted.nk"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        imp = NULL;
        CHECK_INT(tp_detect(names[i], text, strlen(text), &imp, &d), TP_OK);
        CHECK(imp == &tp_import_aekeyframes);
    }
    CHECK(tp_find_importer("AEKeyframes") == &tp_import_aekeyframes);
}

/* ------------------------------------------------------------------ exporters */

static void make_trackers(struct tp_tracker t[4])
{
    /* Given out of corner order: bottom right, top left, bottom left, top right. */
    static const double start[4][2] = {{900, 100}, {100, 700}, {120, 90}, {880, 720}};
    for (int i = 0; i < 4; i++) {
        tp_tracker_init(&t[i]);
        tp_tracker_set_namef(&t[i], "pt%d", i);
        tp_tracker_add(&t[i], 3, start[i][0], start[i][1], 0.25);
        tp_tracker_add(&t[i], 4, start[i][0] + 0.5, start[i][1] - 1.25, 0);
        if (i == 0)
            tp_tracker_add(&t[i], 9, 1, 2, 0);
    }
}

static void test_export_positions(void)
{
    struct tp_tracker t[4];
    make_trackers(t);
    char *text = export_all(&tp_export_aekeyframes, t, 2, 1000, 800);
    const char *want = "Adobe After Effects 9.0 Keyframe Data\n\n\tUnits Per Second\t24\n"
                       "\tSource Width\t1000\n\tSource Height\t800\n"
                       "\tSource Pixel Aspect Ratio\t1\n\tComp Pixel Aspect Ratio\t1\n\n"
                       "Layer\nTransform\tPosition\n\tFrame\tX pixels\tY pixels\tZ pixels\n"
                       "\t3\t900.0000\t700.0000\t0\n\t4\t900.5000\t701.2500\t0\n"
                       "\t9\t1.0000\t798.0000\t0\n\n"
                       "Layer\nTransform\tPosition\n\tFrame\tX pixels\tY pixels\tZ pixels\n"
                       "\t3\t100.0000\t100.0000\t0\n\t4\t100.5000\t101.2500\t0\n\n"
                       "End of Keyframe Data\n";
    CHECK_STR(text, want);
    struct keep_sink k;
    struct tp_diag d;
    if (text) {
        CHECK_INT(import_text(text, &k, &d), TP_OK);
        CHECK_INT(k.width, 1000);
        CHECK_INT(k.height, 800);
        CHECK_INT(k.n, 2);
        check_key(&k, "Layer_1_Position", 2, 9, 1, 2);
        check_key(&k, "Layer_2_Position", 1, 4, 100.5, 698.75);
        keep_sink_cleanup(&k);
    }
    free(text);
    char *empty = export_all(&tp_export_aekeyframes, t, 0, 1000, 800);
    CHECK(empty && strstr(empty, "Layer") == NULL && strstr(empty, "End of Keyframe Data\n"));
    free(empty);
    for (int i = 0; i < 4; i++)
        tp_tracker_cleanup(&t[i]);
}

/* The pins place four trackers by where they start, whatever their order. */
static void test_export_pins(void)
{
    struct tp_tracker t[5];
    make_trackers(t);
    tp_tracker_init(&t[4]);
    tp_tracker_set_name(&t[4], "fifth", 5);
    tp_tracker_add(&t[4], 0, 1, 1, 0);
    struct {
        const struct tp_exporter *e;
        const char *names[4]; /* top left, top right, bottom left, bottom right */
    } pins[2] = {
        {&tp_export_aecornerpin,
         {"Corner_Pin_1_Upper_Left", "Corner_Pin_1_Upper_Right", "Corner_Pin_1_Lower_Left",
          "Corner_Pin_1_Lower_Right"}},
        {&tp_export_aepowerpin,
         {"CC_Power_Pin_1_Top_Left", "CC_Power_Pin_1_Top_Right", "CC_Power_Pin_1_Bottom_Left",
          "CC_Power_Pin_1_Bottom_Right"}},
    };
    /* pt1 starts top left, pt3 top right, pt2 bottom left, pt0 bottom right. */
    static const int which[4] = {1, 3, 2, 0};
    for (int p = 0; p < 2; p++) {
        char *text = export_all(pins[p].e, t, 5, 1000, 800);
        CHECK(text != NULL);
        if (!text)
            continue;
        CHECK(strncmp(text, "Adobe After Effects 6.0 Keyframe Data\n", 38) == 0);
        CHECK(strstr(text, p ? "Effects\tCC Power Pin #1\tCC Power Pin-0002\n"
                             : "Effects\tCorner Pin #1\tUpper Left #2\n") != NULL);
        struct keep_sink k;
        struct tp_diag d;
        CHECK_INT(import_text(text, &k, &d), TP_OK);
        CHECK_INT(k.n, 4);
        for (int c = 0; c < 4 && (size_t)c < k.n; c++) {
            CHECK_STR(k.t[c].name, pins[p].names[c]);
            const struct tp_tracker *src = &t[which[c]];
            CHECK_INT(k.t[c].len, src->len);
            for (size_t j = 0; j < src->len && j < k.t[c].len; j++) {
                CHECK_INT(k.t[c].keys[j].frame, src->keys[j].frame);
                CHECK_NEAR(k.t[c].keys[j].x, src->keys[j].x, 1e-4);
                CHECK_NEAR(k.t[c].keys[j].y, src->keys[j].y, 1e-4);
            }
        }
        keep_sink_cleanup(&k);
        free(text);

        /* Fewer than four: the corners in the order the trackers came. */
        text = export_all(pins[p].e, t, 2, 1000, 800);
        CHECK(text != NULL);
        if (text) {
            CHECK_INT(import_text(text, &k, &d), TP_OK);
            CHECK_INT(k.n, 2);
            if (k.n == 2) {
                CHECK_STR(k.t[0].name, pins[p].names[0]);
                CHECK_NEAR(k.t[0].keys[0].x, 900, 1e-9);
                CHECK_STR(k.t[1].name, pins[p].names[1]);
            }
            keep_sink_cleanup(&k);
        }
        free(text);
    }
    for (int i = 0; i < 5; i++)
        tp_tracker_cleanup(&t[i]);
}

static void test_round_trip_random(void)
{
    enum { N = 9 };
    struct tp_tracker t[N];
    uint32_t seed = 7;
    for (size_t i = 0; i < N; i++) {
        tp_tracker_init(&t[i]);
        tp_tracker_set_namef(&t[i], "r%zu", i);
        int frame = (int)i * 5 - 10;
        for (size_t j = 0; j < 1 + i * 23; j++) {
            seed = seed * 1664525u + 1013904223u;
            tp_tracker_add(&t[i], frame, (double)(seed >> 12) / 256.0 - 100,
                           (double)(seed & 0xfffff) / 512.0, 0);
            frame += 1 + (int)((seed >> 5) % 4 == 0) * 6;
        }
    }
    char *text = export_all(&tp_export_aekeyframes, t, N, 2048, 1556);
    struct keep_sink k;
    struct tp_diag d;
    CHECK(text != NULL);
    if (text) {
        CHECK_INT(import_text(text, &k, &d), TP_OK);
        CHECK_INT(k.n, N);
        size_t bad = 0;
        for (size_t i = 0; i < k.n && i < N; i++) {
            char want[32];
            snprintf(want, sizeof want, "Layer_%zu_Position", i + 1);
            bad += (strcmp(k.t[i].name, want) != 0) + keep_sink_mismatches(&t[i], &k.t[i], 1e-4);
        }
        CHECK_INT(bad, 0);
        keep_sink_cleanup(&k);
    }
    free(text);
    for (size_t i = 0; i < N; i++)
        tp_tracker_cleanup(&t[i]);
}

static void test_descriptors(void)
{
    const struct tp_exporter *e[3] = {&tp_export_aekeyframes, &tp_export_aecornerpin,
                                      &tp_export_aepowerpin};
    for (int i = 0; i < 3; i++) {
        CHECK(tp_find_exporter(e[i]->name) == e[i]);
        CHECK_STR(e[i]->application, "After Effects");
        CHECK(e[i]->note && e[i]->note[0]);
    }
}

int main(int argc, char **argv)
{
    static const struct check_case cases[] = {
        {"versions", test_versions},
        {"transform_blocks", test_transform_blocks},
        {"mocha_transform", test_mocha_transform},
        {"corner_pin", test_corner_pin},
        {"power_pin", test_power_pin},
        {"motion_trackers", test_motion_trackers},
        {"layers_and_constants", test_layers_and_constants},
        {"text_variants", test_text_variants},
        {"missing_parts", test_missing_parts},
        {"damaged", test_damaged},
        {"sniff_and_detect", test_sniff_and_detect},
        {"export_positions", test_export_positions},
        {"export_pins", test_export_pins},
        {"round_trip_random", test_round_trip_random},
        {"descriptors", test_descriptors},
    };
    return check_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
