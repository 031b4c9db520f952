/*
 * fusion.c — Blackmagic Fusion / DaVinci Resolve .setting (and .comp) files: the trackers
 * of every Tracker tool whose TrackedCenterN is driven by an XYPath, the shape trackport's
 * Fusion exporter writes (and Fusion's own "XY Path" modifier).
 *
 * A .setting is a Lua table literal: `{ Tools = ordered() { Name = Type { ... }, ... } }`.
 * The whole text is parsed into a small tree (strings and keys point into the text, nodes
 * come from one arena; a BezierSpline's keys are kept as bare (frame, value) pairs), so
 * memory is the text plus a fraction of it, and the input is capped at FU_MAX_INPUT bytes. Then,
 * for each Tracker tool in order and each N with a TrackedCenterN input, the tracker named by NameN
 * ("Tracker N" when absent) follows SourceOp to an XYPath tool, whose X and Y inputs are a constant
 * or a BezierSpline's KeyFrames `[frame] = { value, ... }`. A frame keyed on one axis only takes
 * the other axis by linear interpolation between its neighbours (held past the ends).
 *
 * Points are fractions of the image from its lower-left corner, so x = X * width and
 * y = Y * height; frames are Fusion's, whole numbers only. The comp size is not part of a
 * .setting: trackport's exporter records it in the Tracker's CustomData (TrackportWidth,
 * TrackportHeight), which is used when the user gives none.
 *
 * Fusion's own tracking result is a PolyPath (a spline plus a displacement curve) rather
 * than an XYPath; such a tracker is refused with a message saying how to convert it.
 */
#include "trackport.h"

#include "misc_scan.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

enum {
    FU_MAX_INPUT = 512 * 1024 * 1024, /* bytes of a .setting read at most */
    FU_MAX_DEPTH = 200,               /* nesting of tables */
};

enum fu_type { FU_NIL, FU_BOOL, FU_NUMBER, FU_STRING, FU_TABLE };

/* One value of the tree, and its key when it is a field of a table. */
struct fu_node {
    const char *key; /* identifier or string key, NULL for positional or [number] keys */
    const char *str; /* FU_STRING: the raw text between the quotes; FU_TABLE: constructor */
    struct fu_node *child, *next;
    double num;       /* FU_NUMBER */
    size_t key_first; /* a KeyFrames table: its keys are ps->keys[key_first...] */
    uint32_t key_len, str_len;
    uint32_t key_count;
    uint8_t type;
    bool keyframes; /* a KeyFrames table, kept as key_first/key_count, not as nodes */
};

/* One key of a BezierSpline: [frame] = { value, ... }. */
struct fu_key {
    double frame, value;
};

struct fu_arena {
    struct fu_block *blocks;
};

struct fu_block {
    struct fu_block *next;
    size_t used;
    struct fu_node nodes[4096];
};

struct fu_parser {
    struct tp_reader *r;
    const char *text, *p, *end;
    struct fu_arena arena;
    size_t nodes;
    struct fu_key *keys; /* every spline's keys, one run per KeyFrames table */
    size_t nkeys, keys_cap;
    const struct fu_node **tools; /* the tools sorted by name, for fu_tool */
    size_t ntools;
    int depth;
    int width, height; /* given by the user, else from a Tracker's CustomData */
};

static struct fu_node *fu_new(struct fu_parser *ps)
{
    struct fu_block *b = ps->arena.blocks;
    if (!b || b->used == sizeof b->nodes / sizeof b->nodes[0]) {
        b = malloc(sizeof *b);
        if (!b)
            return NULL;
        b->next = ps->arena.blocks;
        b->used = 0;
        ps->arena.blocks = b;
    }
    struct fu_node *n = &b->nodes[b->used++];
    memset(n, 0, sizeof *n);
    ps->nodes++;
    return n;
}

static void fu_arena_free(struct fu_arena *a)
{
    while (a->blocks) {
        struct fu_block *next = a->blocks->next;
        free(a->blocks);
        a->blocks = next;
    }
}

static long fu_line_at(const struct fu_parser *ps, const char *at)
{
    long line = 1;
    for (const char *s = ps->text; s < at && s < ps->end; s++)
        line += *s == '\n';
    return line;
}

