/*
 * maxscript.c — a 3ds Max script (.ms) that makes a plane standing for the comp and one
 * animated Point helper per tracker on it.
 *
 * Pixel units would make a scene hundreds of metres wide, so the comp is scaled to 10 units
 * across (the height by the same factor) and centred on the origin: a point's position is
 * its pixel position times 10 / width, minus half the plane. Frames are Max's time as is.
 */
#include "script_quote.h"

#define MAX_PLANE_WIDTH 10.0

struct max_state {
    double factor, half_w, half_h;
};

static int max_begin(void *state, struct tp_out *out, int width, int height)
{
    struct max_state *st = state;
    st->factor = (1.0 / width) * MAX_PLANE_WIDTH;
    double w = width * st->factor, h = height * st->factor;
    st->half_w = w / 2;
    st->half_h = h / 2;
    tp_out_puts(out, "new_plane = convertToPoly (plane width:");
    tp_out_fixed(out, w, 5);
    tp_out_puts(out, " length:");
    tp_out_fixed(out, h, 5);
    tp_out_puts(out, " lengthsegs:1 widthsegs:1 name:\"TracksperantoPlane\" backFaceCull:True)\n");
    return TP_OK;
}

static int max_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    const struct max_state *st = state;
    tp_out_puts(out, "-- Data for tracker ");
    tp__script_comment(out, t->name);
    tp_out_puts(out, "\nanimate on (\n");
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        double x = k->x * st->factor - st->half_w;
        double y = k->y * st->factor - st->half_h;
        if (i == 0) {
            tp_out_puts(out, "pt = Point name:");
            tp__script_quote(out, t->name, TP__SCRIPT_MAXSCRIPT);
            tp_out_puts(out, " pos:[");
            tp_out_fixed(out, x, 5);
            tp_out_putc(out, ',');
            tp_out_fixed(out, y, 5);
            tp_out_puts(out, ",0.000] size:1.000000 axistripod:off centermarker:on "
                             "isSelected:on\n");
        }
        tp_out_puts(out, "at time ");
        tp_out_int(out, k->frame);
        tp_out_puts(out, " pt.pos.x = ");
        tp_out_fixed(out, x, 5);
        tp_out_puts(out, "\nat time ");
        tp_out_int(out, k->frame);
        tp_out_puts(out, " pt.pos.y = ");
        tp_out_fixed(out, y, 5);
        tp_out_putc(out, '\n');
    }
    tp_out_puts(out, ")\n");
    return TP_OK;
}

static int max_end(void *state, struct tp_out *out)
{
    (void)state;
    tp_out_puts(out, "animate off\nEnableSceneRedraw()\n");
    return TP_OK;
}

const struct tp_exporter tp_export_maxscript = {
    .name = "maxscript",
    .human_name = "Autodesk 3dsmax script for nulls on an image plane",
    .suffix = "3dsmax_nulls.ms",
    .application = "3ds Max",
    .note = "MAXScript: one point helper per tracker on an image plane",
    .state_size = sizeof(struct max_state),
    .begin = max_begin,
    .tracker = max_tracker,
    .end = max_end,
};
