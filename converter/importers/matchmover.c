/*
 * matchmover.c — MatchMover (REALVIZ) ASCII point track files, .rz2.
 *
 *   imageSequence  "Sequence 01"
 *   {
 *       2560  1080  f( "D:/shot.%04d.tif" )  b( 1 211 1 )
 *   }
 *   pointTrack  "Track 01"  rgb( 0 0 0 )
 *   {
 *       1     649.523     423.929    ki( 0.8 )  s( 29 29 30 30 )  p( 56 56 55 55 )
 *       2     647.273     431.522     p+( 0.988476 )
 *   }
 *
 * The third line carries the comp size. The image sequence's first frame comes from
 * "b( first last step )", which may sit several lines further down: MatchMover writes the
 * sequence path verbatim, line breaks included. Without it frames count from 0. Frames
 * are made relative to that first frame; y runs down from the top. "p+( c )" or "p*( c )"
 * gives a tracked keyframe's correlation c (residual 1 - c); keyframes set by hand
 * ("ki", "kb") and files without correlations read as residual 0. Keyframes may come in
 * any order; a frame listed twice in one track is an error.
 */
#include "misc_scan.h"

static int mm_sniff(const char *head, size_t len)
{
    const char *p = head, *end = head + len;
    while (p < end && misc_is_space(*p))
        p++;
    if (!misc_starts(p, (size_t)(end - p), "imageSequence"))
        return 0;
    return strstr(p, "\npointTrack") ? 95 : 80;
}

/* Finds "b( first last step )" with single spaces and returns first. */
static bool mm_sequence_start(const char *s, size_t len, long long *first)
{
    for (size_t i = 0; i + 3 <= len; i++) {
        if (s[i] != 'b' || s[i + 1] != '(' || s[i + 2] != ' ')
            continue;
        size_t p = i + 3;
        long long v[3];
        int k = 0;
        for (; k < 3; k++) {
            size_t start = p;
            while (p < len && misc_is_digit(s[p]))
                p++;
            if (p == start || p - start > 15 || p >= len || s[p] != ' ')
                break;
            misc_leading_int(s + start, p - start, LLONG_MAX / 10, &v[k]);
            p++;
        }
        if (k == 3 && p < len && s[p] == ')') {
            *first = v[0];
            return true;
        }
    }
    return false;
}

/* Finds the correlation of "p+( c )" or "p*( c )" (at least one space inside each side). */
static bool mm_correlation(const char *s, size_t len, double *c)
{
    for (size_t i = 0; i + 3 < len; i++) {
        if (s[i] != 'p' || (s[i + 1] != '+' && s[i + 1] != '*') || s[i + 2] != '(')
            continue;
        size_t p = i + 3, start;
        if (p >= len || !misc_is_space(s[p]))
            continue;
        while (p < len && misc_is_space(s[p]))
            p++;
        start = p;
        while (p < len && (misc_is_digit(s[p]) || s[p] == '-' || s[p] == '.'))
            p++;
        if (p == start || p >= len || !misc_is_space(s[p]))
            continue;
        size_t vend = p;
        while (p < len && misc_is_space(s[p]))
            p++;
        if (p < len && s[p] == ')' && misc_number(s + start, vend - start, c))
            return true;
    }
    return false;
}

/* Reads "frame x y" from the start of a keyframe line (leading whitespace skipped). */
static bool mm_keyframe(const char *s, size_t len, long long *frame, double *x, double *y)
{
    const char *tok[3];
    size_t tl[3];
    if (misc_tokens(s, len, tok, tl, 3) < 3)
        return false;
    for (size_t i = 0; i < tl[0]; i++)
        if (!misc_is_digit(tok[0][i]))
            return false;
    return tl[0] <= 15 && misc_leading_int(tok[0], tl[0], LLONG_MAX / 10, frame) &&
           misc_number(tok[1], tl[1], x) && misc_number(tok[2], tl[2], y);
}

/* The quoted name of a pointTrack line, or the empty name when it has none. */
static void mm_track_name(const char *s, size_t len, const char **name, size_t *nlen)
{
    *name = "";
    *nlen = 0;
    const char *q = memchr(s, '"', len);
    while (q) {
        const char *start = q + 1;
        const char *close = memchr(start, '"', len - (size_t)(start - s));
        if (!close)
            return;
        if (close > start) {
            *name = start;
            *nlen = (size_t)(close - start);
            return;
        }
        q = close; /* "" is no name: look at the next pair */
    }
}

