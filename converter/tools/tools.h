/*
 * tools.h — what the edit list (edits.c) and the tools (one file each) share. Internal to the
 * converter library.
 *
 * A tool is a table row: the size of its parameter block, a function that sets a parameter
 * from a CLI-style flag, and a constructor that builds its sink in front of `next`. The edit
 * list owns the parameter blocks; a tool's sink copies what it needs, so sinks outlive the
 * list safely. Sinks built here never forward an empty tracker: a tool that empties one has
 * dropped it.
 *
 * Tools that change the comp size compute the new size in begin and pass it to next->begin.
 * Nothing here keeps global state; every sink is independent.
 */
#ifndef TP_TOOLS_H
#define TP_TOOLS_H

#include "trackport.h"

/* The largest comp side a tool may produce; beyond it exporters' integer arithmetic is at risk. */
#define TP__TOOL_MAX_SIDE 100000000

struct tp__tool {
    const char *name;   /* "scaler", as in struct tp_tool_flag.tool */
    size_t params_size; /* bytes of parameter block; zeroed, then init (if any) runs */
    void (*init)(void *params);
    /* set parses value for flag into params, or fails with TP_ERR_BAD_ARGUMENT naming the
     * flag. NULL for tools no flag reaches (lint). */
    int (*set)(void *params, const char *flag, const char *value, struct tp_diag *diag);
    /* sink_new builds the tool's sink in front of next (borrowed). Caller owns *out. */
    int (*sink_new)(const void *params, struct tp_sink *next, struct tp_sink **out);
};

extern const struct tp__tool tp__tool_scaler, tp__tool_slipper, tp__tool_start_trim,
    tp__tool_golden, tp__tool_length_cutoff, tp__tool_prefix, tp__tool_move_to_first,
    tp__tool_lerp, tp__tool_flip, tp__tool_flop, tp__tool_reformat, tp__tool_shift, tp__tool_pad,
    tp__tool_crop, tp__tool_lens_disto, tp__tool_lint;

/* ---------------------------------------------------------------- flag parsing (edits.c) */

/* Each parses value for --flag or fills diag with a sentence naming the flag. */
int tp__flag_number(const char *flag, const char *value, double *out, struct tp_diag *diag);
int tp__flag_integer(const char *flag, const char *value, int *out, struct tp_diag *diag);
/* tp__flag_numbers parses a comma-separated list of min..max numbers; *count gets how many. */
int tp__flag_numbers(const char *flag, const char *value, size_t min, size_t max, double *out,
                     size_t *count, struct tp_diag *diag);
/* tp__flag_integers parses a comma-separated list of min..max whole numbers; *count gets
 * how many. */
int tp__flag_integers(const char *flag, const char *value, size_t min, size_t max, int *out,
                      size_t *count, struct tp_diag *diag);

/* ---------------------------------------------------------------- sink plumbing (edits.c) */

/* tp__sink_init fills base with the given callbacks; NULL begin/end pass straight to next,
 * NULL destroy frees the sink with free(). */
void tp__sink_init(struct tp_sink *base, struct tp_sink *next,
                   int (*begin)(struct tp_sink *, int, int, struct tp_diag *),
                   int (*tracker)(struct tp_sink *, struct tp_tracker *, struct tp_diag *),
                   int (*end)(struct tp_sink *, struct tp_diag *), void (*destroy)(struct tp_sink *));
/* tp__sink_forward passes t to self->next unless it is empty. */
int tp__sink_forward(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag);
/* tp__check_side fails with TP_ERR_BAD_ARGUMENT when a comp side a tool computed (already
 * rounded to whole pixels) is outside 1..TP__TOOL_MAX_SIDE. what names the edit ("--pad"),
 * dimension is "wide" or "high". */
int tp__check_side(double side, const char *what, const char *dimension, struct tp_diag *diag);

/* ---------------------------------------------------------------- shared transforms */

/*
 * struct tp__scale is the scaling the scaler, flip, flop and reformat tools share. Factors may
 * be negative (mirroring: the point is measured from the opposite edge of the new comp). The
 * residual grows with the length of the factor vector unless both factors were given as
 * exactly 1 (then nothing changes at all).
 */
struct tp__scale {
    double x_factor, y_factor;
    bool x_given, y_given;
    /* computed by tp__scale_begin */
    int width, height;
    double residual_factor;
    bool identity;
};
/* tp__scale_begin computes the new comp size from the incoming one; what names the flag. */
int tp__scale_begin(struct tp__scale *s, int width, int height, const char *what,
                    struct tp_diag *diag);
void tp__scale_apply(const struct tp__scale *s, struct tp_tracker *t);
/* tp__scale_sink_new makes a sink that scales with s (copied). Caller owns *out. */
int tp__scale_sink_new(const struct tp__scale *s, const char *what, struct tp_sink *next,
                       struct tp_sink **out);

/*
 * struct tp__pad is the padding pad and crop share: amounts added on each side of the comp
 * (negative amounts crop), as fractions of the incoming size or, with pixels, in pixels. The
 * new side is rounded up to whole pixels; points move by minus the left and bottom amounts.
 */
struct tp__pad {
    double left, right, top, bottom;
    bool pixels;
};
/* tp__pad_sink_new makes a sink that pads with p (copied); what names the flag. */
int tp__pad_sink_new(const struct tp__pad *p, const char *what, struct tp_sink *next,
                     struct tp_sink **out);

#endif
