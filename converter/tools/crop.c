/*
 * crop.c — pads or crops the comp by whole pixels on each side
 * (--crop LEFT,RIGHT,TOP,BOTTOM): the pad tool with pixel amounts, which become fractions of
 * the incoming comp size once it is known. Negative amounts cut the comp down.
 */
#include "tools.h"

static int crop_set(void *params, const char *flag, const char *value, struct tp_diag *diag)
{
    struct tp__pad *p = params;
    /* Sides not given are 0, as the reference reads "--crop 10" (its missing values are
     * nil, cast to 0). */
    int v[4] = {0, 0, 0, 0};
    size_t n;
    int rc = tp__flag_integers(flag, value, 1, 4, v, &n, diag);
    if (rc)
        return rc;
    *p = (struct tp__pad){.left = v[0], .right = v[1], .top = v[2], .bottom = v[3], .pixels = true};
    return TP_OK;
}

static int crop_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    return tp__pad_sink_new(params, "--crop", next, out);
}

const struct tp__tool tp__tool_crop = {
    .name = "crop",
    .params_size = sizeof(struct tp__pad),
    .set = crop_set,
    .sink_new = crop_sink_new,
};
