/*
 * flip.c — mirrors the comp horizontally (--flip): x becomes width - x.
 *
 * It is the scaler with an x factor of -1 and no y factor, so residuals grow by the length of
 * (-1, 1), as any scaling that is not the identity does.
 */
#include "tools.h"

static int flip_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    (void)params;
    struct tp__scale s = {.x_factor = -1.0, .x_given = true};
    return tp__scale_sink_new(&s, "--flip", next, out);
}

const struct tp__tool tp__tool_flip = {
    .name = "flip",
    .sink_new = flip_sink_new,
};
