/*
 * disp_summary.h — what a job did, gathered in the converter child's single pass: the comp
 * size and frame range as imported and as exported, trackers, keyframes and how many of
 * them fall outside the exported comp, and trackers.json (one entry per exported tracker:
 * name, first, last, keyframes, outside) written as the trackers stream.
 *
 * Two watcher sinks feed it (tp_convert's watch_input and watch_output); each forwards to
 * its own next when set, so the preview can follow the output watcher. A keyframe is
 * outside when x < 0, x > width, y < 0 or y > height of the exported comp.
 *
 * trackers.json is streamed to a temporary name beside its final path and renamed by
 * disp_summary_finish, so its size never costs memory and a reader never sees half of it;
 * names are made valid UTF-8 (invalid bytes become U+FFFD) before they reach the JSON.
 *
 * Ownership: caller owns the summary (disp_summary_free, which also removes an unfinished
 * temporary file). The sinks belong to the summary (never destroy them). Safe across fork().
 */
#ifndef TRACKPORT_DISP_SUMMARY_H
#define TRACKPORT_DISP_SUMMARY_H

#include "trackport.h"

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

struct disp_summary;

/* disp_summary_new prepares a summary whose trackers.json goes to trackers_path (NULL: none).
 * Returns 0, TP_ERR_NOMEM or TP_ERR_IO (with diag). */
int disp_summary_new(const char *trackers_path, struct disp_summary **out, struct tp_diag *diag);
void disp_summary_free(struct disp_summary *s);

/* The watchers (borrowed from s). next members start NULL; set the output one's to chain. */
struct tp_sink *disp_summary_input(struct disp_summary *s);
struct tp_sink *disp_summary_output(struct disp_summary *s);

/* disp_summary_finish completes trackers.json and renames it into place. 0 or TP_ERR_IO. */
int disp_summary_finish(struct disp_summary *s, struct tp_diag *diag);

/* disp_summary_json builds the result's "summary" object: importer (borrowed name), comp_in,
 * comp_out, frames_in, frames_out, trackers, keyframes, outside, and edits — a copy of the
 * job options' list of [flag, value] pairs (edits may be NULL: an empty list); values are
 * given as text. Caller owns the object (cJSON_Delete); NULL when out of memory. */
cJSON *disp_summary_json(const struct disp_summary *s, const char *importer, const cJSON *edits);

/* Counters, for tests and the result. */
size_t disp_summary_trackers(const struct disp_summary *s);
size_t disp_summary_keyframes(const struct disp_summary *s);
size_t disp_summary_outside(const struct disp_summary *s);

#ifdef __cplusplus
}
#endif
#endif
