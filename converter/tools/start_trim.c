/*
 * start_trim.c — drops every keyframe before frame 0 (--trim), and with them trackers that
 * lived only there. Some applications mishandle negative frames, and slips or imports from
 * mid-clip can produce them.
 */
#include "tools.h"

#include <string.h>
#include <stdlib.h>

static int start_trim_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    size_t skip = 0;
    while (skip < t->len && t->keys[skip].frame < 0)
        skip++;
    if (skip) {
        memmove(t->keys, t->keys + skip, (t->len - skip) * sizeof *t->keys);
        t->len -= skip;
    }
    return tp__sink_forward(self, t, diag);
}

static int start_trim_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    (void)params;
    struct tp_sink *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    tp__sink_init(s, next, NULL, start_trim_tracker, NULL, NULL);
    *out = s;
    return TP_OK;
}

const struct tp__tool tp__tool_start_trim = {
    .name = "start_trim",
    .sink_new = start_trim_sink_new,
};
