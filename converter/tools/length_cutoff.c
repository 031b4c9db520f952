/*
 * length_cutoff.c — drops trackers with fewer keyframes than a minimum (--min-length N):
 * short tracks mostly add noise to a solve. 0 keeps everything; a negative minimum is refused
 * as a typo rather than read as "no limit".
 */
#include "tools.h"

#include <stdlib.h>

struct length_cutoff_params {
    int min_length;
};

struct length_cutoff_sink {
    struct tp_sink base;
    size_t min_length;
};

static int length_cutoff_tracker(struct tp_sink *self, struct tp_tracker *t,
                                 struct tp_diag *diag)
{
    struct length_cutoff_sink *s = (struct length_cutoff_sink *)self;
    if (t->len < s->min_length)
        return TP_OK;
    return tp__sink_forward(self, t, diag);
}

static int length_cutoff_set(void *params, const char *flag, const char *value,
                             struct tp_diag *diag)
{
    struct length_cutoff_params *p = params;
    int v;
    int rc = tp__flag_integer(flag, value, &v, diag);
    if (rc)
        return rc;
    if (v < 0)
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                           "--%s needs a number of keyframes of 0 or more, not %d", flag, v);
    p->min_length = v;
    return TP_OK;
}

static int length_cutoff_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    struct length_cutoff_sink *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    tp__sink_init(&s->base, next, NULL, length_cutoff_tracker, NULL, NULL);
    s->min_length = (size_t)((const struct length_cutoff_params *)params)->min_length;
    *out = &s->base;
    return TP_OK;
}

const struct tp__tool tp__tool_length_cutoff = {
    .name = "length_cutoff",
    .params_size = sizeof(struct length_cutoff_params),
    .set = length_cutoff_set,
    .sink_new = length_cutoff_sink_new,
};
