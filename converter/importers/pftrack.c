/*
 * pftrack.c — PFTrack and PFMatchit .2dt 2D feature tracks.
 *
 * A tracker block is a quoted name line, then either a keyframe count (PFTrack 4) or a
 * camera line and a count (PFTrack 5, PFMatchit), then that many rows
 * "frame x y score [zdepth]". The two layouts are told apart by the line after the name:
 * a camera is quoted or alphabetic, except in PFMatchit where it is a bare number, which
 * is recognised because the following line is then a bare number too (a PFTrack 4
 * block continues with a keyframe row). A stereo block lists several cameras for one
 * name, each with its own count and rows, up to a blank line; every camera becomes its
 * own tracker named "<name>_<camera>".
 *
 * Surprises: frames in the file are 1-based; pixel positions are measured from the
 * lower-left corner with the pixel centre at 0 rather than 0.5. The fourth column is what
 * PFTrack's own header calls the "matching score" or "similarity" (1.0 on the keyframe it
 * matched against); the reference reads it as one eighth of a residual and writes it
 * back that way, and so does trackport, so conversions stay what they were; -1 means
 * PFTrack did not score the frame and becomes 0. The optional fifth column, zdepth, has
 * no place in a 2D track and is skipped. Names have every quote removed, and runs of
 * whitespace become one underscore. A name may come back in a later block (PFTrack
 * writes one block per clip, numbered 1, 2...): each block is its own tracker, named
 * after its clip.
 */
#include "trackport.h"

#include "numscan.h"

#include <stdlib.h>
#include <string.h>

/* Kinds of line, judged on the trimmed text. */
enum pf_kind {
    PF_BLANK,
    PF_COMMENT, /* starts with '#' */
    PF_COUNT,   /* digits only */
    PF_ROW,     /* starts like a number and is not a bare count */
    PF_TEXT,    /* anything else: a name or a camera */
};

struct pf_reader {
    struct tp_reader *r;
    struct tp_input *in;
    struct tp_tracker t;
    char *back; /* a line handed back to be read again (owned) */
    size_t back_len, back_cap;
    long back_line;
    bool has_back;
    long line_no; /* number of the line last returned by pf_getline */
    char *name;   /* the current block's name, quotes removed, whitespace collapsed */
    size_t name_len, name_cap;
    char *cam; /* copy of the camera line of the current sub-block */
    size_t cam_len, cam_cap;
    unsigned long rows; /* rows read, for progress */
};

static int pf_reserve(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return TP_OK;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    char *p = realloc(*buf, n);
    if (!p)
        return TP_ERR_NOMEM;
    *buf = p;
    *cap = n;
    return TP_OK;
}

/* pf_getline returns the next line (handed-back one first) or NULL at the end. */
static char *pf_getline(struct pf_reader *p, size_t *len)
{
    if (p->has_back) {
        p->has_back = false;
        *len = p->back_len;
        p->line_no = p->back_line;
        return p->back;
    }
    char *line = tp_input_getline(p->in, len);
    p->line_no = tp_input_line_number(p->in);
    return line;
}

/* pf_unget makes line the next one pf_getline returns (copies it). */
static int pf_unget(struct pf_reader *p, const char *line, size_t len)
{
    if (line == p->back) { /* the handed-back line itself */
        p->has_back = true;
        return TP_OK;
    }
    if (pf_reserve(&p->back, &p->back_cap, len + 1))
        return TP_ERR_NOMEM;
    memmove(p->back, line, len);
    p->back[len] = '\0';
    p->back_len = len;
    p->back_line = p->line_no;
    p->has_back = true;
    return TP_OK;
}

/* pf_input_failed tells whether the end of input was an error; 0 for a plain end. */
static int pf_input_failed(struct pf_reader *p)
{
    int err = tp_input_error(p->in);
    if (err == TP_ERR_LIMIT)
        return tp_reader_failc(p->r, err, p->line_no + 1,
                               "this line is too long for a PFTrack file");
    if (err)
        return tp_reader_failc(p->r, err, p->line_no + 1, "the file could not be read");
    return TP_OK;
}

static enum pf_kind pf_classify(const char *line, size_t len)
{
    const char *s = line;
    tp__ns_trim(&s, &len);
    if (len == 0)
        return PF_BLANK;
    if (s[0] == '#')
        return PF_COMMENT;
    if (tp__ns_all_digits(s, len))
        return PF_COUNT;
    if (tp__ns_digit(s[0]) || s[0] == '-' || s[0] == '+' || s[0] == '.')
        return PF_ROW;
    return PF_TEXT;
}

