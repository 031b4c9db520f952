/*
 * Unit tests of the edits (tools): every tool against values worked out by hand, flag parsing
 * and its errors, ordering and repetition in the edit list, tracker names, and the trackport
 * CLI end to end with edits (argv[1] is the trackport binary; without it the CLI case is
 * skipped; argv[2] runs one case by name). Each case runs in a child process.
 */
#include "check.h"
#include "trackport.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_OUT 2048

/* The sink at the end of the chain: records what reaches the exporters. */
struct capture {
    struct tp_sink base;
    int width, height, begun, ended;
    struct tp_tracker out[MAX_OUT];
    size_t n;
};

static int cap_begin(struct tp_sink *self, int width, int height, struct tp_diag *diag)
{
    (void)diag;
    struct capture *c = (struct capture *)self;
    c->width = width;
    c->height = height;
    c->begun++;
    return TP_OK;
}

static int cap_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    (void)diag;
    struct capture *c = (struct capture *)self;
    if (c->n == MAX_OUT)
        return TP_ERR_LIMIT;
    tp_tracker_init(&c->out[c->n]);
    int rc = tp_tracker_copy(&c->out[c->n], t);
    c->n++;
    return rc;
}

static int cap_end(struct tp_sink *self, struct tp_diag *diag)
{
    (void)diag;
    ((struct capture *)self)->ended++;
    return TP_OK;
}

static void cap_init(struct capture *c)
{
    memset(c, 0, sizeof *c);
    c->base.begin = cap_begin;
    c->base.tracker = cap_tracker;
    c->base.end = cap_end;
}

static void cap_cleanup(struct capture *c)
{
    for (size_t i = 0; i < c->n; i++)
        tp_tracker_cleanup(&c->out[i]);
    c->n = 0;
}

/* One tracker to feed: name and up to 64 keyframes {frame, x, y, residual}. */
struct feed {
    const char *name;
    size_t len;
    struct tp_keyframe keys[64];
};

/* Builds edits from "flag", "value" pairs (NULL-terminated list of pairs), runs the trackers
 * through them into c at the given comp size. Returns the first error; diag gets its text. */
static int run(struct capture *c, const char *const *flags, int width, int height,
               const struct feed *feeds, size_t nfeeds, struct tp_diag *diag)
{
    cap_init(c);
    struct tp_edits *e = tp_edits_new();
    int rc = TP_OK;
    for (size_t i = 0; flags && flags[i] && !rc; i += 2)
        rc = tp_edits_add(e, flags[i], flags[i + 1], diag);
    struct tp_sink *head = NULL;
    if (!rc)
        rc = tp_edits_wrap(e, &c->base, &head, diag);
    if (!rc)
        rc = head->begin(head, width, height, diag);
    struct tp_tracker t;
    tp_tracker_init(&t);
    for (size_t i = 0; i < nfeeds && !rc; i++) {
        tp_tracker_set_name(&t, feeds[i].name, strlen(feeds[i].name));
        t.len = 0;
        for (size_t k = 0; k < feeds[i].len; k++)
            tp_tracker_add(&t, feeds[i].keys[k].frame, feeds[i].keys[k].x, feeds[i].keys[k].y,
                           feeds[i].keys[k].residual);
        rc = head->tracker(head, &t, diag);
    }
    if (!rc && head)
        rc = head->end(head, diag);
    tp_tracker_cleanup(&t);
    if (head)
        tp_edits_unwrap(head, &c->base);
    tp_edits_free(e);
    return rc;
}

#define FLAGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define TOL 1e-9

static const struct feed one_point = {"Tracker", 1, {{1, 60, 30, 0.2}}};

static void test_scaler(void)
{
    struct capture c;
    struct tp_diag d = {0};
    /* 50x60 by 2 and 3: 100x180; (60, 30) -> (120, 90). Two scalers, each scaling residuals
     * by its own factor vector: |(2, 1)| * |(1, 3)| = sqrt(5) * sqrt(10) = sqrt(50). */
    CHECK_INT(run(&c, FLAGS("xscale", "2", "yscale", "3"), 50, 60, &one_point, 1, &d), TP_OK);
    CHECK_INT(c.width, 100);
    CHECK_INT(c.height, 180);
    CHECK_INT(c.n, 1);
    CHECK_NEAR(c.out[0].keys[0].x, 120, TOL);
    CHECK_NEAR(c.out[0].keys[0].y, 90, TOL);
    CHECK_NEAR(c.out[0].keys[0].residual, 0.2 * 7.0710678118654755, TOL);
    CHECK_INT(c.begun, 1);
    CHECK_INT(c.ended, 1);
    cap_cleanup(&c);

    /* 1.5 and 1.4: 50x60 -> 75x84 (truncated); (60, 30) -> (90, 42);
     * |(1.5, 1)| * |(1, 1.4)| = 1.8027756 * 1.7204651 = 3.1016125. */
    CHECK_INT(run(&c, FLAGS("xscale", "1.5", "yscale", "1.4"), 50, 60, &one_point, 1, &d), TP_OK);
    CHECK_INT(c.width, 75);
    CHECK_INT(c.height, 84);
    CHECK_NEAR(c.out[0].keys[0].x, 90, TOL);
    CHECK_NEAR(c.out[0].keys[0].y, 42, TOL);
    CHECK_NEAR(c.out[0].keys[0].residual, 0.2 * 1.8027756377319946 * 1.7204650534085253, TOL);
    cap_cleanup(&c);

    /* Truncation: 101 * 0.5 = 50.5 -> 50. */
    CHECK_INT(run(&c, FLAGS("xscale", "0.5"), 101, 60, &one_point, 1, &d), TP_OK);
    CHECK_INT(c.width, 50);
    CHECK_INT(c.height, 60);
    CHECK_NEAR(c.out[0].keys[0].x, 30, TOL);
    CHECK_NEAR(c.out[0].keys[0].y, 30, TOL);
    /* Only x given: y counts as 1, residual by |(0.5, 1)| = 1.118034. */
    CHECK_NEAR(c.out[0].keys[0].residual, 0.2 * 1.118033988749895, TOL);
    cap_cleanup(&c);

    /* Negative factors mirror from the far edge: 120x80, (20, 60) -> (100, 20). */
    struct feed f = {"T", 1, {{1, 20, 60, 0}}};
    CHECK_INT(run(&c, FLAGS("xscale", "-1", "yscale", "-1"), 120, 80, &f, 1, &d), TP_OK);
    CHECK_INT(c.width, 120);
    CHECK_INT(c.height, 80);
    CHECK_NEAR(c.out[0].keys[0].x, 100, TOL);
    CHECK_NEAR(c.out[0].keys[0].y, 20, TOL);
    cap_cleanup(&c);

    /* --xscale 1 --yscale 1.0 are two scalers with one factor each: points stay, residuals
     * grow by |(1, 1)| twice, as the reference's scaler does when only one factor is set. */
    CHECK_INT(run(&c, FLAGS("xscale", "1", "yscale", "1.0"), 50, 60, &one_point, 1, &d), TP_OK);
    CHECK_NEAR(c.out[0].keys[0].residual, 0.4, TOL);
    CHECK_NEAR(c.out[0].keys[0].x, 60, TOL);
    cap_cleanup(&c);
}

