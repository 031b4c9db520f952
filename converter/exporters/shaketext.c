/*
 * shaketext.c — writes Shake's tracker text (see importers/shaketext.c), which Nuke's
 * CameraTracker also imports as user tracks: per tracker a "TrackName" line, the column
 * header, one "   frame   x   y   correlation" line a keyframe (frame 1-based with two
 * decimals, correlation = 1 - residual) and a blank line.
 */
#include "trackport.h"

static int stx_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    (void)state;
    tp_out_puts(out, "TrackName ");
    tp_out_puts(out, t->name);
    tp_out_puts(out, "\n   Frame             X             Y   Correlation\n");
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        tp_out_puts(out, "   ");
        tp_out_fixed(out, (double)k->frame + 1.0, 2);
        tp_out_puts(out, "   ");
        tp_out_fixed(out, k->x, 3);
        tp_out_puts(out, "   ");
        tp_out_fixed(out, k->y, 3);
        tp_out_puts(out, "   ");
        tp_out_fixed(out, 1.0 - k->residual, 3);
        tp_out_putc(out, '\n');
    }
    tp_out_putc(out, '\n');
    return TP_OK;
}

const struct tp_exporter tp_export_shaketext = {
    .name = "shaketext",
    .human_name = "Shake trackers in a .txt file (also usable with Nuke's CameraTracker)",
    .suffix = "shake_trackers.txt",
    .application = "Nuke",
    .note = "Shake tracker text; Nuke's CameraTracker imports it too",
    .tracker = stx_tracker,
};