/*
 * pf_append_name appends text to buf with every '"' removed and each run of whitespace
 * turned into one '_'. Fails with TP_ERR_LIMIT past TP_MAX_NAME and TP_ERR_PARSE on a
 * NUL byte.
 */
static int pf_append_name(char **buf, size_t *len, size_t *cap, const char *text, size_t n)
{
    if (pf_reserve(buf, cap, *len + n + 1))
        return TP_ERR_NOMEM;
    char *out = *buf;
    size_t o = *len;
    bool in_space = false;
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (c == '"')
            continue;
        if (c == '\0')
            return TP_ERR_PARSE;
        if (tp__ns_space(c)) {
            if (!in_space)
                out[o++] = '_';
            in_space = true;
            continue;
        }
        in_space = false;
        out[o++] = c;
    }
    if (o > TP_MAX_NAME)
        return TP_ERR_LIMIT;
    out[o] = '\0';
    *len = o;
    return TP_OK;
}

static int pf_name_error(struct pf_reader *p, int rc)
{
    if (rc == TP_ERR_LIMIT)
        return tp_reader_failc(p->r, rc, p->line_no,
                               "the tracker name is longer than %u characters", TP_MAX_NAME);
    if (rc == TP_ERR_NOMEM)
        return tp_reader_failc(p->r, rc, p->line_no, "out of memory");
    return tp_reader_fail(p->r, p->line_no,
                          "the tracker name contains a NUL byte; this is not a text file");
}

/* pf_row parses "frame x y [score [zdepth]]" into the current tracker. */
static int pf_row(struct pf_reader *p, const char *line, size_t len, unsigned long index,
                  unsigned long count)
{
    const char *f[5];
    size_t fl[5];
    size_t n = tp__ns_split(line, len, f, fl, 5);
    int frame;
    double x, y, residual = 0, zdepth;
    if (n < 3 || n > 5)
        return tp_reader_fail(p->r, p->line_no,
                              "expected keyframe %lu of %lu of tracker \"%s\" as \"frame x y "
                              "score\" (and optionally zdepth)",
                              index, count, p->t.name);
    if (!tp__ns_int(f[0], fl[0], &frame))
        return tp_reader_fail(p->r, p->line_no,
                              "the frame of keyframe %lu of tracker \"%s\" is not a whole "
                              "number in range",
                              index, p->t.name);
    if (!tp__ns_double(f[1], fl[1], &x) || !tp__ns_double(f[2], fl[2], &y) ||
        (n >= 4 && !tp__ns_double(f[3], fl[3], &residual)) ||
        (n == 5 && !tp__ns_double(f[4], fl[4], &zdepth)))
        return tp_reader_fail(p->r, p->line_no,
                              "keyframe %lu of tracker \"%s\" holds something other than "
                              "numbers",
                              index, p->t.name);
    if (frame == INT_MIN)
        return tp_reader_fail(p->r, p->line_no, "the frame number is out of range");
    /* 1-based frames; pixel centres at whole numbers; residual in eighths, -1 unscored. */
    x += 0.5;
    y += 0.5;
    residual = residual == -1.0 ? 0.0 : residual * 8;
    if (!isfinite(x) || !isfinite(y) || !isfinite(residual))
        return tp_reader_fail(p->r, p->line_no, "a number of keyframe %lu is out of range",
                              index);
    int rc = tp_tracker_add(&p->t, frame - 1, x, y, residual);
    if (rc)
        return tp_reader_failc(p->r, rc, p->line_no,
                               rc == TP_ERR_LIMIT ? "tracker \"%s\" has too many keyframes"
                                                  : "out of memory reading tracker \"%s\"",
                               p->t.name);
    if ((++p->rows & 4095) == 0)
        tp_reader_progress(p->r, "Reading keyframe %lu of %lu of \"%s\"", index, count,
                           p->t.name);
    return TP_OK;
}

/* pf_rows reads count keyframe rows (the first may already be in hand) and emits. */
static int pf_rows(struct pf_reader *p, unsigned long count, const char *first, size_t first_len)
{
    tp_reader_progress(p->r, "Reading tracker \"%s\"", p->t.name);
    unsigned long i = 0;
    int rc;
    if (first && count > 0) {
        if ((rc = pf_row(p, first, first_len, 1, count)))
            return rc;
        i = 1;
    }
    for (; i < count; i++) {
        size_t len;
        char *line = pf_getline(p, &len);
        if (!line) {
            if ((rc = pf_input_failed(p)))
                return rc;
            return tp_reader_fail(p->r, p->line_no,
                                  "the file ends inside tracker \"%s\": %lu keyframes were "
                                  "announced but only %lu follow (the file may be truncated)",
                                  p->t.name, count, i);
        }
        if (pf_classify(line, len) != PF_ROW)
            return tp_reader_fail(p->r, p->line_no,
                                  "tracker \"%s\" announces %lu keyframes but only %lu "
                                  "follow",
                                  p->t.name, count, i);
        if ((rc = pf_row(p, line, len, i + 1, count)))
            return rc;
    }
    return tp_reader_emit(p->r, &p->t);
}