static void test_flip_flop(void)
{
    struct capture c;
    struct tp_diag d = {0};
    struct feed f = {"T", 1, {{1, 10, 95, 1.0}}};
    /* 110 wide: x 10 -> 100; residual by |(-1, 1)| = sqrt(2). */
    CHECK_INT(run(&c, FLAGS("flip", NULL), 110, 120, &f, 1, &d), TP_OK);
    CHECK_INT(c.width, 110);
    CHECK_INT(c.height, 120);
    CHECK_NEAR(c.out[0].keys[0].x, 100, TOL);
    CHECK_NEAR(c.out[0].keys[0].y, 95, TOL);
    CHECK_NEAR(c.out[0].keys[0].residual, 1.4142135623730951, TOL);
    cap_cleanup(&c);
    /* 120 high: y 95 -> 25. */
    CHECK_INT(run(&c, FLAGS("flop", NULL), 110, 120, &f, 1, &d), TP_OK);
    CHECK_NEAR(c.out[0].keys[0].x, 10, TOL);
    CHECK_NEAR(c.out[0].keys[0].y, 25, TOL);
    cap_cleanup(&c);
    /* Both: a half turn. A switch ignores any value it is given. */
    CHECK_INT(run(&c, FLAGS("flip", "yes", "flop", "1"), 110, 120, &f, 1, &d), TP_OK);
    CHECK_NEAR(c.out[0].keys[0].x, 100, TOL);
    CHECK_NEAR(c.out[0].keys[0].y, 25, TOL);
    CHECK_NEAR(c.out[0].keys[0].residual, 2.0, 1e-12);
    cap_cleanup(&c);
}

static void test_slipper(void)
{
    struct capture c;
    struct tp_diag d = {0};
    struct feed f = {"T", 3, {{0, 1, 1, 0}, {1, 2, 2, 0}, {5, 3, 3, 0}}};
    CHECK_INT(run(&c, FLAGS("slip", "10"), 100, 100, &f, 1, &d), TP_OK);
    CHECK_INT(c.out[0].len, 3);
    CHECK_INT(c.out[0].keys[0].frame, 10);
    CHECK_INT(c.out[0].keys[1].frame, 11);
    CHECK_INT(c.out[0].keys[2].frame, 15);
    CHECK_NEAR(c.out[0].keys[2].x, 3, 0);
    cap_cleanup(&c);
    CHECK_INT(run(&c, FLAGS("slip", "-3"), 100, 100, &f, 1, &d), TP_OK);
    CHECK_INT(c.out[0].keys[0].frame, -3);
    CHECK_INT(c.out[0].keys[2].frame, 2);
    cap_cleanup(&c);
    /* Past the last frame number: refused, not wrapped. */
    struct feed late = {"Late", 1, {{INT_MAX - 2, 1, 1, 0}}};
    CHECK_INT(run(&c, FLAGS("slip", "5"), 100, 100, &late, 1, &d), TP_ERR_LIMIT);
    CHECK(strstr(d.message, "Late") != NULL);
    cap_cleanup(&c);
}

static void test_start_trim(void)
{
    struct capture c;
    struct tp_diag d = {0};
    struct feed f[2] = {{"TrackerBehind", 3, {{-2, 120, 87, 0.56}, {-1, 110, 92, 0.56}, {0, 100, 100, 0.56}}},
                        {"SecondTracker", 3, {{-567, 120, 87, 0.56}, {-566, 110, 92, 0.56}, {-564, 100, 100, 0.56}}}};
    CHECK_INT(run(&c, FLAGS("trim", NULL), 720, 576, f, 2, &d), TP_OK);
    CHECK_INT(c.n, 1); /* the second lived only before frame 0 */
    CHECK_STR(c.out[0].name, "TrackerBehind");
    CHECK_INT(c.out[0].len, 1);
    CHECK_INT(c.out[0].keys[0].frame, 0);
    CHECK_NEAR(c.out[0].keys[0].x, 100, 0);
    CHECK_NEAR(c.out[0].keys[0].residual, 0.56, 0);
    cap_cleanup(&c);
}

static void test_golden(void)
{
    struct capture c;
    struct tp_diag d = {0};
    struct feed f = {"T", 2, {{0, 1, 2, 0.56}, {1, 3, 4, 0.9}}};
    CHECK_INT(run(&c, FLAGS("golden", NULL), 100, 100, &f, 1, &d), TP_OK);
    CHECK_NEAR(c.out[0].keys[0].residual, 0, 0);
    CHECK_NEAR(c.out[0].keys[1].residual, 0, 0);
    CHECK_NEAR(c.out[0].keys[1].x, 3, 0);
    CHECK_NEAR(c.out[0].keys[1].y, 4, 0);
    cap_cleanup(&c);
}

