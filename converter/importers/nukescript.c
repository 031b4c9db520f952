/*
 * nukescript.c — Nuke .nk scripts. A script is TCL: one command a line at the top level,
 * and every node is a command "Class { knob value ... }" whose braced body holds one knob a
 * line. Node groups do not nest in the text: a Group's children follow it at the top level
 * until "end_group", so every node we read sits at brace depth 0.
 *
 * Point data lives in animation curves, "{curve x12 1.5 2.5 x20 3.5}": "xN" starts a section
 * at frame N (1-based) and plain numbers are keys. Inside a section keys are not one frame
 * apart but as far apart as the jump that opened the section ("x1 1 x3 2 3 4" keys frames 1,
 * 3, 5 and 7), which is how Nuke abbreviates regularly spaced keys. Letters such as "i", "K",
 * "L", "s95" (slopes) are interpolation hints and carry no key.
 *
 * Nodes read, and the knobs whose x/y curve pairs become trackers "<node>_<knob>":
 *   Tracker3 track1..track4; Reconcile3D output; PlanarTracker (and PlanarTracker1_0)
 *   outputBottomLeft, outputBottomRight, outputTopLeft, outputTopRight; CornerPin2D to1..to4;
 *   Transform translate and center.
 * Tracker4 keeps its tracks in one table knob, "tracks { {1 31 N} {column headers} {rows} }",
 * one row a track with its name and track_x/track_y curves; each row becomes "<node>_<track>".
 * That knob can hold thousands of tracks on thousands of lines, so the script is tokenised
 * as it is read and nothing but the current node's parsed keys is kept. A node's name comes
 * after its data, so a node's trackers are sent when its closing brace is read.
 *
 * Knobs holding expressions instead of curves ("{parent.Tracker1.track1}") and curves without
 * keys are skipped, as Nuke users link knobs all the time. Coordinates are already pixels
 * from the lower left corner of the image.
 */
#include "trackport.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Words longer than this are kept truncated (long quoted strings such as a PlanarTracker's
 * serialized state are never needed); a name that long is refused. */
#define NK_WORD_MAX (64u * 1024u)
/* Keys of one node held until the node closes. */
#define NK_MAX_NODE_KEYS (32u * 1024u * 1024u)
/* Frames outside this range are dropped rather than overflowing the model's int frames. */
#define NK_FRAME_LIMIT 1000000000LL

/* ------------------------------------------------------------------ lexer */

enum nk_token { NK_END, NK_WORD, NK_OPEN, NK_CLOSE, NK_NEWLINE, NK_ERROR };

struct nk_lexer {
    struct tp_input *in;
    const char *line;
    size_t len, pos;
    bool have_line;
    bool continued; /* the last line ended in a backslash: no command break */
    bool discard;   /* skipping: do not collect word text */
    long line_no;
    char *word;
    size_t word_len, word_cap;
    bool word_quoted, word_truncated;
    int error; /* TP_ERR_* once NK_ERROR was returned */
    long error_line;
};

static bool nk_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static void nk_word_append(struct nk_lexer *lx, const char *s, size_t n)
{
    if (lx->discard || n == 0)
        return;
    if (lx->word_len + n > NK_WORD_MAX) {
        n = NK_WORD_MAX - lx->word_len;
        lx->word_truncated = true;
        if (n == 0)
            return;
    }
    if (lx->word_len + n + 1 > lx->word_cap) {
        size_t cap = lx->word_cap ? lx->word_cap : 256;
        while (cap < lx->word_len + n + 1)
            cap *= 2;
        char *grown = realloc(lx->word, cap);
        if (!grown) {
            /* Out of memory: keep what fits; the caller sees a truncated word. */
            lx->word_truncated = true;
            lx->error = TP_ERR_NOMEM;
            return;
        }
        lx->word = grown;
        lx->word_cap = cap;
    }
    memcpy(lx->word + lx->word_len, s, n);
    lx->word_len += n;
    lx->word[lx->word_len] = '\0';
}

static void nk_word_start(struct nk_lexer *lx, bool quoted)
{
    lx->word_len = 0;
    lx->word_quoted = quoted;
    lx->word_truncated = false;
    if (lx->word)
        lx->word[0] = '\0';
}

/* Fetches the next line; false at the end of input or on a read error (lx->error set). */
static bool nk_next_line(struct nk_lexer *lx)
{
    size_t len;
    char *line = tp_input_getline(lx->in, &len);
    if (!line) {
        int err = tp_input_error(lx->in);
        if (err) {
            lx->error = err;
            lx->error_line = lx->line_no + 1;
        }
        lx->have_line = false;
        return false;
    }
    lx->line = line;
    lx->len = len;
    lx->pos = 0;
    lx->have_line = true;
    lx->line_no = tp_input_line_number(lx->in);
    return true;
}

