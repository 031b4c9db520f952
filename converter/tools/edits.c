/*
 * edits.c — the ordered edit list: CLI-style flags in, a chain of tool sinks out.
 *
 * Several flags may feed one tool (--xscale and --yscale both set the scaler), so the list
 * holds one entry per "slot" in the order a slot was first named; naming it again only sets
 * another parameter there. Undistort and distort share the lens tool but are separate slots:
 * removing and then adding distortion are two different steps.
 *
 * Every non-empty chain ends with the lint tool, which drops trackers the edits emptied and
 * refuses keyframes out of order before they reach the exporters.
 */
#include "tools.h"

#include <stdlib.h>
#include <string.h>

/* X(flag, tool, slot, kind, help): one row per flag, in the order help lists them. */
#define EDIT_FLAGS(X)                                                                          \
    X("xscale", scaler, "scaler", "number", "Scale the comp and the tracks in X by this factor") \
    X("yscale", scaler, "scaler", "number", "Scale the comp and the tracks in Y by this factor") \
    X("slip", slipper, "slipper", "integer",                                                   \
      "Move every keyframe this many frames later (negative: earlier)")                        \
    X("trim", start_trim, "start_trim", "switch", "Drop keyframes on frames before 0")         \
    X("golden", golden, "golden", "switch",                                                    \
      "Set every residual to 0 (treat all keyframes as exact)")                                \
    X("min-length", length_cutoff, "length_cutoff", "integer",                                 \
      "Drop trackers with fewer keyframes than this")                                          \
    X("prefix", prefix, "prefix", "text",                                                      \
      "Put this text and an underscore before every tracker name")                             \
    X("autoslip", move_to_first, "move_to_first", "switch",                                    \
      "Slip all trackers so that the earliest keyframe is on frame 0")                         \
    X("lerp", lerp, "lerp", "switch", "Fill the gaps inside each tracker by linear interpolation") \
    X("flip", flip, "flip", "switch", "Mirror the comp and the tracks horizontally")            \
    X("flop", flop, "flop", "switch", "Mirror the comp and the tracks vertically")              \
    X("reformat-x", reformat, "reformat", "integer",                                           \
      "Resize the comp to this width in pixels, scaling the tracks with it")                   \
    X("reformat-y", reformat, "reformat", "integer",                                           \
      "Resize the comp to this height in pixels, scaling the tracks with it")                  \
    X("xshift", shift, "shift", "number", "Move every point this many pixels right (negative: left)") \
    X("yshift", shift, "shift", "number", "Move every point this many pixels up (negative: down)") \
    X("pad", pad, "pad", "list",                                                               \
      "Pad the comp by fractions of its size: LEFT,RIGHT,TOP,BOTTOM (negative crops)")         \
    X("crop", crop, "crop", "list", "Crop or unpad the comp by pixels: LEFT,RIGHT,TOP,BOTTOM") \
    X("undistort", lens_disto, "undistort", "list",                                            \
      "Remove SynthEyes lens distortion with coefficients K[,KCUBE]")                          \
    X("distort", lens_disto, "distort", "list",                                                \
      "Add SynthEyes lens distortion with coefficients K[,KCUBE]")

static const struct tp_tool_flag edit_flags[] = {
#define EDIT_PUBLIC(flag, tool, slot, kind, help) {flag, #tool, kind, help},
    EDIT_FLAGS(EDIT_PUBLIC)
#undef EDIT_PUBLIC
};

/* Parallel to edit_flags: which tool implements a flag and which list entry it feeds. */
static const struct {
    const struct tp__tool *tool;
    const char *slot;
} edit_targets[] = {
#define EDIT_TARGET(flag, tool, slot, kind, help) {&tp__tool_##tool, slot},
    EDIT_FLAGS(EDIT_TARGET)
#undef EDIT_TARGET
};

#define EDIT_FLAG_COUNT (sizeof edit_flags / sizeof edit_flags[0])

struct edit_entry {
    const struct tp__tool *tool;
    const char *slot;
    void *params; /* owned, tool->params_size bytes */
};

/* Every slot appears at most once, so the list never holds more entries than there are flags. */
struct tp_edits {
    struct edit_entry entries[EDIT_FLAG_COUNT];
    size_t count;
};

const struct tp_tool_flag *tp_tool_flags(size_t *count)
{
    *count = EDIT_FLAG_COUNT;
    return edit_flags;
}

struct tp_edits *tp_edits_new(void)
{
    return calloc(1, sizeof(struct tp_edits));
}

void tp_edits_free(struct tp_edits *edits)
{
    if (!edits)
        return;
    for (size_t i = 0; i < edits->count; i++)
        free(edits->entries[i].params);
    free(edits);
}

static bool edit_is_switch(size_t row)
{
    return strcmp(edit_flags[row].kind, "switch") == 0;
}

