/*
 * aekeyframes.c — After Effects keyframe data: the text After Effects, Mocha AE and Mocha Pro
 * put on the clipboard (and save as .txt).
 *
 *   Adobe After Effects 8.0 Keyframe Data
 *
 *   	Units Per Second	25
 *   	Source Width	1920
 *   	Source Height	1080
 *   	Source Pixel Aspect Ratio	1
 *   	Comp Pixel Aspect Ratio	1
 *
 *   Effects	Corner Pin #1	Upper Left #2
 *   	Frame	X pixels	Y pixels
 *   	0	512.25	300.5
 *
 *   End of Keyframe Data
 *
 * A block is a header line naming a property ("Transform<TAB>Position", Mocha's bare
 * "Position", "Effects<TAB>CC Power Pin #1<TAB>CC Power Pin-0002", "Motion Trackers<TAB>
 * Tracker #1<TAB>Track Point #1<TAB>Feature Center"), a column line ("Frame X pixels Y pixels
 * [Z pixels]") and one indented row a keyframe. A block becomes a tracker when its columns
 * are pixel positions (X and Y pixels, Z optional) or when it is one of the position
 * properties named above whatever its column labels say; every other block (Scale, Rotation,
 * Opacity, colours...) is skipped. A row holding only the values, its frame column empty, is
 * a property's constant value: it has no frame, so it is no keyframe. Newer After Effects
 * copies several layers at once, each after a "Layer" line; trackers then carry the layer's
 * number.
 *
 * Names: the property path without the group word and without the parameter numbers After
 * Effects appends ("Upper Left #2"), so "Corner_Pin_1_Upper_Left"; CC Power Pin's numbered
 * points get their corner names (0002 top left, 0003 top right, 0004 bottom left, 0005
 * bottom right). Coordinates: pixels from the top left corner, so y is flipped against the
 * height; frames are After Effects' frame numbers, taken as they are (rounded to whole
 * frames). The comp size is the Source Width and Source Height of the header; where those
 * are missing or 0 the size given by the user serves.
 *
 * Written by hand, by scripts and through locales, the text varies: CRLF line ends, spaces
 * where tabs belong, trailing tabs, blank lines inside blocks, rows without indentation, and
 * comma decimals ("12,5"), which are all accepted. Blocks stream: each is emitted when the
 * next begins.
 */
#include "misc_scan.h"

#include <math.h>
#include <stdio.h>

/* Frames beyond this magnitude cannot be After Effects frames (and would overflow int). */
#define AE_FRAME_LIMIT 1e9
/* Comp sizes beyond this are damage, not footage. */
#define AE_SIZE_LIMIT 1000000.0

enum ae_state {
    AE_HEADER,  /* before the first block */
    AE_COLUMNS, /* after a block header, waiting for its column line */
    AE_DATA,    /* inside a position block */
    AE_SKIP,    /* inside a block that is no position */
};

/* What a block's name says about it; a known position property is read even when its
 * column labels are not the English "X pixels". */
enum ae_kind { AE_OTHER, AE_KNOWN_POSITION };

struct ae_parser {
    struct tp_reader *r;
    struct tp_input *in;
    double file_width, file_height; /* from the header, 0 if absent */
    double height;                  /* the height y is flipped against, once known */
    bool size_done;
    long layer; /* "Layer" lines seen */
    enum ae_state state;
    enum ae_kind kind;
    size_t values; /* value columns of the current position block: 2 or 3 */
    long block_line;
    struct tp_tracker t;
    struct misc_keys keys;
    char *name; /* scratch for building names */
    size_t name_cap;
    size_t blocks, position_blocks;
};

/* ------------------------------------------------------------------ small helpers */

