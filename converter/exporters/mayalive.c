/*
 * mayalive.c — writes Maya Live track export files.
 *
 * Coordinates go out in Maya Live's "aspect units": the image centre is 0,0, y spans -1
 * (bottom) to 1 (top) and x spans -aspect to aspect, with aspect = width / height. The
 * size line repeats the aspect rounded to 2 decimals. Points are numbered from 0 in the
 * order written; frames stay 0-based. Residuals are written divided by 10, the scale
 * Maya Live's solver expects, with 10 decimals like the coordinates.
 */
#include "trackport.h"

struct mlx_state {
    double width, height, aspect;
    long long index;
};

static int mlx_begin(void *state, struct tp_out *out, int width, int height)
{
    struct mlx_state *s = state;
    s->width = width;
    s->height = height;
    s->aspect = (double)width / (double)height;
    tp_out_printf(out, "#  Size  %d  %d  ", width, height);
    tp_out_fixed(out, s->aspect, 2);
    tp_out_putc(out, '\n');
    return tp_out_error(out);
}

static int mlx_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct mlx_state *s = state;
    const double x_unit = s->width / (s->aspect * 2.0), y_unit = s->height / 2.0;
    tp_out_puts(out, "#  Name ");
    tp_out_puts(out, t->name);
    tp_out_putc(out, '\n');
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        tp_out_int(out, s->index);
        tp_out_putc(out, ' ');
        tp_out_int(out, k->frame);
        tp_out_putc(out, ' ');
        tp_out_fixed(out, k->x / x_unit - s->aspect, 10);
        tp_out_putc(out, ' ');
        tp_out_fixed(out, k->y / y_unit - 1.0, 10);
        tp_out_putc(out, ' ');
        tp_out_fixed(out, k->residual / 10.0, 10);
        tp_out_putc(out, '\n');
    }
    s->index++;
    return tp_out_error(out);
}

const struct tp_exporter tp_export_mayalive = {
    .name = "mayalive",
    .human_name = "MayaLive track export",
    .suffix = "mayalive.txt",
    .application = "Maya",
    .note = "Maya Live (Maya 2009 and earlier)",
    .state_size = sizeof(struct mlx_state),
    .begin = mlx_begin,
    .tracker = mlx_tracker,
};
