/* tsv.c — writes the plain keyframe table the tsv importer reads (6 decimals). */
#include "trackport.h"

static int tsv_begin(void *state, struct tp_out *out, int width, int height)
{
    (void)state;
    tp_out_printf(out, "# width\t%d\n# height\t%d\ntracker\tframe\tx\ty\tresidual\n", width,
                  height);
    return TP_OK;
}

static int tsv_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    (void)state;
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        tp_out_puts(out, t->name);
        tp_out_putc(out, '\t');
        tp_out_int(out, k->frame);
        tp_out_putc(out, '\t');
        tp_out_fixed(out, k->x, 6);
        tp_out_putc(out, '\t');
        tp_out_fixed(out, k->y, 6);
        tp_out_putc(out, '\t');
        tp_out_fixed(out, k->residual, 6);
        tp_out_putc(out, '\n');
    }
    return TP_OK;
}

const struct tp_exporter tp_export_tsv = {
    .name = "tsv",
    .human_name = "Tab-separated keyframe table",
    .suffix = "tracks.tsv",
    .application = "Scripting",
    .note = "Tab-separated table: tracker, frame, x, y, residual",
    .begin = tsv_begin,
    .tracker = tsv_tracker,
};