static int fu_fail(struct fu_parser *ps, const char *what)
{
    return tp_reader_fail(ps->r, fu_line_at(ps, ps->p), "this Fusion setting is malformed: %s",
                          what);
}

/* fu_long_bracket returns the level of a "[[" / "[==[" opening at s, or -1. */
static int fu_long_bracket(const char *s, const char *end)
{
    if (s >= end || *s != '[')
        return -1;
    int level = 0;
    for (s++; s < end && *s == '='; s++)
        level++;
    return s < end && *s == '[' ? level : -1;
}

/* fu_skip_long skips a long bracket of the given level starting at *p ('['). */
static bool fu_skip_long(struct fu_parser *ps, int level, const char **body, size_t *len)
{
    const char *s = ps->p + level + 2;
    *body = s;
    for (; s < ps->end; s++) {
        if (*s != ']')
            continue;
        const char *q = s + 1;
        int l = 0;
        while (q < ps->end && *q == '=') {
            q++;
            l++;
        }
        if (l == level && q < ps->end && *q == ']') {
            *len = (size_t)(s - *body);
            ps->p = q + 1;
            return true;
        }
    }
    return false;
}

/* fu_ws skips whitespace and Lua comments; false on an unclosed block comment. */
static bool fu_ws(struct fu_parser *ps)
{
    for (;;) {
        while (ps->p < ps->end && (tp__ns_space(*ps->p) || *ps->p == '\n'))
            ps->p++;
        if (ps->end - ps->p >= 2 && ps->p[0] == '-' && ps->p[1] == '-') {
            ps->p += 2;
            int level = fu_long_bracket(ps->p, ps->end);
            if (level >= 0) {
                const char *body;
                size_t len;
                if (!fu_skip_long(ps, level, &body, &len))
                    return false;
            } else {
                while (ps->p < ps->end && *ps->p != '\n')
                    ps->p++;
            }
            continue;
        }
        return true;
    }
}

static bool fu_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool fu_ident_char(char c)
{
    return fu_ident_start(c) || (c >= '0' && c <= '9');
}

static bool fu_is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(s, word, len) == 0;
}

static int fu_value(struct fu_parser *ps, struct fu_node *n, bool keep);
static int fu_keyframes(struct fu_parser *ps, struct fu_node *n);

/*
 * fu_fields parses the fields of a table up to and including its '}' ('{' consumed). With
 * keep the fields become n's children; without, they are checked and dropped (the rest
 * of a keyframe's table, which only its first value matters of).
 */
static int fu_fields(struct fu_parser *ps, struct fu_node *n, bool keep)
{
    if (++ps->depth > FU_MAX_DEPTH)
        return tp_reader_failc(ps->r, TP_ERR_LIMIT, fu_line_at(ps, ps->p),
                               "tables are nested more than %d deep", FU_MAX_DEPTH);
    struct fu_node **tail = &n->child;
    for (;;) {
        if (!fu_ws(ps))
            return fu_fail(ps, "a comment is not closed");
        if (ps->p == ps->end)
            return fu_fail(ps, "a table is not closed with '}'");
        if (*ps->p == '}') {
            ps->p++;
            break;
        }
        struct fu_node scratch;
        struct fu_node *f = keep ? fu_new(ps) : &scratch;
        if (!f)
            return tp_reader_failc(ps->r, TP_ERR_NOMEM, 0, "out of memory");
        memset(f, 0, sizeof *f);
        const char *save = ps->p;
        int rc;
        if (*ps->p == '[' && fu_long_bracket(ps->p, ps->end) < 0) {
            /* [key] = value */
            ps->p++;
            struct fu_node key;
            memset(&key, 0, sizeof key);
            if (!fu_ws(ps))
                return fu_fail(ps, "a comment is not closed");
            if ((rc = fu_value(ps, &key, false)))
                return rc;
            if (!fu_ws(ps))
                return fu_fail(ps, "a comment is not closed");
            if (ps->p == ps->end || *ps->p != ']')
                return fu_fail(ps, "expected ']' after a key");
            ps->p++;
            if (key.type == FU_STRING) {
                f->key = key.str;
                f->key_len = key.str_len;
            } else if (key.type != FU_NUMBER) {
                return fu_fail(ps, "a key is neither a number nor a string");
            }
            if (!fu_ws(ps))
                return fu_fail(ps, "a comment is not closed");
            if (ps->p == ps->end || *ps->p != '=')
                return fu_fail(ps, "expected '=' after a key");
            ps->p++;
        } else if (fu_ident_start(*ps->p)) {
            /* name = value, or a value that starts with a name (true, Input {...}) */
            const char *id = ps->p;
            while (ps->p < ps->end && fu_ident_char(*ps->p))
                ps->p++;
            const char *id_end = ps->p;
            if (!fu_ws(ps))
                return fu_fail(ps, "a comment is not closed");
            if (ps->p < ps->end && *ps->p == '=' && (ps->p + 1 == ps->end || ps->p[1] != '=')) {
                f->key = id;
                f->key_len = (uint32_t)(id_end - id);
                ps->p++;
            } else {
                ps->p = save;
            }
        }
        if (!fu_ws(ps))
            return fu_fail(ps, "a comment is not closed");
        if (keep && n->str && fu_is(n->str, n->str_len, "BezierSpline") && f->key &&
            fu_is(f->key, f->key_len, "KeyFrames") && ps->p < ps->end && *ps->p == '{')
            rc = fu_keyframes(ps, f);
        else
            rc = fu_value(ps, f, keep);
        if (rc)
            return rc;
        if (keep) {
            *tail = f;
            tail = &f->next;
        }
        if (!fu_ws(ps))
            return fu_fail(ps, "a comment is not closed");
        if (ps->p < ps->end && (*ps->p == ',' || *ps->p == ';'))
            ps->p++;
        else if (ps->p < ps->end && *ps->p != '}')
            return fu_fail(ps, "expected ',' or '}' after a value");
    }
    ps->depth--;
    return TP_OK;
}