static int mm_read(struct tp_reader *r)
{
    struct tp_input *in = tp_reader_input(r);
    struct tp_tracker t;
    struct misc_keys keys = {0};
    tp_tracker_init(&t);
    int rc = TP_OK;
    char *line = NULL;
    size_t len = 0;
    int width = 0, height = 0;
    long long first_frame = 0;

    /* The header: the comp size is on the third line. */
    for (int i = 0; i < 3; i++)
        if (!(line = tp_input_getline(in, &len)))
            break;
    if (!line) {
        rc = tp_input_error(in) ? TP_OK
                                : tp_reader_fail(r, tp_input_line_number(in),
                                                 "The file ends within its imageSequence header");
        goto done;
    }
    {
        long long v[2];
        int found = 0;
        for (size_t i = 0; i < len && found < 2;) {
            if (!misc_is_digit(line[i])) {
                i++;
                continue;
            }
            size_t start = i;
            while (i < len && misc_is_digit(line[i]))
                i++;
            if (!misc_leading_int(line + start, i - start, INT_MAX, &v[found]))
                v[found] = 0;
            found++;
        }
        if (found < 2 || v[0] <= 0 || v[1] <= 0) {
            rc = tp_reader_fail(r, tp_input_line_number(in),
                                "Cannot read the comp size: the third line should hold the "
                                "width and height of the image sequence");
            goto done;
        }
        width = (int)v[0];
        height = (int)v[1];
    }
    tp_reader_set_size(r, width, height);
    /* The first frame: "b( ... )" on this line or the following ones, up to the "}". */
    while (line && !memchr(line, '}', len)) {
        if (mm_sequence_start(line, len, &first_frame))
            break;
        line = tp_input_getline(in, &len);
    }

    long track_line = 0;
    bool in_track = false;
    while ((line = tp_input_getline(in, &len))) {
        long no = tp_input_line_number(in);
        if (!in_track) {
            if (misc_starts(line, len, "pointTrack")) {
                const char *name;
                size_t nlen;
                mm_track_name(line, len, &name, &nlen);
                if ((rc = tp_tracker_set_name(&t, name, nlen)))
                    break;
                in_track = true;
                track_line = no;
                tp_reader_progress(r, "Reading track \"%s\"", t.name);
            }
            continue;
        }
        if (memchr(line, '}', len)) {
            int dup;
            if ((rc = misc_keys_sort(&keys)))
                break;
            if (misc_keys_duplicate(&keys, &dup)) {
                rc = tp_reader_fail(r, no, "The track \"%s\" lists frame %lld twice", t.name,
                                    (long long)dup + first_frame);
                break;
            }
            if ((rc = misc_emit(r, &keys, &t)))
                break;
            in_track = false;
            continue;
        }
        /* keyframe lines start with whitespace, then the frame number */
        size_t i = 0;
        while (i < len && misc_is_space(line[i]))
            i++;
        if (i == 0 || i == len || !misc_is_digit(line[i]))
            continue;
        long long frame;
        double x, y, correlation;
        if (!mm_keyframe(line + i, len - i, &frame, &x, &y)) {
            rc = tp_reader_fail(r, no, "Expected a keyframe: frame number, x and y");
            break;
        }
        frame -= first_frame;
        if (frame < INT_MIN || frame > INT_MAX) {
            rc = tp_reader_fail(r, no, "The frame number is out of range");
            break;
        }
        double residual = mm_correlation(line, len, &correlation) ? 1.0 - correlation : 0.0;
        if ((rc = misc_keys_push(&keys, (int)frame, x, height - y, residual)))
            break;
    }
    if (rc == TP_OK && in_track && !tp_input_error(in))
        rc = tp_reader_fail(r, track_line,
                            "The track \"%s\" is not closed with \"}\": the file may be "
                            "truncated",
                            t.name);
done:
    return misc_finish(r, rc, false, &keys, &t);
}

const struct tp_importer tp_import_matchmover = {
    .name = "matchmover",
    .human_name = "MatchMover REALVIZ Ascii Point Tracks .rz2 file",
    .extension = ".rz2",
    .flags = TP_IMPORT_KNOWS_SIZE,
    .sniff = mm_sniff,
    .read = mm_read,
};