static void test_length_cutoff(void)
{
    struct capture c;
    struct tp_diag d = {0};
    struct feed f[2] = {{"Twelve", 12, {{0}}}, {"Eleven", 11, {{0}}}};
    for (int i = 0; i < 12; i++) {
        f[0].keys[i] = (struct tp_keyframe){i, 100, 100, 0};
        f[1].keys[i] = (struct tp_keyframe){i, 100, 100, 0};
    }
    CHECK_INT(run(&c, FLAGS("min-length", "12"), 120, 120, f, 2, &d), TP_OK);
    CHECK_INT(c.n, 1);
    CHECK_STR(c.out[0].name, "Twelve");
    CHECK_INT(c.out[0].len, 12);
    cap_cleanup(&c);
    CHECK_INT(run(&c, FLAGS("min-length", "0"), 120, 120, f, 2, &d), TP_OK);
    CHECK_INT(c.n, 2);
    cap_cleanup(&c);
}

static void test_prefix(void)
{
    struct capture c;
    struct tp_diag d = {0};
    struct feed f = {"Tracker", 1, {{0, 1, 1, 0}}};
    CHECK_INT(run(&c, FLAGS("prefix", "Pre_"), 100, 100, &f, 1, &d), TP_OK);
    CHECK_STR(c.out[0].name, "Pre_Tracker");
    cap_cleanup(&c);
    CHECK_INT(run(&c, FLAGS("prefix", "Pre"), 100, 100, &f, 1, &d), TP_OK);
    CHECK_STR(c.out[0].name, "Pre_Tracker");
    cap_cleanup(&c);
    CHECK_INT(run(&c, FLAGS("prefix", ""), 100, 100, &f, 1, &d), TP_OK);
    CHECK_STR(c.out[0].name, "Tracker");
    cap_cleanup(&c);
    /* One trailing underscore goes; whitespace becomes underscores as in every name. */
    CHECK_INT(run(&c, FLAGS("prefix", "shot 1__"), 100, 100, &f, 1, &d), TP_OK);
    CHECK_STR(c.out[0].name, "shot_1__Tracker");
    cap_cleanup(&c);
    struct feed unnamed = {"", 1, {{0, 1, 1, 0}}};
    CHECK_INT(run(&c, FLAGS("prefix", "Pre"), 100, 100, &unnamed, 1, &d), TP_OK);
    CHECK_STR(c.out[0].name, "Pre");
    cap_cleanup(&c);
}

static void test_move_to_first(void)
{
    struct capture c;
    struct tp_diag d = {0};
    struct feed f[3] = {{"Tracker1", 2, {{14, 100, 100, 0}, {15, 101, 102, 0.5}}},
                        {"Empty", 0, {{0}}},
                        {"Tracker2", 1, {{10, 100, 100, 0}}}};
    CHECK_INT(run(&c, FLAGS("autoslip", NULL), 120, 120, f, 3, &d), TP_OK);
    CHECK_INT(c.width, 120);
    CHECK_INT(c.n, 2);
    CHECK_STR(c.out[0].name, "Tracker1");
    CHECK_INT(c.out[0].keys[0].frame, 4);
    CHECK_INT(c.out[0].keys[1].frame, 5);
    CHECK_NEAR(c.out[0].keys[1].x, 101, 0);
    CHECK_NEAR(c.out[0].keys[1].y, 102, 0);
    CHECK_NEAR(c.out[0].keys[1].residual, 0.5, 0);
    CHECK_STR(c.out[1].name, "Tracker2");
    CHECK_INT(c.out[1].keys[0].frame, 0);
    cap_cleanup(&c);

    /* Negative frames move up; many trackers cross the read buffer's boundaries. */
    static struct feed many[1500];
    for (int i = 0; i < 1500; i++) {
        many[i].name = i % 2 ? "odd tracker" : "even";
        many[i].len = 40;
        for (int k = 0; k < 40; k++)
            many[i].keys[k] = (struct tp_keyframe){i - 700 + k * 2, i + 0.25, k + 0.5, 0.125};
    }
    CHECK_INT(run(&c, FLAGS("autoslip", NULL), 1920, 1080, many, 1500, &d), TP_OK);
    CHECK_INT(c.n, 1500);
    int bad = 0;
    for (size_t i = 0; i < c.n; i++) {
        const struct tp_tracker *t = &c.out[i];
        bad += t->len != 40 || strcmp(t->name, i % 2 ? "odd_tracker" : "even") != 0;
        for (size_t k = 0; k < t->len; k++)
            bad += t->keys[k].frame != (int)(i + k * 2) || t->keys[k].x != i + 0.25 ||
                   t->keys[k].y != k + 0.5 || t->keys[k].residual != 0.125;
    }
    CHECK_INT(bad, 0);
    cap_cleanup(&c);
}

static void test_lerp(void)
{
    struct capture c;
    struct tp_diag d = {0};
    struct feed f = {"Foo", 3, {{1, 1.0, 2.0, 0}, {4, 4.0, 5.0, 0.3}, {5, 10, 10, 1}}};
    CHECK_INT(run(&c, FLAGS("lerp", NULL), 720, 576, &f, 1, &d), TP_OK);
    CHECK_INT(c.out[0].len, 5);
    for (int i = 0; i < 4; i++) {
        CHECK_INT(c.out[0].keys[i].frame, i + 1);
        CHECK_NEAR(c.out[0].keys[i].x, i + 1.0, 1e-12);
        CHECK_NEAR(c.out[0].keys[i].y, i + 2.0, 1e-12);
        CHECK_NEAR(c.out[0].keys[i].residual, i * 0.1, 1e-12);
    }
    CHECK_INT(c.out[0].keys[4].frame, 5);
    CHECK_NEAR(c.out[0].keys[4].x, 10, 0);
    cap_cleanup(&c);
    /* A gap wider than the keyframe limit is refused, not allocated. */
    struct feed far = {"Far", 2, {{0, 0, 0, 0}, {20000000, 1, 1, 0}}};
    CHECK_INT(run(&c, FLAGS("lerp", NULL), 720, 576, &far, 1, &d), TP_ERR_LIMIT);
    CHECK(strstr(d.message, "Far") != NULL);
    cap_cleanup(&c);
}