/* Reads a double-quoted string (the opening quote is consumed); it may span lines. */
static enum nk_token nk_read_quoted(struct nk_lexer *lx)
{
    long start_line = lx->line_no;
    nk_word_start(lx, true);
    for (;;) {
        if (lx->pos >= lx->len) {
            if (!nk_next_line(lx)) {
                if (!lx->error) {
                    lx->error = TP_ERR_PARSE;
                    lx->error_line = start_line;
                }
                return NK_ERROR;
            }
            nk_word_append(lx, "\n", 1);
            continue;
        }
        const char *s = lx->line + lx->pos;
        size_t rest = lx->len - lx->pos, run = 0;
        while (run < rest && s[run] != '"' && s[run] != '\\')
            run++;
        nk_word_append(lx, s, run);
        lx->pos += run;
        if (run == rest)
            continue;
        if (s[run] == '"') {
            lx->pos++;
            return NK_WORD;
        }
        /* A backslash escapes the next character; at the end of a line it joins lines. */
        if (lx->pos + 1 < lx->len) {
            nk_word_append(lx, lx->line + lx->pos + 1, 1);
            lx->pos += 2;
        } else {
            lx->pos++;
            if (!nk_next_line(lx)) {
                if (!lx->error) {
                    lx->error = TP_ERR_PARSE;
                    lx->error_line = start_line;
                }
                return NK_ERROR;
            }
        }
    }
}

/* Reads a bare word up to whitespace or a brace. */
static enum nk_token nk_read_bare(struct nk_lexer *lx)
{
    nk_word_start(lx, false);
    while (lx->pos < lx->len) {
        const char *s = lx->line + lx->pos;
        size_t rest = lx->len - lx->pos, run = 0;
        while (run < rest && !nk_is_space(s[run]) && s[run] != '{' && s[run] != '}' &&
               s[run] != '\\')
            run++;
        nk_word_append(lx, s, run);
        lx->pos += run;
        if (run == rest || s[run] != '\\')
            break;
        if (lx->pos + 1 < lx->len) {
            nk_word_append(lx, lx->line + lx->pos + 1, 1);
            lx->pos += 2;
        } else {
            lx->pos++;
            lx->continued = true;
            break;
        }
    }
    return NK_WORD;
}

/* nk_next returns the next token. Line ends are NK_NEWLINE (commands end there at the top
 * level and inside a node's body); deeper inside braces callers ignore them. */
static enum nk_token nk_next(struct nk_lexer *lx)
{
    if (lx->error)
        return NK_ERROR;
    for (;;) {
        if (!lx->have_line) {
            if (!nk_next_line(lx))
                return lx->error ? NK_ERROR : NK_END;
        }
        if (lx->pos >= lx->len) {
            lx->have_line = false;
            if (lx->continued) {
                lx->continued = false;
                continue;
            }
            return NK_NEWLINE;
        }
        char c = lx->line[lx->pos];
        if (c == '\r') {
            /* A carriage return inside a line: a script saved with old Mac line ends. */
            lx->pos++;
            lx->continued = false;
            return NK_NEWLINE;
        }
        if (nk_is_space(c)) {
            lx->pos++;
            continue;
        }
        if (c == '{') {
            lx->pos++;
            return NK_OPEN;
        }
        if (c == '}') {
            lx->pos++;
            return NK_CLOSE;
        }
        if (c == '"') {
            lx->pos++;
            return nk_read_quoted(lx);
        }
        if (c == '\\' && lx->pos + 1 == lx->len) {
            lx->pos++;
            lx->continued = true;
            continue;
        }
        enum nk_token tok = nk_read_bare(lx);
        return lx->error ? NK_ERROR : tok;
    }
}

/* nk_skip_line drops the rest of the current line (a comment). */
static void nk_skip_line(struct nk_lexer *lx)
{
    lx->pos = lx->len;
    lx->continued = false;
}

/* ------------------------------------------------------------------ curves */

struct nk_pair {
    long long frame; /* 1-based, as written */
    double value;
};

struct nk_curve {
    struct nk_pair *v;
    size_t len, cap;
};

struct nk_key {
    int frame; /* 0-based */
    double x, y;
};

struct nk_keys {
    struct nk_key *v;
    size_t len, cap;
};

static int nk_curve_push(struct nk_curve *c, long long frame, double value)
{
    if (c->len == c->cap) {
        if (c->len >= TP_MAX_KEYFRAMES)
            return TP_ERR_LIMIT;
        size_t cap = c->cap ? c->cap * 2 : 256;
        struct nk_pair *grown = realloc(c->v, cap * sizeof *grown);
        if (!grown)
            return TP_ERR_NOMEM;
        c->v = grown;
        c->cap = cap;
    }
    c->v[c->len].frame = frame;
    c->v[c->len].value = value;
    c->len++;
    return TP_OK;
}

static int nk_keys_push(struct nk_keys *k, int frame, double x, double y, size_t limit)
{
    if (k->len == k->cap) {
        if (k->len >= limit)
            return TP_ERR_LIMIT;
        size_t cap = k->cap ? k->cap * 2 : 256;
        if (cap > limit)
            cap = limit;
        struct nk_key *grown = realloc(k->v, cap * sizeof *grown);
        if (!grown)
            return TP_ERR_NOMEM;
        k->v = grown;
        k->cap = cap;
    }
    k->v[k->len].frame = frame;
    k->v[k->len].x = x;
    k->v[k->len].y = y;
    k->len++;
    return TP_OK;
}

static const double nk_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* nk_parse_number reads a curve key. Nuke writes plain decimals ("-12.5"), and exponents
 * for tiny or huge values ("1.5e-05"). Tokens made of digits, '-' and '.' only are read as
 * far as they form a number (as the original tool did: "1.2.3" is 1.2), anything else is not
 * a key. */
