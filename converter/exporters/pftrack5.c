/*
 * pftrack5.c — PFTrack 5 .2dt: every tracker on the camera "Primary" (a single-camera
 * export), frames written from 0 as the model numbers them, CRLF line breaks. The block
 * itself comes from pftrack_writer.c.
 */
#include "pftrack_writer.h"

static const struct tp__pf_style pf5_style = {
    .camera = "\"Primary\"", .frame_offset = 0, .eol = "\r\n"};

static int pf5_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    (void)state;
    return tp__pf_write_tracker(out, t, &pf5_style);
}

const struct tp_exporter tp_export_pftrack5 = {
    .name = "pftrack5",
    .human_name = "PFTrack v5 .2dt file (single camera)",
    .suffix = "pftrack_v5.2dt",
    .application = "PFTrack",
    .note = "PFTrack 5; single camera",
    .tracker = pf5_tracker,
};