static void test_reformat(void)
{
    struct capture c;
    struct tp_diag d = {0};
    struct feed f = {"T", 1, {{0, 360, 288, 1.0}}};
    /* 720x576 -> 1920x1080 in two reformats: 1920x576 (factors 8/3, 1), then 1920x1080
     * (factors 1, 1.875); residual by sqrt(64/9 + 1) * sqrt(1 + 3.515625) = 2.848001 * 2.125. */
    CHECK_INT(run(&c, FLAGS("reformat-x", "1920", "reformat-y", "1080"), 720, 576, &f, 1, &d),
              TP_OK);
    CHECK_INT(c.width, 1920);
    CHECK_INT(c.height, 1080);
    CHECK_NEAR(c.out[0].keys[0].x, 960, 1e-9);
    CHECK_NEAR(c.out[0].keys[0].y, 540, 1e-9);
    CHECK_NEAR(c.out[0].keys[0].residual, 2.8480012484391772 * 2.125, 1e-9);
    cap_cleanup(&c);
    /* Only the width: the height stays and y is untouched. */
    struct feed g = {"T", 1, {{0, 960, 100, 0}}};
    CHECK_INT(run(&c, FLAGS("reformat-x", "1204"), 1920, 1080, &g, 1, &d), TP_OK);
    CHECK_INT(c.width, 1204);
    CHECK_INT(c.height, 1080);
    CHECK_NEAR(c.out[0].keys[0].x, 602, 1e-9);
    CHECK_NEAR(c.out[0].keys[0].y, 100, 1e-9);
    cap_cleanup(&c);
}

static void test_shift(void)
{
    struct capture c;
    struct tp_diag d = {0};
    struct feed f = {"T", 2, {{0, 10, 10, 0.5}, {1, -1, 0, 0}}};
    CHECK_INT(run(&c, FLAGS("xshift", "2", "yshift", "-3.5"), 100, 100, &f, 1, &d), TP_OK);
    CHECK_INT(c.width, 100);
    CHECK_NEAR(c.out[0].keys[0].x, 12, 0);
    CHECK_NEAR(c.out[0].keys[0].y, 6.5, 0);
    CHECK_NEAR(c.out[0].keys[0].residual, 0.5, 0);
    CHECK_NEAR(c.out[0].keys[1].x, 1, 0);
    CHECK_NEAR(c.out[0].keys[1].y, -3.5, 0);
    cap_cleanup(&c);
}

static void test_pad_crop(void)
{
    struct capture c;
    struct tp_diag d = {0};
    /* left -0.25, bottom 0.1 on 720x576: 540 x ceil(633.6) = 634; x 60 + 180, y 30 - 57.6. */
    CHECK_INT(run(&c, FLAGS("pad", "-0.25,0,0,0.1"), 720, 576, &one_point, 1, &d), TP_OK);
    CHECK_INT(c.width, 540);
    CHECK_INT(c.height, 634);
    CHECK_NEAR(c.out[0].keys[0].x, 240, 1e-9);
    CHECK_NEAR(c.out[0].keys[0].y, -27.6, 1e-9);
    CHECK_NEAR(c.out[0].keys[0].residual, 0.2, 0);
    cap_cleanup(&c);
    /* Right and top only grow the comp. */
    CHECK_INT(run(&c, FLAGS("pad", "0,0.5,0.25,0"), 100, 200, &one_point, 1, &d), TP_OK);
    CHECK_INT(c.width, 150);
    CHECK_INT(c.height, 250);
    CHECK_NEAR(c.out[0].keys[0].x, 60, 0);
    CHECK_NEAR(c.out[0].keys[0].y, 30, 0);
    cap_cleanup(&c);
    /* Pixels: left -60, bottom 58 on 720x576 -> 660x634, (60, 30) -> (120, -28). */
    CHECK_INT(run(&c, FLAGS("crop", "-60,0,0,58"), 720, 576, &one_point, 1, &d), TP_OK);
    CHECK_INT(c.width, 660);
    CHECK_INT(c.height, 634);
    CHECK_NEAR(c.out[0].keys[0].x, 120, 1e-9);
    CHECK_NEAR(c.out[0].keys[0].y, -28, 1e-9);
    cap_cleanup(&c);
    /* Sides not given are 0, as in the reference: --crop 25 is --crop 25,0,0,0. */
    CHECK_INT(run(&c, FLAGS("crop", "25"), 100, 60, &one_point, 1, &d), TP_OK);
    CHECK_INT(c.width, 125);
    CHECK_INT(c.height, 60);
    CHECK_NEAR(c.out[0].keys[0].x, 35, 1e-9);
    cap_cleanup(&c);
    CHECK_INT(run(&c, FLAGS("pad", "0.5,0.25"), 100, 60, &one_point, 1, &d), TP_OK);
    CHECK_INT(c.width, 175);
    CHECK_INT(c.height, 60);
    CHECK_NEAR(c.out[0].keys[0].x, 10, 1e-9);
    cap_cleanup(&c);
    /* A crop that leaves nothing is refused at begin. */
    CHECK_INT(run(&c, FLAGS("crop", "-400,-400,0,0"), 720, 576, &one_point, 1, &d),
              TP_ERR_BAD_ARGUMENT);
    CHECK(strstr(d.message, "--crop") != NULL);
    cap_cleanup(&c);
}

