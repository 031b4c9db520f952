/*
 * shift.c — moves every point by a fixed number of pixels (--xshift, --yshift); positive is
 * right and up, as the coordinates are.
 */
#include "tools.h"

#include <stdlib.h>

struct shift_params {
    double x, y;
};

struct shift_sink {
    struct tp_sink base;
    struct shift_params p;
};

static int shift_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    struct shift_sink *s = (struct shift_sink *)self;
    for (size_t i = 0; i < t->len; i++) {
        t->keys[i].x += s->p.x;
        t->keys[i].y += s->p.y;
    }
    return tp__sink_forward(self, t, diag);
}

static int shift_set(void *params, const char *flag, const char *value, struct tp_diag *diag)
{
    struct shift_params *p = params;
    return tp__flag_number(flag, value, flag[0] == 'x' ? &p->x : &p->y, diag);
}

static int shift_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    struct shift_sink *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    tp__sink_init(&s->base, next, NULL, shift_tracker, NULL, NULL);
    s->p = *(const struct shift_params *)params;
    *out = &s->base;
    return TP_OK;
}

const struct tp__tool tp__tool_shift = {
    .name = "shift",
    .params_size = sizeof(struct shift_params),
    .set = shift_set,
    .sink_new = shift_sink_new,
};