static bool ae_word_eq(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = s[i], b = word[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

/* ae_starts_word tells whether s begins with word followed by the end or whitespace. */
static bool ae_starts_word(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len >= n && ae_word_eq(s, n, word) && (len == n || misc_is_space(s[n]));
}

/* ae_number parses a token as a finite number; a comma stands for the decimal point when
 * the token has no point (as some locales write numbers). */
static bool ae_number(const char *s, size_t len, double *out)
{
    if (misc_number(s, len, out))
        return true;
    const char *comma = memchr(s, ',', len);
    if (!comma || memchr(s, '.', len) || len >= 80 ||
        memchr(comma + 1, ',', len - (size_t)(comma - s) - 1))
        return false;
    char buf[80];
    memcpy(buf, s, len);
    buf[comma - s] = '.';
    return misc_number(buf, len, out);
}

/* ae_signature tells whether a trimmed line is "Adobe After Effects N Keyframe Data". */
static bool ae_signature(const char *s, size_t len)
{
    static const char head[] = "Adobe After Effects";
    static const char tail[] = "Keyframe Data";
    size_t h = sizeof head - 1, t = sizeof tail - 1;
    return len > h + t && ae_word_eq(s, h, head) && ae_word_eq(s + len - t, t, tail);
}

/* Skips a UTF-8 byte order mark, which Windows editors put before the first line. */
static void ae_skip_bom(const char **s, size_t *len)
{
    if (*len >= 3 && memcmp(*s, "\xEF\xBB\xBF", 3) == 0) {
        *s += 3;
        *len -= 3;
    }
}

/* ------------------------------------------------------------------ names */

static int ae_name_reserve(struct ae_parser *p, size_t need)
{
    if (need <= p->name_cap)
        return TP_OK;
    if (need > TP_MAX_NAME + 64)
        return TP_ERR_LIMIT;
    size_t cap = p->name_cap ? p->name_cap : 128;
    while (cap < need)
        cap *= 2;
    char *grown = realloc(p->name, cap);
    if (!grown)
        return TP_ERR_NOMEM;
    p->name = grown;
    p->name_cap = cap;
    return TP_OK;
}

/* ae_name_append adds one field of a block header to the name being built: runs of
 * whitespace become one space and '#' goes; for the last field (the parameter), the
 * parameter number After Effects appends (" #2") goes too. */
static int ae_name_append(struct ae_parser *p, size_t *len, const char *s, size_t n, bool last)
{
    if (last) {
        /* "Upper Left #2" -> "Upper Left" */
        size_t e = n;
        while (e && misc_is_digit(s[e - 1]))
            e--;
        if (e < n && e >= 2 && s[e - 1] == '#' && misc_is_space(s[e - 2]))
            n = e - 2;
    }
    int rc = ae_name_reserve(p, *len + n + 2);
    if (rc)
        return rc;
    if (*len)
        p->name[(*len)++] = ' ';
    bool space = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '#')
            continue;
        if (misc_is_space(c)) {
            space = true;
            continue;
        }
        if (space && *len && p->name[*len - 1] != ' ')
            p->name[(*len)++] = ' ';
        space = false;
        p->name[(*len)++] = c;
    }
    p->name[*len] = '\0';
    return TP_OK;
}

/* The corner CC Power Pin's numbered points stand for. */
static const char *ae_power_pin_corner(const char *s, size_t n)
{
    static const char *const corners[4] = {"Top Left", "Top Right", "Bottom Left", "Bottom Right"};
    static const char prefix[] = "CC Power Pin-000";
    size_t pl = sizeof prefix - 1;
    if (n != pl + 1 || !ae_word_eq(s, pl, prefix) || s[pl] < '2' || s[pl] > '5')
        return NULL;
    return corners[s[pl] - '2'];
}

static bool ae_is_group(const char *s, size_t n)
{
    return ae_word_eq(s, n, "Transform") || ae_word_eq(s, n, "Effects") ||
           ae_word_eq(s, n, "Motion Trackers");
}

/* ae_leaf_is tells whether the parameter field, without its " #N", is word. */
static bool ae_leaf_is(const char *s, size_t n, const char *word)
{
    size_t e = n;
    while (e && misc_is_digit(s[e - 1]))
        e--;
    if (e < n && e >= 2 && s[e - 1] == '#' && misc_is_space(s[e - 2]))
        n = e - 2;
    return ae_word_eq(s, n, word);
}