static bool nk_parse_number(const char *s, size_t len, double *out)
{
    size_t i = 0;
    bool neg = false;
    bool plain = true; /* only digits, '-' and '.' */
    for (size_t j = 0; j < len; j++) {
        char c = s[j];
        if (!((c >= '0' && c <= '9') || c == '-' || c == '.')) {
            plain = false;
            break;
        }
    }
    if (!plain) {
        /* A decimal with an exponent: [-]digits[.digits](e|E)[+-]digits, nothing else. */
        size_t j = 0, digits = 0;
        if (j < len && s[j] == '-')
            j++;
        while (j < len && s[j] >= '0' && s[j] <= '9')
            j++, digits++;
        if (j < len && s[j] == '.') {
            j++;
            while (j < len && s[j] >= '0' && s[j] <= '9')
                j++, digits++;
        }
        if (!digits || j >= len || (s[j] != 'e' && s[j] != 'E'))
            return false;
        j++;
        if (j < len && (s[j] == '-' || s[j] == '+'))
            j++;
        size_t exp_digits = 0;
        while (j < len && s[j] >= '0' && s[j] <= '9')
            j++, exp_digits++;
        if (!exp_digits || j != len)
            return false;
        return tp_parse_double(s, len, out);
    }
    if (len == 0)
        return false;
    if (s[i] == '-') {
        neg = true;
        i++;
    }
    unsigned long long mant = 0;
    int scale = 0, sig = 0;
    bool exact = true;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (sig < 19) {
            mant = mant * 10 + (unsigned)(s[i] - '0');
            if (mant)
                sig++;
        } else {
            exact = false;
        }
        i++;
    }
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (sig < 19) {
                mant = mant * 10 + (unsigned)(s[i] - '0');
                if (mant)
                    sig++;
                scale++;
            } else {
                exact = false;
            }
            i++;
        }
    }
    double v;
    if (exact && mant < (1ull << 53) && scale <= 22) {
        /* Both operands are exact, so one division rounds correctly. */
        v = (double)mant / nk_pow10[scale];
    } else {
        /* Long mantissas: let strtod round the prefix that forms the number. */
        if (!tp_parse_double(s, i, &v))
            return false;
        *out = v;
        return true;
    }
    *out = neg ? -v : v;
    return true;
}

static long long nk_clamp_frame(long long f)
{
    const long long lim = 4 * NK_FRAME_LIMIT;
    return f > lim ? lim : f < -lim ? -lim : f;
}

/* nk_section_frame recognises "x12", the start of a curve section. Nuke writes frames before
 * 1 as "x-3", but the original tool took those for interpolation hints and keyed the values
 * that follow from frame 1; files converted with it line up only if we do the same. */
static bool nk_section_frame(const char *s, size_t len, long long *frame)
{
    if (len < 2 || s[0] != 'x')
        return false;
    long long v = 0;
    for (size_t i = 1; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v < 4 * NK_FRAME_LIMIT)
            v = v * 10 + (s[i] - '0');
    }
    *frame = nk_clamp_frame(v);
    return true;
}

/* ------------------------------------------------------------------ node kinds */

enum nk_table { NK_POINTS, NK_TRACKS };

struct nk_kind {
    const char *cls;
    enum nk_table table;
    size_t n_channels;
    const char *channels[4];
};

static const struct nk_kind nk_kinds[] = {
    {"Tracker3", NK_POINTS, 4, {"track1", "track2", "track3", "track4"}},
    {"Reconcile3D", NK_POINTS, 1, {"output"}},
    {"PlanarTracker1_0",
     NK_POINTS,
     4,
     {"outputBottomLeft", "outputBottomRight", "outputTopLeft", "outputTopRight"}},
    {"PlanarTracker",
     NK_POINTS,
     4,
     {"outputBottomLeft", "outputBottomRight", "outputTopLeft", "outputTopRight"}},
    {"CornerPin2D", NK_POINTS, 4, {"to1", "to2", "to3", "to4"}},
    {"Transform", NK_POINTS, 2, {"translate", "center"}},
    {"Tracker4", NK_TRACKS, 0, {NULL}},
};

static const struct nk_kind *nk_find_kind(const char *word, size_t len)
{
    for (size_t i = 0; i < sizeof nk_kinds / sizeof nk_kinds[0]; i++) {
        if (strlen(nk_kinds[i].cls) == len && memcmp(nk_kinds[i].cls, word, len) == 0)
            return &nk_kinds[i];
    }
    return NULL;
}

/* One Tracker4 row: its name in the name arena and its keys in the node's key array. */
struct nk_track {
    size_t name_at, name_len;
    size_t first, count;
};

struct nk_parser {
    struct tp_reader *r;
    struct nk_lexer lx;
    struct tp_tracker t;
    const struct nk_kind *kind;
    long node_line;
    size_t nodes_read;
    /* the node being read */
    char *name;
    size_t name_len, name_cap;
    bool has_name;
    struct nk_keys slots[4];
    struct nk_keys rows;
    struct nk_track *tracks;
    size_t n_tracks, tracks_cap;
    char *names;
    size_t names_len, names_cap;
    /* scratch */
    struct nk_curve cx, cy, cspare;
    char *full;
    size_t full_cap;
};

/* Status of reading one knob line inside a node body. */
enum nk_knob_end { NK_KNOB_NEXT, NK_KNOB_NODE_CLOSED };

