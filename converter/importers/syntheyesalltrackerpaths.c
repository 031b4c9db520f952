/*
 * syntheyesalltrackerpaths.c — SynthEyes "All Tracker Paths" export: a tracker name on
 * its own line, then "frame x y" rows in pixels, then the next name.
 *
 * Compatibility quirks, kept so that files convert exactly as users have always seen
 * them convert:
 * - a row counts only when it is "digits SPACE digits.digits SPACE digits.digits" at
 *   the start of the line (single spaces, no signs, no exponents); other numeric lines,
 *   such as rows with negative positions, are skipped;
 * - the y of a keyframe is the whole-number part of the x column (the y column is not
 *   used), and x is taken as written, without any change of origin;
 * - the name is the whole line with its line break, each run of whitespace made one
 *   '_', so "Tracker2" becomes "Tracker2_".
 * Rows are always grouped under their name, so trackers stream out one by one.
 */
#include "trackport.h"

#include "numscan.h"

#include <stdlib.h>
#include <string.h>

/* Matches a keyframe row at the start of s: frame, x (whole.frac), y (whole.frac). */
struct sya_row {
    const char *frame, *x, *x_whole;
    size_t frame_len, x_len, x_whole_len;
};

static const char *sya_digits(const char *s)
{
    while (tp__ns_digit(*s))
        s++;
    return s;
}

/* sya_decimal matches digits '.' digits at s; returns the end or NULL. */
static const char *sya_decimal(const char *s, const char **dot)
{
    const char *p = sya_digits(s);
    if (p == s || *p != '.')
        return NULL;
    *dot = p;
    const char *q = sya_digits(p + 1);
    return q == p + 1 ? NULL : q;
}

/* sya_match tells whether the NUL-terminated line starts with a keyframe row. */
static bool sya_match(const char *line, struct sya_row *row)
{
    const char *p = sya_digits(line), *dot;
    if (p == line || *p != ' ')
        return false;
    row->frame = line;
    row->frame_len = (size_t)(p - line);
    const char *x = p + 1, *xe = sya_decimal(x, &dot);
    if (!xe || *xe != ' ')
        return false;
    row->x = x;
    row->x_len = (size_t)(xe - x);
    row->x_whole = x;
    row->x_whole_len = (size_t)(dot - x);
    return sya_decimal(xe + 1, &dot) != NULL;
}

/* A name line is any line that does not start (after spaces) like a number. */
static bool sya_is_name(const char *line, size_t len)
{
    const char *s = line;
    tp__ns_trim(&s, &len);
    return len > 0 && !tp__ns_digit(s[0]) && s[0] != '-' && s[0] != '+' && s[0] != '.';
}

static int sya_set_name(struct tp_reader *r, struct tp_tracker *t, const char *line, size_t len,
                        long no)
{
    if (memchr(line, '\0', len))
        return tp_reader_fail(r, no, "the tracker name contains a NUL byte; this is not a "
                                     "text file");
    if (len + 1 > TP_MAX_NAME)
        return tp_reader_failc(r, TP_ERR_LIMIT, no,
                               "the tracker name is longer than %u characters", TP_MAX_NAME);
    char buf[TP_MAX_NAME + 2];
    size_t o = 0;
    bool in_space = false;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? line[i] : '\n'; /* the line break the reader removed */
        if (tp__ns_space(c)) {
            if (!in_space)
                buf[o++] = '_';
            in_space = true;
        } else {
            buf[o++] = c;
            in_space = false;
        }
    }
    int rc = tp_tracker_set_name(t, buf, o);
    return rc ? tp_reader_failc(r, rc, no, "out of memory") : TP_OK;
}

static int sya_read(struct tp_reader *r)
{
    struct tp_input *in = tp_reader_input(r);
    struct tp_tracker t;
    tp_tracker_init(&t);
    int rc = TP_OK;
    unsigned long rows = 0;
    char *line;
    size_t len;
    while ((line = tp_input_getline(in, &len))) {
        long no = tp_input_line_number(in);
        struct sya_row row;
        if (sya_match(line, &row)) {
            if (!t.name) {
                rc = tp_reader_fail(r, no, "a keyframe row comes before any tracker name");
                break;
            }
            int frame;
            double x, y;
            if (!tp__ns_int(row.frame, row.frame_len, &frame)) {
                rc = tp_reader_fail(r, no, "the frame number is out of range");
                break;
            }
            if (!tp__ns_double(row.x, row.x_len, &x) ||
                !tp__ns_double(row.x_whole, row.x_whole_len, &y)) {
                rc = tp_reader_fail(r, no, "the position is out of range");
                break;
            }
            if ((rc = tp_tracker_add(&t, frame, x, y, 0))) {
                rc = tp_reader_failc(r, rc, no,
                                     rc == TP_ERR_LIMIT ? "tracker \"%s\" has too many keyframes"
                                                        : "out of memory reading tracker \"%s\"",
                                     t.name);
                break;
            }
            if ((++rows & 4095) == 0)
                tp_reader_progress(r, "Reading frame %d of \"%s\"", frame, t.name);
        } else if (sya_is_name(line, len)) {
            if (t.name && (rc = tp_reader_emit(r, &t)))
                break;
            if ((rc = sya_set_name(r, &t, line, len, no)))
                break;
            tp_reader_progress(r, "Reading tracker \"%s\"", t.name);
        }
    }
    if (rc == TP_OK) {
        int err = tp_input_error(in);
        if (err)
            rc = tp_reader_failc(r, err, tp_input_line_number(in) + 1,
                                 err == TP_ERR_LIMIT ? "this line is too long for a SynthEyes "
                                                       "file"
                                                     : "the file could not be read");
    }
    if (rc == TP_OK && t.name)
        rc = tp_reader_emit(r, &t);
    tp_tracker_cleanup(&t);
    return rc;
}

/*
 * A name line followed by rows of exactly three columns "frame x y" with decimals, and
 * nothing else, in the first lines. Shake's text export has a column header under its
 * name, PFTrack a count, Boujou and Maya Live comments and more columns, 3DEqualizer
 * bare numbers first.
 */
static int sya_sniff(const char *head, size_t len)
{
    const char *p = head, *end = head + len;
    int names = 0, rows = 0, checked = 0;
    bool need_row = false;
    while (p < end && checked < 60) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        size_t l = (size_t)(nl - p);
        const char *s = p;
        size_t sl = l;
        tp__ns_trim(&s, &sl);
        p = nl + 1;
        if (sl == 0)
            continue;
        checked++;
        const char *f[4];
        size_t fl[4];
        size_t n = tp__ns_split(s, sl, f, fl, 3);
        char copy[256];
        struct sya_row row;
        if (n == 3 && sl < sizeof copy) {
            memcpy(copy, s, sl);
            copy[sl] = '\0';
            if (!sya_match(copy, &row))
                return 0;
            if (names == 0)
                return 0;
            rows++;
            need_row = false;
            continue;
        }
        if (need_row || s[0] == '#' || s[0] == '/' || s[0] == '"' || !sya_is_name(s, sl) ||
            n > 2)
            return 0;
        names++;
        need_row = true;
    }
    if (names == 0 || rows == 0)
        return 0;
    return (names >= 2 && rows >= 4) ? 75 : 55;
}

const struct tp_importer tp_import_syntheyesalltrackerpaths = {
    .name = "syntheyesalltrackerpaths",
    .human_name = "Syntheyes \"All Tracker Paths\" export .txt file",
    .extension = ".txt",
    .flags = 0,
    .sniff = sya_sniff,
    .read = sya_read,
};