/* fu_expect skips whitespace and one expected character, or fails saying what. */
static int fu_expect(struct fu_parser *ps, char c, const char *what)
{
    if (!fu_ws(ps))
        return fu_fail(ps, "a comment is not closed");
    if (ps->p == ps->end || *ps->p != c)
        return fu_fail(ps, what);
    ps->p++;
    return TP_OK;
}

/* fu_number parses a number value after optional whitespace. */
static int fu_number(struct fu_parser *ps, double *out, const char *what)
{
    struct fu_node v;
    memset(&v, 0, sizeof v);
    int rc;
    if (!fu_ws(ps))
        return fu_fail(ps, "a comment is not closed");
    const char *at = ps->p;
    if ((rc = fu_value(ps, &v, false)))
        return rc;
    if (v.type != FU_NUMBER) {
        ps->p = at;
        return fu_fail(ps, what);
    }
    *out = v.num;
    return TP_OK;
}

/*
 * fu_keyframes parses a BezierSpline's KeyFrames table, "{ [frame] = { value, ... }, ... }",
 * keeping only frame and value of each key in ps->keys: a spline key would otherwise cost
 * four nodes, and a long track has hundreds of thousands.
 */
static int fu_keyframes(struct fu_parser *ps, struct fu_node *n)
{
    n->type = FU_TABLE;
    n->keyframes = true;
    n->key_first = ps->nkeys;
    ps->p++; /* '{' */
    int rc;
    for (;;) {
        if (!fu_ws(ps))
            return fu_fail(ps, "a comment is not closed");
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            return TP_OK;
        }
        struct fu_key key;
        static const char *shape = "a keyframe is not \"[frame] = { value, ... }\"";
        if ((rc = fu_expect(ps, '[', shape)) || (rc = fu_number(ps, &key.frame, shape)) ||
            (rc = fu_expect(ps, ']', shape)) || (rc = fu_expect(ps, '=', shape)) ||
            (rc = fu_expect(ps, '{', shape)) || (rc = fu_number(ps, &key.value, shape)))
            return rc;
        if (!fu_ws(ps))
            return fu_fail(ps, "a comment is not closed");
        if (ps->p < ps->end && (*ps->p == ',' || *ps->p == ';'))
            ps->p++;
        struct fu_node rest;
        memset(&rest, 0, sizeof rest);
        if ((rc = fu_fields(ps, &rest, false)))
            return rc;
        if (ps->nkeys == ps->keys_cap) {
            size_t cap = ps->keys_cap ? ps->keys_cap * 2 : 1024;
            struct fu_key *k = realloc(ps->keys, cap * sizeof *k);
            if (!k)
                return tp_reader_failc(ps->r, TP_ERR_NOMEM, 0, "out of memory");
            ps->keys = k;
            ps->keys_cap = cap;
        }
        ps->keys[ps->nkeys++] = key;
        n->key_count++;
        if (!fu_ws(ps))
            return fu_fail(ps, "a comment is not closed");
        if (ps->p < ps->end && (*ps->p == ',' || *ps->p == ';'))
            ps->p++;
        else if (ps->p < ps->end && *ps->p != '}')
            return fu_fail(ps, "expected ',' or '}' after a keyframe");
        else if (ps->p == ps->end)
            return fu_fail(ps, "a table is not closed with '}'");
    }
}

