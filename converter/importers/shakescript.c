/*
 * shakescript.c — Shake .shk scripts. A script is a C-like program: one statement a node,
 * "Tracker1 = Tracker(In, "1-100", ..., "track1", Linear(0, 716.08@1, 715.8@2), ...);".
 * Animated parameters are curve calls whose keys are "value@frame" (frames 1-based) and
 * Hermite keys carry their tangents, "[value, in, out]@frame". We evaluate just enough of
 * the language to run the calls that hold tracks:
 *
 *   Tracker(10 settings, 6 more, then 16 arguments a track: name, x, y, correlation, ...)
 *     Scripts older than Shake 4 have no "v2.0" marker and start the first track where the
 *     marker would be (argument 10).
 *   Stabilize(...) and MatchMove(...): up to four tracks at arguments 4/5, 8/9, 12/13, 14/15,
 *     named track1..track4.
 *   Linear, NSpline, JSpline, CSpline, Hermite: the curves; SetTimeRange("-70-218"): a range
 *     starting at a negative frame shifts every key so that the range starts at frame 0.
 *
 * A tracker is named "<node>_<track>" and sent when the assignment of its node completes.
 * A track whose x or y is not a curve (a constant, an expression such as "width/2", a link
 * to another node) has nothing to give and is skipped. Residuals are 1 - correlation; a
 * Tracker track without a correlation curve covering its keys gets residual 1, Stabilize and
 * MatchMove tracks residual 0.
 *
 * The reading follows how scripts have always been converted, quirks included, so results
 * agree with the established converter on real files:
 *   - an argument is the raw text between separators; only plain numbers ("-12.5"), quoted
 *     strings, calls, [arrays] and value@frame keys mean something, anything else
 *     (expressions, names) is an unknown value. That includes numbers with an exponent
 *     ("-7.46091e+06", which Shake writes for wild values): their keys are dropped;
 *   - "(" opens a call only after some text (a name, or even a space); right after a
 *     separator it is plain text, yet every ")" closes the innermost open call. So
 *     "((a+b)/2)" closes one level too many, and a closing bracket with nothing open at the
 *     top level ends the script: nothing after it is read;
 *   - "name = value" takes its value up to the next ";" or ",", a "{ ... }" body (macro
 *     bodies, expressions) is skipped up to its first statement's end, and a line break
 *     separates nothing;
 *   - "//" starts a comment to the end of the line (outside strings).
 * A script that ends inside a tracker node is refused as truncated; other unclosed calls at
 * the end (Shake writes broken headers for some plug-in macros) are forgiven. Nesting is
 * bounded, and so is the text of one argument (longer runs are kept truncated and mean
 * nothing), so garbage input costs one pass and a little memory.
 */
#include "numscan.h"
#include "trackport.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Open levels (calls, arrays, assignments, bodies) refused above this. */
#define SK_MAX_DEPTH 127
/* Characters of one argument's text kept; the rest of a longer run is dropped. */
#define SK_ATOM_MAX (32u * 1024u)
/* Arguments of one call. */
#define SK_MAX_ARGS (64u * 1024u * 1024u)
/* Frames beyond this are dropped rather than overflowing the model's int frames. */
#define SK_FRAME_LIMIT 1000000000LL

/* ------------------------------------------------------------------ values */

enum sk_kind {
    SK_NONE,    /* nothing (a key popped from an empty list) */
    SK_UNKNOWN, /* text we do not evaluate, or the result of a call we do not know */
    SK_NUM,
    SK_STR,
    SK_AT,    /* value@frame */
    SK_ARR,   /* [a, b, c] */
    SK_CURVE, /* result of Linear(), Hermite()... */
    SK_TRK,   /* result of Tracker(), Stabilize(), MatchMove() */
};

struct sk_value;

struct sk_list {
    struct sk_value *v;
    size_t len, cap;
};

/* One key of a curve: frame already shifted by SetTimeRange (still 1-based), and whether
 * its value is a number (other keys count for lengths but are never used). */
struct sk_key {
    int frame;
    bool ok;
    double value;
};

struct sk_curve {
    struct sk_key *keys;
    size_t len, cap;
};

/* Trackers of one node, named after their track only until the node is assigned. */
struct sk_trk {
    struct tp_tracker *t;
    size_t len, cap;
};

struct sk_value {
    unsigned char kind;
    bool is_int;     /* SK_NUM (or SK_AT holding a number) written as digits only */
    bool bad_frame;  /* SK_AT whose frame does not fit */
    long long frame; /* SK_AT */
    double num;      /* SK_NUM, or SK_AT holding a number (inner == NULL) */
    union {
        char *str;              /* SK_STR, owned */
        struct sk_value *inner; /* SK_AT holding something else than a number, owned */
        struct sk_list *arr;    /* SK_ARR, owned */
        struct sk_curve *curve; /* SK_CURVE, owned */
        struct sk_trk *trk;     /* SK_TRK, owned */
    } u;
};

static void sk_value_free(struct sk_value *v);

