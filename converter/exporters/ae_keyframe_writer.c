/* ae_keyframe_writer.c — After Effects keyframe data text (see ae_keyframe_writer.h). */
#include "ae_keyframe_writer.h"

#include "corner_order.h"

void tp__ae_header(struct tp_out *out, const char *version, int width, int height)
{
    tp_out_printf(out,
                  "Adobe After Effects %s Keyframe Data\n\n"
                  "\tUnits Per Second\t24\n"
                  "\tSource Width\t%d\n"
                  "\tSource Height\t%d\n"
                  "\tSource Pixel Aspect Ratio\t1\n"
                  "\tComp Pixel Aspect Ratio\t1\n\n",
                  version, width, height);
}

void tp__ae_block(struct tp_out *out, const char *header, bool with_z, const struct tp_tracker *t,
                  int height)
{
    tp_out_puts(out, header);
    tp_out_puts(out, with_z ? "\n\tFrame\tX pixels\tY pixels\tZ pixels\n"
                            : "\n\tFrame\tX pixels\tY pixels\n");
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        tp_out_putc(out, '\t');
        tp_out_int(out, k->frame);
        tp_out_putc(out, '\t');
        tp_out_fixed(out, k->x, 4);
        tp_out_putc(out, '\t');
        tp_out_fixed(out, (double)height - k->y, 4);
        tp_out_puts(out, with_z ? "\t0\n" : "\n");
    }
    tp_out_putc(out, '\n');
}

void tp__ae_footer(struct tp_out *out)
{
    tp_out_puts(out, "End of Keyframe Data\n");
}

int tp__ae_pin_begin(void *state, struct tp_out *out, int width, int height)
{
    struct tp__ae_pin_state *s = state;
    (void)out;
    s->width = width;
    s->height = height;
    s->count = 0;
    for (size_t i = 0; i < 4; i++)
        tp_tracker_init(&s->corners[i]);
    return TP_OK;
}

int tp__ae_pin_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct tp__ae_pin_state *s = state;
    (void)out;
    /* A pin has four corners: later trackers are left out. */
    if (t->len == 0 || s->count == 4)
        return TP_OK;
    return tp_tracker_copy(&s->corners[s->count++], t);
}

int tp__ae_pin_end(struct tp__ae_pin_state *s, struct tp_out *out, const char *const headers[4])
{
    const struct tp_tracker *given[4] = {&s->corners[0], &s->corners[1], &s->corners[2],
                                         &s->corners[3]};
    const struct tp_tracker *corner[4] = {given[0], given[1], given[2], given[3]};
    if (s->count == 4)
        tp__corner_order(given, corner);
    tp__ae_header(out, "6.0", s->width, s->height);
    for (size_t i = 0; i < s->count; i++)
        tp__ae_block(out, headers[i], false, corner[i], s->height);
    tp__ae_footer(out);
    return tp_out_error(out);
}

void tp__ae_pin_cleanup(void *state)
{
    struct tp__ae_pin_state *s = state;
    for (size_t i = 0; i < 4; i++)
        tp_tracker_cleanup(&s->corners[i]);
    s->count = 0;
}