static int nk_fail_token(struct nk_parser *p, const char *where)
{
    struct nk_lexer *lx = &p->lx;
    if (lx->error == TP_ERR_PARSE)
        return tp_reader_fail(p->r, lx->error_line,
                              "a quoted string that starts here is never closed (is the "
                              "script truncated?)");
    if (lx->error == TP_ERR_LIMIT)
        return tp_reader_failc(p->r, TP_ERR_LIMIT, lx->error_line,
                               "the line is longer than the limit of %u bytes", TP_MAX_LINE);
    if (lx->error == TP_ERR_NOMEM)
        return tp_reader_failc(p->r, TP_ERR_NOMEM, lx->line_no, "out of memory %s", where);
    return tp_reader_failc(p->r, lx->error ? lx->error : TP_ERR_IO, lx->error_line,
                           "the script could not be read %s", where);
}

/* Fails for a script that ends inside a node's braces. */
static int nk_fail_eof(struct nk_parser *p)
{
    if (p->kind)
        return tp_reader_fail(p->r, p->node_line,
                              "the %s node that starts here is never closed: the script ends "
                              "inside its { } block (is it truncated?)",
                              p->kind->cls);
    return tp_reader_fail(p->r, p->node_line,
                          "the { } block that starts here is never closed (is the script "
                          "truncated?)");
}

static int nk_map_error(struct nk_parser *p, int rc, const char *what)
{
    if (rc == TP_ERR_LIMIT)
        return tp_reader_failc(p->r, rc, p->lx.line_no, "%s exceeds a size limit", what);
    if (rc == TP_ERR_NOMEM)
        return tp_reader_failc(p->r, rc, p->lx.line_no, "out of memory reading %s", what);
    return rc;
}

/* nk_skip_group consumes tokens up to the brace closing one already read. */
static int nk_skip_group(struct nk_parser *p)
{
    struct nk_lexer *lx = &p->lx;
    bool was = lx->discard;
    lx->discard = true;
    size_t depth = 1;
    int rc = TP_OK;
    for (;;) {
        enum nk_token tok = nk_next(lx);
        if (tok == NK_OPEN) {
            depth++;
        } else if (tok == NK_CLOSE) {
            if (--depth == 0)
                break;
        } else if (tok == NK_END) {
            rc = nk_fail_eof(p);
            break;
        } else if (tok == NK_ERROR) {
            rc = nk_fail_token(p, "inside a { } block");
            break;
        }
    }
    lx->discard = was;
    return rc;
}

/* nk_parse_curve reads one braced element (its "{" already read). It returns through
 * *is_curve whether it was a curve ("curve ..." — Nuke 7 sometimes writes the command as the
 * quoted "curve "); an expression or anything else is skipped. */
static int nk_parse_curve(struct nk_parser *p, struct nk_curve *c, bool *is_curve)
{
    struct nk_lexer *lx = &p->lx;
    c->len = 0;
    *is_curve = false;
    enum nk_token tok;
    do
        tok = nk_next(lx);
    while (tok == NK_NEWLINE);
    if (tok == NK_CLOSE)
        return TP_OK;
    if (tok == NK_END)
        return nk_fail_eof(p);
    if (tok == NK_ERROR)
        return nk_fail_token(p, "in a curve");
    if (tok == NK_OPEN) {
        int rc = nk_skip_group(p);
        return rc ? rc : nk_skip_group(p);
    }
    const char *w = lx->word;
    size_t wl = lx->word_len;
    while (wl && nk_is_space(*w))
        w++, wl--;
    while (wl && nk_is_space(w[wl - 1]))
        wl--;
    /* "curve+5" and "curve-12" are a curve shifted by a constant. */
    double offset = 0.0;
    if (wl < 5 || memcmp(w, "curve", 5) != 0 ||
        (wl > 5 && !((w[5] == '+' || w[5] == '-') && tp_parse_double(w + 5, wl - 5, &offset))))
        return nk_skip_group(p);
    *is_curve = true;

    long long next = 1, gap = 1;
    for (;;) {
        tok = nk_next(lx);
        if (tok == NK_CLOSE)
            return TP_OK;
        if (tok == NK_NEWLINE)
            continue;
        if (tok == NK_END)
            return nk_fail_eof(p);
        if (tok == NK_ERROR)
            return nk_fail_token(p, "in a curve");
        if (tok == NK_OPEN) {
            int rc = nk_skip_group(p);
            if (rc)
                return rc;
            continue;
        }
        long long section;
        double value;
        if (nk_section_frame(lx->word, lx->word_len, &section)) {
            next = section;
            if (c->len)
                gap = nk_clamp_frame(section - c->v[c->len - 1].frame);
        } else if (!lx->word_quoted && nk_parse_number(lx->word, lx->word_len, &value)) {
            int rc = nk_curve_push(c, next, value + offset);
            if (rc)
                return nk_map_error(p, rc, "a curve");
            next = nk_clamp_frame(next + gap);
        }
    }
}

/* A curve key with its position in the text, so that sorting keeps the writing order of
 * keys that land on one frame. */
struct nk_tagged {
    struct nk_pair p;
    size_t at;
};