/* fu_value parses one value at ps->p (whitespace already skipped) into n; tables keep
 * their fields only with keep. */
static int fu_value(struct fu_parser *ps, struct fu_node *n, bool keep)
{
    if (ps->p == ps->end)
        return fu_fail(ps, "a value is missing at the end of the file");
    char c = *ps->p;
    if (c == '{') {
        n->type = FU_TABLE;
        ps->p++;
        return fu_fields(ps, n, keep);
    }
    if (c == '"' || c == '\'') {
        const char *s = ps->p + 1;
        n->type = FU_STRING;
        n->str = s;
        for (; s < ps->end && *s != c && *s != '\n'; s++) {
            if (*s == '\\')
                s++;
        }
        if (s >= ps->end || *s != c)
            return fu_fail(ps, "a string is not closed on its line");
        n->str_len = (uint32_t)(s - n->str);
        ps->p = s + 1;
        return TP_OK;
    }
    int level = fu_long_bracket(ps->p, ps->end);
    if (level >= 0) {
        const char *body;
        size_t len;
        if (!fu_skip_long(ps, level, &body, &len))
            return fu_fail(ps, "a long string is not closed");
        n->type = FU_STRING;
        n->str = body;
        n->str_len = (uint32_t)len;
        return TP_OK;
    }
    if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) {
        const char *s = ps->p;
        while (s < ps->end && (fu_ident_char(*s) || *s == '.' || *s == '-' || *s == '+'))
            s++;
        if (!tp__ns_double(ps->p, (size_t)(s - ps->p), &n->num) || !isfinite(n->num))
            return fu_fail(ps, "a number is malformed");
        n->type = FU_NUMBER;
        ps->p = s;
        return TP_OK;
    }
    if (fu_ident_start(c)) {
        const char *id = ps->p;
        while (ps->p < ps->end && fu_ident_char(*ps->p))
            ps->p++;
        size_t len = (size_t)(ps->p - id);
        if (len == 4 && memcmp(id, "true", 4) == 0) {
            n->type = FU_BOOL;
            n->num = 1;
            return TP_OK;
        }
        if (len == 5 && memcmp(id, "false", 5) == 0) {
            n->type = FU_BOOL;
            return TP_OK;
        }
        if (len == 3 && memcmp(id, "nil", 3) == 0) {
            n->type = FU_NIL;
            return TP_OK;
        }
        /* A constructor: Name { ... } or ordered() { ... } */
        if (!fu_ws(ps))
            return fu_fail(ps, "a comment is not closed");
        if (ps->p < ps->end && *ps->p == '(') {
            ps->p++;
            if (!fu_ws(ps))
                return fu_fail(ps, "a comment is not closed");
            if (ps->p == ps->end || *ps->p != ')')
                return fu_fail(ps, "only empty calls such as ordered() may precede a table");
            ps->p++;
            if (!fu_ws(ps))
                return fu_fail(ps, "a comment is not closed");
        }
        if (ps->p == ps->end || *ps->p != '{')
            return fu_fail(ps, "expected a table after a name");
        n->type = FU_TABLE;
        n->str = id;
        n->str_len = (uint32_t)len;
        ps->p++;
        return fu_fields(ps, n, keep);
    }
    return fu_fail(ps, "unexpected character");
}

/* ------------------------------------------------------------------ the tree */