static void test_lens(void)
{
    struct capture c;
    struct tp_diag d = {0};
    /* The optical centre never moves. */
    struct feed centre = {"T", 1, {{1, 960, 540, 0}}};
    CHECK_INT(run(&c, FLAGS("distort", "0.0168"), 1920, 1080, &centre, 1, &d), TP_OK);
    CHECK_INT(c.width, 1920);
    CHECK_NEAR(c.out[0].keys[0].x, 960, 1e-9);
    CHECK_NEAR(c.out[0].keys[0].y, 540, 1e-9);
    cap_cleanup(&c);

    /*
     * (12, 14) on 1920x1080: u = ((11.5 / 1919) - 0.5) * 2 = -0.988014, v = -0.976830;
     * r = |(u * 16/9, v)| = 1.996124, between table steps 92 and 93 (step 2.777778 / 256);
     * f(r) interpolated from f = 1 + r^2 (-0.0298 + 0.0078 r) gives 0.943583 and the point
     * lands at (66.061405, 43.996096).
     */
    struct feed corner = {"T", 1, {{1, 12, 14, 0.25}}};
    CHECK_INT(run(&c, FLAGS("distort", "-0.0298,0.0078"), 1920, 1080, &corner, 1, &d), TP_OK);
    CHECK_NEAR(c.out[0].keys[0].x, 66.0614054624776, 1e-6);
    CHECK_NEAR(c.out[0].keys[0].y, 43.99609627981349, 1e-6);
    CHECK_NEAR(c.out[0].keys[0].residual, 0.25, 0);
    cap_cleanup(&c);

    struct feed bent = {"T", 1, {{1, 66.03001446825158, 43.978678913818925, 0}}};
    CHECK_INT(run(&c, FLAGS("undistort", "-0.0298,0.0078"), 1920, 1080, &bent, 1, &d), TP_OK);
    CHECK_NEAR(c.out[0].keys[0].x, 11.96481442965493, 1e-6);
    CHECK_NEAR(c.out[0].keys[0].y, 13.980477204639731, 1e-6);
    cap_cleanup(&c);

    /* Removing then adding the same distortion comes back close to where it started. */
    struct feed near = {"T", 1, {{1, 1.0, 1.0, 0}}};
    CHECK_INT(run(&c, FLAGS("undistort", "-0.0298,0.2178", "distort", "-0.0298,0.2178"), 1920,
                  1080, &near, 1, &d),
              TP_OK);
    CHECK_NEAR(c.out[0].keys[0].x, 0.9843851077764264, 1e-6);
    CHECK_NEAR(c.out[0].keys[0].y, 0.9912237467065255, 1e-6);
    cap_cleanup(&c);

    /* Pincushion away from the corner, both ways (k only). */
    struct feed mid = {"T", 1, {{1, 1500, 300, 0}}};
    CHECK_INT(run(&c, FLAGS("distort", "0.1"), 1920, 1080, &mid, 1, &d), TP_OK);
    CHECK_NEAR(c.out[0].keys[0].x, 1564.743253502692, 1e-6);
    CHECK_NEAR(c.out[0].keys[0].y, 271.2252206654703, 1e-6);
    cap_cleanup(&c);
    CHECK_INT(run(&c, FLAGS("undistort", "0.1"), 1920, 1080, &mid, 1, &d), TP_OK);
    CHECK_NEAR(c.out[0].keys[0].x, 1451.2544882129102, 1e-6);
    CHECK_NEAR(c.out[0].keys[0].y, 321.6646719053732, 1e-6);
    cap_cleanup(&c);
}

static void test_lint(void)
{
    struct capture c;
    struct tp_diag d = {0};
    /* Every edit list ends with lint: empty trackers go, duplicate names pass. */
    struct feed f[3] = {{"Same", 1, {{0, 1, 1, 0}}}, {"Nothing", 0, {{0}}}, {"Same", 1, {{3, 2, 2, 0}}}};
    CHECK_INT(run(&c, FLAGS("golden", NULL), 100, 100, f, 3, &d), TP_OK);
    CHECK_INT(c.n, 2);
    CHECK_STR(c.out[0].name, "Same");
    CHECK_STR(c.out[1].name, "Same");
    CHECK_INT(c.out[1].keys[0].frame, 3);
    cap_cleanup(&c);
}

