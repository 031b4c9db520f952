/*
 * pad.c — pads the comp by fractions of its size on each side (--pad LEFT,RIGHT,TOP,BOTTOM);
 * negative fractions crop. Meant for undoing letterboxed telecine or anamorphic framing.
 *
 * The comp grows by (left + right) of its width and (top + bottom) of its height, rounded up
 * to whole pixels. Points move by minus the left and bottom amounts: a positive left pad
 * moves them left, a negative one (a crop) right. That is the established meaning of this
 * edit, surprising as it is, and files made with it elsewhere must come out the same.
 */
#include "tools.h"

#include <math.h>
#include <stdlib.h>

struct pad_sink {
    struct tp_sink base;
    struct tp__pad pad;
    const char *what;
    double shift_x, shift_y;
};

static int pad_begin(struct tp_sink *self, int width, int height, struct tp_diag *diag)
{
    struct pad_sink *s = (struct pad_sink *)self;
    if (width <= 0 || height <= 0)
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "%s needs a comp of known size", s->what);
    double left = s->pad.left, right = s->pad.right, top = s->pad.top, bottom = s->pad.bottom;
    if (s->pad.pixels) {
        left /= (double)width;
        right /= (double)width;
        top /= (double)height;
        bottom /= (double)height;
    }
    s->shift_x = width * left;
    s->shift_y = height * bottom;
    double w = ceil(width * (1.0 + left + right));
    double h = ceil(height * (1.0 + bottom + top));
    int rc = tp__check_side(w, s->what, "wide", diag);
    if (!rc)
        rc = tp__check_side(h, s->what, "high", diag);
    if (rc)
        return rc;
    return self->next->begin(self->next, (int)w, (int)h, diag);
}

static int pad_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    struct pad_sink *s = (struct pad_sink *)self;
    for (size_t i = 0; i < t->len; i++) {
        t->keys[i].x -= s->shift_x;
        t->keys[i].y -= s->shift_y;
    }
    return tp__sink_forward(self, t, diag);
}

int tp__pad_sink_new(const struct tp__pad *p, const char *what, struct tp_sink *next,
                     struct tp_sink **out)
{
    struct pad_sink *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    tp__sink_init(&s->base, next, pad_begin, pad_tracker, NULL, NULL);
    s->pad = *p;
    s->what = what;
    *out = &s->base;
    return TP_OK;
}

static int pad_set(void *params, const char *flag, const char *value, struct tp_diag *diag)
{
    struct tp__pad *p = params;
    /* Sides not given are 0, as the reference reads "--pad 0.1" (nil cast to 0.0). */
    double v[4] = {0.0, 0.0, 0.0, 0.0};
    size_t n;
    int rc = tp__flag_numbers(flag, value, 1, 4, v, &n, diag);
    if (rc)
        return rc;
    *p = (struct tp__pad){.left = v[0], .right = v[1], .top = v[2], .bottom = v[3]};
    return TP_OK;
}

static int pad_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    return tp__pad_sink_new(params, "--pad", next, out);
}

const struct tp__tool tp__tool_pad = {
    .name = "pad",
    .params_size = sizeof(struct tp__pad),
    .set = pad_set,
    .sink_new = pad_sink_new,
};
