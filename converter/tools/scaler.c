/*
 * scaler.c — scales the comp and every point by a factor per axis (--xscale, --yscale).
 *
 * The new comp side is the old one times the factor, truncated to whole pixels. A negative
 * factor mirrors: the point is then measured back from the far edge of the new comp, which
 * is all flip and flop are. A residual is an error in pixels, so it grows with the scale: it
 * is multiplied by the length of the (x, y) factor vector, an axis not given counting as 1.
 * Only when both factors are given as exactly 1 is the tracker left as it was. Each of
 * --xscale and --yscale is a scaler of its own with one factor, so --xscale A --yscale B
 * scale residuals by sqrt(A^2 + 1) * sqrt(1 + B^2), and --xscale 1 still by sqrt(2).
 */
#include "tools.h"

#include <math.h>
#include <stdlib.h>

int tp__scale_begin(struct tp__scale *s, int width, int height, const char *what,
                    struct tp_diag *diag)
{
    double xf = s->x_given ? s->x_factor : 1.0;
    double yf = s->y_given ? s->y_factor : 1.0;
    double w = fabs(trunc((double)width * xf));
    double h = fabs(trunc((double)height * yf));
    int rc = tp__check_side(w, what, "wide", diag);
    if (!rc)
        rc = tp__check_side(h, what, "high", diag);
    if (rc)
        return rc;
    s->width = (int)w;
    s->height = (int)h;
    s->identity = s->x_given && s->y_given && xf == 1.0 && yf == 1.0;
    s->residual_factor = sqrt(xf * xf + yf * yf);
    return TP_OK;
}

void tp__scale_apply(const struct tp__scale *s, struct tp_tracker *t)
{
    if (s->identity)
        return;
    double xf = s->x_given ? s->x_factor : 1.0;
    double yf = s->y_given ? s->y_factor : 1.0;
    double w = s->width, h = s->height;
    for (size_t i = 0; i < t->len; i++) {
        struct tp_keyframe *k = &t->keys[i];
        k->x = xf < 0 ? w + k->x * xf : k->x * xf;
        k->y = yf < 0 ? h + k->y * yf : k->y * yf;
        k->residual *= s->residual_factor;
    }
}

struct scale_sink {
    struct tp_sink base;
    struct tp__scale scale;
    const char *what;
};

static int scale_begin(struct tp_sink *self, int width, int height, struct tp_diag *diag)
{
    struct scale_sink *s = (struct scale_sink *)self;
    int rc = tp__scale_begin(&s->scale, width, height, s->what, diag);
    if (rc)
        return rc;
    return self->next->begin(self->next, s->scale.width, s->scale.height, diag);
}

static int scale_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    struct scale_sink *s = (struct scale_sink *)self;
    tp__scale_apply(&s->scale, t);
    return tp__sink_forward(self, t, diag);
}

int tp__scale_sink_new(const struct tp__scale *scale, const char *what, struct tp_sink *next,
                       struct tp_sink **out)
{
    struct scale_sink *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    tp__sink_init(&s->base, next, scale_begin, scale_tracker, NULL, NULL);
    s->scale = *scale;
    s->what = what;
    *out = &s->base;
    return TP_OK;
}

static int scaler_set(void *params, const char *flag, const char *value, struct tp_diag *diag)
{
    struct tp__scale *p = params;
    bool is_x = flag[0] == 'x';
    double v;
    int rc = tp__flag_number(flag, value, &v, diag);
    if (rc)
        return rc;
    if (v == 0.0)
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                           "--%s cannot be 0: it would squash the comp to nothing", flag);
    if (is_x) {
        p->x_factor = v;
        p->x_given = true;
    } else {
        p->y_factor = v;
        p->y_given = true;
    }
    return TP_OK;
}

static int scaler_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    return tp__scale_sink_new(params, "--xscale/--yscale", next, out);
}

const struct tp__tool tp__tool_scaler = {
    .name = "scaler",
    .params_size = sizeof(struct tp__scale),
    .set = scaler_set,
    .sink_new = scaler_sink_new,
};