/*
 * ae_block_header reads a block header line: names the tracker it may become and tells
 * whether its name marks a known position property.
 */
static int ae_block_header(struct ae_parser *p, const char *line, size_t len)
{
    enum { AE_MAX_FIELDS = 8 };
    const char *f[AE_MAX_FIELDS];
    size_t fl[AE_MAX_FIELDS], n = 0;
    const char *s = line, *end = line + len;
    while (s < end && n < AE_MAX_FIELDS) {
        const char *tab = memchr(s, '\t', (size_t)(end - s));
        const char *e = tab ? tab : end;
        const char *a = s;
        size_t l = (size_t)(e - s);
        misc_strip(&a, &l);
        if (l) {
            f[n] = a;
            fl[n++] = l;
        }
        s = tab ? tab + 1 : end;
    }
    if (s < end && n == AE_MAX_FIELDS) {
        /* More fields than any property path has: keep the rest in the last one. */
        size_t l = (size_t)(end - f[n - 1]);
        misc_strip(&f[n - 1], &l);
        fl[n - 1] = l;
    }
    size_t first = 0;
    /* A header whose tabs became spaces: "Effects Corner Pin #1 Upper Left #2". */
    static const char *const groups[] = {"Transform", "Effects", "Motion Trackers"};
    if (n == 1) {
        for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
            size_t gl = strlen(groups[g]);
            if (fl[0] > gl + 1 && ae_word_eq(f[0], gl, groups[g]) && misc_is_space(f[0][gl])) {
                f[0] += gl;
                fl[0] -= gl;
                misc_strip(&f[0], &fl[0]);
                break;
            }
        }
    } else if (ae_is_group(f[0], fl[0])) {
        first = 1;
    }

    const char *leaf = f[n - 1];
    size_t leaf_len = fl[n - 1];
    const char *corner = ae_power_pin_corner(leaf, leaf_len);
    p->kind = AE_OTHER;
    if (corner || ae_leaf_is(leaf, leaf_len, "Position") ||
        ae_leaf_is(leaf, leaf_len, "Anchor Point") ||
        ae_leaf_is(leaf, leaf_len, "Feature Center") ||
        ae_leaf_is(leaf, leaf_len, "Attach Point") || ae_leaf_is(leaf, leaf_len, "Upper Left") ||
        ae_leaf_is(leaf, leaf_len, "Upper Right") || ae_leaf_is(leaf, leaf_len, "Lower Left") ||
        ae_leaf_is(leaf, leaf_len, "Lower Right"))
        p->kind = AE_KNOWN_POSITION;

    size_t nl = 0;
    int rc = ae_name_reserve(p, 1);
    if (rc == TP_OK && p->layer > 0) {
        char prefix[32];
        int w = snprintf(prefix, sizeof prefix, "Layer %ld", p->layer);
        rc = ae_name_append(p, &nl, prefix, (size_t)w, false);
    }
    for (size_t i = first; rc == TP_OK && i + 1 < n; i++)
        rc = ae_name_append(p, &nl, f[i], fl[i], false);
    if (rc == TP_OK) {
        if (corner)
            rc = ae_name_append(p, &nl, corner, strlen(corner), false);
        else
            rc = ae_name_append(p, &nl, leaf, leaf_len, true);
    }
    if (rc == TP_ERR_LIMIT)
        return tp_reader_failc(p->r, rc, p->block_line,
                               "the block name is longer than %u characters", TP_MAX_NAME);
    if (rc == TP_OK)
        rc = tp_tracker_set_name(&p->t, p->name, nl);
    if (rc)
        return tp_reader_failc(p->r, rc, p->block_line, "out of memory");
    return TP_OK;
}

/* ------------------------------------------------------------------ header and size */

