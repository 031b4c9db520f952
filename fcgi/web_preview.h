/*
 * web_preview.h — the job page's plot: every tracker drawn over the comp frame as SVG.
 *
 * The preview is made by importing the job's stored input again, with the importer the job
 * detected and the user's size and edits, through a sink that draws instead of exporting.
 * Why not read one of the job's outputs: the user may have exported any subset of formats,
 * and the plot must show what every output holds (after edits) whichever were chosen; the
 * input already converted once within the child's limits, so importing it again is known to
 * succeed and costs about what reading it cost the child. The document is made once per
 * job, on first request, written to a temporary name and renamed into the job folder, so
 * every later request is a plain file download.
 *
 * Drawing: y is flipped (the model's origin is the lower left corner, SVG's the upper
 * left); one colour per tracker (golden-angle hues); one polyline per run of consecutive
 * frames, thinned to a point budget so a 2,000-tracker file still gives a light document;
 * a few markers per tracker whose <title> tells the tracker, frame and position on hover.
 * Text from the file (tracker names) is escaped and invalid UTF-8 replaced, so any input
 * gives a well-formed document.
 *
 * No global state; safe across fork() (uses only the converter library and files).
 */
#ifndef WEB_PREVIEW_H
#define WEB_PREVIEW_H

#include "trackport.h"

/* Budgets: points over every polyline, and hover markers over every tracker. */
#define WEB_PREVIEW_MAX_POINTS 120000
#define WEB_PREVIEW_MAX_MARKERS 6000

/* web_preview_sink_new makes a sink that writes one SVG document into out (borrowed; the
 * sink writes the head at begin and the tail at end, and never flushes or frees out).
 * Caller owns *sink (its destroy member). Returns 0 or TP_ERR_NOMEM. */
int web_preview_sink_new(struct tp_out *out, struct tp_sink **sink);

/* web_preview_render imports input_path with importer (borrowed), size width x height
 * (0: the file's own), applying edits (may be NULL), and writes the SVG to out_path
 * atomically (temporary name, then rename). Returns 0 or a tp_error with diag. */
int web_preview_render(const char *input_path, const struct tp_importer *importer, int width,
                       int height, const struct tp_edits *edits, const char *out_path,
                       struct tp_diag *diag);

#endif
