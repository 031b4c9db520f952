/*
 * equalizer4.c — writes 3DEqualizer v4 point export text files.
 *
 * The file opens with the number of points, known only at the end, so the points go to
 * a spill file first. Each point is its name, a colour (0, red), its keyframe count and
 * "frame x y" lines with 1-based frames and 15 decimals, the precision 3DE itself writes.
 */
#include "trackport.h"

struct e4x_state {
    struct tp_spill *spill;
    long long points;
};

static int e4x_begin(void *state, struct tp_out *out, int width, int height)
{
    struct e4x_state *s = state;
    (void)out;
    (void)width;
    (void)height;
    return tp_spill_new(&s->spill);
}

static int e4x_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct e4x_state *s = state;
    struct tp_out *body = tp_spill_out(s->spill);
    (void)out;
    s->points++;
    tp_out_puts(body, t->name);
    tp_out_puts(body, "\n0\n");
    tp_out_int(body, (long long)t->len);
    tp_out_putc(body, '\n');
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        tp_out_int(body, (long long)k->frame + 1);
        tp_out_putc(body, ' ');
        tp_out_fixed(body, k->x, 15);
        tp_out_putc(body, ' ');
        tp_out_fixed(body, k->y, 15);
        tp_out_putc(body, '\n');
    }
    return tp_out_error(body);
}

static int e4x_end(void *state, struct tp_out *out)
{
    struct e4x_state *s = state;
    tp_out_int(out, s->points);
    tp_out_putc(out, '\n');
    if (s->points == 0)
        tp_out_putc(out, '\n');
    int rc = tp_spill_copy_to(s->spill, out);
    return rc ? rc : tp_out_error(out);
}

static void e4x_cleanup(void *state)
{
    struct e4x_state *s = state;
    tp_spill_free(s->spill);
    s->spill = NULL;
}

const struct tp_exporter tp_export_equalizer4 = {
    .name = "equalizer4",
    .human_name = "3DE v4 point export .txt file",
    .suffix = "3de_v4.txt",
    .application = "3DEqualizer",
    .note = "3DEqualizer 4, every release: import 2D tracks",
    .state_size = sizeof(struct e4x_state),
    .begin = e4x_begin,
    .tracker = e4x_tracker,
    .end = e4x_end,
    .cleanup = e4x_cleanup,
};
