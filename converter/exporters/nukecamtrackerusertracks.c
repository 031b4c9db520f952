/*
 * nukecamtrackerusertracks.c — tracks for the import/export of Nuke's CameraTracker node (in
 * its Tracking tab). The layout is Shake's tracker text (a "TrackName" block a tracker,
 * 1-based frames, correlation = 1 - residual, blocks separated by an empty line), but the
 * CameraTracker only takes tracks named autotrack0, autotrack1, ... in order, so the
 * trackers' own names are dropped.
 */
#include "trackport.h"

struct nkc_state {
    long counter;
};

static int nkc_begin(void *state, struct tp_out *out, int width, int height)
{
    struct nkc_state *s = state;
    (void)out;
    (void)width;
    (void)height;
    s->counter = 0;
    return TP_OK;
}

static int nkc_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct nkc_state *s = state;
    if (s->counter)
        tp_out_putc(out, '\n');
    tp_out_puts(out, "TrackName autotrack");
    tp_out_int(out, s->counter++);
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
    return tp_out_error(out);
}

static int nkc_end(void *state, struct tp_out *out)
{
    (void)state;
    tp_out_putc(out, '\n');
    return tp_out_error(out);
}

const struct tp_exporter tp_export_nukecamtrackerusertracks = {
    .name = "nukecamerausertracks",
    .human_name = "Nuke CameraTracker node autotracks (enable import/export in the Tracking tab)",
    .suffix = "nuke_cam_trk_autotracks.txt",
    .application = "Nuke",
    .note = "CameraTracker: enable import/export in its Tracking tab",
    .state_size = sizeof(struct nkc_state),
    .begin = nkc_begin,
    .tracker = nkc_tracker,
    .end = nkc_end,
};
