/*
 * disp_preview.h — the job page's plot: every tracker drawn over the comp frame as SVG,
 * by a sink the converter child watches its conversion's output with (tp_convert's
 * watch_output), so the preview costs no second pass over the input and runs under the
 * child's resource limits. The web process only ever serves the finished file.
 *
 * Drawing: y is flipped (the model's origin is the lower left corner, SVG's the upper
 * left); one colour per tracker (golden-angle hues); one polyline per run of consecutive
 * frames, thinned to a point budget so a 2,000-tracker file still gives a light document;
 * a few markers per tracker whose <title> tells the tracker, frame and position on hover.
 * The comp frame is drawn as a rectangle and the view (viewBox) fits both the frame and
 * every keyframe, so points an edit moved outside the comp are visible beside it. Lines keep
 * their width on screen however large the view (non-scaling stroke). Text from the file
 * (tracker names) is escaped and invalid UTF-8 replaced, so any input gives a well-formed
 * document.
 *
 * Memory: the body is kept in memory while the trackers stream (bounded by the budgets,
 * a few megabytes), because the view is only known once every point has been seen; the
 * head and the body are written to the file by disp_preview_save.
 * No global state; safe across fork().
 */
#ifndef TRACKPORT_DISP_PREVIEW_H
#define TRACKPORT_DISP_PREVIEW_H

#include "trackport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Budgets: points over every polyline, and hover markers over every tracker. */
#define DISP_PREVIEW_MAX_POINTS 120000
#define DISP_PREVIEW_MAX_MARKERS 6000

/* disp_preview_sink_new makes the drawing sink. It forwards begin, each tracker and end to
 * its next member when that is set (so watchers can be chained) and never changes a tracker.
 * Caller owns *sink (its destroy member). Returns 0 or TP_ERR_NOMEM. */
int disp_preview_sink_new(struct tp_sink **sink);

/* disp_preview_write writes the whole document drawn by sink (made by disp_preview_sink_new,
 * after end) into out (borrowed, not flushed). Returns 0 or the out's error. */
int disp_preview_write(struct tp_sink *sink, struct tp_out *out);

/* disp_preview_save writes the document to path atomically (a temporary name in the same
 * folder, then rename). Returns 0 or a tp_error with diag. */
int disp_preview_save(struct tp_sink *sink, const char *path, struct tp_diag *diag);

/* disp_utf8_char returns the length (1..4) of the valid UTF-8 character at p (NUL-
 * terminated), or 0 where it is not valid (overlong, surrogate, truncated...). */
size_t disp_utf8_char(const unsigned char *p);

#ifdef __cplusplus
}
#endif
#endif
