/*
 * nukescript.c — a Nuke script with one Tracker3 node a tracker, its track1 knob keyed with
 * the tracker's positions, behind a Root and a Constant of the comp size. Nuke frames are
 * 1-based. The Root's last_frame must be known before the first node, so the nodes go to a
 * spill file and are copied behind the header at the end. The curves are nuke_curve.h's.
 */
#include "nuke_curve.h"

#include <stdlib.h>

struct nkx_state {
    struct tp_spill *spill;
    int width, height;
    int max_frame;
    long ypos;
};

/* Offset between the nodes in the node graph. */
#define NKX_YPOS_STEP 30

static int nkx_begin(void *state, struct tp_out *out, int width, int height)
{
    struct nkx_state *s = state;
    (void)out;
    s->width = width;
    s->height = height;
    s->max_frame = 0;
    s->ypos = 0;
    return tp_spill_new(&s->spill);
}

static int nkx_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct nkx_state *s = state;
    (void)out;
    struct tp_out *o = tp_spill_out(s->spill);
    tp_out_puts(o, "\nTracker3 {\n     track1 {");
    tp__nuke_curve(o, "curve i", t, TP__NUKE_X, 4);
    tp_out_putc(o, ' ');
    tp__nuke_curve(o, "curve i", t, TP__NUKE_Y, 4);
    tp_out_puts(o, "}\n     name ");
    tp_out_puts(o, t->name);
    tp_out_puts(o, "\n     xpos 0\n     ypos ");
    s->ypos += NKX_YPOS_STEP;
    tp_out_int(o, s->ypos);
    tp_out_puts(o, "\n}\n");
    for (size_t i = 0; i < t->len; i++) {
        if (t->keys[i].frame > s->max_frame)
            s->max_frame = t->keys[i].frame;
    }
    return tp_out_error(o);
}

static int nkx_end(void *state, struct tp_out *out)
{
    struct nkx_state *s = state;
    int w = s->width, h = s->height;
    tp_out_printf(out,
                  "\nversion 5.1200\nRoot {\n inputs 0\n frame 1\n last_frame %lld\n}\n"
                  "Constant {\n inputs 0\n channels rgb\n format \"%d %d 0 0 %d %d 1\"\n"
                  " name CompSize_%dx%d\n postage_stamp false\n xpos 0\n ypos -60\n}\n",
                  (long long)s->max_frame + 1, w, h, w, h, w, h);
    int rc = tp_spill_copy_to(s->spill, out);
    return rc ? rc : tp_out_error(out);
}

static void nkx_cleanup(void *state)
{
    struct nkx_state *s = state;
    tp_spill_free(s->spill);
    s->spill = NULL;
}

const struct tp_exporter tp_export_nukescript = {
    .name = "nukescript",
    .human_name = "Nuke .nk script",
    .suffix = "nuke.nk",
    .application = "Nuke",
    .note = "One Tracker3 node per tracker, any Nuke version",
    .state_size = sizeof(struct nkx_state),
    .begin = nkx_begin,
    .tracker = nkx_tracker,
    .end = nkx_end,
    .cleanup = nkx_cleanup,
};
