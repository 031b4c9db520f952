/*
 * mayalive.c — Maya Live track exports.
 *
 *   #  Size  1280  540
 *   #  Name  trackedPoint1
 *   0 0 -0.9313242266 0.9012815096 -1
 *
 * The first line gives the comp size (an aspect may follow it). Each "# " line starts a
 * point, its name after "#  Name"; each other line is "point-index frame x y residual"
 * with 0-based frames. Coordinates are in "aspect units": the image centre is 0,0, y runs
 * from -1 at the bottom to 1 at the top and x from -aspect to aspect. The aspect is taken
 * as width / height, not from the file (the third number of the size line is a rounded
 * copy, "1.78", that would shift points by a pixel on wide images). A residual of exactly
 * "-1" marks a keyframe Maya Live did not solve and reads as 0.
 */
#include "misc_scan.h"

static int ml_sniff(const char *head, size_t len)
{
    const char *p = head, *end = head + len;
    while (p < end && misc_is_space(*p))
        p++;
    if (p == end || *p != '#')
        return 0;
    p++;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (!misc_starts(p, (size_t)(end - p), "Size"))
        return 0;
    p += 4;
    int numbers = 0;
    while (p < end && *p != '\n') {
        if (misc_is_digit(*p)) {
            numbers++;
            while (p < end && (misc_is_digit(*p) || *p == '.'))
                p++;
        } else if (*p == ' ' || *p == '\t' || *p == '\r') {
            p++;
        } else {
            return 0;
        }
    }
    if (numbers < 2)
        return 0;
    while (p < end && misc_is_space(*p))
        p++;
    /* the next line names the first point */
    if (p < end && *p == '#') {
        p++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (misc_starts(p, (size_t)(end - p), "Name"))
            return 90;
    }
    return p == end ? 60 : 0;
}

/* Reads the first two runs of digits of the size line. */
static bool ml_size(const char *s, size_t len, int *w, int *h)
{
    int found = 0, v[2] = {0, 0};
    for (size_t i = 0; i < len && found < 2;) {
        if (!misc_is_digit(s[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < len && misc_is_digit(s[i]))
            i++;
        if (!misc_integer(s + start, i - start, 0, &v[found]))
            return false;
        found++;
    }
    *w = v[0];
    *h = v[1];
    return found == 2;
}

static int ml_read(struct tp_reader *r)
{
    struct tp_input *in = tp_reader_input(r);
    struct tp_tracker t;
    struct misc_keys keys = {0};
    tp_tracker_init(&t);
    int rc = TP_OK;
    char *line;
    size_t len;
    bool have_size = false, have_tracker = false;
    double half_w = 0, half_h = 0, x_unit = 0, y_unit = 0;

    while (rc == TP_OK && (line = tp_input_getline(in, &len))) {
        long no = tp_input_line_number(in);
        const char *s = line;
        misc_strip(&s, &len);
        if (len == 0)
            continue;
        if (!have_size) {
            int w, h;
            if (!ml_size(s, len, &w, &h) || w <= 0 || h <= 0) {
                rc = tp_reader_fail(r, no,
                                    "Expected the Maya Live size line, like \"#  Size  1920  "
                                    "1080\"");
                break;
            }
            tp_reader_set_size(r, w, h);
            double aspect = (double)w / (double)h;
            half_w = w / 2.0;
            half_h = h / 2.0;
            x_unit = w / (aspect * 2.0);
            y_unit = (double)(h / 2); /* Maya Live's unit is a whole half-height */
            have_size = true;
            continue;
        }
        if (len >= 2 && s[0] == '#' && s[1] == ' ') {
            if (have_tracker) {
                if ((rc = misc_emit(r, &keys, &t)))
                    break;
            }
            const char *name = s;
            size_t nlen = len;
            if (misc_starts(s, len, "#  Name") && len > 7 && misc_is_space(s[7])) {
                name = s + 7;
                nlen = len - 7;
                misc_strip(&name, &nlen);
            }
            if ((rc = tp_tracker_set_name(&t, name, nlen)))
                break;
            have_tracker = true;
            tp_reader_progress(r, "Reading point \"%s\"", t.name);
            continue;
        }
        const char *tok[5];
        size_t tl[5];
        size_t n = misc_tokens(s, len, tok, tl, 5);
        int frame;
        double x, y, residual = 0.0;
        if (n < 4 || !misc_integer(tok[1], tl[1], 0, &frame) ||
            !misc_number(tok[2], tl[2], &x) || !misc_number(tok[3], tl[3], &y) ||
            (n >= 5 && !(tl[4] == 2 && memcmp(tok[4], "-1", 2) == 0) &&
             !misc_number(tok[4], tl[4], &residual))) {
            rc = tp_reader_fail(r, no,
                                "Expected a keyframe: point index, frame, x, y and residual");
            break;
        }
        if (!have_tracker) {
            rc = tp_reader_fail(r, no, "A keyframe comes before the first \"#  Name\" line");
            break;
        }
        rc = misc_keys_push(&keys, frame, half_w + x * x_unit, half_h + y * y_unit, residual);
    }
    if (rc == TP_OK && !have_size && !tp_input_error(in))
        rc = tp_reader_fail(r, 0, "The file is empty: no Maya Live size line was found");
    return misc_finish(r, rc, have_tracker, &keys, &t);
}

const struct tp_importer tp_import_mayalive = {
    .name = "mayalive",
    .human_name = "Maya Live track export file",
    .extension = NULL, /* .txt, shared with many formats: the sniffer decides */
    .flags = TP_IMPORT_KNOWS_SIZE,
    .sniff = ml_sniff,
    .read = ml_read,
};
