/*
 * test_child.c — what the converter child makes besides the outputs: the SVG preview (drawn
 * as trackers stream, view fitting the frame and every point), the summary and
 * trackers.json, the zip archives (read back by Python's zipfile, CRCs checked), and the
 * job bounds of tp_convert (a tracker --lerp stretches over ten million frames fails at
 * once with a sentence, leaving nothing). Each case runs in its own child process and can
 * be run alone by name: test_child CASE.
 */
#include "check.h"
#include "disp_archive.h"
#include "disp_preview.h"
#include "disp_summary.h"
#include "trackport.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char test_dir[256];

/* A folder of its own for one case. */
static void case_dir(const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", test_dir, name);
    CHECK_INT(mkdir(out, 0755), 0);
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK_INT((int)fwrite(text, 1, len, f), (int)len);
    fclose(f);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p) {
        p[n] = '\0';
        *len = (size_t)n;
    }
    return p;
}

/* Entries of a folder, "." and ".." aside. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += !(e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])));
    closedir(d);
    return n;
}

/* Runs a Python snippet with argv[1..]; true when it exits 0. */
static bool python(const char *code, const char *arg)
{
    const char *py = getenv("TP_PYTHON") ? getenv("TP_PYTHON") : "python3";
    pid_t pid = fork();
    if (pid == 0) {
        execlp(py, py, "-c", code, arg, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The viewBox of an SVG document: x, y, w, h. */
static bool view_box(const char *svg, double v[4])
{
    const char *p = strstr(svg, "viewBox=\"");
    return p && sscanf(p + 9, "%lf %lf %lf %lf", &v[0], &v[1], &v[2], &v[3]) == 4;
}

/* Draws trackers into a preview and returns the document (caller frees). */
static char *draw(int width, int height, struct tp_tracker *trackers, size_t n)
{
    struct tp_sink *sink = NULL;
    CHECK_INT(disp_preview_sink_new(&sink), TP_OK);
    struct tp_diag diag = {0};
    CHECK_INT(sink->begin(sink, width, height, &diag), TP_OK);
    for (size_t i = 0; i < n; i++)
        CHECK_INT(sink->tracker(sink, &trackers[i], &diag), TP_OK);
    CHECK_INT(sink->end(sink, &diag), TP_OK);
    struct tp_out *out = NULL;
    CHECK_INT(tp_out_open_memory(&out), TP_OK);
    CHECK_INT(disp_preview_write(sink, out), TP_OK);
    size_t len;
    const char *svg = tp_out_memory(out, &len);
    char *copy = strndup(svg, len);
    tp_out_free(out);
    sink->destroy(sink);
    return copy;
}

static void test_preview_draws(void)
{
    struct tp_tracker t[2];
    tp_tracker_init(&t[0]);
    tp_tracker_init(&t[1]);
    const char *odd = "Track<1>&\"\xff\xc3\xa9\x01";
    tp_tracker_set_name(&t[0], odd, strlen(odd));
    for (int f = 0; f < 5000; f++)
        if (f != 100)
            tp_tracker_add(&t[0], f, 10 + f * 0.1, 20 + f * 0.05, 0);
    tp_tracker_set_name(&t[1], "lone", 4);
    tp_tracker_add(&t[1], 3, 100, 1000, 0);
    char *svg = draw(1920, 1080, t, 2);
    CHECK(svg && strncmp(svg, "<svg ", 5) == 0);
    size_t len = strlen(svg);
    CHECK(len > 8 && strcmp(svg + len - 7, "</svg>\n") == 0);
    CHECK(strstr(svg, "Track&lt;1&gt;&amp;&quot;?\xc3\xa9?") != NULL);
    CHECK(strstr(svg, "\xff") == NULL);
    CHECK(strstr(svg, "100.0,80.0") != NULL); /* y flipped: 1080 - 1000 */
    CHECK(strstr(svg, "class=\"tp-frame\"") != NULL);
    CHECK(len < 200000); /* 5,000 keyframes thinned */
    size_t polylines = 0;
    for (const char *p = svg; (p = strstr(p, "<polyline")); p++)
        polylines++;
    CHECK_INT((int)polylines, 3); /* the gap at frame 100 splits the first tracker */
    /* Every point inside the frame: the view is the frame and its margin. */
    double v[4];
    CHECK(view_box(svg, v));
    CHECK(v[0] < 0 && v[0] > -100 && v[2] > 1920 && v[2] < 2100);
    free(svg);
    tp_tracker_cleanup(&t[0]);
    tp_tracker_cleanup(&t[1]);
}

static void test_preview_outside(void)
{
    /* One point far left and below the frame, one far right and above it. */
    struct tp_tracker t;
    tp_tracker_init(&t);
    tp_tracker_set_name(&t, "wild", 4);
    tp_tracker_add(&t, 0, -3000, -500, 0);
    tp_tracker_add(&t, 1, 960, 540, 0);
    tp_tracker_add(&t, 2, 6000, 2500, 0);
    char *svg = draw(1920, 1080, &t, 1);
    double v[4];
    CHECK(svg && view_box(svg, v));
    /* SVG coordinates: x as is, y = 1080 - y. */
    CHECK_REPORT(v[0] <= -3000 && v[0] + v[2] >= 6000, "x view %g..%g", v[0], v[0] + v[2]);
    CHECK_REPORT(v[1] <= 1080 - 2500 && v[1] + v[3] >= 1080 + 500, "y view %g..%g", v[1],
                 v[1] + v[3]);
    CHECK(strstr(svg, "<rect class=\"tp-frame\" x=\"0\" y=\"0\" width=\"1920\" height=\"1080\"") !=
          NULL);
    free(svg);
    tp_tracker_cleanup(&t);
}

static void test_preview_save(void)
{
    char dir[512], path[600];
    case_dir("preview_save", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/preview.svg", dir);
    struct tp_sink *sink = NULL;
    CHECK_INT(disp_preview_sink_new(&sink), TP_OK);
    struct tp_diag diag = {0};
    struct tp_tracker t;
    tp_tracker_init(&t);
    tp_tracker_set_name(&t, "a", 1);
    tp_tracker_add(&t, 0, 1, 2, 0);
    CHECK_INT(sink->begin(sink, 100, 50, &diag), TP_OK);
    CHECK_INT(sink->tracker(sink, &t, &diag), TP_OK);
    CHECK_INT(sink->end(sink, &diag), TP_OK);
    CHECK_INT(disp_preview_save(sink, path, &diag), TP_OK);
    CHECK_INT(count_entries(dir), 1); /* no temporary file left */
    CHECK(python("import sys, xml.etree.ElementTree as E; "
                 "assert E.parse(sys.argv[1]).getroot().tag.endswith('svg')",
                 path));
    sink->destroy(sink);
    tp_tracker_cleanup(&t);
}

static void test_summary(void)
{
    char dir[512], path[600];
    case_dir("summary", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/trackers.json", dir);
    struct disp_summary *s = NULL;
    struct tp_diag diag = {0};
    CHECK_INT(disp_summary_new(path, &s, &diag), TP_OK);
    struct tp_sink *in = disp_summary_input(s), *out = disp_summary_output(s);
    struct tp_tracker t;
    tp_tracker_init(&t);
    /* As imported: frames 5..9 in a 100 x 50 comp; as exported: slipped by 10, cropped to
     * 80 x 50, so two keyframes fall outside. */
    CHECK_INT(in->begin(in, 100, 50, &diag), TP_OK);
    CHECK_INT(out->begin(out, 80, 50, &diag), TP_OK);
    tp_tracker_set_name(&t, "bad\xff name", 9);
    for (int f = 5; f < 10; f++)
        tp_tracker_add(&t, f, f * 9.0, 10, 0); /* x 45..81 */
    CHECK_INT(in->tracker(in, &t, &diag), TP_OK);
    for (size_t i = 0; i < t.len; i++)
        t.keys[i].frame += 10;
    t.keys[0].y = -1; /* below the comp */
    CHECK_INT(out->tracker(out, &t, &diag), TP_OK);
    CHECK_INT(in->end(in, &diag), TP_OK);
    CHECK_INT(out->end(out, &diag), TP_OK);
    CHECK_INT(disp_summary_finish(s, &diag), TP_OK);
    CHECK_INT((int)disp_summary_trackers(s), 1);
    CHECK_INT((int)disp_summary_keyframes(s), 5);
    CHECK_INT((int)disp_summary_outside(s), 2); /* y -1 at frame 15; x 81 at frame 19 */
    cJSON *edits = cJSON_Parse("[[\"slip\",\"10\"],[\"crop\",\"0,20,0,0\"],[\"xscale\",2]]");
    cJSON *j = disp_summary_json(s, "shaketext", edits);
    char *text = cJSON_PrintUnformatted(j);
    CHECK_STR(text, "{\"importer\":\"shaketext\",\"comp_in\":[100,50],\"comp_out\":[80,50],"
                    "\"frames_in\":[5,9],\"frames_out\":[15,19],\"trackers\":1,"
                    "\"keyframes\":5,\"outside\":2,\"edits\":[[\"slip\",\"10\"],"
                    "[\"crop\",\"0,20,0,0\"],[\"xscale\",\"2\"]]}");
    free(text);
    cJSON_Delete(j);
    cJSON_Delete(edits);
    size_t len = 0;
    char *list = read_file(path, &len);
    CHECK(list != NULL);
    cJSON *parsed = list ? cJSON_Parse(list) : NULL;
    CHECK(cJSON_IsArray(parsed) && cJSON_GetArraySize(parsed) == 1);
    cJSON *first = cJSON_GetArrayItem(parsed, 0);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(first, "name")), "bad\xef\xbf\xbd_name");
    CHECK_INT((int)cJSON_GetNumberValue(cJSON_GetObjectItem(first, "first")), 15);
    CHECK_INT((int)cJSON_GetNumberValue(cJSON_GetObjectItem(first, "last")), 19);
    CHECK_INT((int)cJSON_GetNumberValue(cJSON_GetObjectItem(first, "outside")), 2);
    CHECK(python("import sys, json; json.load(open(sys.argv[1], encoding='utf-8', "
                 "errors='strict'))",
                 path));
    cJSON_Delete(parsed);
    free(list);
    disp_summary_free(s);
    CHECK_INT(count_entries(dir), 1);
    tp_tracker_cleanup(&t);
}

static void test_summary_free_unfinished(void)
{
    char dir[512], path[600];
    case_dir("summary_unfinished", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/trackers.json", dir);
    struct disp_summary *s = NULL;
    struct tp_diag diag = {0};
    CHECK_INT(disp_summary_new(path, &s, &diag), TP_OK);
    disp_summary_free(s);
    CHECK_INT(count_entries(dir), 0); /* a failed job leaves no half list */
}

static void test_archive_zip(void)
{
    char dir[512], path[600], file[600];
    case_dir("archive", dir, sizeof dir);
    /* A compressible file, a random one (stored bigger than deflated would be) and an empty
     * one. */
    size_t big = 3u << 20;
    char *text = malloc(big);
    for (size_t i = 0; i < big; i++)
        text[i] = (char)("0123456789 .\n"[(i * 7 + i / 13) % 13]);
    snprintf(file, sizeof file, "%s/a_nuke.nk", dir);
    write_file(file, text, big);
    srand(7);
    for (size_t i = 0; i < 100000; i++)
        text[i] = (char)rand();
    snprintf(file, sizeof file, "%s/b.bin", dir);
    write_file(file, text, 100000);
    snprintf(file, sizeof file, "%s/c.txt", dir);
    write_file(file, "", 0);
    free(text);
    const char *names[] = {"a_nuke.nk", "b.bin", "c.txt"};
    char err[256] = "";
    for (int level = 0; level <= 10; level += 5) {
        snprintf(path, sizeof path, "%s/all-%d.zip", dir, level);
        /* 0 stores, 5 deflates, "10" is level 9 on two threads (split, then joined). */
        struct disp_archive_options o = {.level = level > 9 ? 9 : level,
                                         .threads = level > 9 ? 2 : 1};
        CHECK_REPORT(disp_archive_write(dir, names, 3, path, &o, err, sizeof err) == 0, "%s", err);
        CHECK(python("import sys, zipfile, os\n"
                     "z = zipfile.ZipFile(sys.argv[1])\n"
                     "assert z.testzip() is None\n" /* reads every entry, checks its CRC */
                     "d = os.path.dirname(sys.argv[1])\n"
                     "assert z.namelist() == ['a_nuke.nk', 'b.bin', 'c.txt']\n"
                     "for n in z.namelist():\n"
                     "    assert z.read(n) == open(os.path.join(d, n), 'rb').read(), n\n",
                     path));
    }
    /* A subset copied from the deflated archive: the same bytes, no second compression. */
    const char *some[] = {"c.txt", "a_nuke.nk"};
    snprintf(file, sizeof file, "%s/all-10.zip", dir);
    snprintf(path, sizeof path, "%s/nuke.zip", dir);
    struct disp_archive_options copy = {.level = 1, .copy_from = file};
    CHECK_REPORT(disp_archive_write(dir, some, 2, path, &copy, err, sizeof err) == 0, "%s", err);
    CHECK(python("import sys, zipfile, os\n"
                 "z = zipfile.ZipFile(sys.argv[1])\n"
                 "assert z.testzip() is None\n"
                 "assert z.namelist() == ['c.txt', 'a_nuke.nk']\n"
                 "d = os.path.dirname(sys.argv[1])\n"
                 "assert z.read('a_nuke.nk') == open(os.path.join(d, 'a_nuke.nk'), 'rb').read()\n"
                 "assert z.getinfo('a_nuke.nk').compress_type == zipfile.ZIP_DEFLATED\n",
                 path));
    unlink(path);
    const char *absent[] = {"zzz.txt"};
    CHECK_INT(disp_archive_write(dir, absent, 1, path, &copy, err, sizeof err), -1);
    struct stat stored, deflated;
    snprintf(path, sizeof path, "%s/all-0.zip", dir);
    CHECK_INT(stat(path, &stored), 0);
    snprintf(path, sizeof path, "%s/all-10.zip", dir);
    CHECK_INT(stat(path, &deflated), 0);
    CHECK(stored.st_size > (off_t)(3u << 20) && deflated.st_size < stored.st_size / 4);
    CHECK_INT(count_entries(dir), 6); /* three files, three archives, no temporary file */
}

static void test_archive_empty_and_errors(void)
{
    char dir[512], path[600], err[256] = "";
    case_dir("archive_empty", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/all.zip", dir);
    CHECK_INT(disp_archive_write(dir, NULL, 0, path, NULL, err, sizeof err), 0);
    CHECK(python("import sys, zipfile; assert zipfile.ZipFile(sys.argv[1]).namelist() == []",
                 path));
    const char *missing[] = {"nope.txt"};
    snprintf(path, sizeof path, "%s/bad.zip", dir);
    CHECK_INT(disp_archive_write(dir, missing, 1, path, NULL, err, sizeof err), -1);
    CHECK(err[0] != '\0');
    const char *sneaky[] = {"../x"};
    CHECK_INT(disp_archive_write(dir, sneaky, 1, path, NULL, err, sizeof err), -1);
    CHECK_INT(count_entries(dir), 1); /* only all.zip */
    volatile int cancel = 1;
    snprintf(path, sizeof path, "%s/a.txt", dir);
    write_file(path, "abc", 3);
    const char *one[] = {"a.txt"};
    struct disp_archive_options o = {.level = 1, .cancel = &cancel};
    snprintf(path, sizeof path, "%s/cancelled.zip", dir);
    CHECK_INT(disp_archive_write(dir, one, 1, path, &o, err, sizeof err), 1);
    CHECK_INT(count_entries(dir), 2); /* all.zip and a.txt */
}

static void test_archive_names(void)
{
    static const char *const cases[][2] = {
        {"Nuke", "nuke.zip"},           {"Flame/Smoke", "flame-smoke.zip"},
        {"3DEqualizer", "3dequalizer.zip"}, {"After Effects", "after-effects.zip"},
        {"3ds Max", "3ds-max.zip"},     {"", "other.zip"},
        {" -boujou- ", "boujou.zip"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        disp_archive_name(cases[i][0], buf, sizeof buf);
        CHECK_STR(buf, cases[i][1]);
    }
}

/* One tracker with keyframes at frames 0 and 10,000,000 (Shake's frames count from 1). */
static void write_far_apart(const char *path)
{
    const char *text = "TrackName track1\n"
                       "   Frame             X             Y   Correlation\n"
                       "    1.00       100.000       200.000         1.000\n"
                       "10000001.00     1800.000       900.000         1.000\n";
    write_file(path, text, strlen(text));
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_bound_output_bytes(void)
{
    char dir[512], input[600], out_dir[600];
    case_dir("bound_bytes", dir, sizeof dir);
    snprintf(input, sizeof input, "%s/far.txt", dir);
    snprintf(out_dir, sizeof out_dir, "%s/out", dir);
    CHECK_INT(mkdir(out_dir, 0755), 0);
    write_far_apart(input);
    struct tp_edits *edits = tp_edits_new();
    struct tp_diag diag = {0};
    CHECK_INT(tp_edits_add(edits, "lerp", NULL, &diag), TP_OK);
    struct tp_convert_options o = {.input_path = input,
                                   .importer = "shaketext",
                                   .width = 1920,
                                   .height = 1080,
                                   .output_dir = out_dir,
                                   .edits = edits,
                                   .max_output_bytes = 64u << 20};
    struct tp_convert_result r;
    double started = now_s();
    int rc = tp_convert(&o, &r, &diag);
    double took = now_s() - started;
    CHECK_INT(rc, TP_ERR_LIMIT);
    /* Every exporter writes tens of bytes per keyframe: ten million keyframes are gigabytes. */
    CHECK_REPORT(strstr(diag.message, "The edits would write about ") == diag.message &&
                     strstr(diag.message, " GB; this site allows 64 MB per job"),
                 "message: %s", diag.message);
    CHECK_INT(count_entries(out_dir), 0);
    /* How soon it fails is for the reader (no timed assertion): before writing gigabytes. */
    printf("bound: \"%s\" after %.2f s\n", diag.message, took);
    tp_convert_result_cleanup(&r);
    tp_edits_free(edits);
}

static void test_bound_keyframes(void)
{
    char dir[512], input[600];
    case_dir("bound_keys", dir, sizeof dir);
    snprintf(input, sizeof input, "%s/far.txt", dir);
    write_far_apart(input);
    struct tp_edits *edits = tp_edits_new();
    struct tp_diag diag = {0};
    CHECK_INT(tp_edits_add(edits, "lerp", NULL, &diag), TP_OK);
    const char *only[] = {"nukescript"};
    struct tp_convert_options o = {.input_path = input,
                                   .importer = "shaketext",
                                   .width = 1920,
                                   .height = 1080,
                                   .exporters = only,
                                   .exporter_count = 1,
                                   .edits = edits,
                                   .max_keyframes = 1000000};
    struct tp_convert_result r;
    CHECK_INT(tp_convert(&o, &r, &diag), TP_ERR_LIMIT);
    CHECK_REPORT(strcmp(diag.message, "The edits would make 10000001 keyframes or more; this "
                                      "site allows 1000000 per job") == 0,
                 "message: %s", diag.message);
    CHECK_INT(count_entries(dir), 1); /* the input only */
    tp_convert_result_cleanup(&r);
    tp_edits_free(edits);
}

/* Without bounds (the CLI's default) the same pipeline writes what it is asked to. */
static void test_no_bounds(void)
{
    char dir[512], input[600];
    case_dir("no_bounds", dir, sizeof dir);
    snprintf(input, sizeof input, "%s/near.txt", dir);
    const char *text = "TrackName track1\n"
                       "   Frame             X             Y   Correlation\n"
                       "    1.00       100.000       200.000         1.000\n"
                       " 2001.00      1800.000       900.000         1.000\n";
    write_file(input, text, strlen(text));
    struct tp_edits *edits = tp_edits_new();
    struct tp_diag diag = {0};
    CHECK_INT(tp_edits_add(edits, "lerp", NULL, &diag), TP_OK);
    struct tp_convert_options o = {.input_path = input,
                                   .importer = "shaketext",
                                   .width = 1920,
                                   .height = 1080,
                                   .edits = edits};
    struct tp_convert_result r;
    CHECK_INT(tp_convert(&o, &r, &diag), TP_OK);
    CHECK_INT((int)r.keyframes, 2001);
    uint64_t total = 0;
    for (size_t i = 0; i < r.output_count; i++)
        total += r.outputs[i].bytes;
    /* The same job under a bound just above what it wrote passes, just below fails. */
    tp_convert_result_cleanup(&r);
    o.max_output_bytes = total + total / 4;
    CHECK_INT(tp_convert(&o, &r, &diag), TP_OK);
    tp_convert_result_cleanup(&r);
    o.max_output_bytes = total / 2;
    CHECK_INT(tp_convert(&o, &r, &diag), TP_ERR_LIMIT);
    tp_convert_result_cleanup(&r);
    tp_edits_free(edits);
}

static const struct check_case cases[] = {
    {"preview_draws", test_preview_draws},
    {"preview_outside", test_preview_outside},
    {"preview_save", test_preview_save},
    {"summary", test_summary},
    {"summary_free_unfinished", test_summary_free_unfinished},
    {"archive_zip", test_archive_zip},
    {"archive_empty_and_errors", test_archive_empty_and_errors},
    {"archive_names", test_archive_names},
    {"bound_output_bytes", test_bound_output_bytes},
    {"bound_keyframes", test_bound_keyframes},
    {"no_bounds", test_no_bounds},
};

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    snprintf(test_dir, sizeof test_dir, "%s/trackport-child-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(test_dir)) {
        perror("mkdtemp");
        return 1;
    }
    check_run_cases(cases, sizeof cases / sizeof cases[0], only);
    char rm[400];
    snprintf(rm, sizeof rm, "rm -rf '%s'", test_dir);
    if (system(rm) != 0)
        fprintf(stderr, "could not remove %s\n", test_dir);
    return check_summary();
}