int tp_edits_add(struct tp_edits *edits, const char *flag, const char *value,
                 struct tp_diag *diag)
{
    if (!flag)
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "An edit was given without a name");
    size_t row = 0;
    while (row < EDIT_FLAG_COUNT && strcmp(edit_flags[row].flag, flag) != 0)
        row++;
    if (row == EDIT_FLAG_COUNT)
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "Unknown edit --%.100s", flag);
    if (!edit_is_switch(row) && !value)
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "--%s needs a value", flag);

    const struct tp__tool *tool = edit_targets[row].tool;
    struct edit_entry *entry = NULL;
    for (size_t i = 0; i < edits->count; i++)
        if (strcmp(edits->entries[i].slot, edit_targets[row].slot) == 0)
            entry = &edits->entries[i];

    /* Parse into a scratch copy first, so a bad value leaves the list as it was. */
    void *params = calloc(1, tool->params_size ? tool->params_size : 1);
    if (!params)
        return tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory");
    if (entry)
        memcpy(params, entry->params, tool->params_size);
    else if (tool->init)
        tool->init(params);
    int rc = tool->set ? tool->set(params, flag, edit_is_switch(row) ? NULL : value, diag) : 0;
    if (rc) {
        free(params);
        return rc;
    }
    if (entry) {
        free(entry->params);
        entry->params = params;
    } else {
        entry = &edits->entries[edits->count++];
        entry->tool = tool;
        entry->slot = edit_targets[row].slot;
        entry->params = params;
    }
    return TP_OK;
}

size_t tp_edits_count(const struct tp_edits *edits)
{
    return edits ? edits->count : 0;
}

int tp_edits_wrap(const struct tp_edits *edits, struct tp_sink *next, struct tp_sink **head,
                  struct tp_diag *diag)
{
    *head = next;
    if (!edits || edits->count == 0)
        return TP_OK;
    /* Built from the exporters' end backwards: lint first, then the last tool given. */
    struct tp_sink *cur = next, *made = NULL;
    int rc = tp__tool_lint.sink_new(NULL, cur, &made);
    for (size_t i = edits->count; rc == TP_OK && i-- > 0;) {
        cur = made;
        rc = edits->entries[i].tool->sink_new(edits->entries[i].params, cur, &made);
    }
    if (rc) {
        tp_edits_unwrap(cur, next);
        return tp_diag_set(diag, rc, 0, "The edits could not be set up: %s", tp_strerror(rc));
    }
    *head = made;
    return TP_OK;
}

void tp_edits_unwrap(struct tp_sink *head, struct tp_sink *next)
{
    while (head && head != next) {
        struct tp_sink *after = head->next;
        if (head->destroy)
            head->destroy(head);
        head = after;
    }
}

/* ------------------------------------------------------------------ parsing helpers */

int tp__flag_number(const char *flag, const char *value, double *out, struct tp_diag *diag)
{
    if (!value || !tp_parse_double(value, strlen(value), out))
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "--%s needs a number, not \"%.60s\"",
                           flag, value ? value : "");
    return TP_OK;
}

int tp__flag_integer(const char *flag, const char *value, int *out, struct tp_diag *diag)
{
    if (!value || !tp_parse_int(value, strlen(value), out))
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                           "--%s needs a whole number, not \"%.60s\"", flag, value ? value : "");
    return TP_OK;
}

/* Splits value at commas into at most max items; each item is handed to parse. */
static int flag_list(const char *flag, const char *value, size_t min, size_t max,
                     bool integers, double *dout, int *iout, size_t *count,
                     struct tp_diag *diag)
{
    const char *what = integers ? "whole numbers" : "numbers";
    size_t n = 0;
    const char *p = value ? value : "";
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        bool ok = n < max;
        if (ok && integers)
            ok = tp_parse_int(p, len, &iout[n]);
        else if (ok)
            ok = tp_parse_double(p, len, &dout[n]);
        if (!ok)
            break;
        n++;
        if (!comma) {
            if (n < min)
                break;
            *count = n;
            return TP_OK;
        }
        p = comma + 1;
    }
    if (min == max)
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                           "--%s needs %zu comma-separated %s, not \"%.60s\"", flag, min, what,
                           value ? value : "");
    return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                       "--%s needs %zu to %zu comma-separated %s, not \"%.60s\"", flag, min, max,
                       what, value ? value : "");
}

int tp__flag_numbers(const char *flag, const char *value, size_t min, size_t max, double *out,
                     size_t *count, struct tp_diag *diag)
{
    return flag_list(flag, value, min, max, false, out, NULL, count, diag);
}

int tp__flag_integers(const char *flag, const char *value, size_t n, int *out,
                      struct tp_diag *diag)
{
    size_t count;
    return flag_list(flag, value, n, n, true, NULL, out, &count, diag);
}

/* ------------------------------------------------------------------ sink plumbing */

static int pass_begin(struct tp_sink *self, int width, int height, struct tp_diag *diag)
{
    return self->next->begin(self->next, width, height, diag);
}

static int pass_end(struct tp_sink *self, struct tp_diag *diag)
{
    return self->next->end(self->next, diag);
}

static void plain_destroy(struct tp_sink *self)
{
    free(self);
}

void tp__sink_init(struct tp_sink *base, struct tp_sink *next,
                   int (*begin)(struct tp_sink *, int, int, struct tp_diag *),
                   int (*tracker)(struct tp_sink *, struct tp_tracker *, struct tp_diag *),
                   int (*end)(struct tp_sink *, struct tp_diag *), void (*destroy)(struct tp_sink *))
{
    base->begin = begin ? begin : pass_begin;
    base->tracker = tracker;
    base->end = end ? end : pass_end;
    base->destroy = destroy ? destroy : plain_destroy;
    base->next = next;
}

int tp__sink_forward(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag)
{
    if (t->len == 0)
        return TP_OK;
    return self->next->tracker(self->next, t, diag);
}

int tp__check_side(double side, const char *what, const char *dimension, struct tp_diag *diag)
{
    if (!(side >= 1.0 && side <= (double)TP__TOOL_MAX_SIDE))
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0,
                           "%s would make the comp %.0f pixels %s; it must stay between 1 and %d",
                           what, side, dimension, TP__TOOL_MAX_SIDE);
    return TP_OK;
}