static void sk_list_clear(struct sk_list *l)
{
    for (size_t i = 0; i < l->len; i++)
        sk_value_free(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static void sk_value_free(struct sk_value *v)
{
    switch (v->kind) {
    case SK_STR:
        free(v->u.str);
        break;
    case SK_AT:
        if (v->u.inner) {
            sk_value_free(v->u.inner);
            free(v->u.inner);
        }
        break;
    case SK_ARR:
        if (v->u.arr) {
            sk_list_clear(v->u.arr);
            free(v->u.arr);
        }
        break;
    case SK_CURVE:
        if (v->u.curve) {
            free(v->u.curve->keys);
            free(v->u.curve);
        }
        break;
    case SK_TRK:
        if (v->u.trk) {
            for (size_t i = 0; i < v->u.trk->len; i++)
                tp_tracker_cleanup(&v->u.trk->t[i]);
            free(v->u.trk->t);
            free(v->u.trk);
        }
        break;
    default:
        break;
    }
    memset(v, 0, sizeof *v);
}

/* Appends v to l, taking ownership of what v holds (even on failure). */
static int sk_list_push(struct sk_list *l, struct sk_value *v)
{
    if (l->len == l->cap) {
        if (l->cap >= SK_MAX_ARGS) {
            sk_value_free(v);
            return TP_ERR_LIMIT;
        }
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct sk_value *nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) {
            sk_value_free(v);
            return TP_ERR_NOMEM;
        }
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->len++] = *v;
    memset(v, 0, sizeof *v);
    return TP_OK;
}

static bool sk_is_num(const struct sk_value *v, double *out)
{
    if (v->kind != SK_NUM)
        return false;
    *out = v->num;
    return true;
}

/* ------------------------------------------------------------------ reader state */

/* What a level of the script is: the top, a call's arguments, an array, or a statement
 * (an assignment's value or a braced body) that ends at its first ";" or ",". */
enum sk_level_kind { SK_LV_TOP, SK_LV_CALL, SK_LV_ARRAY, SK_LV_STMT };

enum sk_fn {
    SK_FN_OTHER,
    SK_FN_SETTIMERANGE,
    SK_FN_LINEAR, /* Linear, NSpline, JSpline, CSpline: value@frame keys */
    SK_FN_HERMITE,
    SK_FN_TRACKER,
    SK_FN_STABILIZE,
    SK_FN_MATCHMOVE,
};

struct sk {
    struct tp_reader *r;
    struct tp_input *in;
    const char *line;
    size_t len, pos;
    bool eof;
    long line_no;
    /* The text of the arguments being read, one region a level (stack discipline: a
     * nested level appends after its parent's region and gives it back when done). */
    char *buf;
    size_t buf_len, buf_cap;
    long long start_frame; /* SetTimeRange's start when negative, else 0 */
    char node[128];        /* the node being assigned, for messages */
    bool reported;         /* the diagnostic already says what went wrong */
    struct tp_tracker out; /* scratch for zipping */
};

static bool sk_next_line(struct sk *s)
{
    if (s->eof)
        return false;
    size_t len;
    char *line = tp_input_getline(s->in, &len);
    if (!line) {
        s->eof = true;
        return false;
    }
    s->line = line;
    s->len = len;
    s->pos = 0;
    s->line_no = tp_input_line_number(s->in);
    return true;
}

/* Makes sure a failure carries a message (once: the first one says what happened). */
static int sk_fail_code(struct sk *s, int rc)
{
    if (rc == TP_OK || s->reported)
        return rc;
    s->reported = true;
    if (rc == TP_ERR_NOMEM)
        return tp_reader_failc(s->r, rc, s->line_no, "Out of memory while reading the script");
    if (rc == TP_ERR_LIMIT)
        return tp_reader_failc(s->r, rc, s->line_no,
                               "A node of this script exceeds a size limit (too many "
                               "arguments or keyframes)");
    return rc;
}

/* Per-level bookkeeping of the shared text buffer. */
struct sk_level {
    enum sk_level_kind kind;
    size_t base;   /* where this level's text starts in s->buf */
    bool clipped;  /* the text outgrew SK_ATOM_MAX: the argument means nothing */
};

static int sk_buf_append(struct sk *s, struct sk_level *lv, const char *p, size_t n)
{
    size_t have = s->buf_len - lv->base;
    if (have + n > SK_ATOM_MAX) {
        lv->clipped = true;
        n = have < SK_ATOM_MAX ? SK_ATOM_MAX - have : 0;
    }
    if (n == 0)
        return TP_OK;
    if (s->buf_len + n + 1 > s->buf_cap) {
        size_t cap = s->buf_cap ? s->buf_cap : 4096;
        while (cap < s->buf_len + n + 1)
            cap *= 2;
        char *nb = realloc(s->buf, cap);
        if (!nb)
            return TP_ERR_NOMEM;
        s->buf = nb;
        s->buf_cap = cap;
    }
    memcpy(s->buf + s->buf_len, p, n);
    s->buf_len += n;
    return TP_OK;
}

static bool sk_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f' || c == '\0';
}

