/*
 * equalizer3.c — 3DEqualizer v3 "Multiple Tracking Curves Export" text files.
 *
 *   // 3DE Multiple Tracking Curves Export 2048 x 778 * 275 frames
 *   03
 *   <TAB>23<TAB>71.7889<TAB>481.708
 *
 * The first line carries the comp size ("W x H"). A line that starts with a letter, digit
 * or underscore names a point; lines that start with a tab are its keyframes: a 1-based
 * frame and x, y in pixels with the origin at the lower left, as the model has it. 3DE
 * writes points with no keyframes too (just the name line); those are dropped. Any other
 * line (comments, blank lines) is ignored, as 3DE itself ignores them.
 */
#include "misc_scan.h"

static bool e3_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || misc_is_digit(c) || c == '_';
}

/* Finds "<digits> x <digits>" in the header line. */
static bool e3_header_size(const char *s, size_t len, int *w, int *h)
{
    for (size_t i = 0; i + 2 < len; i++) {
        if (s[i] != ' ' || s[i + 1] != 'x' || s[i + 2] != ' ')
            continue;
        size_t a = i;
        while (a > 0 && misc_is_digit(s[a - 1]))
            a--;
        size_t b = i + 3, bend = b;
        while (bend < len && misc_is_digit(s[bend]))
            bend++;
        if (a == i || bend == b)
            continue;
        int wv, hv;
        if (!misc_integer(s + a, i - a, 0, &wv) || !misc_integer(s + b, bend - b, 0, &hv))
            return false;
        *w = wv;
        *h = hv;
        return true;
    }
    return false;
}

static int e3_sniff(const char *head, size_t len)
{
    const char *p = head, *end = head + len;
    while (p < end && misc_is_space(*p))
        p++;
    if (misc_starts(p, (size_t)(end - p), "// 3DE Multiple Tracking Curves Export"))
        return 95;
    return 0;
}

static int e3_read(struct tp_reader *r)
{
    struct tp_input *in = tp_reader_input(r);
    struct tp_tracker t;
    struct misc_keys keys = {0};
    tp_tracker_init(&t);
    int rc = TP_OK;
    bool have_header = false, have_tracker = false;
    char *line;
    size_t len;
    while ((line = tp_input_getline(in, &len))) {
        long no = tp_input_line_number(in);
        if (!have_header) {
            if (misc_is_blank(line, len))
                continue;
            int w = 0, h = 0;
            if (!e3_header_size(line, len, &w, &h) || w <= 0 || h <= 0) {
                rc = tp_reader_fail(r, no,
                                    "Expected the 3DE v3 header with the comp size, like "
                                    "\"// 3DE Multiple Tracking Curves Export 2048 x 778 * "
                                    "275 frames\"");
                break;
            }
            tp_reader_set_size(r, w, h);
            have_header = true;
            continue;
        }
        if (len > 0 && e3_word_char(line[0])) {
            if (have_tracker) {
                if ((rc = misc_emit(r, &keys, &t)))
                    break;
            }
            const char *name = line;
            size_t nlen = len;
            misc_strip(&name, &nlen);
            if ((rc = tp_tracker_set_name(&t, name, nlen)))
                break;
            have_tracker = true;
            tp_reader_progress(r, "Reading point \"%s\"", t.name);
            continue;
        }
        if (len == 0 || line[0] != '\t' || misc_is_blank(line, len))
            continue;
        const char *tok[3];
        size_t tl[3];
        if (misc_tokens(line, len, tok, tl, 3) < 3) {
            rc = tp_reader_fail(r, no, "Expected a keyframe: frame, x and y separated by tabs");
            break;
        }
        if (!have_tracker) {
            rc = tp_reader_fail(r, no, "A keyframe comes before the first point name");
            break;
        }
        int frame;
        double x, y;
        if (!misc_integer(tok[0], tl[0], -1, &frame) || !misc_number(tok[1], tl[1], &x) ||
            !misc_number(tok[2], tl[2], &y)) {
            rc = tp_reader_fail(r, no,
                                "Expected a whole frame number and two coordinates in the "
                                "keyframe of point \"%s\"",
                                t.name);
            break;
        }
        if ((rc = misc_keys_push(&keys, frame, x, y, 0.0)))
            break;
    }
    if (rc == TP_OK && !have_header && !tp_input_error(in))
        rc = tp_reader_fail(r, 0, "The file is empty: no 3DE v3 header was found");
    return misc_finish(r, rc, have_tracker, &keys, &t);
}

const struct tp_importer tp_import_equalizer3 = {
    .name = "equalizer3",
    .human_name = "3DE v3 point export file",
    .extension = NULL, /* .txt, shared with many formats: the sniffer decides */
    .flags = TP_IMPORT_KNOWS_SIZE,
    .sniff = e3_sniff,
    .read = e3_read,
};
