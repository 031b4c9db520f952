/*
 * golden.c — sets every residual to 0 (--golden), for solvers that should trust every
 * keyframe equally whatever the tracker reported.
 */
#include "tools.h"

#include <stdlib.h>

static int golden_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    for (size_t i = 0; i < t->len; i++)
        t->keys[i].residual = 0.0;
    return tp__sink_forward(self, t, diag);
}

static int golden_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    (void)params;
    struct tp_sink *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    tp__sink_init(s, next, NULL, golden_tracker, NULL, NULL);
    *out = s;
    return TP_OK;
}

const struct tp__tool tp__tool_golden = {
    .name = "golden",
    .sink_new = golden_sink_new,
};