static const struct fu_node *fu_field(const struct fu_node *table, const char *key)
{
    if (!table || table->type != FU_TABLE)
        return NULL;
    for (const struct fu_node *f = table->child; f; f = f->next)
        if (f->key && fu_is(f->key, f->key_len, key))
            return f;
    return NULL;
}

static bool fu_constructor(const struct fu_node *n, const char *name)
{
    return n && n->type == FU_TABLE && n->str && fu_is(n->str, n->str_len, name);
}

static int fu_name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

static int fu_tool_order(const void *a, const void *b)
{
    const struct fu_node *x = *(const struct fu_node *const *)a;
    const struct fu_node *y = *(const struct fu_node *const *)b;
    return fu_name_cmp(x->key, x->key_len, y->key, y->key_len);
}

/* fu_index_tools sorts the named tools of the Tools table for fu_tool: a setting with
 * thousands of trackers has three tools each, and every tracker looks three up. */
static int fu_index_tools(struct fu_parser *ps, const struct fu_node *tools)
{
    size_t n = 0;
    for (const struct fu_node *f = tools->child; f; f = f->next)
        n += f->key != NULL;
    ps->tools = malloc((n ? n : 1) * sizeof *ps->tools);
    if (!ps->tools)
        return TP_ERR_NOMEM;
    for (const struct fu_node *f = tools->child; f; f = f->next)
        if (f->key)
            ps->tools[ps->ntools++] = f;
    qsort(ps->tools, ps->ntools, sizeof *ps->tools, fu_tool_order);
    return TP_OK;
}

/* fu_tool finds the tool named by the string node name (the first of that name). */
static const struct fu_node *fu_tool(const struct fu_parser *ps, const struct fu_node *name)
{
    if (!name || name->type != FU_STRING)
        return NULL;
    size_t lo = 0, hi = ps->ntools;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct fu_node *t = ps->tools[mid];
        if (fu_name_cmp(t->key, t->key_len, name->str, name->str_len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < ps->ntools &&
        fu_name_cmp(ps->tools[lo]->key, ps->tools[lo]->key_len, name->str, name->str_len) == 0)
        return ps->tools[lo];
    return NULL;
}

/* fu_unescape copies a Lua string's text into out (at least len + 1 bytes) with the
 * escapes Fusion and trackport write resolved; returns the length. */
static size_t fu_unescape(const char *s, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\\' || i + 1 == len) {
            out[o++] = s[i];
            continue;
        }
        char c = s[++i];
        if (c >= '0' && c <= '9') {
            unsigned v = 0;
            for (int k = 0; k < 3 && i < len && s[i] >= '0' && s[i] <= '9'; k++, i++)
                v = v * 10 + (unsigned)(s[i] - '0');
            i--;
            out[o++] = (char)(v & 0xFF);
        } else {
            out[o++] = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
        }
    }
    out[o] = '\0';
    return o;
}

/* One axis: a constant or a spline's keys (frame, value), sorted by frame. */
struct fu_axis {
    double constant;
    struct misc_keys keys; /* x holds the value */
};

/* fu_axis_read reads the input of one XYPath axis. */
static int fu_axis_read(struct fu_parser *ps, const struct fu_node *input, const char *tracker,
                        char axis, struct fu_axis *out)
{
    const struct fu_node *value = fu_field(input, "Value");
    if (value && value->type == FU_NUMBER) {
        out->constant = value->num;
        return TP_OK;
    }
    const struct fu_node *spline = fu_tool(ps, fu_field(input, "SourceOp"));
    const struct fu_node *keys = fu_field(spline, "KeyFrames");
    if (!keys || !keys->keyframes)
        return tp_reader_fail(ps->r, 0,
                              "the %c of tracker \"%s\" is neither a number nor a BezierSpline "
                              "with KeyFrames",
                              axis, tracker);
    for (size_t i = 0; i < keys->key_count; i++) {
        const struct fu_key *k = &ps->keys[keys->key_first + i];
        if (floor(k->frame) != k->frame || k->frame < -1e9 || k->frame > 1e9)
            return tp_reader_fail(ps->r, 0,
                                  "tracker \"%s\" has a key at frame %g: only whole frames "
                                  "can be read",
                                  tracker, k->frame);
        int rc = misc_keys_push(&out->keys, (int)k->frame, k->value, 0, 0);
        if (rc)
            return rc;
    }
    int rc = misc_keys_sort(&out->keys);
    int dup;
    if (rc == TP_OK && misc_keys_duplicate(&out->keys, &dup))
        return tp_reader_fail(ps->r, 0, "the %c spline of tracker \"%s\" has two keys at frame %d",
                              axis, tracker, dup);
    return rc;
}