static int pf_count(struct pf_reader *p, const char *line, size_t len, unsigned long *count)
{
    const char *s = line;
    tp__ns_trim(&s, &len);
    int v;
    if (!tp__ns_int(s, len, &v) || v < 0)
        return tp_reader_fail(p->r, p->line_no,
                              "expected the number of keyframes of tracker \"%s\"", p->name);
    *count = (unsigned long)v;
    return TP_OK;
}

/* pf_set_name names the scratch tracker "<block name>" or "<block name>_<camera>". */
static int pf_set_name(struct pf_reader *p, const char *cam, size_t cam_len)
{
    int rc = tp_tracker_set_name(&p->t, p->name, p->name_len);
    if (rc == TP_OK && cam) {
        char *full = NULL;
        size_t full_len = 0, full_cap = 0;
        rc = pf_append_name(&full, &full_len, &full_cap, p->name, p->name_len);
        if (rc == TP_OK)
            rc = pf_append_name(&full, &full_len, &full_cap, "_", 1);
        if (rc == TP_OK)
            rc = pf_append_name(&full, &full_len, &full_cap, cam, cam_len);
        if (rc == TP_OK)
            rc = tp_tracker_set_name(&p->t, full, full_len);
        free(full);
    }
    return rc ? pf_name_error(p, rc) : TP_OK;
}

/*
 * pf_block reads what follows a name line: one PFTrack 4 tracker, or one or more
 * camera sub-blocks up to a blank line.
 */
static int pf_block(struct pf_reader *p)
{
    size_t len;
    char *line = pf_getline(p, &len);
    int rc;
    if (!line) {
        if ((rc = pf_input_failed(p)))
            return rc;
        return tp_reader_fail(p->r, p->line_no,
                              "the file ends right after the name of tracker \"%s\" (it may "
                              "be truncated)",
                              p->name);
    }
    for (;;) {
        enum pf_kind kind = pf_classify(line, len);
        if (kind == PF_BLANK || kind == PF_COMMENT)
            return TP_OK; /* a name with nothing under it */
        if (kind == PF_ROW)
            return tp_reader_fail(p->r, p->line_no,
                                  "expected a camera or the number of keyframes after "
                                  "tracker name \"%s\"",
                                  p->name);
        /* Keep the camera/count line: the next read overwrites it. */
        p->cam_len = 0;
        if (pf_reserve(&p->cam, &p->cam_cap, len + 1))
            return tp_reader_failc(p->r, TP_ERR_NOMEM, p->line_no, "out of memory");
        memcpy(p->cam, line, len + 1);
        p->cam_len = len;
        long cam_line = p->line_no;

        size_t len2;
        char *second = pf_getline(p, &len2);
        if (!second && (rc = pf_input_failed(p)))
            return rc;
        enum pf_kind kind2 = second ? pf_classify(second, len2) : PF_BLANK;
        unsigned long count = 0;
        if (kind == PF_COUNT && kind2 != PF_COUNT) {
            /* PFTrack 4: the count, then rows straight away. */
            long second_line = p->line_no;
            p->line_no = cam_line;
            if ((rc = pf_count(p, p->cam, p->cam_len, &count)))
                return rc;
            if ((rc = pf_set_name(p, NULL, 0)))
                return rc;
            if (count == 0) {
                p->line_no = second_line;
                if (second && (rc = pf_unget(p, second, len2)))
                    return tp_reader_failc(p->r, rc, p->line_no, "out of memory");
                return tp_reader_emit(p->r, &p->t);
            }
            if (!second)
                return tp_reader_fail(p->r, cam_line,
                                      "the file ends inside tracker \"%s\": %lu keyframes "
                                      "were announced but none follow",
                                      p->t.name, count);
            p->line_no = second_line;
            if (kind2 != PF_ROW)
                return tp_reader_fail(p->r, p->line_no,
                                      "tracker \"%s\" announces %lu keyframes but none "
                                      "follow",
                                      p->t.name, count);
            return pf_rows(p, count, second, len2);
        }
        /* PFTrack 5 / PFMatchit: a camera line, then the count. */
        if (!second)
            return tp_reader_fail(p->r, cam_line,
                                  "the file ends inside tracker \"%s\" before its keyframe "
                                  "count",
                                  p->name);
        if (kind2 != PF_COUNT)
            return tp_reader_fail(p->r, p->line_no,
                                  "expected the number of keyframes of tracker \"%s\" after "
                                  "its camera",
                                  p->name);
        if ((rc = pf_count(p, second, len2, &count)))
            return rc;
        if ((rc = pf_set_name(p, p->cam, p->cam_len)))
            return rc;
        if ((rc = pf_rows(p, count, NULL, 0)))
            return rc;
        /* Another camera of the same tracker follows unless a blank line ends the block. */
        line = pf_getline(p, &len);
        if (!line)
            return pf_input_failed(p);
        if (pf_classify(line, len) == PF_ROW)
            return tp_reader_fail(p->r, p->line_no,
                                  "tracker \"%s\" has more keyframes than the %lu it "
                                  "announces",
                                  p->t.name ? p->t.name : p->name, count);
    }
}

