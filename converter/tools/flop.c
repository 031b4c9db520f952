/*
 * flop.c — mirrors the comp vertically (--flop): y becomes height - y.
 *
 * It is the scaler with a y factor of -1 and no x factor, so residuals grow by the length of
 * (1, -1), as any scaling that is not the identity does.
 */
#include "tools.h"

static int flop_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    (void)params;
    struct tp__scale s = {.y_factor = -1.0, .y_given = true};
    return tp__scale_sink_new(&s, "--flop", next, out);
}

const struct tp__tool tp__tool_flop = {
    .name = "flop",
    .sink_new = flop_sink_new,
};