/* fu_axis_at is the axis' value at frame: its key, or linear between keys, held at ends. */
static double fu_axis_at(const struct fu_axis *a, int frame, size_t *cursor)
{
    const struct misc_keys *k = &a->keys;
    if (k->len == 0)
        return a->constant;
    size_t i = *cursor;
    while (i < k->len && k->v[i].frame < frame)
        i++;
    *cursor = i;
    if (i < k->len && k->v[i].frame == frame)
        return k->v[i].x;
    if (i == 0)
        return k->v[0].x;
    if (i == k->len)
        return k->v[k->len - 1].x;
    const struct tp_keyframe *lo = &k->v[i - 1], *hi = &k->v[i];
    double t = (double)(frame - lo->frame) / (double)(hi->frame - lo->frame);
    return lo->x + (hi->x - lo->x) * t;
}

/* fu_track emits one tracker from its XYPath tool. */
static int fu_track(struct fu_parser *ps, const struct fu_node *path, struct tp_tracker *t,
                    struct fu_axis ax[2])
{
    int rc = TP_OK;
    for (int i = 0; i < 2; i++) {
        ax[i].constant = 0;
        ax[i].keys.len = 0;
        ax[i].keys.unsorted = false;
        const struct fu_node *in = fu_field(fu_field(path, "Inputs"), i ? "Y" : "X");
        if (in && (rc = fu_axis_read(ps, in, t->name, i ? 'Y' : 'X', &ax[i])))
            return rc;
    }
    int w = ps->width, h = ps->height;
    if (w <= 0 || h <= 0)
        return tp_reader_failc(ps->r, TP_ERR_SIZE_REQUIRED, 0,
                               "this Fusion setting does not record the comp size (only "
                               "trackport's own do): give the width and height of the comp");
    size_t a = 0, b = 0, ca = 0, cb = 0;
    while (a < ax[0].keys.len || b < ax[1].keys.len) {
        int fa = a < ax[0].keys.len ? ax[0].keys.v[a].frame : INT_MAX;
        int fb = b < ax[1].keys.len ? ax[1].keys.v[b].frame : INT_MAX;
        int frame = fa < fb ? fa : fb;
        a += fa == frame;
        b += fb == frame;
        double x = fu_axis_at(&ax[0], frame, &ca) * w, y = fu_axis_at(&ax[1], frame, &cb) * h;
        if (!isfinite(x) || !isfinite(y))
            return tp_reader_fail(ps->r, 0, "a position of tracker \"%s\" is out of range",
                                  t->name);
        if ((rc = tp_tracker_add(t, frame, x, y, 0)))
            return rc;
    }
    return tp_reader_emit(ps->r, t);
}

/* fu_custom_size takes TrackportWidth/TrackportHeight from a Tracker's CustomData. */
static void fu_custom_size(struct fu_parser *ps, const struct fu_node *tool)
{
    if (ps->width > 0 && ps->height > 0)
        return;
    const struct fu_node *custom = fu_field(tool, "CustomData");
    const struct fu_node *w = fu_field(custom, "TrackportWidth");
    const struct fu_node *h = fu_field(custom, "TrackportHeight");
    if (w && h && w->type == FU_NUMBER && h->type == FU_NUMBER && w->num >= 1 && h->num >= 1 &&
        w->num <= 1e6 && h->num <= 1e6 && floor(w->num) == w->num && floor(h->num) == h->num) {
        tp_reader_set_size(ps->r, (int)w->num, (int)h->num);
        ps->width = (int)w->num;
        ps->height = (int)h->num;
    }
}

/* The NameN and TrackedCenterN inputs of tracker number N. */
struct fu_slot {
    long number;
    const struct fu_node *center, *name;
};

static int fu_slot_order(const void *a, const void *b)
{
    const struct fu_slot *x = a, *y = b;
    return (x->number > y->number) - (x->number < y->number);
}

