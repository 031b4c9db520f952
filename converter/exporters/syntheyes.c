/*
 * syntheyes.c — SynthEyes "Tracker 2-D paths" text: one "name frame u v outcome" line a
 * keyframe, trackers one after another.
 *
 * u and v run from -1 to 1 across the image with v pointing down, and SynthEyes puts
 * -1 and 1 on the centres of the outermost pixels, so the span is width - 1 (height - 1)
 * pixels rather than the full width. The outcome code matters to the solver: a keyframe
 * right after the previous frame is a plain tracked frame (7); the first keyframe and
 * any keyframe after a gap re-enable the tracker (15). Marking every frame as a key
 * would make SynthEyes trust them over its own tracking.
 *
 * Names are written in CamelCase ("Tracker_1_left" becomes "Tracker1Left"), because
 * SynthEyes' import turns underscores into spaces, which many downstream applications
 * cannot take in object names.
 */
#include "trackport.h"

#include <stdlib.h>
#include <string.h>

enum {
    SY_OUTCOME_TRACKED = 7,    /* a standard tracked frame */
    SY_OUTCOME_REENABLED = 15, /* first frame, or back after a gap */
};

struct sy_state {
    int width, height;
    char *name; /* the CamelCased name of the current tracker */
    size_t cap;
    char *mid; /* scratch for the first CamelCase pass */
    size_t mid_cap;
};

static char sy_upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* Bytes in the character starting at s: one, or a whole UTF-8 sequence. */
static size_t sy_char_len(const char *s)
{
    unsigned char c = (unsigned char)s[0];
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return 1;
    return n;
}

static int sy_grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return TP_OK;
    char *p = realloc(*buf, need);
    if (!p)
        return TP_ERR_NOMEM;
    *buf = p;
    *cap = need;
    return TP_OK;
}

/* sy_put_upper appends the character at s (n bytes) to out with ASCII letters upper-cased. */
static size_t sy_put_upper(char *out, const char *s, size_t n)
{
    out[0] = sy_upper(s[0]);
    for (size_t k = 1; k < n; k++)
        out[k] = s[k];
    return n;
}

/*
 * sy_camelize writes the CamelCase form of src into st->name: "/c" becomes "::C"; then
 * the first character and each character after an underscore are upper-cased, and those
 * underscores dropped. Scanning is left to right without overlap, so in "a__b" the second
 * underscore is the character taken after the first and stays: "A_b".
 */
static int sy_camelize(struct sy_state *st, const char *src)
{
    size_t len = strlen(src);
    if (sy_grow(&st->mid, &st->mid_cap, len * 2 + 1) || sy_grow(&st->name, &st->cap, len * 2 + 1))
        return TP_ERR_NOMEM;
    size_t t = 0;
    for (size_t i = 0; i < len;) {
        if (src[i] != '/') {
            st->mid[t++] = src[i++];
            continue;
        }
        st->mid[t++] = ':';
        st->mid[t++] = ':';
        i++;
        if (i < len) {
            size_t n = sy_char_len(src + i);
            t += sy_put_upper(st->mid + t, src + i, n);
            i += n;
        }
    }
    st->mid[t] = '\0';
    size_t o = 0;
    for (size_t i = 0; i < t;) {
        if (i == 0 || (st->mid[i] == '_' && i + 1 < t)) {
            if (i > 0)
                i++; /* drop the underscore */
            size_t n = sy_char_len(st->mid + i);
            o += sy_put_upper(st->name + o, st->mid + i, n);
            i += n;
        } else {
            st->name[o++] = st->mid[i++];
        }
    }
    st->name[o] = '\0';
    return TP_OK;
}

static int sy_begin(void *state, struct tp_out *out, int width, int height)
{
    (void)out;
    struct sy_state *st = state;
    st->width = width;
    st->height = height;
    return TP_OK;
}

static int sy_tracker(void *state, struct tp_out *out, const struct tp_tracker *t)
{
    struct sy_state *st = state;
    int rc = sy_camelize(st, t->name);
    if (rc)
        return rc;
    double wspan = (double)st->width - 1, hspan = (double)st->height - 1;
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        double u = (((k->x - 0.5) / wspan) - 0.5) * 2.0;
        double v = ((((k->y - 0.5) / hspan) - 0.5) * 2.0) * -1;
        bool follows = i > 0 && (long long)t->keys[i - 1].frame == (long long)k->frame - 1;
        tp_out_puts(out, st->name);
        tp_out_putc(out, ' ');
        tp_out_int(out, k->frame);
        tp_out_putc(out, ' ');
        tp_out_fixed(out, u, 6);
        tp_out_putc(out, ' ');
        tp_out_fixed(out, v, 6);
        tp_out_putc(out, ' ');
        tp_out_int(out, follows ? SY_OUTCOME_TRACKED : SY_OUTCOME_REENABLED);
        tp_out_putc(out, '\n');
    }
    return TP_OK;
}

static void sy_cleanup(void *state)
{
    struct sy_state *st = state;
    free(st->name);
    free(st->mid);
    st->name = st->mid = NULL;
    st->cap = st->mid_cap = 0;
}

const struct tp_exporter tp_export_syntheyes = {
    .name = "syntheyes",
    .human_name = "Syntheyes 2D tracker paths file",
    .suffix = "syntheyes_2dt.txt",
    .application = "SynthEyes",
    .note = "File > Import > Tracker 2-D Paths",
    .state_size = sizeof(struct sy_state),
    .begin = sy_begin,
    .tracker = sy_tracker,
    .cleanup = sy_cleanup,
};
