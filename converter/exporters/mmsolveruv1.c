/*
 * mmsolveruv1.c — writes mmSolver .uv files of version 1 (text), which every mmSolver
 * release reads.
 *
 * The file opens with the number of points, known only at the end, so the points go to a
 * spill file first. Each point is its name, its number of frames and "frame u v weight"
 * rows: Maya frames (the model's plus one), u and v as fractions of the image from its
 * lower-left corner with 15 decimals as mmSolver's own 3DEqualizer export writes them,
 * and a weight of 1 (the model has no weights).
 */
#include "trackport.h"

struct uv1_state {
    struct tp_spill *spill;
    double width, height;
    long long points;
};

static int uv1_begin(void *state, struct tp_out *out, int width, int height)
{
    struct uv1_state *s = state;
    (void)out;
    s->width = width;
    s->height = height;
    return tp_spill_new(&s->spill);
}

static int uv1_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct uv1_state *s = state;
    struct tp_out *body = tp_spill_out(s->spill);
    (void)out;
    s->points++;
    tp_out_puts(body, t->name[0] ? t->name : "_"); /* a blank line would be no name */
    tp_out_putc(body, '\n');
    tp_out_int(body, (long long)t->len);
    tp_out_putc(body, '\n');
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        tp_out_int(body, (long long)k->frame + 1);
        tp_out_putc(body, ' ');
        tp_out_fixed(body, k->x / s->width, 15);
        tp_out_putc(body, ' ');
        tp_out_fixed(body, k->y / s->height, 15);
        tp_out_puts(body, " 1.00000000\n");
    }
    return tp_out_error(body);
}

static int uv1_end(void *state, struct tp_out *out)
{
    struct uv1_state *s = state;
    tp_out_int(out, s->points);
    tp_out_putc(out, '\n');
    int rc = tp_spill_copy_to(s->spill, out);
    return rc ? rc : tp_out_error(out);
}

static void uv1_cleanup(void *state)
{
    struct uv1_state *s = state;
    tp_spill_free(s->spill);
    s->spill = NULL;
}

const struct tp_exporter tp_export_mmsolveruv1 = {
    .name = "mmsolveruv1",
    .human_name = "mmSolver .uv file, version 1 (text)",
    .suffix = "mmsolver_v1.uv",
    .application = "Maya",
    .note = "mmSolver (Maya MatchMove Solver), every release: Load Markers, format version 1",
    .state_size = sizeof(struct uv1_state),
    .begin = uv1_begin,
    .tracker = uv1_tracker,
    .end = uv1_end,
    .cleanup = uv1_cleanup,
};