static bool sk_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool sk_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || sk_digit(c) || c == '_';
}

/* This level's text without surrounding blanks. */
static const char *sk_text(const struct sk *s, const struct sk_level *lv, size_t *len)
{
    const char *p = s->buf + lv->base;
    size_t n = s->buf_len - lv->base;
    while (n && sk_space(*p)) {
        p++;
        n--;
    }
    while (n && sk_space(p[n - 1]))
        n--;
    *len = n;
    return p;
}

/* ------------------------------------------------------------------ atoms */

/* Parses the number at the start of p[0..n) the way Ruby's String#to_f reads text made of
 * digits, dots and minus signs: an optional sign, digits, and a fraction when a digit
 * follows the dot; anything after is ignored, nothing numeric gives 0. */
static double sk_leading_number(char *p, size_t n)
{
    size_t i = 0;
    if (i < n && p[i] == '-')
        i++;
    size_t digits = i;
    while (i < n && sk_digit(p[i]))
        i++;
    bool any = i > digits;
    if (i + 1 < n && p[i] == '.' && sk_digit(p[i + 1])) {
        i++;
        while (i < n && sk_digit(p[i]))
            i++;
        any = true;
    }
    if (!any)
        return 0.0;
    double v;
    if (tp__ns_double(p, i, &v))
        return v;
    char saved = p[i];
    p[i] = '\0';
    v = strtod(p, NULL);
    p[i] = saved;
    return v;
}

/* Removes the list's last value into *v (SK_NONE when empty). */
static void sk_pop(struct sk_list *items, struct sk_value *v)
{
    memset(v, 0, sizeof *v);
    if (items->len) {
        *v = items->v[--items->len];
        memset(&items->v[items->len], 0, sizeof items->v[0]);
    }
}

/* Adds a value to a level's list. The top level only ever needs its last value (for a
 * following "@frame") and a statement its first and last, so those keep no more. Takes
 * ownership of v. */
static int sk_push(struct sk_level *lv, struct sk_list *items, struct sk_value *v)
{
    if (lv->kind == SK_LV_TOP && items->len >= 1) {
        sk_value_free(&items->v[0]);
        items->v[0] = *v;
        memset(v, 0, sizeof *v);
        return TP_OK;
    }
    if (lv->kind == SK_LV_STMT && items->len >= 2) {
        sk_value_free(&items->v[1]);
        items->v[1] = *v;
        memset(v, 0, sizeof *v);
        return TP_OK;
    }
    return sk_list_push(items, v);
}

/* Turns this level's text into a value (if any) and starts a new argument. */
static int sk_consume(struct sk *s, struct sk_level *lv, struct sk_list *items)
{
    size_t n;
    const char *t = sk_text(s, lv, &n);
    char *p = (char *)t;
    bool clipped = lv->clipped;
    struct sk_value v;
    memset(&v, 0, sizeof v);
    int rc = TP_OK;
    if (n == 0)
        goto done;
    if (clipped) {
        v.kind = SK_UNKNOWN;
    } else if (p[0] == '"') {
        /* A quoted string: drop one quote at each end and unescape \" */
        size_t a = 1, b = n;
        if (b > a && p[b - 1] == '"')
            b--;
        char *str = malloc(b - a + 1);
        if (!str) {
            rc = TP_ERR_NOMEM;
            goto done;
        }
        size_t k = 0;
        for (size_t i = a; i < b; i++) {
            if (p[i] == '\\' && i + 1 < b && p[i + 1] == '"')
                i++;
            str[k++] = p[i];
        }
        str[k] = '\0';
        v.kind = SK_STR;
        v.u.str = str;
    } else if (p[0] == '@') {
        /* "@frame" keys the value read just before it */
        size_t i = 1;
        bool neg = false;
        if (i < n && p[i] == '-') {
            neg = true;
            i++;
        }
        if (i >= n || !sk_digit(p[i])) {
            v.kind = SK_UNKNOWN;
        } else {
            long long frame = 0;
            bool big = false;
            for (; i < n && sk_digit(p[i]); i++) {
                if (frame > SK_FRAME_LIMIT)
                    big = true;
                else
                    frame = frame * 10 + (p[i] - '0');
            }
            struct sk_value inner;
            sk_pop(items, &inner);
            v.kind = SK_AT;
            v.frame = neg ? -frame : frame;
            v.bad_frame = big || frame > SK_FRAME_LIMIT;
            if (inner.kind == SK_NUM) {
                v.num = inner.num;
                v.is_int = inner.is_int;
            } else {
                v.u.inner = malloc(sizeof *v.u.inner);
                if (!v.u.inner) {
                    sk_value_free(&inner);
                    v.kind = SK_NONE;
                    rc = TP_ERR_NOMEM;
                    goto done;
                }
                *v.u.inner = inner;
            }
        }
    } else {
        bool all_digits = true, numeric = true;
        for (size_t i = 0; i < n; i++) {
            if (!sk_digit(p[i])) {
                all_digits = false;
                if (p[i] != '-' && p[i] != '.')
                    numeric = false;
            }
        }
        if (numeric) {
            v.kind = SK_NUM;
            v.is_int = all_digits;
            v.num = sk_leading_number(p, n);
        } else {
            v.kind = SK_UNKNOWN;
        }
        if (v.kind == SK_NUM && !isfinite(v.num))
            v.kind = SK_UNKNOWN;
    }
done:
    s->buf_len = lv->base;
    lv->clipped = false;
    if (rc == TP_OK && v.kind != SK_NONE)
        rc = sk_push(lv, items, &v);
    sk_value_free(&v);
    return rc;
}

