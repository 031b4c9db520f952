/*
 * equalizer4.c — 3DEqualizer v4 point export text files.
 *
 *   8                 number of points
 *   01                point name
 *   0                 point colour (3DE's palette index; ignored)
 *   61                number of keyframes of this point
 *   40 407.38 232.44  1-based frame, x, y (pixels, origin lower left)
 *
 * The file does not carry the comp size, so it must be given. The counts drive the
 * parse: the name and colour lines are taken as they come (a blank name line is a point
 * with an empty name), blank lines between keyframes are skipped. A file that ends in the
 * middle of the last point's keyframes keeps what it has, as 3DE's own reader does; one
 * that ends before all announced points were named is truncated and fails.
 */
#include "misc_scan.h"

#define E4_MAX_COUNT 1000000000LL

/* Tells whether a line is "<digits> <number> <number>" with nothing else. */
static bool e4_keyframe_line(const char *s, size_t len)
{
    const char *tok[4];
    size_t tl[4];
    double v;
    int f;
    return misc_tokens(s, len, tok, tl, 4) == 3 && misc_integer(tok[0], tl[0], 0, &f) &&
           misc_number(tok[1], tl[1], &v) && misc_number(tok[2], tl[2], &v);
}

/* Tells whether a whole line is one unsigned integer. */
static bool e4_count_line(const char *s, size_t len)
{
    misc_strip(&s, &len);
    return tp__ns_all_digits(s, len);
}

/* Returns the next line of head after *pos (without its end of line), or false at the end. */
static bool e4_head_line(const char *head, size_t len, size_t *pos, const char **line,
                         size_t *llen)
{
    if (*pos >= len)
        return false;
    const char *s = head + *pos;
    const char *nl = memchr(s, '\n', len - *pos);
    size_t n = nl ? (size_t)(nl - s) : len - *pos;
    *pos += n + (nl ? 1 : 0);
    if (n && s[n - 1] == '\r')
        n--;
    *line = s;
    *llen = n;
    return true;
}

static int e4_sniff(const char *head, size_t len)
{
    size_t pos = 0;
    const char *l;
    size_t n;
    do {
        if (!e4_head_line(head, len, &pos, &l, &n))
            return 0;
    } while (misc_is_blank(l, n));
    if (!e4_count_line(l, n))
        return 0;
    /* name, colour, keyframe count, then a keyframe */
    if (!e4_head_line(head, len, &pos, &l, &n) || misc_is_blank(l, n))
        return 0;
    if (!e4_head_line(head, len, &pos, &l, &n) || !e4_count_line(l, n))
        return 0;
    if (!e4_head_line(head, len, &pos, &l, &n) || !e4_count_line(l, n))
        return 0;
    do {
        if (!e4_head_line(head, len, &pos, &l, &n))
            return 30; /* the head ends here: the layout so far fits */
    } while (misc_is_blank(l, n));
    return e4_keyframe_line(l, n) ? 70 : 0;
}

static int e4_read(struct tp_reader *r)
{
    struct tp_input *in = tp_reader_input(r);
    struct tp_tracker t;
    struct misc_keys keys = {0};
    tp_tracker_init(&t);
    int rc = TP_OK;
    char *line;
    size_t len;
    long long points = -1;

    while ((line = tp_input_getline(in, &len))) {
        if (misc_is_blank(line, len))
            continue;
        if (!misc_leading_int(line, len, E4_MAX_COUNT, &points) || points < 0)
            rc = tp_reader_fail(r, tp_input_line_number(in),
                                "Expected the number of points on the first line of the 3DE "
                                "v4 file");
        break;
    }
    if (rc == TP_OK && points < 0 && !tp_input_error(in))
        rc = tp_reader_fail(r, 0, "The file is empty: expected the number of points");

    for (long long p = 0; rc == TP_OK && p < points; p++) {
        line = tp_input_getline(in, &len);
        if (!line) {
            if (!tp_input_error(in))
                rc = tp_reader_fail(r, tp_input_line_number(in),
                                    "The file announces %lld points but ends after %lld; it "
                                    "may be truncated",
                                    points, p);
            break;
        }
        const char *name = line;
        size_t nlen = len;
        misc_strip(&name, &nlen);
        if ((rc = tp_tracker_set_name(&t, name, nlen)))
            break;
        tp_reader_progress(r, "Reading point %lld of %lld, \"%s\"", p + 1, points, t.name);

        long long count = 0;
        if (tp_input_getline(in, &len)) { /* colour */
            line = tp_input_getline(in, &len);
            if (line && !misc_is_blank(line, len) &&
                (!misc_leading_int(line, len, E4_MAX_COUNT, &count) || count < 0)) {
                rc = tp_reader_fail(r, tp_input_line_number(in),
                                    "Expected the number of keyframes of point \"%s\"", t.name);
                break;
            }
        }
        for (long long k = 0; k < count; k++) {
            while ((line = tp_input_getline(in, &len)) && misc_is_blank(line, len))
                ;
            if (!line)
                break;
            const char *tok[3];
            size_t tl[3];
            int frame;
            double x, y;
            if (misc_tokens(line, len, tok, tl, 3) < 3 ||
                !misc_integer(tok[0], tl[0], -1, &frame) || !misc_number(tok[1], tl[1], &x) ||
                !misc_number(tok[2], tl[2], &y)) {
                rc = tp_reader_fail(r, tp_input_line_number(in),
                                    "Expected keyframe %lld of %lld of point \"%s\": a frame "
                                    "number, x and y",
                                    k + 1, count, t.name);
                break;
            }
            if ((rc = misc_keys_push(&keys, frame, x, y, 0.0)))
                break;
        }
        if (rc == TP_OK)
            rc = misc_emit(r, &keys, &t);
    }
    return misc_finish(r, rc, false, &keys, &t);
}

const struct tp_importer tp_import_equalizer4 = {
    .name = "equalizer4",
    .human_name = "3DE v4 point export file",
    .extension = NULL, /* .txt, shared with many formats: the sniffer decides */
    .flags = 0,
    .sniff = e4_sniff,
    .read = e4_read,
};