static int nk_cmp_tagged(const void *a, const void *b)
{
    const struct nk_tagged *x = a, *y = b;
    if (x->p.frame != y->p.frame)
        return x->p.frame < y->p.frame ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* nk_sort_curve orders keys by frame. Curves are written in order; only a section jumping
 * backwards ("x9 1 2 x5 3") needs sorting, so the check comes first. */
static int nk_sort_curve(struct nk_curve *c)
{
    size_t i = 1;
    while (i < c->len && c->v[i].frame >= c->v[i - 1].frame)
        i++;
    if (i >= c->len)
        return TP_OK;
    struct nk_tagged *tmp = malloc(c->len * sizeof *tmp);
    if (!tmp)
        return TP_ERR_NOMEM;
    for (size_t j = 0; j < c->len; j++) {
        tmp[j].p = c->v[j];
        tmp[j].at = j;
    }
    qsort(tmp, c->len, sizeof *tmp, nk_cmp_tagged);
    for (size_t j = 0; j < c->len; j++)
        c->v[j] = tmp[j].p;
    free(tmp);
    return TP_OK;
}

/* nk_zip pairs the x and y curves on the frames both key, into dst. */
static int nk_zip(struct nk_parser *p, struct nk_curve *x, struct nk_curve *y,
                  struct nk_keys *dst, size_t limit)
{
    if (nk_sort_curve(x) || nk_sort_curve(y))
        return nk_map_error(p, TP_ERR_NOMEM, "a curve");
    size_t i = 0, j = 0;
    while (i < x->len && j < y->len) {
        long long fx = x->v[i].frame, fy = y->v[j].frame;
        if (fx < fy) {
            i++;
        } else if (fy < fx) {
            j++;
        } else {
            /* Of keys written twice at one frame, the last counts. */
            while (i + 1 < x->len && x->v[i + 1].frame == fx)
                i++;
            while (j + 1 < y->len && y->v[j + 1].frame == fy)
                j++;
            if (fx - 1 >= -NK_FRAME_LIMIT && fx - 1 <= NK_FRAME_LIMIT) {
                int rc = nk_keys_push(dst, (int)(fx - 1), x->v[i].value, y->v[j].value, limit);
                if (rc)
                    return nk_map_error(p, rc, "a node");
            }
            i++;
            j++;
        }
    }
    return TP_OK;
}

/* nk_rest_of_knob consumes the rest of a knob line; it reports whether the node's closing
 * brace ended it. */
static int nk_rest_of_knob(struct nk_parser *p, enum nk_knob_end *end)
{
    struct nk_lexer *lx = &p->lx;
    bool was = lx->discard;
    lx->discard = true;
    int rc = TP_OK;
    for (;;) {
        enum nk_token tok = nk_next(lx);
        if (tok == NK_NEWLINE) {
            *end = NK_KNOB_NEXT;
            break;
        }
        if (tok == NK_CLOSE) {
            *end = NK_KNOB_NODE_CLOSED;
            break;
        }
        if (tok == NK_OPEN) {
            if ((rc = nk_skip_group(p)))
                break;
            continue;
        }
        if (tok == NK_END) {
            rc = nk_fail_eof(p);
            break;
        }
        if (tok == NK_ERROR) {
            rc = nk_fail_token(p, "in a node");
            break;
        }
    }
    lx->discard = was;
    return rc;
}

/* nk_parse_point reads "{{curve ...} {curve ...}}" (its "{" already read) into slot: the
 * knob is a point only when exactly two of its elements are curves. */
static int nk_parse_point(struct nk_parser *p, struct nk_keys *slot)
{
    struct nk_lexer *lx = &p->lx;
    size_t curves = 0;
    slot->len = 0;
    for (;;) {
        enum nk_token tok = nk_next(lx);
        if (tok == NK_CLOSE)
            break;
        if (tok == NK_END)
            return nk_fail_eof(p);
        if (tok == NK_ERROR)
            return nk_fail_token(p, "in a knob");
        if (tok != NK_OPEN)
            continue;
        struct nk_curve *c = curves == 0 ? &p->cx : curves == 1 ? &p->cy : &p->cspare;
        bool is_curve;
        int rc = nk_parse_curve(p, c, &is_curve);
        if (rc)
            return rc;
        if (is_curve)
            curves++;
    }
    if (curves != 2)
        return TP_OK;
    return nk_zip(p, &p->cx, &p->cy, slot, TP_MAX_KEYFRAMES);
}

/* Reads a Tracker4 column header list; remembers where name, track_x and track_y are. */
static int nk_parse_headers(struct nk_parser *p, size_t *col_name, size_t *col_x, size_t *col_y)
{
    struct nk_lexer *lx = &p->lx;
    size_t column = 0, found_name = SIZE_MAX, found_x = SIZE_MAX, found_y = SIZE_MAX;
    for (;;) {
        enum nk_token tok = nk_next(lx);
        if (tok == NK_CLOSE)
            break;
        if (tok == NK_END)
            return nk_fail_eof(p);
        if (tok == NK_ERROR)
            return nk_fail_token(p, "in the tracks table");
        if (tok == NK_WORD) {
            column++;
            continue;
        }
        if (tok != NK_OPEN)
            continue;
        /* { type flags width name label ... } */
        size_t field = 0;
        for (;;) {
            tok = nk_next(lx);
            if (tok == NK_CLOSE)
                break;
            if (tok == NK_END)
                return nk_fail_eof(p);
            if (tok == NK_ERROR)
                return nk_fail_token(p, "in the tracks table");
            if (tok == NK_OPEN) {
                int rc = nk_skip_group(p);
                if (rc)
                    return rc;
                field++;
                continue;
            }
            if (tok != NK_WORD)
                continue;
            if (field == 3) {
                if (lx->word_len == 4 && memcmp(lx->word, "name", 4) == 0)
                    found_name = column;
                else if (lx->word_len == 7 && memcmp(lx->word, "track_x", 7) == 0)
                    found_x = column;
                else if (lx->word_len == 7 && memcmp(lx->word, "track_y", 7) == 0)
                    found_y = column;
            }
            field++;
        }
        column++;
    }
    if (found_name != SIZE_MAX && found_x != SIZE_MAX && found_y != SIZE_MAX) {
        *col_name = found_name;
        *col_x = found_x;
        *col_y = found_y;
    }
    return TP_OK;
}

static int nk_names_append(struct nk_parser *p, const char *s, size_t n)
{
    if (p->names_len + n + 1 > p->names_cap) {
        size_t cap = p->names_cap ? p->names_cap : 1024;
        while (cap < p->names_len + n + 1) {
            if (cap > SIZE_MAX / 4)
                return TP_ERR_LIMIT;
            cap *= 2;
        }
        char *grown = realloc(p->names, cap);
        if (!grown)
            return TP_ERR_NOMEM;
        p->names = grown;
        p->names_cap = cap;
    }
    if (n)
        memcpy(p->names + p->names_len, s, n);
    p->names_len += n;
    p->names[p->names_len] = '\0';
    return TP_OK;
}

/* Reads one row of the tracks table (its "{" already read). */
static int nk_parse_row(struct nk_parser *p, size_t col_name, size_t col_x, size_t col_y)
{
    struct nk_lexer *lx = &p->lx;
    size_t cell = 0, name_at = p->names_len, name_len = 0;
    bool has_x = false, has_y = false;
    int rc;
    for (;;) {
        enum nk_token tok = nk_next(lx);
        if (tok == NK_CLOSE)
            break;
        if (tok == NK_NEWLINE)
            continue;
        if (tok == NK_END)
            return nk_fail_eof(p);
        if (tok == NK_ERROR)
            return nk_fail_token(p, "in the tracks table");
        if (tok == NK_WORD) {
            if (cell == col_name) {
                if (lx->word_truncated || lx->word_len > TP_MAX_NAME)
                    return tp_reader_failc(p->r, TP_ERR_LIMIT, lx->line_no,
                                           "a track name is longer than %u characters",
                                           TP_MAX_NAME);
                name_at = p->names_len;
                if ((rc = nk_names_append(p, lx->word, lx->word_len)))
                    return nk_map_error(p, rc, "the track names");
                name_len = lx->word_len;
            }
            cell++;
            continue;
        }
        /* a braced cell */
        if (cell == col_x) {
            if ((rc = nk_parse_curve(p, &p->cx, &has_x)))
                return rc;
        } else if (cell == col_y) {
            if ((rc = nk_parse_curve(p, &p->cy, &has_y)))
                return rc;
        } else if ((rc = nk_skip_group(p))) {
            return rc;
        }
        cell++;
    }
    if (!has_x || !has_y)
        return TP_OK;
    size_t first = p->rows.len;
    if ((rc = nk_zip(p, &p->cx, &p->cy, &p->rows, NK_MAX_NODE_KEYS)))
        return rc;
    if (p->n_tracks == p->tracks_cap) {
        size_t cap = p->tracks_cap ? p->tracks_cap * 2 : 64;
        struct nk_track *grown = realloc(p->tracks, cap * sizeof *grown);
        if (!grown)
            return nk_map_error(p, TP_ERR_NOMEM, "the tracks table");
        p->tracks = grown;
        p->tracks_cap = cap;
    }
    struct nk_track *t = &p->tracks[p->n_tracks++];
    t->name_at = name_at;
    t->name_len = name_len;
    t->first = first;
    t->count = p->rows.len - first;
    tp_reader_progress(p->r, "Reading track %zu of a Tracker4 node", p->n_tracks);
    return TP_OK;
}

/* nk_parse_tracks reads a Tracker4 "tracks" table (its "{" already read):
 * { {preamble} {column headers} {rows} }. A second tracks knob replaces the first. */
static int nk_parse_tracks(struct nk_parser *p)
{
    struct nk_lexer *lx = &p->lx;
    size_t col_name = 1, col_x = 2, col_y = 3;
    size_t element = 0;
    int rc;
    p->rows.len = 0;
    p->n_tracks = 0;
    p->names_len = 0;
    for (;;) {
        enum nk_token tok = nk_next(lx);
        if (tok == NK_CLOSE)
            return TP_OK;
        if (tok == NK_END)
            return nk_fail_eof(p);
        if (tok == NK_ERROR)
            return nk_fail_token(p, "in the tracks table");
        if (tok == NK_WORD) {
            element++;
            continue;
        }
        if (tok != NK_OPEN)
            continue;
        if (element == 1) {
            rc = nk_parse_headers(p, &col_name, &col_x, &col_y);
        } else if (element == 2) {
            for (;;) {
                tok = nk_next(lx);
                if (tok == NK_CLOSE)
                    break;
                if (tok == NK_END)
                    return nk_fail_eof(p);
                if (tok == NK_ERROR)
                    return nk_fail_token(p, "in the tracks table");
                if (tok == NK_OPEN && (rc = nk_parse_row(p, col_name, col_x, col_y)))
                    return rc;
            }
            rc = TP_OK;
        } else {
            rc = nk_skip_group(p);
        }
        if (rc)
            return rc;
        element++;
    }
}

/* nk_emit sends one tracker named "<node>_<suffix>". */
static int nk_emit(struct nk_parser *p, const char *suffix, size_t suffix_len,
                   const struct nk_key *keys, size_t n)
{
    if (n == 0)
        return TP_OK;
    size_t node_len = p->has_name ? p->name_len : 0;
    size_t len = node_len + 1 + suffix_len;
    if (len > TP_MAX_NAME)
        return tp_reader_failc(p->r, TP_ERR_LIMIT, p->node_line,
                               "the tracker name of this node is longer than %u characters",
                               TP_MAX_NAME);
    if (len + 1 > p->full_cap) {
        char *grown = realloc(p->full, len + 1);
        if (!grown)
            return nk_map_error(p, TP_ERR_NOMEM, "a node");
        p->full = grown;
        p->full_cap = len + 1;
    }
    if (node_len)
        memcpy(p->full, p->name, node_len);
    p->full[node_len] = '_';
    if (suffix_len)
        memcpy(p->full + node_len + 1, suffix, suffix_len);
    int rc = tp_tracker_set_name(&p->t, p->full, len);
    for (size_t i = 0; rc == TP_OK && i < n; i++)
        rc = tp_tracker_add(&p->t, keys[i].frame, keys[i].x, keys[i].y, 0.0);
    if (rc) {
        tp_tracker_reset(&p->t);
        return nk_map_error(p, rc, "a tracker");
    }
    return tp_reader_emit(p->r, &p->t);
}

static int nk_emit_node(struct nk_parser *p)
{
    int rc = TP_OK;
    if (p->kind->table == NK_TRACKS) {
        for (size_t i = 0; rc == TP_OK && i < p->n_tracks; i++) {
            const struct nk_track *t = &p->tracks[i];
            const char *name = t->name_len ? p->names + t->name_at : "";
            rc = nk_emit(p, name, t->name_len, t->count ? p->rows.v + t->first : NULL,
                         t->count);
        }
        return rc;
    }
    for (size_t i = 0; rc == TP_OK && i < p->kind->n_channels; i++) {
        const char *ch = p->kind->channels[i];
        rc = nk_emit(p, ch, strlen(ch), p->slots[i].v, p->slots[i].len);
    }
    return rc;
}

/* nk_parse_node reads a node body (its "{" already read) and emits its trackers. */
static int nk_parse_node(struct nk_parser *p)
{
    struct nk_lexer *lx = &p->lx;
    const struct nk_kind *kind = p->kind;
    p->has_name = false;
    p->name_len = 0;
    for (size_t i = 0; i < 4; i++)
        p->slots[i].len = 0;
    p->rows.len = 0;
    p->n_tracks = 0;
    p->names_len = 0;
    p->nodes_read++;
    tp_reader_progress(p->r, "Reading %s node %zu", kind->cls, p->nodes_read);

    for (;;) {
        enum nk_token tok = nk_next(lx);
        if (tok == NK_CLOSE)
            break;
        if (tok == NK_NEWLINE)
            continue;
        if (tok == NK_END)
            return nk_fail_eof(p);
        if (tok == NK_ERROR)
            return nk_fail_token(p, "in a node");
        enum nk_knob_end end = NK_KNOB_NEXT;
        int rc;
        if (tok == NK_OPEN) {
            if ((rc = nk_skip_group(p)) || (rc = nk_rest_of_knob(p, &end)))
                return rc;
            if (end == NK_KNOB_NODE_CLOSED)
                break;
            continue;
        }
        /* A knob: its name, then its value. */
        enum { OTHER, NAME, CHANNEL, TRACKS } what = OTHER;
        size_t channel = 0;
        if (!lx->word_quoted && lx->word_len == 4 && memcmp(lx->word, "name", 4) == 0) {
            what = NAME;
        } else if (kind->table == NK_TRACKS) {
            if (lx->word_len == 6 && memcmp(lx->word, "tracks", 6) == 0)
                what = TRACKS;
        } else {
            for (size_t i = 0; i < kind->n_channels; i++) {
                if (strlen(kind->channels[i]) == lx->word_len &&
                    memcmp(kind->channels[i], lx->word, lx->word_len) == 0) {
                    what = CHANNEL;
                    channel = i;
                }
            }
        }
        if (what == OTHER) {
            if ((rc = nk_rest_of_knob(p, &end)))
                return rc;
            if (end == NK_KNOB_NODE_CLOSED)
                break;
            continue;
        }
        tok = nk_next(lx);
        if (tok == NK_NEWLINE)
            continue;
        if (tok == NK_CLOSE)
            break;
        if (tok == NK_END)
            return nk_fail_eof(p);
        if (tok == NK_ERROR)
            return nk_fail_token(p, "in a node");
        rc = TP_OK;
        if (what == NAME && tok == NK_WORD) {
            if (lx->word_truncated || lx->word_len > TP_MAX_NAME)
                return tp_reader_failc(p->r, TP_ERR_LIMIT, lx->line_no,
                                       "the node name is longer than %u characters",
                                       TP_MAX_NAME);
            if (lx->word_len + 1 > p->name_cap) {
                char *grown = realloc(p->name, lx->word_len + 1);
                if (!grown)
                    return nk_map_error(p, TP_ERR_NOMEM, "a node");
                p->name = grown;
                p->name_cap = lx->word_len + 1;
            }
            if (lx->word_len)
                memcpy(p->name, lx->word, lx->word_len);
            p->name[lx->word_len] = '\0';
            p->name_len = lx->word_len;
            p->has_name = true;
        } else if (what == CHANNEL && tok == NK_OPEN) {
            rc = nk_parse_point(p, &p->slots[channel]);
        } else if (what == CHANNEL) {
            p->slots[channel].len = 0;
        } else if (what == TRACKS && tok == NK_OPEN) {
            rc = nk_parse_tracks(p);
        } else if (what == TRACKS) {
            p->rows.len = 0;
            p->n_tracks = 0;
        } else if (tok == NK_OPEN) {
            rc = nk_skip_group(p);
        }
        if (rc || (rc = nk_rest_of_knob(p, &end)))
            return rc;
        if (end == NK_KNOB_NODE_CLOSED)
            break;
    }
    return nk_emit_node(p);
}

static int nk_parse_script(struct nk_parser *p)
{
    struct nk_lexer *lx = &p->lx;
    size_t words = 0;
    const struct nk_kind *kind = NULL;
    for (;;) {
        enum nk_token tok = nk_next(lx);
        int rc;
        switch (tok) {
        case NK_END:
            return TP_OK;
        case NK_ERROR:
            return nk_fail_token(p, "");
        case NK_NEWLINE:
            words = 0;
            kind = NULL;
            break;
        case NK_WORD:
            if (words == 0) {
                if (!lx->word_quoted && lx->word_len && lx->word[0] == '#') {
                    nk_skip_line(lx);
                    break;
                }
                kind = lx->word_quoted ? NULL : nk_find_kind(lx->word, lx->word_len);
            }
            words++;
            break;
        case NK_OPEN:
            p->node_line = lx->line_no;
            if (words == 1 && kind) {
                p->kind = kind;
                rc = nk_parse_node(p);
                p->kind = NULL;
            } else {
                rc = nk_skip_group(p);
            }
            if (rc)
                return rc;
            words++;
            break;
        case NK_CLOSE:
            /* A stray closing brace at the top level is not ours to judge. */
            words++;
            break;
        }
    }
}

static int nk_read(struct tp_reader *r)
{
    struct nk_parser p;
    memset(&p, 0, sizeof p);
    p.r = r;
    p.lx.in = tp_reader_input(r);
    tp_tracker_init(&p.t);
    int rc = nk_parse_script(&p);
    tp_tracker_cleanup(&p.t);
    free(p.lx.word);
    free(p.name);
    for (size_t i = 0; i < 4; i++)
        free(p.slots[i].v);
    free(p.rows.v);
    free(p.tracks);
    free(p.names);
    free(p.cx.v);
    free(p.cy.v);
    free(p.cspare.v);
    free(p.full);
    return rc;
}

/* ------------------------------------------------------------------ sniffing */

static bool nk_starts(const char *s, const char *end, const char *prefix)
{
    size_t n = strlen(prefix);
    return (size_t)(end - s) >= n && memcmp(s, prefix, n) == 0;
}

static bool nk_contains(const char *s, const char *end, const char *needle)
{
    for (; s < end; s++) {
        if (nk_starts(s, end, needle))
            return true;
    }
    return false;
}

/* A .nk script opens with "#! /path/to/Nuke -nx", "version 7.0 v6", a copy-paste preamble or
 * straight with a node; node bodies are "Class {" lines. */
static int nk_sniff(const char *head, size_t len)
{
    const char *s = head, *end = head + len;
    int score = 0;
    size_t lines = 0;
    while (s < end && lines < 2000) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        const char *b = s;
        while (b < le && (*b == ' ' || *b == '\t'))
            b++;
        size_t n = (size_t)(le - b);
        while (n && (b[n - 1] == '\r' || b[n - 1] == ' '))
            n--;
        const char *e = b + n;
        if (lines == 0 && nk_starts(b, e, "#!") && nk_contains(b, e, "Nuke"))
            return 95;
        if (nk_starts(b, e, "set cut_paste_input [stack 0]"))
            score = score < 90 ? 90 : score;
        if (nk_starts(b, e, "Root {") && n == 6)
            score = score < 85 ? 85 : score;
        if (lines < 3 && nk_starts(b, e, "version ") && n > 8 && b[8] >= '0' && b[8] <= '9')
            score = score < 60 ? 60 : score;
        if (n > 2 && e[-1] == '{' && e[-2] == ' ') {
            const struct nk_kind *k = nk_find_kind(b, n - 2);
            if (k)
                score = score < 75 ? 75 : score;
        }
        if (score >= 90)
            break;
        if (!nl)
            break;
        s = nl + 1;
        lines++;
    }
    return score;
}

const struct tp_importer tp_import_nukescript = {
    .name = "nukescript",
    .human_name = "Nuke .nk script file with Tracker, Reconcile3D, Transform2D, PlanarTracker "
                  "and CornerPin nodes",
    .extension = ".nk",
    .flags = 0,
    .sniff = nk_sniff,
    .read = nk_read,
};
