/*
 * lerp.c — fills the gaps inside each tracker (--lerp): every missing frame between two
 * keyframes gets x, y and residual interpolated on the straight line between them. Nothing is
 * added before the first keyframe or after the last.
 *
 * A tracker with keyframes far apart could ask for an absurd number of frames, so the filled
 * tracker is held to the same keyframe limit as an imported one.
 */
#include "tools.h"

#include <stdlib.h>

struct lerp_sink {
    struct tp_sink base;
    struct tp_tracker fill; /* reused between trackers; its keys are swapped into t */
};

static int lerp_fail(int rc, const struct tp_tracker *t, struct tp_diag *diag)
{
    if (rc == TP_ERR_LIMIT)
        return tp_diag_set(diag, rc, 0,
                           "--lerp would give tracker \"%.200s\" more than %u keyframes",
                           t->name ? t->name : "", TP_MAX_KEYFRAMES);
    return tp_diag_set(diag, rc, 0, "--lerp failed on tracker \"%.200s\": %s",
                       t->name ? t->name : "", tp_strerror(rc));
}

static int lerp_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    struct lerp_sink *s = (struct lerp_sink *)self;
    if (t->len < 2)
        return tp__sink_forward(self, t, diag);
    long long span = (long long)t->keys[t->len - 1].frame - t->keys[0].frame + 1;
    if (span == (long long)t->len)
        return tp__sink_forward(self, t, diag);
    if (span > (long long)TP_MAX_KEYFRAMES)
        return lerp_fail(TP_ERR_LIMIT, t, diag);

    struct tp_tracker *f = &s->fill;
    f->len = 0;
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        if (i > 0) {
            const struct tp_keyframe *p = &t->keys[i - 1];
            int gap = k->frame - p->frame;
            double dx = (k->x - p->x) / gap, dy = (k->y - p->y) / gap;
            double dr = (k->residual - p->residual) / gap;
            for (int j = 1; j < gap; j++) {
                int rc = tp_tracker_add(f, p->frame + j, p->x + dx * j, p->y + dy * j,
                                        p->residual + dr * j);
                if (rc)
                    return lerp_fail(rc, t, diag);
            }
        }
        int rc = tp_tracker_add(f, k->frame, k->x, k->y, k->residual);
        if (rc)
            return lerp_fail(rc, t, diag);
    }
    /* Hand the filled keyframes to t and keep t's old array for the next tracker. */
    struct tp_keyframe *keys = t->keys;
    size_t cap = t->cap;
    t->keys = f->keys;
    t->len = f->len;
    t->cap = f->cap;
    f->keys = keys;
    f->cap = cap;
    f->len = 0;
    return tp__sink_forward(self, t, diag);
}

static void lerp_destroy(struct tp_sink *self)
{
    struct lerp_sink *s = (struct lerp_sink *)self;
    tp_tracker_cleanup(&s->fill);
    free(s);
}

static int lerp_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    (void)params;
    struct lerp_sink *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    tp__sink_init(&s->base, next, NULL, lerp_tracker, NULL, lerp_destroy);
    tp_tracker_init(&s->fill);
    *out = &s->base;
    return TP_OK;
}

const struct tp__tool tp__tool_lerp = {
    .name = "lerp",
    .sink_new = lerp_sink_new,
};
