/*
 * lint.c — the last edit before the exporters, added to every non-empty edit list. It drops
 * trackers the edits emptied (a trim or a crop can leave nothing) and refuses a tracker whose
 * keyframes are not in strictly increasing frame order, which no exporter can write.
 *
 * Duplicate names are passed through: several formats legitimately repeat a name, and
 * refusing them would fail conversions that otherwise work.
 */
#include "tools.h"

#include <stdlib.h>

static int lint_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    for (size_t i = 1; i < t->len; i++)
        if (t->keys[i].frame <= t->keys[i - 1].frame)
            return tp_diag_set(diag, TP_ERR_PARSE, 0,
                               "Tracker \"%.200s\" has keyframe %d after keyframe %d: keyframes "
                               "must go forward in time",
                               t->name ? t->name : "", t->keys[i].frame, t->keys[i - 1].frame);
    return tp__sink_forward(self, t, diag);
}

static int lint_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    (void)params;
    struct tp_sink *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    tp__sink_init(s, next, NULL, lint_tracker, NULL, NULL);
    *out = s;
    return TP_OK;
}

const struct tp__tool tp__tool_lint = {
    .name = "lint",
    .sink_new = lint_sink_new,
};