static void test_order_and_list(void)
{
    struct capture c;
    struct tp_diag d = {0};
    struct feed f = {"T", 1, {{0, 10, 10, 0}}};
    /* Shift first, then scale: (10 + 5) * 2. */
    CHECK_INT(run(&c, FLAGS("xshift", "5", "xscale", "2"), 100, 100, &f, 1, &d), TP_OK);
    CHECK_NEAR(c.out[0].keys[0].x, 30, 0);
    cap_cleanup(&c);
    /* Scale first, then shift: 10 * 2 + 5. */
    CHECK_INT(run(&c, FLAGS("xscale", "2", "xshift", "5"), 100, 100, &f, 1, &d), TP_OK);
    CHECK_NEAR(c.out[0].keys[0].x, 25, 0);
    cap_cleanup(&c);
    /* Every flag is a tool of its own, in the order given: x = (10 * 7 + 5) * 2, y = 10 * 3,
     * the comp 100 * 7 * 2 wide and 100 * 3 high. */
    CHECK_INT(run(&c, FLAGS("xscale", "7", "xshift", "5", "yscale", "3", "xscale", "2"), 100, 100,
                  &f, 1, &d),
              TP_OK);
    CHECK_NEAR(c.out[0].keys[0].x, 150, 0);
    CHECK_NEAR(c.out[0].keys[0].y, 30, 0);
    CHECK_INT(c.width, 1400);
    CHECK_INT(c.height, 300);
    cap_cleanup(&c);

    struct tp_edits *e = tp_edits_new();
    CHECK_INT(tp_edits_count(e), 0);
    CHECK_INT(tp_edits_add(e, "xscale", "2", &d), TP_OK);
    CHECK_INT(tp_edits_add(e, "yscale", "2", &d), TP_OK);
    CHECK_INT(tp_edits_add(e, "undistort", "0.1", &d), TP_OK);
    CHECK_INT(tp_edits_add(e, "distort", "0.1", &d), TP_OK);
    CHECK_INT(tp_edits_add(e, "golden", NULL, &d), TP_OK);
    CHECK_INT(tp_edits_count(e), 5); /* one tool per flag */
    /* A bad value adds nothing. */
    CHECK_INT(tp_edits_add(e, "xscale", "abc", &d), TP_ERR_BAD_ARGUMENT);
    CHECK_INT(tp_edits_count(e), 5);
    tp_edits_free(e);

    /* An empty list is no chain at all. */
    cap_init(&c);
    e = tp_edits_new();
    struct tp_sink *head = NULL;
    CHECK_INT(tp_edits_wrap(e, &c.base, &head, &d), TP_OK);
    CHECK(head == &c.base);
    tp_edits_unwrap(head, &c.base);
    CHECK_INT(tp_edits_wrap(NULL, &c.base, &head, &d), TP_OK);
    CHECK(head == &c.base);
    tp_edits_free(e);
    tp_edits_free(NULL);

    size_t n;
    const struct tp_tool_flag *flags = tp_tool_flags(&n);
    CHECK_INT(n, 19);
    const char *tools[] = {"scaler", "slipper", "start_trim", "golden", "length_cutoff",
                           "prefix", "move_to_first", "lerp", "flip", "flop", "reformat",
                           "shift", "pad", "crop", "lens_disto"};
    for (size_t t = 0; t < sizeof tools / sizeof tools[0]; t++) {
        bool found = false;
        for (size_t i = 0; i < n; i++)
            found = found || strcmp(flags[i].tool, tools[t]) == 0;
        CHECK_REPORT(found, "no flag reaches tool %s", tools[t]);
    }
    for (size_t i = 0; i < n; i++)
        CHECK(flags[i].help && flags[i].help[0] && flags[i].kind && flags[i].flag);
}

/* Adds one flag and expects a bad-argument error whose message names the flag. */
static void expect_bad(const char *flag, const char *value)
{
    struct tp_edits *e = tp_edits_new();
    struct tp_diag d = {0};
    int rc = tp_edits_add(e, flag, value, &d);
    CHECK_REPORT(rc == TP_ERR_BAD_ARGUMENT, "--%s %s gave %d", flag, value ? value : "(none)", rc);
    CHECK_REPORT(strstr(d.message, flag) != NULL, "message for --%s does not name it: %s", flag,
                 d.message);
    CHECK_INT(tp_edits_count(e), 0);
    tp_edits_free(e);
}

static void test_bad_values(void)
{
    expect_bad("xscale", "abc");
    expect_bad("xscale", "");
    expect_bad("xscale", "2x");
    expect_bad("xscale", "0");
    expect_bad("yscale", "nan");
    expect_bad("yscale", NULL);
    expect_bad("slip", "1.5");
    expect_bad("slip", "99999999999");
    expect_bad("min-length", "-1");
    expect_bad("min-length", "ten");
    expect_bad("pad", "0.1,0.1,0.1,0.1,0.1");
    expect_bad("pad", "0.1,,0.1,0.1");
    expect_bad("pad", "0.1,0.1,0.1,");
    expect_bad("crop", "1,2,3,4,5");
    expect_bad("crop", "1.5,0,0,0");
    expect_bad("crop", "a,b,c,d");
    expect_bad("reformat-x", "0");
    expect_bad("reformat-y", "-1080");
    expect_bad("reformat-y", "wide");
    expect_bad("xshift", "left");
    expect_bad("undistort", "");
    expect_bad("undistort", "0.1,0.2,0.3");
    expect_bad("distort", "k");
    expect_bad("bogus", "1");
    char long_prefix[2000];
    memset(long_prefix, 'p', sizeof long_prefix - 1);
    long_prefix[sizeof long_prefix - 1] = '\0';
    expect_bad("prefix", long_prefix);

    /* The sizes a tool would produce are checked when the comp size is known. */
    struct capture c;
    struct tp_diag d = {0};
    CHECK_INT(run(&c, FLAGS("xscale", "0.001"), 100, 100, &one_point, 1, &d), TP_ERR_BAD_ARGUMENT);
    CHECK(strstr(d.message, "xscale") != NULL);
    cap_cleanup(&c);
    CHECK_INT(run(&c, FLAGS("pad", "-1,0,0,0"), 100, 100, &one_point, 1, &d), TP_ERR_BAD_ARGUMENT);
    CHECK(strstr(d.message, "--pad") != NULL);
    cap_cleanup(&c);
}

/* ------------------------------------------------------------------ repeated edits */

/* Every flag given is one more tool, in the order given: the values below are worked out by
 * hand from the reference's tools applied one after the other. */
