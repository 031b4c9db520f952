/*
 * equalizer3.c — writes 3DEqualizer v3 "Multiple Tracking Curves Export" text files.
 *
 * The header names the comp size and the last frame of the shot, which is only known
 * once every point was seen: the body goes to a spill file and the header is written at
 * the end. Frames are 1-based, coordinates have 3 decimals, and the file ends with an
 * empty line, as 3DE writes it.
 */
#include "trackport.h"

struct e3x_state {
    struct tp_spill *spill;
    int width, height;
    long long last_frame; /* the highest 1-based frame written */
};

static int e3x_begin(void *state, struct tp_out *out, int width, int height)
{
    struct e3x_state *s = state;
    (void)out;
    s->width = width;
    s->height = height;
    return tp_spill_new(&s->spill);
}

static int e3x_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct e3x_state *s = state;
    struct tp_out *body = tp_spill_out(s->spill);
    (void)out;
    tp_out_puts(body, t->name);
    tp_out_putc(body, '\n');
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        long long frame = (long long)k->frame + 1;
        if (frame > s->last_frame)
            s->last_frame = frame;
        tp_out_putc(body, '\t');
        tp_out_int(body, frame);
        tp_out_putc(body, '\t');
        tp_out_fixed(body, k->x, 3);
        tp_out_putc(body, '\t');
        tp_out_fixed(body, k->y, 3);
        tp_out_putc(body, '\n');
    }
    return tp_out_error(body);
}

static int e3x_end(void *state, struct tp_out *out)
{
    struct e3x_state *s = state;
    tp_out_printf(out, "// 3DE Multiple Tracking Curves Export %d x %d * %lld frames\n",
                  s->width, s->height, s->last_frame);
    int rc = tp_spill_copy_to(s->spill, out);
    tp_out_putc(out, '\n');
    return rc ? rc : tp_out_error(out);
}

static void e3x_cleanup(void *state)
{
    struct e3x_state *s = state;
    tp_spill_free(s->spill);
    s->spill = NULL;
}

const struct tp_exporter tp_export_equalizer3 = {
    .name = "equalizer3",
    .human_name = "3DE v3 point export .txt file",
    .suffix = "3de_v3.txt",
    .application = "3DEqualizer",
    .note = "3DEqualizer 3 point import",
    .state_size = sizeof(struct e3x_state),
    .begin = e3x_begin,
    .tracker = e3x_tracker,
    .end = e3x_end,
    .cleanup = e3x_cleanup,
};