static int pf_read(struct tp_reader *r)
{
    struct pf_reader p;
    memset(&p, 0, sizeof p);
    p.r = r;
    p.in = tp_reader_input(r);
    tp_tracker_init(&p.t);
    int rc = TP_OK;
    for (;;) {
        size_t len;
        char *line = pf_getline(&p, &len);
        if (!line) {
            rc = pf_input_failed(&p);
            break;
        }
        enum pf_kind kind = pf_classify(line, len);
        if (kind == PF_BLANK || kind == PF_COMMENT)
            continue;
        if (kind == PF_ROW || kind == PF_COUNT) {
            rc = tp_reader_fail(r, p.line_no,
                                "expected a tracker name in quotes but found numbers; a "
                                "keyframe count above may be smaller than the rows under it");
            break;
        }
        const char *s = line;
        tp__ns_trim(&s, &len);
        p.name_len = 0;
        if ((rc = pf_append_name(&p.name, &p.name_len, &p.name_cap, s, len))) {
            rc = pf_name_error(&p, rc);
            break;
        }
        if ((rc = pf_block(&p)))
            break;
    }
    tp_tracker_cleanup(&p.t);
    free(p.back);
    free(p.name);
    free(p.cam);
    return rc;
}

/*
 * The comment header PFTrack writes is unmistakable; without it, a quoted name followed
 * by a count or a camera and a count, then a row of four numbers, is very likely.
 */
static int pf_sniff(const char *head, size_t len)
{
    if (strstr(head, "2D feature tracks generated by PFTrack") ||
        strstr(head, "2D feature tracks generated by PFMatchit"))
        return 95;
    const char *p = head, *end = head + len;
    const char *lines[4];
    size_t lens[4];
    size_t n = 0;
    while (p < end && n < 4) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break; /* a partial last line proves nothing */
        size_t l = (size_t)(nl - p);
        enum pf_kind kind = pf_classify(p, l);
        if (n > 0 || (kind != PF_BLANK && kind != PF_COMMENT)) {
            if (kind == PF_BLANK || kind == PF_COMMENT)
                return 0;
            lines[n] = p;
            lens[n] = l;
            n++;
        }
        p = nl + 1;
    }
    if (n < 3)
        return 0;
    const char *s = lines[0];
    size_t l = lens[0];
    tp__ns_trim(&s, &l);
    if (l < 2 || s[0] != '"' || s[l - 1] != '"')
        return 0;
    size_t row;
    enum pf_kind k1 = pf_classify(lines[1], lens[1]), k2 = pf_classify(lines[2], lens[2]);
    if (k1 == PF_COUNT && k2 == PF_ROW)
        row = 2;
    else if ((k1 == PF_TEXT || k1 == PF_COUNT) && k2 == PF_COUNT && n == 4)
        row = 3;
    else
        return 0;
    const char *f[6];
    size_t fl[6];
    size_t fields = tp__ns_split(lines[row], lens[row], f, fl, 6);
    if (fields != 4 && fields != 5)
        return 0;
    int frame;
    double v;
    if (!tp__ns_int(f[0], fl[0], &frame))
        return 0;
    for (size_t i = 1; i < fields; i++)
        if (!tp__ns_double(f[i], fl[i], &v))
            return 0;
    return 70;
}

const struct tp_importer tp_import_pftrack = {
    .name = "pftrack",
    .human_name = "PFTrack/PFMatchit .2dt file",
    .extension = ".2dt",
    .flags = 0,
    .sniff = pf_sniff,
    .read = pf_read,
};
