/*
 * matchmoverrzml.c — MatchMover RZML project files (.rzml), an XML dialect.
 *
 *   <RZML v="1.3.2">
 *     <SHOT i="1" w="2048" h="1152">
 *       <IPLN img="shot.####.jpg" b="1" e="71">
 *         <IFRM>
 *           <M i="1" k="i" x="626.68" y="488.56" tt="0.8000000119"/>
 *         </IFRM>
 *         <IFRM t="1"> <M i="1" x="627.24" y="488.49" cs="0.95"/> </IFRM>
 *
 * SHOT gives the comp size. Inside an image plane (IPLN), each IFRM is one frame ("t",
 * 0-based; the first IFRM may omit it and is frame 0) and each M in it a marker position:
 * "i" identifies the marker and becomes the tracker's name, y runs down from the top, and
 * "tt" (set on keyframes placed by hand) is kept as the residual; tracked positions carry
 * none and read as 0. The file lists keyframes frame by frame across all markers, so every
 * marker is held until </RZML>, then sent on in order of first appearance.
 *
 * The XML is read by a small pull tokenizer of its own over the line reader, with bounded
 * nesting, tag length and attribute count, that checks tags are properly nested and
 * closed: a truncated or mangled file fails with the line where it went wrong instead of
 * giving a partial result.
 */
#include "misc_scan.h"

#include <stdio.h>

#define RZ_MAX_DEPTH 256
#define RZ_MAX_MARKUP (16u * 1024u * 1024u) /* the longest single tag, comment or PI */
#define RZ_MAX_NAME 1024                     /* the longest element name */
#define RZ_MAX_ATTRS 128

/* ------------------------------------------------------------------ tokenizer */

struct rz_attr {
    const char *name;
    size_t nlen;
    const char *value;
    size_t vlen;
};

enum rz_kind { RZ_START, RZ_END };

struct rz_token {
    enum rz_kind kind;
    const char *name;
    size_t nlen;
    bool self_closing;
    struct rz_attr attrs[RZ_MAX_ATTRS];
    size_t nattrs;
    long line; /* where the tag begins */
};

struct rz_lex {
    struct tp_input *in;
    char *buf;           /* pending text: buf[pos..len) is not consumed yet */
    size_t pos, len, cap;
    bool eof;
    long line;           /* line number of buf[pos] */
    char error[200];     /* what went wrong, for the reader's message */
    long error_line;
};

static int rz_error(struct rz_lex *lx, long line, const char *what)
{
    snprintf(lx->error, sizeof lx->error, "%s", what);
    lx->error_line = line;
    return TP_ERR_PARSE;
}

/* Appends the next line of input to the pending text; 0 when it did, 1 at the end. */
static int rz_more(struct rz_lex *lx)
{
    if (lx->eof)
        return 1;
    if (lx->pos > 0) {
        memmove(lx->buf, lx->buf + lx->pos, lx->len - lx->pos);
        lx->len -= lx->pos;
        lx->pos = 0;
    }
    size_t n;
    char *line = tp_input_getline(lx->in, &n);
    if (!line) {
        lx->eof = true;
        return tp_input_error(lx->in) ? tp_input_error(lx->in) : 1;
    }
    if (lx->len + n + 2 > RZ_MAX_MARKUP)
        return rz_error(lx, lx->line, "A tag or comment is longer than 16 MiB");
    if (lx->len + n + 2 > lx->cap) {
        size_t cap = lx->cap ? lx->cap : 4096;
        while (cap < lx->len + n + 2)
            cap *= 2;
        char *b = realloc(lx->buf, cap);
        if (!b)
            return TP_ERR_NOMEM;
        lx->buf = b;
        lx->cap = cap;
    }
    memcpy(lx->buf + lx->len, line, n);
    lx->len += n;
    lx->buf[lx->len++] = '\n';
    lx->buf[lx->len] = '\0';
    return 0;
}

