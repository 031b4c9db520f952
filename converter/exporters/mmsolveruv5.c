/*
 * mmsolveruv5.c — writes mmSolver .uv files of version 5 (JSON), the newest version.
 *
 * Every key the format documents is written, in a key order that lets the file stream:
 * "num_points" comes after "points", once the points are counted. Per point: the name,
 * "id" and "set_name" null, "per_frame" with Maya frames (the model's plus one), "pos" and
 * "pos_dist" both the position as tracked (trackport knows no lens, so the undistorted
 * position is the distorted one) as fractions of the image from its lower-left corner, a
 * weight of 1, and a "3d" block of nulls (no solved point). The scene transform is the
 * identity; the point group is a camera group without transforms; the camera carries the
 * comp size as "resolution", a 36 mm wide film back of the image's aspect, no lens
 * offset and no per-frame focal lengths.
 */
#include "script_quote.h"

struct uv5_state {
    double width, height;
    long long points;
};

static int uv5_begin(void *state, struct tp_out *out, int width, int height)
{
    struct uv5_state *s = state;
    s->width = width;
    s->height = height;
    tp_out_puts(out, "{\"version\": 5, \"is_undistorted\": null, \"scene\": {\"transform\": "
                     "[1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, "
                     "0.0, 1.0]}, \"point_group\": {\"name\": \"trackport\", \"type\": "
                     "\"CAMERA\", \"transform\": {}}, \"points\": [");
    return tp_out_error(out);
}

static void uv5_pair(struct tp_out *out, double u, double v)
{
    tp_out_putc(out, '[');
    tp_out_fixed(out, u, 15);
    tp_out_puts(out, ", ");
    tp_out_fixed(out, v, 15);
    tp_out_putc(out, ']');
}

static int uv5_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct uv5_state *s = state;
    tp_out_puts(out, s->points ? ",\n{\"name\": " : "\n{\"name\": ");
    s->points++;
    tp__script_quote(out, t->name, TP__SCRIPT_JSON);
    tp_out_puts(out, ", \"id\": null, \"set_name\": null, \"per_frame\": [");
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        double u = k->x / s->width, v = k->y / s->height;
        tp_out_puts(out, i ? ", {\"frame\": " : "{\"frame\": ");
        tp_out_int(out, (long long)k->frame + 1);
        tp_out_puts(out, ", \"pos_dist\": ");
        uv5_pair(out, u, v);
        tp_out_puts(out, ", \"pos\": ");
        uv5_pair(out, u, v);
        tp_out_puts(out, ", \"weight\": 1.0}");
    }
    tp_out_puts(out, "], \"3d\": {\"x\": null, \"y\": null, \"z\": null, \"x_lock\": null, "
                     "\"y_lock\": null, \"z_lock\": null}}");
    return tp_out_error(out);
}

static int uv5_end(void *state, struct tp_out *out)
{
    struct uv5_state *s = state;
    tp_out_puts(out, "],\n\"num_points\": ");
    tp_out_int(out, s->points);
    tp_out_puts(out, ", \"camera\": {\"resolution\": [");
    tp_out_int(out, (long long)s->width);
    tp_out_puts(out, ", ");
    tp_out_int(out, (long long)s->height);
    tp_out_puts(out, "], \"film_back_cm\": [3.6, ");
    tp_out_fixed(out, 3.6 * s->height / s->width, 15);
    tp_out_puts(out, "], \"lens_center_offset_cm\": [0.0, 0.0], \"per_frame\": []}}\n");
    return tp_out_error(out);
}

const struct tp_exporter tp_export_mmsolveruv5 = {
    .name = "mmsolveruv5",
    .human_name = "mmSolver .uv file, version 5 (JSON)",
    .suffix = "mmsolver_v5.uv",
    .application = "Maya",
    .note = "mmSolver 0.5.3 and later: Load Markers, format version 5 (JSON)",
    .state_size = sizeof(struct uv5_state),
    .begin = uv5_begin,
    .tracker = uv5_tracker,
    .end = uv5_end,
};
