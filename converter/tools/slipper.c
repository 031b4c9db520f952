/*
 * slipper.c — moves every keyframe a whole number of frames in time (--slip N, positive is
 * later). A slip that would push a frame past the range of frame numbers is refused rather
 * than wrapped around.
 */
#include "tools.h"

#include <limits.h>
#include <stdlib.h>

struct slipper_params {
    int slip;
};

struct slipper_sink {
    struct tp_sink base;
    int slip;
};

static int slipper_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    struct slipper_sink *s = (struct slipper_sink *)self;
    if (t->len == 0 || s->slip == 0)
        return tp__sink_forward(self, t, diag);
    /* Keys are sorted, so only the ends can overflow. */
    long long first = (long long)t->keys[0].frame + s->slip;
    long long last = (long long)t->keys[t->len - 1].frame + s->slip;
    if (first < INT_MIN || last > INT_MAX)
        return tp_diag_set(diag, TP_ERR_LIMIT, 0,
                           "--slip %d moves tracker \"%.200s\" beyond the last possible frame",
                           s->slip, t->name ? t->name : "");
    for (size_t i = 0; i < t->len; i++)
        t->keys[i].frame += s->slip;
    return tp__sink_forward(self, t, diag);
}

static int slipper_set(void *params, const char *flag, const char *value, struct tp_diag *diag)
{
    struct slipper_params *p = params;
    return tp__flag_integer(flag, value, &p->slip, diag);
}

static int slipper_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    struct slipper_sink *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    tp__sink_init(&s->base, next, NULL, slipper_tracker, NULL, NULL);
    s->slip = ((const struct slipper_params *)params)->slip;
    *out = &s->base;
    return TP_OK;
}

const struct tp__tool tp__tool_slipper = {
    .name = "slipper",
    .params_size = sizeof(struct slipper_params),
    .set = slipper_set,
    .sink_new = slipper_sink_new,
};