/* Consumes n pending bytes, counting lines. */
static void rz_advance(struct rz_lex *lx, size_t n)
{
    if (n == 0)
        return;
    const char *p = lx->buf + lx->pos, *end = p + n;
    while ((p = memchr(p, '\n', (size_t)(end - p)))) {
        lx->line++;
        p++;
    }
    lx->pos += n;
}

/* Makes at least want bytes pending if the input has them. 0 or an error. */
static int rz_need(struct rz_lex *lx, size_t want)
{
    while (lx->len - lx->pos < want) {
        int rc = rz_more(lx);
        if (rc == 1)
            return 0;
        if (rc)
            return rc;
    }
    return 0;
}

/* Finds seq at or after pending offset from; *at is the offset just past it. */
static int rz_find(struct rz_lex *lx, const char *seq, size_t from, size_t *at, const char *what)
{
    size_t sl = strlen(seq);
    for (;;) {
        size_t avail = lx->len - lx->pos;
        if (avail >= from + sl) {
            const char *hit = memmem(lx->buf + lx->pos + from, avail - from, seq, sl);
            if (hit) {
                *at = (size_t)(hit - (lx->buf + lx->pos)) + sl;
                return 0;
            }
            from = avail - sl + 1;
        }
        int rc = rz_more(lx);
        if (rc == 1)
            return rz_error(lx, lx->line, what);
        if (rc)
            return rc;
    }
}

/* Finds the '>' closing a tag (from pending offset from), skipping quoted values and, for
 * declarations, bracketed internal subsets. *at is the offset of the '>'. */
static int rz_find_close(struct rz_lex *lx, size_t from, bool brackets, size_t *at)
{
    char quote = 0;
    int depth = 0;
    size_t i = from;
    for (;;) {
        const char *s = lx->buf + lx->pos;
        size_t avail = lx->len - lx->pos;
        for (; i < avail; i++) {
            char c = s[i];
            if (quote) {
                if (c == quote)
                    quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (brackets && c == '[') {
                depth++;
            } else if (brackets && c == ']' && depth > 0) {
                depth--;
            } else if (c == '>' && depth == 0) {
                *at = i;
                return 0;
            } else if (c == '<' && !brackets) {
                return rz_error(lx, lx->line, "A tag is not closed with '>' before the next '<'");
            }
        }
        int rc = rz_more(lx);
        if (rc == 1)
            return rz_error(lx, lx->line, "The file ends inside a tag; it may be truncated");
        if (rc)
            return rc;
    }
}

static bool rz_name_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}

static bool rz_name_char(unsigned char c)
{
    return rz_name_start(c) || misc_is_digit((char)c) || c == '-' || c == '.';
}