/* ae_header_line reads "Key<TAB>value" lines of the header; unknown keys are ignored. */
static int ae_header_line(struct ae_parser *p, const char *s, size_t len, long no)
{
    static const char *const keys[] = {"Source Width", "Source Height"};
    for (size_t k = 0; k < 2; k++) {
        size_t kl = strlen(keys[k]);
        if (len <= kl || !ae_word_eq(s, kl, keys[k]) || !misc_is_space(s[kl]))
            continue;
        const char *v = s + kl;
        size_t vl = len - kl;
        misc_strip(&v, &vl);
        double d;
        if (!ae_number(v, vl, &d) || d < 0 || d > AE_SIZE_LIMIT)
            return tp_reader_fail(p->r, no, "the %s is not a size in pixels: \"%.*s\"", keys[k],
                                  (int)(vl > 40 ? 40 : vl), v);
        if (k == 0)
            p->file_width = d;
        else
            p->file_height = d;
    }
    return TP_OK;
}

/* ae_is_header_key tells whether a line (not indented) still belongs to the header. */
static bool ae_is_header_key(const char *s, size_t len)
{
    static const char *const keys[] = {"Units Per Second", "Source Width", "Source Height",
                                       "Source Pixel Aspect Ratio", "Comp Pixel Aspect Ratio"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (ae_starts_word(s, len, keys[k]))
            return true;
    return false;
}

/* ae_settle_size decides the comp size once the header is over: the file's when it gives
 * one, else the user's. */
static int ae_settle_size(struct ae_parser *p, long no)
{
    if (p->size_done)
        return TP_OK;
    int w = (int)lround(p->file_width), h = (int)lround(p->file_height);
    if (w > 0 && h > 0) {
        tp_reader_set_size(p->r, w, h);
    } else {
        w = tp_reader_width(p->r);
        h = tp_reader_height(p->r);
        if (w <= 0 || h <= 0)
            return tp_reader_failc(p->r, TP_ERR_SIZE_REQUIRED, no,
                                   "this After Effects keyframe data gives no Source Width and "
                                   "Source Height: give the width and height of the comp");
    }
    p->height = h;
    p->size_done = true;
    return TP_OK;
}

/* ------------------------------------------------------------------ blocks */

/* ae_finish_block emits the position block in progress, if any. */
static int ae_finish_block(struct ae_parser *p)
{
    enum ae_state was = p->state;
    p->state = AE_SKIP;
    if (was != AE_DATA && was != AE_COLUMNS) {
        p->keys.len = 0;
        return TP_OK;
    }
    if (p->keys.len == 0) {
        tp_tracker_reset(&p->t);
        return TP_OK;
    }
    for (size_t i = 0; i < p->keys.len; i++)
        p->keys.v[i].y = p->height - p->keys.v[i].y;
    return misc_emit(p->r, &p->keys, &p->t);
}

/* ae_columns reads a block's column line: a position block has X and Y pixel columns and
 * perhaps Z. */
static void ae_columns(struct ae_parser *p, const char *s, size_t len)
{
    const char *tok[16];
    size_t tl[16];
    size_t n = misc_tokens(s, len, tok, tl, 16);
    /* tokens after "Frame" (or its translation): "X pixels Y pixels [Z pixels]" */
    bool pixels = (n == 5 || n == 7);
    static const char *const axes[3] = {"X", "Y", "Z"};
    for (size_t i = 1; pixels && i < n; i += 2)
        pixels = ae_word_eq(tok[i], tl[i], axes[(i - 1) / 2]) &&
                 ae_word_eq(tok[i + 1], tl[i + 1], "pixels");
    if (pixels) {
        p->values = (n - 1) / 2;
        p->state = AE_DATA;
        p->position_blocks++;
        return;
    }
    if (p->kind == AE_KNOWN_POSITION) {
        p->values = 2;
        for (size_t i = 1; i < n && i < 16; i++)
            if (ae_word_eq(tok[i], tl[i], "Z"))
                p->values = 3;
        p->state = AE_DATA;
        p->position_blocks++;
        return;
    }
    p->state = AE_SKIP;
}

/* ae_row reads one row of a position block. */
static int ae_row(struct ae_parser *p, const char *line, size_t len, long no)
{
    const char *tok[6];
    size_t tl[6];
    size_t n = misc_tokens(line, len, tok, tl, 6);
    /* An empty frame column (two tabs before the values) or no frame at all: the
     * property's constant value, which keys no frame. */
    if ((len >= 2 && line[0] == '\t' && line[1] == '\t') || n == p->values)
        return TP_OK;
    if (n != p->values + 1 && !(p->values == 2 && n == 4))
        return tp_reader_fail(p->r, no,
                              "expected a frame and %zu numbers in the \"%s\" block "
                              "(begun on line %ld), found %zu fields",
                              p->values, p->t.name ? p->t.name : "", p->block_line, n);
    double frame, x, y, z;
    if (!ae_number(tok[0], tl[0], &frame) || fabs(frame) > AE_FRAME_LIMIT)
        return tp_reader_fail(p->r, no, "the frame \"%.*s\" is not a number in range",
                              (int)(tl[0] > 40 ? 40 : tl[0]), tok[0]);
    if (!ae_number(tok[1], tl[1], &x) || !ae_number(tok[2], tl[2], &y) ||
        (n == 4 && !ae_number(tok[3], tl[3], &z)))
        return tp_reader_fail(p->r, no, "expected numbers for the position at frame %.*s",
                              (int)(tl[0] > 40 ? 40 : tl[0]), tok[0]);
    int rc = misc_keys_push(&p->keys, (int)lround(frame), x, y, 0.0);
    if (rc)
        return tp_reader_failc(p->r, rc, no,
                               rc == TP_ERR_LIMIT ? "too many keyframes" : "out of memory");
    return TP_OK;
}

/* A row written without indentation starts with a number; block names never do. */
static bool ae_looks_numeric(const char *s, size_t len)
{
    return len && (misc_is_digit(s[0]) || ((s[0] == '-' || s[0] == '+' || s[0] == '.') && len > 1 &&
                                           (misc_is_digit(s[1]) || s[1] == '.')));
}

/* ------------------------------------------------------------------ reading */

static int ae_line(struct ae_parser *p, const char *line, size_t len, long no)
{
    const char *s = line;
    size_t l = len;
    misc_strip(&s, &l);
    if (l == 0)
        return TP_OK;
    bool indented = misc_is_space(line[0]);
    int rc;

    if (!indented && p->state != AE_HEADER && p->state != AE_COLUMNS && ae_looks_numeric(s, l))
        return p->state == AE_DATA ? ae_row(p, s, l, no) : TP_OK;
    if (indented || (p->state == AE_HEADER && ae_is_header_key(s, l)) ||
        (p->state == AE_COLUMNS && (ae_looks_numeric(s, l) || ae_starts_word(s, l, "Frame")))) {
        switch (p->state) {
        case AE_HEADER:
            return ae_header_line(p, s, l, no);
        case AE_COLUMNS:
            if (ae_looks_numeric(s, l)) {
                /* No column line: only a known position property can be read. */
                if (p->kind != AE_KNOWN_POSITION) {
                    p->state = AE_SKIP;
                    return TP_OK;
                }
                const char *tok[6];
                size_t tl[6];
                size_t n = misc_tokens(s, l, tok, tl, 6);
                p->values = n >= 4 ? 3 : 2;
                p->state = AE_DATA;
                p->position_blocks++;
                return ae_row(p, line, len, no);
            }
            ae_columns(p, s, l);
            return TP_OK;
        case AE_DATA:
            return ae_row(p, line, len, no);
        case AE_SKIP:
            return TP_OK;
        }
    }

    /* Not indented: the end, a new layer or a block header. */
    if ((rc = ae_finish_block(p)))
        return rc;
    if (ae_word_eq(s, l, "End of Keyframe Data"))
        return 1; /* stop */
    /* "Layer" alone (or with a tab and more): "Layer Styles" is a property group. */
    if (ae_word_eq(s, l, "Layer") || (l > 5 && ae_word_eq(s, 5, "Layer") && s[5] == '\t')) {
        p->layer++;
        if (p->state == AE_HEADER)
            p->state = AE_SKIP;
        return ae_settle_size(p, no);
    }
    if ((rc = ae_settle_size(p, no)))
        return rc;
    p->block_line = no;
    p->blocks++;
    if ((rc = ae_block_header(p, s, l)))
        return rc;
    tp_reader_progress(p->r, "Reading block %zu, \"%s\"", p->blocks, p->t.name);
    p->state = AE_COLUMNS;
    return TP_OK;
}

static int ae_read(struct tp_reader *r)
{
    struct ae_parser p;
    memset(&p, 0, sizeof p);
    p.r = r;
    p.in = tp_reader_input(r);
    p.state = AE_HEADER;
    tp_tracker_init(&p.t);
    int rc = TP_OK;
    bool signed_in = false;
    char *line;
    size_t len;
    while ((line = tp_input_getline(p.in, &len))) {
        long no = tp_input_line_number(p.in);
        if (!signed_in) {
            const char *s = line;
            size_t l = len;
            ae_skip_bom(&s, &l);
            misc_strip(&s, &l);
            if (l == 0)
                continue;
            if (!ae_signature(s, l)) {
                rc = tp_reader_fail(r, no,
                                    "this is not After Effects keyframe data: it should begin "
                                    "with \"Adobe After Effects 8.0 Keyframe Data\"");
                break;
            }
            signed_in = true;
            continue;
        }
        if (memchr(line, '\0', len)) {
            rc = tp_reader_fail(r, no, "the line holds a NUL byte: this is not a text file");
            break;
        }
        if ((no & 4095) == 0)
            tp_reader_progress(r, "Reading line %ld", no);
        rc = ae_line(&p, line, len, no);
        if (rc)
            break;
    }
    if (rc == 1)
        rc = TP_OK; /* "End of Keyframe Data": the rest is not ours */
    else if (rc == TP_OK && !tp_input_error(p.in))
        rc = ae_finish_block(&p); /* a paste cut short keeps what it has */
    if (rc == TP_OK && !signed_in && !tp_input_error(p.in))
        rc = tp_reader_fail(r, 0,
                            "the file is empty: After Effects keyframe data begins with "
                            "\"Adobe After Effects 8.0 Keyframe Data\"");
    if (rc == TP_OK && signed_in && p.position_blocks == 0 && !tp_input_error(p.in))
        rc = tp_reader_failc(r, TP_ERR_NO_TRACKERS, 0,
                             "this After Effects keyframe data holds %zu block%s but no "
                             "positions (Position, Anchor Point, Corner Pin, CC Power Pin or "
                             "tracker points in X and Y pixels)",
                             p.blocks, p.blocks == 1 ? "" : "s");
    free(p.name);
    return misc_finish(r, rc, false, &p.keys, &p.t);
}

/* The first line decides: After Effects writes nothing else there. */
static int ae_sniff(const char *head, size_t len)
{
    const char *s = head;
    size_t l = len;
    ae_skip_bom(&s, &l);
    while (l && misc_is_space(*s)) {
        s++;
        l--;
    }
    const char *nl = memchr(s, '\n', l);
    size_t line = nl ? (size_t)(nl - s) : l;
    misc_strip(&s, &line);
    return ae_signature(s, line) ? 100 : 0;
}

const struct tp_importer tp_import_aekeyframes = {
    .name = "aekeyframes",
    .human_name = "After Effects keyframe data (After Effects, Mocha AE, Mocha Pro clipboard text)",
    .extension = NULL, /* .txt, shared with many formats: the first line decides */
    .flags = TP_IMPORT_KNOWS_SIZE,
    .sniff = ae_sniff,
    .read = ae_read,
};