/* fu_input_number tells whether key is prefix followed by a number, and which. */
static bool fu_input_number(const struct fu_node *f, const char *prefix, long *number)
{
    size_t n = strlen(prefix);
    long long v;
    if (!f->key || f->key_len <= n || memcmp(f->key, prefix, n) != 0 ||
        !tp__ns_all_digits(f->key + n, f->key_len - n) ||
        !misc_leading_int(f->key + n, f->key_len - n, 1000000000, &v))
        return false;
    *number = (long)v;
    return true;
}

static int fu_tracker_one(struct fu_parser *ps, const struct fu_node *center,
                          const struct fu_node *name_input, long next, struct tp_tracker *t,
                          struct fu_axis ax[2]);

/* fu_tracker_tool emits every tracker of one Tracker tool, in the order of their numbers. */
static int fu_tracker_tool(struct fu_parser *ps, const struct fu_node *tool, struct tp_tracker *t,
                           struct fu_axis ax[2])
{
    const struct fu_node *inputs = fu_field(tool, "Inputs");
    fu_custom_size(ps, tool);
    /* Numbers need not be dense nor in order: gather, sort, then pair names and centres. */
    size_t n = 0;
    for (const struct fu_node *f = inputs ? inputs->child : NULL; f; f = f->next)
        n++;
    struct fu_slot *slots = malloc((n ? n : 1) * sizeof *slots);
    if (!slots)
        return TP_ERR_NOMEM;
    size_t used = 0;
    for (const struct fu_node *f = inputs ? inputs->child : NULL; f; f = f->next) {
        long number;
        if (fu_input_number(f, "TrackedCenter", &number))
            slots[used++] = (struct fu_slot){number, f, NULL};
        else if (fu_input_number(f, "Name", &number))
            slots[used++] = (struct fu_slot){number, NULL, f};
    }
    qsort(slots, used, sizeof *slots, fu_slot_order);
    int rc = TP_OK;
    for (size_t i = 0; i < used && rc == TP_OK;) {
        const struct fu_node *center = NULL, *name_input = NULL;
        long next = slots[i].number;
        for (; i < used && slots[i].number == next; i++) {
            if (slots[i].center && !center)
                center = slots[i].center;
            if (slots[i].name && !name_input)
                name_input = slots[i].name;
        }
        if (center)
            rc = fu_tracker_one(ps, center, name_input, next, t, ax);
    }
    free(slots);
    return rc;
}

/* fu_tracker_one emits tracker number `next` of a Tracker tool. */
static int fu_tracker_one(struct fu_parser *ps, const struct fu_node *center,
                          const struct fu_node *name_input, long next, struct tp_tracker *t,
                          struct fu_axis ax[2])
{
    const struct fu_node *name = fu_field(name_input, "Value");
    int rc;
    if (name && name->type == FU_STRING && name->str_len > 0) {
        if (name->str_len > TP_MAX_NAME)
            return tp_reader_failc(ps->r, TP_ERR_LIMIT, fu_line_at(ps, name->str),
                                   "a tracker name is longer than %u characters", TP_MAX_NAME);
        char buf[TP_MAX_NAME + 1];
        size_t len = fu_unescape(name->str, name->str_len, buf);
        rc = tp_tracker_set_name(t, buf, len);
    } else {
        rc = tp_tracker_set_namef(t, "Tracker%ld", next);
    }
    if (rc)
        return rc;
    const struct fu_node *source = fu_tool(ps, fu_field(center, "SourceOp"));
    if (!source) {
        if (fu_field(center, "SourceOp"))
            return tp_reader_fail(ps->r, fu_line_at(ps, center->key),
                                  "tracker \"%s\" follows a tool this setting does not "
                                  "hold",
                                  t->name);
        tp_tracker_reset(t); /* a tracker that was never tracked */
        return TP_OK;
    }
    if (fu_constructor(source, "PolyPath"))
        return tp_reader_fail(ps->r, fu_line_at(ps, source->key),
                              "tracker \"%s\" moves along a PolyPath (Fusion's own "
                              "tracking result), which trackport does not read: in Fusion, "
                              "right-click its Tracked Center and choose Modify With > XY "
                              "Path, or Convert to XY Path, then save the setting again",
                              t->name);
    if (!fu_constructor(source, "XYPath"))
        return tp_reader_fail(ps->r, fu_line_at(ps, source->key),
                              "tracker \"%s\" is driven by a %.*s tool; trackport reads "
                              "XYPath-driven trackers",
                              t->name, (int)(source->str_len > 40 ? 40 : source->str_len),
                              source->str ? source->str : "table");
    tp_reader_progress_at(ps->r, (size_t)(source->key - ps->text), (size_t)(ps->end - ps->text),
                          "Reading tracker \"%s\"", t->name);
    return fu_track(ps, source, t, ax);
}