/* Appends the UTF-8 encoding of code point cp at out; returns the byte count. */
static size_t rz_utf8(char *out, unsigned long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Replaces the predefined and numeric character references of v[0..*len) in place (the
 * result is never longer). Unknown references are left as they are. */
static void rz_unescape(char *v, size_t *len)
{
    static const struct {
        const char *ref;
        char c;
    } named[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
    size_t n = *len, o = 0;
    for (size_t i = 0; i < n;) {
        if (v[i] != '&') {
            v[o++] = v[i++];
            continue;
        }
        const char *rest = v + i + 1;
        size_t left = n - i - 1;
        bool done = false;
        for (size_t k = 0; k < sizeof named / sizeof named[0] && !done; k++) {
            size_t rl = strlen(named[k].ref);
            if (left >= rl && memcmp(rest, named[k].ref, rl) == 0) {
                v[o++] = named[k].c;
                i += 1 + rl;
                done = true;
            }
        }
        if (!done && left >= 3 && rest[0] == '#') {
            bool hex = rest[1] == 'x';
            size_t j = hex ? 2 : 1;
            unsigned long cp = 0;
            size_t digits = 0;
            for (; j < left && digits < 8; j++, digits++) {
                char c = rest[j];
                int d = misc_is_digit(c)                ? c - '0'
                        : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                      : -1;
                if (d < 0)
                    break;
                cp = cp * (hex ? 16 : 10) + (unsigned long)d;
            }
            if (digits > 0 && j < left && rest[j] == ';' && cp > 0 && cp <= 0x10FFFF &&
                !(cp >= 0xD800 && cp <= 0xDFFF)) {
                o += rz_utf8(v + o, cp);
                i += 1 + j + 1;
                done = true;
            }
        }
        if (!done)
            v[o++] = v[i++];
    }
    *len = o;
}

/* Parses the start tag at buf[pos..pos+gt] ('<' .. '>') into tok. */
static int rz_parse_start(struct rz_lex *lx, size_t gt, struct rz_token *tok)
{
    char *s = lx->buf + lx->pos;
    size_t p = 1, e = gt;
    tok->kind = RZ_START;
    tok->self_closing = false;
    tok->nattrs = 0;
    tok->name = s + p;
    if (!rz_name_start((unsigned char)s[p]))
        return rz_error(lx, tok->line, "Malformed tag: '<' must be followed by an element name");
    while (p < e && rz_name_char((unsigned char)s[p]))
        p++;
    tok->nlen = (size_t)(s + p - tok->name);
    if (tok->nlen > RZ_MAX_NAME)
        return rz_error(lx, tok->line, "An element name is longer than 1024 characters");
    for (;;) {
        bool spaced = false;
        while (p < e && misc_is_space(s[p])) {
            p++;
            spaced = true;
        }
        if (p == e)
            break;
        if (s[p] == '/') {
            if (p + 1 != e)
                return rz_error(lx, tok->line, "Malformed tag: '/' inside a tag");
            tok->self_closing = true;
            break;
        }
        if (!spaced || !rz_name_start((unsigned char)s[p]))
            return rz_error(lx, tok->line, "Malformed attribute in a tag");
        size_t an = p;
        while (p < e && rz_name_char((unsigned char)s[p]))
            p++;
        size_t anl = p - an;
        while (p < e && misc_is_space(s[p]))
            p++;
        if (p == e || s[p] != '=')
            return rz_error(lx, tok->line, "Malformed attribute: expected '=' after its name");
        p++;
        while (p < e && misc_is_space(s[p]))
            p++;
        if (p == e || (s[p] != '"' && s[p] != '\''))
            return rz_error(lx, tok->line, "Malformed attribute: its value must be quoted");
        char q = s[p++];
        size_t vs = p;
        while (p < e && s[p] != q)
            p++;
        if (p == e)
            return rz_error(lx, tok->line, "Malformed attribute: its value is not closed");
        size_t vl = p - vs;
        p++;
        if (tok->nattrs == RZ_MAX_ATTRS)
            return rz_error(lx, tok->line, "A tag has more than 128 attributes");
        rz_unescape(s + vs, &vl);
        tok->attrs[tok->nattrs++] = (struct rz_attr){s + an, anl, s + vs, vl};
    }
    return 0;
}

/* Reads the next start or end tag into tok (pointers valid until the next call). Returns
 * 1 for a tag, 0 at the end of the input, or an error code (lx->error tells). */
static int rz_next(struct rz_lex *lx, struct rz_token *tok)
{
    int rc;
    for (;;) {
        const char *lt =
            lx->len > lx->pos ? memchr(lx->buf + lx->pos, '<', lx->len - lx->pos) : NULL;
        if (!lt) {
            rz_advance(lx, lx->len - lx->pos);
            rc = rz_more(lx);
            if (rc == 1)
                return 0;
            if (rc)
                return rc;
            continue;
        }
        rz_advance(lx, (size_t)(lt - (lx->buf + lx->pos)));
        if ((rc = rz_need(lx, 9)))
            return rc;
        const char *s = lx->buf + lx->pos;
        size_t avail = lx->len - lx->pos, at;
        tok->line = lx->line;
        if (avail >= 2 && s[1] == '?') {
            rc = rz_find(lx, "?>", 2, &at, "A processing instruction is not closed with '?>'");
        } else if (avail >= 4 && memcmp(s, "<!--", 4) == 0) {
            rc = rz_find(lx, "-->", 4, &at, "A comment is not closed with '-->'");
        } else if (avail >= 9 && memcmp(s, "<![CDATA[", 9) == 0) {
            rc = rz_find(lx, "]]>", 9, &at, "A CDATA section is not closed with ']]>'");
        } else if (avail >= 2 && s[1] == '!') {
            rc = rz_find_close(lx, 2, true, &at);
            if (rc == 0)
                at++;
        } else if (avail >= 2 && s[1] == '/') {
            if ((rc = rz_find_close(lx, 2, false, &at)))
                return rc;
            char *t = lx->buf + lx->pos;
            size_t p = 2;
            tok->kind = RZ_END;
            tok->name = t + p;
            while (p < at && rz_name_char((unsigned char)t[p]))
                p++;
            tok->nlen = (size_t)(t + p - tok->name);
            while (p < at && misc_is_space(t[p]))
                p++;
            if (tok->nlen == 0 || p != at)
                return rz_error(lx, tok->line, "Malformed closing tag");
            rz_advance(lx, at + 1);
            return 1;
        } else {
            if ((rc = rz_find_close(lx, 1, false, &at)))
                return rc;
            if ((rc = rz_parse_start(lx, at, tok)))
                return rc;
            rz_advance(lx, at + 1);
            return 1;
        }
        if (rc)
            return rc;
        rz_advance(lx, at);
    }
}

/* ------------------------------------------------------------------ markers */

struct rz_marker {
    char *id;
    size_t idlen;
    struct misc_keys keys;
};

struct rz_state {
    struct rz_marker *markers;
    size_t count, cap;
    size_t *table; /* open addressing: index + 1, 0 is empty */
    size_t table_size;
};

static uint64_t rz_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static int rz_rehash(struct rz_state *st, size_t size)
{
    size_t *table = calloc(size, sizeof *table);
    if (!table)
        return TP_ERR_NOMEM;
    for (size_t i = 0; i < st->count; i++) {
        size_t h = (size_t)rz_hash(st->markers[i].id, st->markers[i].idlen) & (size - 1);
        while (table[h])
            h = (h + 1) & (size - 1);
        table[h] = i + 1;
    }
    free(st->table);
    st->table = table;
    st->table_size = size;
    return TP_OK;
}

/* Finds the marker with this id, adding it when new. */
static int rz_marker(struct rz_state *st, const char *id, size_t n, struct rz_marker **out)
{
    if (st->table_size == 0 || (st->count + 1) * 2 > st->table_size) {
        int rc = rz_rehash(st, st->table_size ? st->table_size * 2 : 64);
        if (rc)
            return rc;
    }
    size_t h = (size_t)rz_hash(id, n) & (st->table_size - 1);
    while (st->table[h]) {
        struct rz_marker *m = &st->markers[st->table[h] - 1];
        if (m->idlen == n && memcmp(m->id, id, n) == 0) {
            *out = m;
            return TP_OK;
        }
        h = (h + 1) & (st->table_size - 1);
    }
    if (st->count == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 16;
        struct rz_marker *ms = realloc(st->markers, cap * sizeof *ms);
        if (!ms)
            return TP_ERR_NOMEM;
        st->markers = ms;
        st->cap = cap;
    }
    struct rz_marker *m = &st->markers[st->count];
    *m = (struct rz_marker){0};
    m->id = malloc(n + 1);
    if (!m->id)
        return TP_ERR_NOMEM;
    memcpy(m->id, id, n);
    m->id[n] = '\0';
    m->idlen = n;
    st->table[h] = ++st->count;
    *out = m;
    return TP_OK;
}

static void rz_state_free(struct rz_state *st)
{
    for (size_t i = 0; i < st->count; i++) {
        free(st->markers[i].id);
        misc_keys_free(&st->markers[i].keys);
    }
    free(st->markers);
    free(st->table);
}

/* ------------------------------------------------------------------ importer */

static int rz_sniff(const char *head, size_t len)
{
    (void)len;
    return strstr(head, "<RZML") ? 95 : 0;
}

static bool rz_is(const char *name, size_t n, const char *lower)
{
    size_t i = 0;
    for (; i < n && lower[i]; i++) {
        char c = name[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lower[i])
            return false;
    }
    return i == n && !lower[i];
}

static const struct rz_attr *rz_attr(const struct rz_token *tok, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < tok->nattrs; i++)
        if (tok->attrs[i].nlen == n && memcmp(tok->attrs[i].name, name, n) == 0)
            return &tok->attrs[i];
    return NULL;
}

/* An attribute read as a whole number ("1152"; "1152.0" reads as 1152). */
static bool rz_int_attr(const struct rz_attr *a, long long max, long long *v)
{
    return misc_leading_int(a->value, a->vlen, max, v);
}

static bool rz_num_attr(const struct rz_attr *a, double *v)
{
    const char *s = a->value;
    size_t n = a->vlen;
    misc_strip(&s, &n);
    return misc_number(s, n, v);
}

struct rz_open {
    size_t name_at, nlen; /* in the name arena */
    long line;
    bool ipln;
};

static int rz_emit_all(struct tp_reader *r, struct rz_state *st, int width, int height)
{
    if (width <= 0 || height <= 0)
        return tp_reader_fail(r, 0,
                              "No SHOT element gives the comp size (its w and h attributes)");
    tp_reader_set_size(r, width, height);
    struct tp_tracker t;
    tp_tracker_init(&t);
    int rc = TP_OK;
    for (size_t i = 0; rc == TP_OK && i < st->count; i++) {
        struct rz_marker *m = &st->markers[i];
        if ((rc = tp_tracker_set_name(&t, m->id, m->idlen)))
            break;
        if ((rc = misc_keys_move_to(&m->keys, &t)))
            break;
        misc_keys_free(&m->keys);
        rc = tp_reader_emit(r, &t);
    }
    tp_tracker_cleanup(&t);
    return rc;
}

static int rz_read(struct tp_reader *r)
{
    struct rz_lex lx = {.in = tp_reader_input(r), .line = 1};
    struct rz_state st = {0};
    struct rz_open stack[RZ_MAX_DEPTH];
    char *names = NULL; /* the open elements' names, back to back */
    size_t names_len = 0, names_cap = 0, depth = 0, ipln_depth = 0;
    struct rz_token *tok = malloc(sizeof *tok);
    int rc = tok ? TP_OK : TP_ERR_NOMEM;
    int width = 0, height = 0, frame = 0;
    bool finished = false;

    while (rc == TP_OK && !finished) {
        int got = rz_next(&lx, tok);
        if (got == 0)
            break;
        if (got < 0) {
            rc = got;
            break;
        }
        if (tok->kind == RZ_END) {
            if (depth == 0) {
                rc = rz_error(&lx, tok->line, "A closing tag has no matching opening tag");
                break;
            }
            struct rz_open *top = &stack[depth - 1];
            if (top->nlen != tok->nlen || memcmp(names + top->name_at, tok->name, tok->nlen)) {
                snprintf(lx.error, sizeof lx.error,
                         "The closing tag </%.*s> does not match <%.*s> opened on line %ld",
                         (int)(tok->nlen > 60 ? 60 : tok->nlen), tok->name,
                         (int)(top->nlen > 60 ? 60 : top->nlen), names + top->name_at,
                         top->line);
                lx.error_line = tok->line;
                rc = TP_ERR_PARSE;
                break;
            }
            if (top->ipln)
                ipln_depth--;
            names_len = top->name_at;
            depth--;
            if (rz_is(tok->name, tok->nlen, "rzml")) {
                rc = rz_emit_all(r, &st, width, height);
                finished = true;
            }
            continue;
        }

        /* a start tag */
        if (depth == RZ_MAX_DEPTH) {
            rc = rz_error(&lx, tok->line, "The XML nests deeper than 256 elements");
            break;
        }
        if (names_len + tok->nlen > names_cap) {
            size_t cap = names_cap ? names_cap * 2 : 1024;
            while (cap < names_len + tok->nlen)
                cap *= 2;
            char *b = realloc(names, cap);
            if (!b) {
                rc = TP_ERR_NOMEM;
                break;
            }
            names = b;
            names_cap = cap;
        }
        memcpy(names + names_len, tok->name, tok->nlen);
        bool is_ipln = rz_is(tok->name, tok->nlen, "ipln");
        stack[depth++] = (struct rz_open){names_len, tok->nlen, tok->line, is_ipln};
        names_len += tok->nlen;
        if (is_ipln)
            ipln_depth++;

        if (rz_is(tok->name, tok->nlen, "shot")) {
            const struct rz_attr *w = rz_attr(tok, "w"), *h = rz_attr(tok, "h");
            long long wv, hv;
            if (w && h) {
                if (!rz_int_attr(w, INT_MAX, &wv) || !rz_int_attr(h, INT_MAX, &hv)) {
                    rc = rz_error(&lx, tok->line, "The SHOT's w and h must be whole numbers");
                    break;
                }
                width = (int)wv;
                height = (int)hv;
            }
        } else if (ipln_depth > 0 && rz_is(tok->name, tok->nlen, "ifrm")) {
            const struct rz_attr *t = rz_attr(tok, "t");
            long long tv;
            if (t) {
                if (!rz_int_attr(t, INT_MAX, &tv)) {
                    rc = rz_error(&lx, tok->line, "The IFRM's t must be a whole frame number");
                    break;
                }
                frame = (int)tv;
            }
        } else if (ipln_depth > 0 && rz_is(tok->name, tok->nlen, "m")) {
            const struct rz_attr *id = rz_attr(tok, "i"), *x = rz_attr(tok, "x"),
                                 *y = rz_attr(tok, "y"), *tt = rz_attr(tok, "tt");
            double xv, yv, residual = 0.0;
            if (!id || !x || !y || !rz_num_attr(x, &xv) || !rz_num_attr(y, &yv) ||
                (tt && !rz_num_attr(tt, &residual))) {
                rc = rz_error(&lx, tok->line,
                              "A marker (M) needs an i attribute and numeric x and y");
                break;
            }
            if (height <= 0) {
                rc = rz_error(&lx, tok->line, "A marker comes before the SHOT gives the comp size");
                break;
            }
            struct rz_marker *m;
            if ((rc = rz_marker(&st, id->value, id->vlen, &m)))
                break;
            rc = misc_keys_push(&m->keys, frame, xv, height - yv, residual);
            tp_reader_progress(r, "Reading frame %d", frame);
        }
        if (rc == TP_OK && tok->self_closing) {
            if (is_ipln)
                ipln_depth--;
            depth--;
            names_len = stack[depth].name_at;
        }
    }
    if (rc == TP_OK && !finished && depth > 0) {
        const struct rz_open *top = &stack[depth - 1];
        snprintf(lx.error, sizeof lx.error,
                 "The file ends inside <%.*s> opened on line %ld; it may be truncated",
                 (int)(top->nlen > 60 ? 60 : top->nlen), names + top->name_at, top->line);
        lx.error_line = 0;
        rc = TP_ERR_PARSE;
    }
    if (rc == TP_ERR_PARSE && lx.error[0])
        rc = tp_reader_fail(r, lx.error_line, "%s", lx.error);
    else if (rc == TP_ERR_NOMEM || rc == TP_ERR_LIMIT)
        rc = tp_reader_failc(r, rc, lx.line, "%s", tp_strerror(rc));
    else if (rc == TP_ERR_IO)
        rc = TP_OK; /* tp_import reports the input's own error */
    rz_state_free(&st);
    free(names);
    free(tok);
    free(lx.buf);
    return rc;
}

const struct tp_importer tp_import_matchmoverrzml = {
    .name = "matchmoverrzml",
    .human_name = "MatchMover RZML .rzml file",
    .extension = ".rzml",
    .flags = TP_IMPORT_KNOWS_SIZE,
    .sniff = rz_sniff,
    .read = rz_read,
};