/* ------------------------------------------------------------------ curves and tracks */

static int sk_curve_add(struct sk_curve *c, int frame, bool ok, double value)
{
    if (c->len == c->cap) {
        if (c->cap >= TP_MAX_KEYFRAMES)
            return TP_ERR_LIMIT;
        size_t cap = c->cap ? c->cap * 2 : 64;
        struct sk_key *k = realloc(c->keys, cap * sizeof *k);
        if (!k)
            return TP_ERR_NOMEM;
        c->keys = k;
        c->cap = cap;
    }
    c->keys[c->len].frame = frame;
    c->keys[c->len].ok = ok;
    c->keys[c->len].value = value;
    c->len++;
    return TP_OK;
}

/* Linear(extrapolation, v@f, ...) and its kin; Hermite(extrapolation, [v, t1, t2]@f, ...)
 * keeps the first number of each key. Arguments that are not keys are ignored. */
static int sk_eval_curve(struct sk *s, bool hermite, struct sk_list *args, struct sk_value *res)
{
    if (args->len < 1) {
        res->kind = SK_UNKNOWN;
        return TP_OK;
    }
    struct sk_curve *c = calloc(1, sizeof *c);
    if (!c)
        return TP_ERR_NOMEM;
    res->kind = SK_CURVE;
    res->u.curve = c;
    for (size_t i = 1; i < args->len; i++) {
        const struct sk_value *a = &args->v[i];
        if (a->kind != SK_AT)
            continue;
        long long frame = a->frame - s->start_frame;
        bool ok = !a->bad_frame && frame >= -SK_FRAME_LIMIT && frame <= SK_FRAME_LIMIT;
        double value = 0.0;
        if (!a->u.inner) {
            value = a->num;
        } else if (hermite && a->u.inner->kind == SK_ARR && a->u.inner->u.arr->len > 0) {
            ok = ok && sk_is_num(&a->u.inner->u.arr->v[0], &value);
        } else {
            ok = false;
        }
        int rc = sk_curve_add(c, ok ? (int)frame : 0, ok, value);
        if (rc)
            return rc;
    }
    return TP_OK;
}

struct sk_entry {
    int frame;
    unsigned curve;
    size_t seq;
    double value;
};

static int sk_entry_cmp(const void *a, const void *b)
{
    const struct sk_entry *x = a, *y = b;
    if (x->frame != y->frame)
        return x->frame < y->frame ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/*
 * Joins curves into keyframes of t: a frame becomes a keyframe when it has at least as many
 * numeric keys as there are curves; its first, second (and third) values, in curve order,
 * are x, y (and the correlation). Shake frames are 1-based. residual < 0 means "take it
 * from the correlation curve".
 */
static int sk_zip(struct tp_tracker *t, const struct sk_curve *const *curves, unsigned n,
                  double residual)
{
    size_t total = 0;
    for (unsigned c = 0; c < n; c++)
        total += curves[c]->len;
    if (total == 0)
        return TP_OK;
    struct sk_entry *e = malloc(total * sizeof *e);
    if (!e)
        return TP_ERR_NOMEM;
    size_t m = 0;
    for (unsigned c = 0; c < n; c++) {
        for (size_t i = 0; i < curves[c]->len; i++) {
            const struct sk_key *k = &curves[c]->keys[i];
            if (!k->ok)
                continue;
            e[m].frame = k->frame;
            e[m].curve = c;
            e[m].seq = m;
            e[m].value = k->value;
            m++;
        }
    }
    qsort(e, m, sizeof *e, sk_entry_cmp);
    int rc = TP_OK;
    for (size_t i = 0; i < m && rc == TP_OK;) {
        size_t j = i;
        while (j < m && e[j].frame == e[i].frame)
            j++;
        if (j - i >= n) {
            double r = residual >= 0 ? residual : 1.0 - e[i + 2].value;
            rc = tp_tracker_add(t, e[i].frame - 1, e[i].value, e[i + 1].value, r);
        }
        i = j;
    }
    free(e);
    return rc;
}

/* Formats a number the way Ruby prints a Float ("1.0", "0.25", "1.0e+20"). */
static void sk_ruby_float(double v, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "%s", isnan(v) ? "NaN" : (v < 0 ? "-Infinity" : "Infinity"));
        return;
    }
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    double a = fabs(v);
    if (v == 0 || (a >= 1e-4 && a < 1e16)) {
        /* fixed notation with the shortest digits */
        int exp10 = v == 0 ? 0 : (int)floor(log10(a));
        int decimals = prec - 1 - exp10;
        if (decimals < 1)
            decimals = 1;
        snprintf(buf, size, "%.*f", decimals, v);
        /* trim zeros beyond one decimal */
        size_t len = strlen(buf);
        char *dot = strchr(buf, '.');
        while (dot && len > (size_t)(dot - buf) + 2 && buf[len - 1] == '0')
            buf[--len] = '\0';
        return;
    }
    char mant[64];
    snprintf(mant, sizeof mant, "%.*e", prec - 1, v);
    char *e = strchr(mant, 'e');
    if (!e)
        return;
    *e = '\0';
    int ex = atoi(e + 1);
    char tail[16];
    snprintf(tail, sizeof tail, "%se%c%02d", strchr(mant, '.') ? "" : ".0", ex < 0 ? '-' : '+',
             ex < 0 ? -ex : ex % 1000);
    size_t m = strlen(mant), t = strlen(tail);
    if (m + t + 1 > size)
        m = t + 1 < size ? size - t - 1 : 0;
    memcpy(buf, mant, m);
    memcpy(buf + m, tail, t + 1 <= size - m ? t + 1 : 0);
    buf[size - 1] = '\0';
}

