/*
 * reformat.c — resizes the comp to a given pixel size, scaling every point with it
 * (--reformat-x, --reformat-y); a side not given keeps the incoming size.
 *
 * The factors are new / old per axis, applied as the scaler does (residuals included). The
 * new size is passed on exactly as asked: computing it back as old * (new / old) can land a
 * hair under the whole number and truncate to one pixel less.
 */
#include "tools.h"

#include <math.h>
#include <stdlib.h>

struct reformat_params {
    int width, height; /* 0: keep the incoming side */
};

struct reformat_sink {
    struct tp_sink base;
    struct reformat_params p;
    struct tp__scale scale;
};

static int reformat_begin(struct tp_sink *self, int width, int height, struct tp_diag *diag)
{
    struct reformat_sink *s = (struct reformat_sink *)self;
    if (width <= 0 || height <= 0)
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                           "--reformat-x/--reformat-y need a comp of known size");
    int w = s->p.width ? s->p.width : width;
    int h = s->p.height ? s->p.height : height;
    double xf = (double)w / width, yf = (double)h / height;
    s->scale = (struct tp__scale){.x_factor = xf,
                                  .y_factor = yf,
                                  .x_given = true,
                                  .y_given = true,
                                  .width = w,
                                  .height = h,
                                  .residual_factor = sqrt(xf * xf + yf * yf),
                                  .identity = w == width && h == height};
    return self->next->begin(self->next, w, h, diag);
}

static int reformat_tracker(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    struct reformat_sink *s = (struct reformat_sink *)self;
    tp__scale_apply(&s->scale, t);
    return tp__sink_forward(self, t, diag);
}

static int reformat_set(void *params, const char *flag, const char *value, struct tp_diag *diag)
{
    struct reformat_params *p = params;
    int v;
    int rc = tp__flag_integer(flag, value, &v, diag);
    if (rc)
        return rc;
    if (v < 1 || v > TP__TOOL_MAX_SIDE)
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                           "--%s needs a size between 1 and %d pixels, not %d", flag,
                           TP__TOOL_MAX_SIDE, v);
    if (flag[9] == 'x')
        p->width = v;
    else
        p->height = v;
    return TP_OK;
}

static int reformat_sink_new(const void *params, struct tp_sink *next, struct tp_sink **out)
{
    struct reformat_sink *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    tp__sink_init(&s->base, next, reformat_begin, reformat_tracker, NULL, NULL);
    s->p = *(const struct reformat_params *)params;
    *out = &s->base;
    return TP_OK;
}

const struct tp__tool tp__tool_reformat = {
    .name = "reformat",
    .params_size = sizeof(struct reformat_params),
    .set = reformat_set,
    .sink_new = reformat_sink_new,
};