static void test_repeated(void)
{
    struct capture c;
    struct tp_diag d = {0};
    struct feed f = {"T", 2, {{1, 10, 95, 1.0}, {4, 20, 5, 0.5}}};

    /* Two slips add up: 5 + 3 = 8 frames. */
    CHECK_INT(run(&c, FLAGS("slip", "5", "slip", "3"), 110, 120, &f, 1, &d), TP_OK);
    CHECK_INT(c.out[0].keys[0].frame, 9);
    CHECK_INT(c.out[0].keys[1].frame, 12);
    cap_cleanup(&c);

    /* Two flips mirror back: x as it was; each scaled residuals by |(-1, 1)|, so 2 in all. */
    CHECK_INT(run(&c, FLAGS("flip", NULL, "flip", NULL), 110, 120, &f, 1, &d), TP_OK);
    CHECK_INT(c.width, 110);
    CHECK_NEAR(c.out[0].keys[0].x, 10, TOL);
    CHECK_NEAR(c.out[0].keys[0].y, 95, TOL);
    CHECK_NEAR(c.out[0].keys[0].residual, 2.0, TOL);
    CHECK_NEAR(c.out[0].keys[1].x, 20, TOL);
    cap_cleanup(&c);
    /* Two flops likewise. */
    CHECK_INT(run(&c, FLAGS("flop", NULL, "flop", NULL), 110, 120, &f, 1, &d), TP_OK);
    CHECK_NEAR(c.out[0].keys[0].y, 95, TOL);
    CHECK_NEAR(c.out[0].keys[1].y, 5, TOL);
    cap_cleanup(&c);

    /* Shift, scale, shift on (60, 30), 50x60: x = (60 + 10) * 2 + 5 = 145, comp 100 wide,
     * residual by |(2, 1)| = sqrt(5). */
    CHECK_INT(run(&c, FLAGS("xshift", "10", "xscale", "2", "xshift", "5"), 50, 60, &one_point, 1,
                  &d),
              TP_OK);
    CHECK_NEAR(c.out[0].keys[0].x, 145, TOL);
    CHECK_NEAR(c.out[0].keys[0].y, 30, TOL);
    CHECK_INT(c.width, 100);
    CHECK_INT(c.height, 60);
    CHECK_NEAR(c.out[0].keys[0].residual, 0.2 * 2.23606797749979, TOL);
    cap_cleanup(&c);
    /* --yscale 3 --xshift 1 --xscale 2: y = 30 * 3 = 90, x = (60 + 1) * 2 = 122, comp 100x180,
     * residual by |(1, 3)| * |(2, 1)| = sqrt(10) * sqrt(5) = sqrt(50). */
    CHECK_INT(run(&c, FLAGS("yscale", "3", "xshift", "1", "xscale", "2"), 50, 60, &one_point, 1,
                  &d),
              TP_OK);
    CHECK_NEAR(c.out[0].keys[0].x, 122, TOL);
    CHECK_NEAR(c.out[0].keys[0].y, 90, TOL);
    CHECK_INT(c.width, 100);
    CHECK_INT(c.height, 180);
    CHECK_NEAR(c.out[0].keys[0].residual, 0.2 * 7.0710678118654755, TOL);
    cap_cleanup(&c);
    /* --xscale A --yscale B: residuals by sqrt(A^2 + 1) * sqrt(1 + B^2), here A = 0.5, B = 4:
     * 1.1180340 * 4.1231056 = 4.6097722. */
    CHECK_INT(run(&c, FLAGS("xscale", "0.5", "yscale", "4"), 50, 60, &one_point, 1, &d), TP_OK);
    CHECK_NEAR(c.out[0].keys[0].residual, 0.2 * sqrt(1.25) * sqrt(17.0), TOL);
    CHECK_NEAR(c.out[0].keys[0].x, 30, TOL);
    CHECK_NEAR(c.out[0].keys[0].y, 120, TOL);
    cap_cleanup(&c);

    /* Two prefixes: the later one goes in front. */
    CHECK_INT(run(&c, FLAGS("prefix", "a", "prefix", "b"), 50, 60, &one_point, 1, &d), TP_OK);
    CHECK_STR(c.out[0].name, "b_a_Tracker");
    cap_cleanup(&c);

    /* Two crops, each on the comp the one before left: 100 + 25 = 125 (25 / 100 exactly),
     * then 125 + 25 = 150; x 60 - 25 - 25 = 10. */
    CHECK_INT(run(&c, FLAGS("crop", "25,0,0,0", "crop", "25,0,0,0"), 100, 60, &one_point, 1, &d),
              TP_OK);
    CHECK_INT(c.width, 150);
    CHECK_INT(c.height, 60);
    CHECK_NEAR(c.out[0].keys[0].x, 10, 1e-9);
    CHECK_NEAR(c.out[0].keys[0].y, 30, 1e-9);
    cap_cleanup(&c);
    /* Two pads of half the width on the left: 100 -> 150 -> 225; x 60 - 50 - 75 = -65. */
    CHECK_INT(run(&c, FLAGS("pad", "0.5,0,0,0", "pad", "0.5,0,0,0"), 100, 60, &one_point, 1, &d),
              TP_OK);
    CHECK_INT(c.width, 225);
    CHECK_NEAR(c.out[0].keys[0].x, -65, 1e-9);
    cap_cleanup(&c);

    /* Reformat split by a shift, on (60, 30) at 100x50: --reformat-x 200 makes 200x50, x 120,
     * residual by |(2, 1)|; the shift makes x 121; --reformat-y 100 makes 200x100, y 60,
     * residual by |(1, 2)|: 0.2 * sqrt(5) * sqrt(5) = 1. */
    CHECK_INT(run(&c, FLAGS("reformat-x", "200", "xshift", "1", "reformat-y", "100"), 100, 50,
                  &one_point, 1, &d),
              TP_OK);
    CHECK_INT(c.width, 200);
    CHECK_INT(c.height, 100);
    CHECK_NEAR(c.out[0].keys[0].x, 121, 1e-9);
    CHECK_NEAR(c.out[0].keys[0].y, 60, 1e-9);
    CHECK_NEAR(c.out[0].keys[0].residual, 1.0, 1e-12);
    cap_cleanup(&c);
    /* Reformat to the size the comp already has changes nothing, residual included. */
    CHECK_INT(run(&c, FLAGS("reformat-x", "100"), 100, 50, &one_point, 1, &d), TP_OK);
    CHECK_NEAR(c.out[0].keys[0].residual, 0.2, 0);
    cap_cleanup(&c);

    /* Undistort, distort, undistort: three tools, not one. */
    struct tp_edits *e = tp_edits_new();
    CHECK_INT(tp_edits_add(e, "undistort", "0.1", &d), TP_OK);
    CHECK_INT(tp_edits_add(e, "distort", "0.1", &d), TP_OK);
    CHECK_INT(tp_edits_add(e, "undistort", "0.1", &d), TP_OK);
    CHECK_INT(tp_edits_count(e), 3);
    tp_edits_free(e);
}

