/*
 * pftrack4.c — PFTrack 4 .2dt: tracker blocks without a camera line, frames written as
 * the model numbers them (from 0) and CRLF line breaks. The block itself comes from
 * pftrack_writer.c, shared with the PFTrack 5 and PFMatchit exporters.
 */
#include "pftrack_writer.h"

static const struct tp__pf_style pf4_style = {.camera = NULL, .frame_offset = 0, .eol = "\r\n"};

static int pf4_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    (void)state;
    return tp__pf_write_tracker(out, t, &pf4_style);
}

const struct tp_exporter tp_export_pftrack4 = {
    .name = "pftrack4",
    .human_name = "PFTrack v4 .2dt file",
    .suffix = "pftrack_v4.2dt",
    .application = "PFTrack",
    .note = "PFTrack 4",
    .tracker = pf4_tracker,
};
