/*
 * edits.c — the ordered edit list: CLI-style flags in, a chain of tool sinks out.
 *
 * Every flag given is one tool, in the order given, as the reference's command line builds
 * them: --slip 5 --slip 3 is two slippers (8 frames), --flip --flip two mirrors (none),
 * --xscale A --yscale B two scalers each scaling residuals by the length of its own factor
 * vector, and --reformat-x W, --reformat-y H two reformats, each keeping the other side.
 * A tool's parameter block therefore holds one flag's value; nothing is merged.
 *
 * Every non-empty chain ends with the lint tool, which drops trackers the edits emptied and
 * refuses keyframes out of order before they reach the exporters.
 */
#include "tools.h"

#include <stdlib.h>
#include <string.h>

/* X(flag, tool, kind, help): one row per flag, in the order help lists them. */
#define EDIT_FLAGS(X)                                                                              \
    X("xscale", scaler, "number", "Scale the comp and the tracks in X by this factor")             \
    X("yscale", scaler, "number", "Scale the comp and the tracks in Y by this factor")             \
    X("slip", slipper, "integer",                                                                  \
      "Move every keyframe this many frames later (negative: earlier)")                            \
    X("trim", start_trim, "switch", "Drop keyframes on frames before 0")                           \
    X("golden", golden, "switch", "Set every residual to 0 (treat all keyframes as exact)")        \
    X("min-length", length_cutoff, "integer", "Drop trackers with fewer keyframes than this")      \
    X("prefix", prefix, "text", "Put this text and an underscore before every tracker name")       \
    X("autoslip", move_to_first, "switch",                                                         \
      "Slip all trackers so that the earliest keyframe is on frame 0")                             \
    X("lerp", lerp, "switch", "Fill the gaps inside each tracker by linear interpolation")         \
    X("flip", flip, "switch", "Mirror the comp and the tracks horizontally")                       \
    X("flop", flop, "switch", "Mirror the comp and the tracks vertically")                         \
    X("reformat-x", reformat, "integer",                                                           \
      "Resize the comp to this width in pixels, scaling the tracks with it")                       \
    X("reformat-y", reformat, "integer",                                                           \
      "Resize the comp to this height in pixels, scaling the tracks with it")                      \
    X("xshift", shift, "number", "Move every point this many pixels right (negative: left)")       \
    X("yshift", shift, "number", "Move every point this many pixels up (negative: down)")          \
    X("pad", pad, "list",                                                                          \
      "Pad the comp by fractions of its size: LEFT[,RIGHT,TOP,BOTTOM] (negative crops)")           \
    X("crop", crop, "list", "Crop or unpad the comp by pixels: LEFT[,RIGHT,TOP,BOTTOM]")           \
    X("undistort", lens_disto, "list",                                                             \
      "Remove SynthEyes lens distortion with coefficients K[,KCUBE]")                              \
    X("distort", lens_disto, "list", "Add SynthEyes lens distortion with coefficients K[,KCUBE]")

static const struct tp_tool_flag edit_flags[] = {
#define EDIT_PUBLIC(flag, tool, kind, help) {flag, #tool, kind, help},
    EDIT_FLAGS(EDIT_PUBLIC)
#undef EDIT_PUBLIC
};

/* Parallel to edit_flags: which tool implements a flag. */
static const struct tp__tool *const edit_targets[] = {
#define EDIT_TARGET(flag, tool, kind, help) &tp__tool_##tool,
    EDIT_FLAGS(EDIT_TARGET)
#undef EDIT_TARGET
};

#define EDIT_FLAG_COUNT (sizeof edit_flags / sizeof edit_flags[0])

/* More edits than any person or script gives; past it the list refuses to grow. */
#define EDIT_MAX 1000

struct edit_entry {
    const struct tp__tool *tool;
    void *params; /* owned, tool->params_size bytes */
};

struct tp_edits {
    struct edit_entry *entries; /* owned, cap entries, count used, in the order given */
    size_t count, cap;
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
    free(edits->entries);
    free(edits);
}

static bool edit_is_switch(size_t row)
{
    return strcmp(edit_flags[row].kind, "switch") == 0;
}

int tp_edits_add(struct tp_edits *edits, const char *flag, const char *value, struct tp_diag *diag)
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

    if (edits->count == EDIT_MAX)
        return tp_diag_set(diag, TP_ERR_LIMIT, 0, "Too many edits: at most %d", EDIT_MAX);
    if (edits->count == edits->cap) {
        size_t cap = edits->cap ? edits->cap * 2 : 8;
        if (cap > EDIT_MAX)
            cap = EDIT_MAX;
        struct edit_entry *grown = realloc(edits->entries, cap * sizeof *grown);
        if (!grown)
            return tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory");
        edits->entries = grown;
        edits->cap = cap;
    }

    /* Parsed into a block of its own, so a bad value leaves the list as it was. */
    const struct tp__tool *tool = edit_targets[row];
    void *params = calloc(1, tool->params_size ? tool->params_size : 1);
    if (!params)
        return tp_diag_set(diag, TP_ERR_NOMEM, 0, "Out of memory");
    if (tool->init)
        tool->init(params);
    int rc = tool->set ? tool->set(params, flag, edit_is_switch(row) ? NULL : value, diag) : 0;
    if (rc) {
        free(params);
        return rc;
    }
    edits->entries[edits->count++] = (struct edit_entry){.tool = tool, .params = params};
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
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "--%s needs a number, not \"%.60s\"", flag,
                           value ? value : "");
    return TP_OK;
}

int tp__flag_integer(const char *flag, const char *value, int *out, struct tp_diag *diag)
{
    if (!value || !tp_parse_int(value, strlen(value), out))
        return tp_diag_set(diag, TP_ERR_BAD_ARGUMENT, 0, "--%s needs a whole number, not \"%.60s\"",
                           flag, value ? value : "");
    return TP_OK;
}

/* Splits value at commas into at most max items; each item is handed to parse. */
static int flag_list(const char *flag, const char *value, size_t min, size_t max, bool integers,
                     double *dout, int *iout, size_t *count, struct tp_diag *diag)
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

int tp__flag_integers(const char *flag, const char *value, size_t min, size_t max, int *out,
                      size_t *count, struct tp_diag *diag)
{
    return flag_list(flag, value, min, max, true, NULL, out, count, diag);
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
                   int (*end)(struct tp_sink *, struct tp_diag *),
                   void (*destroy)(struct tp_sink *))
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