/* Names: a run of whitespace is one '_', as the reference names every tracker it makes. */
static void test_names(void)
{
    struct tp_tracker t;
    tp_tracker_init(&t);
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"Track  two", "Track_two"},
        {"a \t\r\n\v\fb", "a_b"},
        {" lead", "_lead"},
        {"trail\t\t", "trail_"},
        {"one two three", "one_two_three"},
        {"no_space", "no_space"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_INT(tp_tracker_set_name(&t, cases[i].in, strlen(cases[i].in)), TP_OK);
        CHECK_STR(t.name, cases[i].out);
    }
    tp_tracker_cleanup(&t);

    /* A prefix with spaces joins the same rule: "my  pre" -> "my_pre_". */
    struct capture c;
    struct tp_diag d = {0};
    struct feed f = {"Track  two", 1, {{0, 1, 1, 0}}};
    CHECK_INT(run(&c, FLAGS("prefix", "my  pre"), 100, 100, &f, 1, &d), TP_OK);
    CHECK_STR(c.out[0].name, "my_pre_Track_two");
    cap_cleanup(&c);
}

/* ------------------------------------------------------------------ CLI end to end */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_cli(const char *trackport)
{
    char dir[] = "/tmp/trackport-tools-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK_REPORT(0, "cannot make a temporary folder");
        return;
    }
    char in[256], cmd[1024], out[256];
    snprintf(in, sizeof in, "%s/small.tsv", dir);
    FILE *f = fopen(in, "w");
    fputs("# width\t100\n# height\t50\ntracker\tframe\tx\ty\tresidual\n"
          "A\t3\t10.000000\t20.000000\t0.500000\n"
          "A\t5\t11.000000\t21.000000\t0.000000\n"
          "B\t4\t1.250000\t2.000000\t0.000000\n",
          f);
    fclose(f);

    snprintf(cmd, sizeof cmd, "'%s' --xscale 2 --only tsv --output-dir '%s' '%s' >/dev/null 2>&1",
             trackport, dir, in);
    CHECK_INT(system(cmd), 0);
    snprintf(out, sizeof out, "%s/small_tracks.tsv", dir);
    const char *text = slurp(out);
    CHECK(text != NULL);
    /* x doubled, comp 200 wide; residual by |(2, 1)| = sqrt(5). */
    CHECK_STR(text, "# width\t200\n# height\t50\ntracker\tframe\tx\ty\tresidual\n"
                    "A\t3\t20.000000\t20.000000\t1.118034\n"
                    "A\t5\t22.000000\t21.000000\t0.000000\n"
                    "B\t4\t2.500000\t2.000000\t0.000000\n");
    unlink(out);

    /* Several edits in order: autoslip (earliest keyframe 3 -> 0), lerp, prefix, golden. */
    snprintf(cmd, sizeof cmd,
             "'%s' --autoslip --lerp --prefix shot --golden --only tsv --output-dir '%s' '%s' >/dev/null "
             "2>&1",
             trackport, dir, in);
    CHECK_INT(system(cmd), 0);
    text = slurp(out);
    CHECK(text != NULL);
    CHECK_STR(text, "# width\t100\n# height\t50\ntracker\tframe\tx\ty\tresidual\n"
                    "shot_A\t0\t10.000000\t20.000000\t0.000000\n"
                    "shot_A\t1\t10.500000\t20.500000\t0.000000\n"
                    "shot_A\t2\t11.000000\t21.000000\t0.000000\n"
                    "shot_B\t1\t1.250000\t2.000000\t0.000000\n");
    unlink(out);

    /* A bad value fails before anything is written, naming the flag. */
    char err[256];
    snprintf(err, sizeof err, "%s/err.txt", dir);
    snprintf(cmd, sizeof cmd, "'%s' --pad 1,x --only tsv --output-dir '%s' '%s' >/dev/null 2>'%s'",
             trackport, dir, in, err);
    CHECK(system(cmd) != 0);
    text = slurp(err);
    CHECK(text && strstr(text, "--pad") != NULL);
    CHECK(access(out, F_OK) != 0);
    unlink(err);

    /* Trimming everything away is a clear failure, not an empty file. */
    snprintf(cmd, sizeof cmd, "'%s' --slip -100 --trim --only tsv --output-dir '%s' '%s' >/dev/null 2>'%s'",
             trackport, dir, in, err);
    CHECK(system(cmd) != 0);
    CHECK(access(out, F_OK) != 0);
    unlink(err);

    unlink(in);
    rmdir(dir);
}

static const char *trackport_path;

static void test_cli_case(void)
{
    if (trackport_path)
        test_cli(trackport_path);
}

static const struct check_case cases[] = {
    {"scaler", test_scaler},
    {"flip_flop", test_flip_flop},
    {"slipper", test_slipper},
    {"start_trim", test_start_trim},
    {"golden", test_golden},
    {"length_cutoff", test_length_cutoff},
    {"prefix", test_prefix},
    {"move_to_first", test_move_to_first},
    {"lerp", test_lerp},
    {"reformat", test_reformat},
    {"shift", test_shift},
    {"pad_crop", test_pad_crop},
    {"lens", test_lens},
    {"lint", test_lint},
    {"order_and_list", test_order_and_list},
    {"bad_values", test_bad_values},
    {"repeated", test_repeated},
    {"names", test_names},
    {"cli", test_cli_case},
};

/* Usage: test_tools [TRACKPORT [CASE]]; without TRACKPORT the CLI case is skipped. */
int main(int argc, char **argv)
{
    trackport_path = argc > 1 && argv[1][0] ? argv[1] : NULL;
    check_run_cases(cases, sizeof cases / sizeof cases[0], argc > 2 ? argv[2] : NULL);
    return check_summary();
}
