/*
 * aekeyframes.c — After Effects keyframe data with every tracker's positions: one "Layer"
 * section a tracker, each holding a Transform Position block, as After Effects itself writes
 * keyframes copied from several layers. Selecting as many layers as there are trackers and
 * pasting gives each layer its tracker's motion; a single tracker pastes onto one layer. The
 * text has no place for names, so the trackers come back from it numbered by layer
 * ("Layer_2_Position").
 */
#include "ae_keyframe_writer.h"

struct aek_state {
    int height;
};

static int aek_begin(void *state, struct tp_out *out, int width, int height)
{
    struct aek_state *s = state;
    s->height = height;
    tp__ae_header(out, "9.0", width, height);
    return tp_out_error(out);
}

static int aek_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct aek_state *s = state;
    tp_out_puts(out, "Layer\n");
    tp__ae_block(out, "Transform\tPosition", true, t, s->height);
    return tp_out_error(out);
}

static int aek_end(void *state, struct tp_out *out)
{
    (void)state;
    tp__ae_footer(out);
    return tp_out_error(out);
}

const struct tp_exporter tp_export_aekeyframes = {
    .name = "aekeyframes",
    .human_name = "After Effects keyframe data: one layer's Position a tracker",
    .suffix = "ae_keyframes.txt",
    .application = "After Effects",
    .note = "AE 9.0 text (CS4 and later): one Layer section a tracker, pasted onto as many layers",
    .state_size = sizeof(struct aek_state),
    .begin = aek_begin,
    .tracker = aek_tracker,
    .end = aek_end,
};