/* A track's name as the script gives it. */
static void sk_name_of(const struct sk_value *v, char *buf, size_t size, const char **name)
{
    if (v->kind == SK_STR) {
        *name = v->u.str;
        return;
    }
    if (v->kind == SK_NUM) {
        if (v->is_int)
            snprintf(buf, size, "%.0f", v->num);
        else
            sk_ruby_float(v->num, buf, size);
    } else {
        snprintf(buf, size, "unknown");
    }
    *name = buf;
}

static int sk_trk_add(struct sk_trk *trk, struct tp_tracker *t)
{
    if (trk->len == trk->cap) {
        size_t cap = trk->cap ? trk->cap * 2 : 4;
        struct tp_tracker *nt = realloc(trk->t, cap * sizeof *nt);
        if (!nt)
            return TP_ERR_NOMEM;
        trk->t = nt;
        trk->cap = cap;
    }
    trk->t[trk->len++] = *t;
    tp_tracker_init(t);
    return TP_OK;
}

/* Builds one track from its curves and adds it to trk unless it has no keyframes. */
static int sk_track(struct sk *s, struct sk_trk *trk, const struct sk_value *name,
                    const struct sk_value *x, const struct sk_value *y,
                    const struct sk_value *corr, double residual)
{
    if (x->kind != SK_CURVE || y->kind != SK_CURVE)
        return TP_OK;
    const struct sk_curve *curves[3] = {x->u.curve, y->u.curve, NULL};
    unsigned n = 2;
    if (corr && corr->kind == SK_CURVE && corr->u.curve->len >= x->u.curve->len) {
        curves[n++] = corr->u.curve;
        residual = -1;
    }
    struct tp_tracker *t = &s->out;
    tp_tracker_reset(t);
    int rc = sk_zip(t, curves, n, residual);
    if (rc || t->len == 0)
        return rc;
    char buf[64];
    const char *str;
    sk_name_of(name, buf, sizeof buf, &str);
    rc = tp_tracker_set_name(t, str, strlen(str));
    if (rc)
        return rc;
    return sk_trk_add(trk, t);
}

static int sk_new_trk(struct sk_value *res)
{
    res->u.trk = calloc(1, sizeof *res->u.trk);
    if (!res->u.trk)
        return TP_ERR_NOMEM;
    res->kind = SK_TRK;
    return TP_OK;
}

/* Tracker(In, trackRange, subPixelRes, matchSpace, referenceTolerance, referenceBehavior,
 *         failureTolerance, failureBehavior, limitProcessing, referenceFrame,
 *         "v2.0", 5 more settings, then per track: name, x, y, correlation, 12 more). */
static int sk_eval_tracker(struct sk *s, struct sk_list *args, struct sk_value *res)
{
    int rc = sk_new_trk(res);
    if (rc || args->len < 16)
        return rc;
    const struct sk_value *a = args->v;
    bool v2 = a[10].kind == SK_STR && strcmp(a[10].u.str, "v2.0") == 0;
    /* Without the marker the tracks start at argument 10; the converter this agrees with
     * reads that first track's sixth argument from the fifth, which is never used. */
    static const size_t old_head[6] = {10, 11, 12, 13, 13, 15};
    size_t count = v2 ? args->len - 16 : args->len - 10;
    for (size_t i = 0; i + 16 <= count; i += 16) {
        const struct sk_value *f[4];
        for (size_t k = 0; k < 4; k++) {
            size_t idx = i + k;
            f[k] = v2 ? &a[16 + idx] : (idx < 6 ? &a[old_head[idx]] : &a[16 + idx - 6]);
        }
        rc = sk_track(s, res->u.trk, f[0], f[1], f[2], f[3], 1.0);
        if (rc)
            return rc;
    }
    return TP_OK;
}

