/*
 * lens_disto.c — adds or removes radial lens distortion with the SynthEyes model
 * (--distort K[,KCUBE], --undistort K[,KCUBE]), so tracks from a distorted plate can feed a
 * solver that assumes a pinhole camera, or the reverse.
 *
 * Points are taken to normalised coordinates (-1..1 across each side, pixel centres at the
 * ends, centre of the comp at 0); the radius is measured with x stretched by the aspect so
 * the model is round. Distortion multiplies a point by f(r) = 1 + r^2 (k + kcube r). Removing
 * it needs the inverse, which has no closed form: both directions use a table of f over 256
 * equal steps of r up to aspect + 1 (past the corners), interpolated linearly, on r for
 * adding and on r f(r) (where a distorted point lands) for removing. Points beyond the table
 * extrapolate from its last step.
 */
#include "tools.h"

#include <math.h>
#include <stdlib.h>

#define LENS_STEPS 256

struct lens_params {
    double k, kcube;
    bool remove;
};

struct lens_sink {
    struct tp_sink base;
    struct lens_params p;
    double width, height, aspect, step;
    double r[LENS_STEPS + 1], f[LENS_STEPS + 1], m[LENS_STEPS + 1];
    bool m_rising; /* m strictly increasing: binary search allowed */
};

static double lens_to_uv(double v, double side)
{
    return (((v - 0.5) / (side - 1.0)) - 0.5) * 2.0;
}

static double lens_from_uv(double uv, double side)
{
    return ((uv / 2.0) + 0.5) * (side - 1.0) + 0.5;
}

static int lens_begin(struct tp_sink *self, int width, int height, struct tp_diag *diag)
{
    struct lens_sink *s = (struct lens_sink *)self;
    if (width < 2 || height < 2)
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                           "--%s needs a comp at least 2 pixels wide and high, not %dx%d",
                           s->p.remove ? "undistort" : "distort", width, height);
    s->width = width;
    s->height = height;
    s->aspect = (double)width / height;
    s->step = (s->aspect + 1.0) / LENS_STEPS;
    /* r accumulates step by step (not i * step) so the table is the same everywhere. */
    double r = 0.0;
    s->r[0] = 0.0;
    s->f[0] = 1.0;
    s->m[0] = 0.0;
    s->m_rising = true;
    for (int i = 1; i <= LENS_STEPS; i++) {
        r += s->step;
        s->r[i] = r;
        s->f[i] = 1.0 + r * r * (s->p.k + s->p.kcube * r);
        s->m[i] = r * s->f[i];
        if (!(s->m[i] > s->m[i - 1]))
            s->m_rising = false;
    }
    return self->next->begin(self->next, width, height, diag);
}

static double lens_lerp(double x, double lx, double rx, double ly, double ry)
{
    double dx = rx - lx;
    if (dx == 0.0)
        return ly;
    return ly + (ry - ly) * ((x - lx) / dx);
}

/* Index of the first table entry whose key exceeds v (1..LENS_STEPS), or LENS_STEPS + 1. */
static size_t lens_find_r(const struct lens_sink *s, double v)
{
    double guess = v / s->step;
    size_t i = guess < 1.0 ? 1 : guess > LENS_STEPS ? LENS_STEPS : (size_t)guess;
    while (i > 1 && s->r[i - 1] > v)
        i--;
    while (i <= LENS_STEPS && !(s->r[i] > v))
        i++;
    return i;
}

static size_t lens_find_m(const struct lens_sink *s, double v)
{
    if (s->m_rising) {
        size_t lo = 1, hi = LENS_STEPS + 1;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (s->m[mid] > v)
                hi = mid;
            else
                lo = mid + 1;
        }
        return lo;
    }
    size_t i = 1;
    while (i <= LENS_STEPS && !(s->m[i] > v))
        i++;
    return i;
}

static int lens_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    struct lens_sink *s = (struct lens_sink *)self;
    const double *key = s->p.remove ? s->m : s->r;
    for (size_t n = 0; n < t->len; n++) {
        struct tp_keyframe *k = &t->keys[n];
        double u = lens_to_uv(k->x, s->width), v = lens_to_uv(k->y, s->height);
        double xa = u * s->aspect;
        double radius = sqrt(xa * xa + v * v);
        if (!isfinite(radius))
            continue;
        size_t i = s->p.remove ? lens_find_m(s, radius) : lens_find_r(s, radius);
        if (i > LENS_STEPS)
            i = LENS_STEPS; /* past the table: extend its last step */
        double f = lens_lerp(radius, key[i - 1], key[i], s->f[i - 1], s->f[i]);
        if (s->p.remove) {
            if (f == 0.0)
                continue;
            u /= f;
            v /= f;
        } else {
            u *= f;
            v *= f;
        }
        k->x = lens_from_uv(u, s->width);
        k->y = lens_from_uv(v, s->height);
    }
    return tp__sink_forward(self, t, diag);
}

static int lens_set(void *params, const char *flag, const char *value, struct tp_diag *diag)
{
    struct lens_params *p = params;
    double v[2] = {0.0, 0.0};
    size_t n;
    int rc = tp__flag_numbers(flag, value, 1, 2, v, &n, diag);
    if (rc)
        return rc;
    p->k = v[0];
    p->kcube = n > 1 ? v[1] : 0.0;
    p->remove = flag[0] == 'u';
    return TP_OK;
}

static int lens_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    struct lens_sink *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    tp__sink_init(&s->base, next, lens_begin, lens_tracker, NULL, NULL);
    s->p = *(const struct lens_params *)params;
    *out = &s->base;
    return TP_OK;
}

const struct tp__tool tp__tool_lens_disto = {
    .name = "lens_disto",
    .params_size = sizeof(struct lens_params),
    .set = lens_set,
    .sink_new = lens_sink_new,
};