static int fu_read(struct tp_reader *r)
{
    char *text;
    size_t len;
    int rc = tp_input_read_all(tp_reader_input(r), FU_MAX_INPUT, &text, &len);
    if (rc == TP_ERR_LIMIT)
        return tp_reader_failc(r, rc, 0, "a Fusion setting may be up to %d MiB",
                               FU_MAX_INPUT / (1024 * 1024));
    if (rc)
        return tp_reader_failc(r, rc, 0, "the file could not be read");
    struct fu_parser ps = {.r = r,
                           .text = text,
                           .p = text,
                           .end = text + len,
                           .width = tp_reader_width(r),
                           .height = tp_reader_height(r)};
    struct fu_node root;
    memset(&root, 0, sizeof root);
    struct tp_tracker t;
    tp_tracker_init(&t);
    struct fu_axis ax[2];
    memset(ax, 0, sizeof ax);
    if (len >= 3 && memcmp(ps.p, "\xEF\xBB\xBF", 3) == 0)
        ps.p += 3;
    if (!fu_ws(&ps))
        rc = fu_fail(&ps, "a comment is not closed");
    else if (ps.p == ps.end || (*ps.p != '{' && !fu_ident_start(*ps.p)))
        rc = fu_fail(&ps, "it does not start with '{' (nor with a name such as Composition)");
    else
        rc = fu_value(&ps, &root, true);
    if (rc == TP_OK && (!fu_ws(&ps) || ps.p != ps.end))
        rc = fu_fail(&ps, "something follows the closing '}'");
    const struct fu_node *tools = fu_field(&root, "Tools");
    if (rc == TP_OK && (!tools || tools->type != FU_TABLE))
        rc = tp_reader_fail(r, 0, "this Fusion setting has no Tools table");
    if (rc == TP_OK)
        rc = fu_index_tools(&ps, tools);
    for (const struct fu_node *tool = rc ? NULL : tools->child; tool && rc == TP_OK;
         tool = tool->next)
        if (fu_constructor(tool, "Tracker"))
            rc = fu_tracker_tool(&ps, tool, &t, ax);
    if ((rc == TP_ERR_NOMEM || rc == TP_ERR_LIMIT) && !tp_reader_diag(r)->message[0])
        rc = tp_reader_failc(r, rc, 0, "%s", tp_strerror(rc));
    misc_keys_free(&ax[0].keys);
    misc_keys_free(&ax[1].keys);
    tp_tracker_cleanup(&t);
    fu_arena_free(&ps.arena);
    free(ps.keys);
    free(ps.tools);
    free(text);
    return rc;
}

/* A Lua table (a setting, or a Composition) with an ordered() Tools list and a Tracker
 * tool or an XYPath, after any leading line comments. */
static int fu_sniff(const char *head, size_t len)
{
    const char *s = head, *end = head + len;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3;
    for (;;) {
        while (s < end && (tp__ns_space(*s) || *s == '\n'))
            s++;
        if (end - s < 2 || s[0] != '-' || s[1] != '-')
            break;
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl)
            return 0;
        s = nl + 1;
    }
    if (s == end || (*s != '{' && strncmp(s, "Composition", 11) != 0))
        return 0;
    if (!strstr(s, "ordered()") || !strstr(s, "Tools"))
        return 0;
    return strstr(s, "= Tracker {") || strstr(s, "XYPath {") ? 85 : 0;
}

const struct tp_importer tp_import_fusion = {
    .name = "fusion",
    .human_name = "Fusion / DaVinci Resolve .setting with Tracker tools",
    .extension = ".setting",
    .flags = TP_IMPORT_SIZE_IN_SOME,
    .sniff = fu_sniff,
    .read = fu_read,
};