/* Stabilize(In, applyTransform, inverseTransform, trackType, track1X, track1Y, stabilizeX,
 * stabilizeY, track2X, track2Y, matchScale, matchRotation, track3X, track3Y, track4X,
 * track4Y, ...) and MatchMove(Background, Foreground, applyTransform, trackType, track1X,
 * ...) keep their tracks at the same places. */
static int sk_eval_stabilize(struct sk *s, struct sk_list *args, struct sk_value *res)
{
    int rc = sk_new_trk(res);
    if (rc || args->len < 16)
        return rc;
    static const size_t at[4][2] = {{4, 5}, {8, 9}, {12, 13}, {14, 15}};
    static const char *const names[4] = {"track1", "track2", "track3", "track4"};
    for (size_t i = 0; i < 4 && rc == TP_OK; i++) {
        struct sk_value name;
        memset(&name, 0, sizeof name);
        name.kind = SK_STR;
        name.u.str = (char *)names[i];
        rc = sk_track(s, res->u.trk, &name, &args->v[at[i][0]], &args->v[at[i][1]], NULL, 0.0);
    }
    return rc;
}

/* Ruby's String#to_i: blanks, an optional sign, digits; 0 when none. */
static long long sk_leading_int(const char *p)
{
    while (sk_space(*p) && *p)
        p++;
    bool neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    long long v = 0;
    for (; sk_digit(*p); p++)
        if (v < SK_FRAME_LIMIT)
            v = v * 10 + (*p - '0');
    return neg ? -v : v;
}

static int sk_eval(struct sk *s, enum sk_fn fn, struct sk_list *args, struct sk_value *res)
{
    memset(res, 0, sizeof *res);
    res->kind = SK_UNKNOWN;
    switch (fn) {
    case SK_FN_SETTIMERANGE:
        if (args->len >= 1) {
            long long start = 0;
            if (args->v[0].kind == SK_STR)
                start = sk_leading_int(args->v[0].u.str);
            else if (args->v[0].kind == SK_NUM && fabs(args->v[0].num) < SK_FRAME_LIMIT)
                start = (long long)args->v[0].num;
            if (start < 0)
                s->start_frame = start;
        }
        return TP_OK;
    case SK_FN_LINEAR:
        return sk_eval_curve(s, false, args, res);
    case SK_FN_HERMITE:
        return sk_eval_curve(s, true, args, res);
    case SK_FN_TRACKER:
        return sk_eval_tracker(s, args, res);
    case SK_FN_STABILIZE:
    case SK_FN_MATCHMOVE:
        return sk_eval_stabilize(s, args, res);
    default:
        return TP_OK;
    }
}

static enum sk_fn sk_lookup(const char *name, size_t len)
{
    static const struct {
        const char *name;
        enum sk_fn fn;
    } table[] = {
        {"settimerange", SK_FN_SETTIMERANGE}, {"linear", SK_FN_LINEAR},
        {"nspline", SK_FN_LINEAR},           {"jspline", SK_FN_LINEAR},
        {"cspline", SK_FN_LINEAR},           {"hermite", SK_FN_HERMITE},
        {"tracker", SK_FN_TRACKER},          {"stabilize", SK_FN_STABILIZE},
        {"matchmove", SK_FN_MATCHMOVE},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const char *t = table[i].name;
        if (strlen(t) != len)
            continue;
        size_t k = 0;
        for (; k < len; k++) {
            char c = name[k];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if (c != t[k])
                break;
        }
        if (k == len)
            return table[i].fn;
    }
    return SK_FN_OTHER;
}

/* Sends the trackers of node "name = Tracker(...)" downstream as "<name>_<track>". */
static int sk_emit(struct sk *s, const char *node, struct sk_trk *trk)
{
    size_t node_len = strlen(node);
    for (size_t i = 0; i < trk->len; i++) {
        struct tp_tracker *t = &trk->t[i];
        size_t track_len = strlen(t->name);
        if (node_len + 1 + track_len > TP_MAX_NAME) {
            s->reported = true;
            return tp_reader_failc(s->r, TP_ERR_LIMIT, s->line_no,
                                   "The tracker name \"%.40s...\" is longer than %d characters",
                                   node, TP_MAX_NAME);
        }
        char *full = malloc(node_len + track_len + 2);
        if (!full)
            return TP_ERR_NOMEM;
        memcpy(full, node, node_len);
        full[node_len] = '_';
        memcpy(full + node_len + 1, t->name, track_len + 1);
        int rc = tp_tracker_set_name(t, full, node_len + 1 + track_len);
        free(full);
        if (rc == TP_OK && (rc = tp_reader_emit(s->r, t)) != TP_OK)
            s->reported = true; /* the receiving side said why */
        if (rc)
            return rc;
    }
    return TP_OK;
}

/* ------------------------------------------------------------------ levels */

static int sk_level(struct sk *s, enum sk_level_kind kind, int depth, struct sk_list *items);

/* Characters with a meaning of their own; everything else is argument text. */
static const unsigned char sk_special[256] = {
    ['('] = 1, [')'] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1, [','] = 1,
    [';'] = 1, ['='] = 1, ['@'] = 1, ['"'] = 1, ['/'] = 1,
};

static int sk_check_depth(struct sk *s, int depth)
{
    if (depth > SK_MAX_DEPTH) {
        s->reported = true;
        return tp_reader_fail(s->r, s->line_no,
                              "Calls and brackets nest more than %d levels deep here; this "
                              "does not look like a Shake script",
                              SK_MAX_DEPTH);
    }
    return TP_OK;
}

/* "name(" — reads the arguments, runs the call if it is one we know, keeps the result. */
static int sk_call(struct sk *s, struct sk_level *lv, struct sk_list *items, int depth)
{
    size_t n;
    const char *name = sk_text(s, lv, &n);
    enum sk_fn fn = lv->clipped ? SK_FN_OTHER : sk_lookup(name, n);
    char shown[48];
    snprintf(shown, sizeof shown, "%.*s", (int)(n < 40 ? n : 40), name);
    s->buf_len = lv->base;
    lv->clipped = false;
    int rc = sk_check_depth(s, depth + 1);
    if (rc)
        return rc;
    long start_line = s->line_no;
    if (fn == SK_FN_TRACKER || fn == SK_FN_STABILIZE || fn == SK_FN_MATCHMOVE)
        tp_reader_progress(s->r, "Reading %s node %s", shown, s->node);
    struct sk_list args;
    memset(&args, 0, sizeof args);
    rc = sk_level(s, SK_LV_CALL, depth + 1, &args);
    if (rc == TP_OK && s->eof &&
        (fn == SK_FN_TRACKER || fn == SK_FN_STABILIZE || fn == SK_FN_MATCHMOVE)) {
        s->reported = true;
        rc = tp_reader_fail(s->r, start_line,
                            "The script ends inside the %s node that starts here; the file "
                            "looks truncated",
                            shown);
    }
    struct sk_value res;
    memset(&res, 0, sizeof res);
    if (rc == TP_OK)
        rc = sk_eval(s, fn, &args, &res);
    sk_list_clear(&args);
    if (rc == TP_OK)
        rc = sk_push(lv, items, &res);
    sk_value_free(&res);
    return sk_fail_code(s, rc);
}

/* "type name = value" — reads the value; a tracker node's tracks go downstream here. */
static int sk_assign(struct sk *s, struct sk_level *lv, struct sk_list *items, int depth)
{
    size_t n;
    const char *spec = sk_text(s, lv, &n);
    size_t w = n;
    while (w > 0 && sk_word(spec[w - 1]))
        w--;
    size_t name_len = lv->clipped ? 0 : n - w;
    char *node = malloc(name_len + 1);
    if (!node)
        return sk_fail_code(s, TP_ERR_NOMEM);
    if (name_len)
        memcpy(node, spec + w, name_len);
    node[name_len] = '\0';
    snprintf(s->node, sizeof s->node, "%s", node);
    s->buf_len = lv->base;
    lv->clipped = false;

    int rc = sk_check_depth(s, depth + 1);
    struct sk_list sub;
    memset(&sub, 0, sizeof sub);
    if (rc == TP_OK)
        rc = sk_level(s, SK_LV_STMT, depth + 1, &sub);
    if (rc == TP_OK) {
        if (sub.len && sub.v[0].kind == SK_TRK) {
            rc = sk_emit(s, node, sub.v[0].u.trk);
        } else {
            struct sk_value v;
            memset(&v, 0, sizeof v);
            v.kind = SK_UNKNOWN;
            rc = sk_push(lv, items, &v);
        }
    }
    sk_list_clear(&sub);
    free(node);
    return sk_fail_code(s, rc);
}

/* A nested level whose result is kept (an array) or dropped (a braced body). */
static int sk_nested(struct sk *s, struct sk_level *lv, struct sk_list *items, int depth,
                     bool array)
{
    int rc = sk_check_depth(s, depth + 1);
    if (rc)
        return rc;
    struct sk_list sub;
    memset(&sub, 0, sizeof sub);
    rc = sk_level(s, array ? SK_LV_ARRAY : SK_LV_STMT, depth + 1, &sub);
    struct sk_value v;
    memset(&v, 0, sizeof v);
    if (rc == TP_OK) {
        if (array) {
            v.u.arr = malloc(sizeof *v.u.arr);
            if (!v.u.arr) {
                rc = TP_ERR_NOMEM;
            } else {
                *v.u.arr = sub;
                memset(&sub, 0, sizeof sub);
                v.kind = SK_ARR;
            }
        } else {
            v.kind = SK_UNKNOWN;
        }
    }
    sk_list_clear(&sub);
    if (rc == TP_OK)
        rc = sk_push(lv, items, &v);
    sk_value_free(&v);
    return sk_fail_code(s, rc);
}

/* Appends a quoted string (up to its closing quote or the end of the line) to the text. */
static int sk_string(struct sk *s, struct sk_level *lv)
{
    size_t start = s->pos - 1; /* the opening quote */
    size_t i = s->pos;
    while (i < s->len) {
        if (s->line[i] == '\\' && i + 1 < s->len) {
            i += 2;
            continue;
        }
        if (s->line[i++] == '"')
            break;
    }
    s->pos = i;
    return sk_buf_append(s, lv, s->line + start, i - start);
}

/*
 * Reads one level until what ends it: for the top level, the end of input or a closing
 * bracket with nothing open; for a call or an array, ")", "]" or "}"; for a statement, also
 * ";" or ",". Values go to items (caller owns them, also on failure).
 */
static int sk_level(struct sk *s, enum sk_level_kind kind, int depth, struct sk_list *items)
{
    struct sk_level lv = {kind, s->buf_len, false};
    int rc = TP_OK;
    for (;;) {
        if (s->pos >= s->len) {
            if (!sk_next_line(s))
                break;
            continue;
        }
        const char *p = s->line + s->pos, *end = s->line + s->len, *q = p;
        while (q < end && !sk_special[(unsigned char)*q])
            q++;
        if (q > p) {
            rc = sk_buf_append(s, &lv, p, (size_t)(q - p));
            s->pos += (size_t)(q - p);
            if (rc)
                break;
            continue;
        }
        char c = *p;
        s->pos++;
        bool stop = false;
        switch (c) {
        case '(':
            if (s->buf_len > lv.base)
                rc = sk_call(s, &lv, items, depth);
            else
                rc = sk_buf_append(s, &lv, "(", 1);
            break;
        case '[':
            rc = sk_nested(s, &lv, items, depth, true);
            break;
        case '{':
            rc = sk_nested(s, &lv, items, depth, false);
            break;
        case ')':
        case ']':
        case '}':
            stop = true;
            break;
        case ';':
            stop = kind == SK_LV_STMT;
            break;
        case ',':
            if (kind == SK_LV_STMT)
                stop = true;
            else
                rc = sk_consume(s, &lv, items);
            break;
        case '@':
            rc = sk_consume(s, &lv, items);
            if (rc == TP_OK)
                rc = sk_buf_append(s, &lv, "@", 1);
            break;
        case '=':
            rc = sk_assign(s, &lv, items, depth);
            break;
        case '"':
            rc = sk_string(s, &lv);
            break;
        case '/':
            if (s->pos < s->len && s->line[s->pos] == '/') {
                rc = sk_consume(s, &lv, items);
                s->pos = s->len; /* a comment runs to the end of the line */
            } else {
                rc = sk_buf_append(s, &lv, "/", 1);
            }
            break;
        default:
            break;
        }
        if (rc || stop)
            break;
    }
    if (rc == TP_OK)
        rc = sk_consume(s, &lv, items);
    s->buf_len = lv.base;
    if (rc == TP_OK && s->eof && tp_input_error(s->in)) {
        s->reported = true;
        int code = tp_input_error(s->in);
        rc = tp_reader_failc(s->r, code, s->line_no + 1, "%s",
                             code == TP_ERR_LIMIT ? "A line of this script is too long"
                                                  : "The script could not be read");
    }
    return sk_fail_code(s, rc);
}

static int sk_read(struct tp_reader *r)
{
    struct sk s;
    memset(&s, 0, sizeof s);
    s.r = r;
    s.in = tp_reader_input(r);
    tp_tracker_init(&s.out);
    struct sk_list top;
    memset(&top, 0, sizeof top);
    int rc = sk_level(&s, SK_LV_TOP, 0, &top);
    sk_list_clear(&top);
    tp_tracker_cleanup(&s.out);
    free(s.buf);
    return rc;
}

/* ------------------------------------------------------------------ sniffing */

static bool sk_has_call(const char *head, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(head, name); p; p = strstr(p + 1, name)) {
        if (p > head && sk_word(p[-1]))
            continue;
        const char *q = p + n;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == '(')
            return true;
    }
    return false;
}

static int sk_sniff(const char *head, size_t len)
{
    (void)len;
    if (strncmp(head, "// Shake v", 10) == 0)
        return 95;
    if (sk_has_call(head, "SetTimeRange") || sk_has_call(head, "SetDefaultWidth"))
        return 80;
    if ((sk_has_call(head, "Tracker") || sk_has_call(head, "Stabilize") ||
         sk_has_call(head, "MatchMove")) &&
        (sk_has_call(head, "Linear") || sk_has_call(head, "Hermite") ||
         sk_has_call(head, "NSpline") || sk_has_call(head, "JSpline")))
        return 60;
    return 0;
}

const struct tp_importer tp_import_shakescript = {
    .name = "shakescript",
    .human_name = "Shake .shk script file",
    .extension = ".shk",
    .flags = 0,
    .sniff = sk_sniff,
    .read = sk_read,
};
