/*
 * shaketext.c — Shake's exported tracker text, which Nuke's CameraTracker also reads and
 * writes for user tracks:
 *
 *   TrackName track1
 *      Frame             X             Y   Correlation
 *     121.00       379.820      1020.810         1.000
 *
 * A "TrackName <name>" line starts a tracker and the line after it is a column header,
 * skipped whatever it says. Any other line of at least four blank-separated fields is a
 * keyframe: the frame (1-based, written with decimals and read up to the point), x and y in
 * pixels from the lower left corner, and the correlation, stored as residual 1 - correlation.
 * Shorter lines (blank separators between trackers) are ignored. Fields after the fourth are
 * ignored. The name is everything after "TrackName ", trailing blanks included (they become
 * underscores like any whitespace).
 */
#include "trackport.h"

#include <stdlib.h>
#include <string.h>

/* Frames beyond this are refused rather than overflowing the model's int frames. */
#define ST_FRAME_LIMIT 1000000000LL

static bool st_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool st_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Splits line into up to max blank-separated fields (NUL-terminating each); returns how many
 * fields the line has in all. */
static size_t st_fields(char *line, size_t len, char **f, size_t max)
{
    size_t n = 0;
    char *p = line, *end = line + len;
    while (p < end) {
        while (p < end && (st_space(*p) || *p == '\0'))
            p++;
        if (p >= end)
            break;
        char *start = p;
        while (p < end && !st_space(*p) && *p != '\0')
            p++;
        if (n < max)
            f[n] = start;
        n++;
        if (p < end)
            *p++ = '\0';
    }
    return n;
}

/* The frame: a whole number, possibly followed by a fraction that is dropped ("121.00"). */
static bool st_frame(const char *s, int *out)
{
    const char *p = s;
    bool neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    if (!st_digit(*p))
        return false;
    long long v = 0;
    for (; st_digit(*p); p++) {
        v = v * 10 + (*p - '0');
        if (v > ST_FRAME_LIMIT)
            return false;
    }
    if (*p == '.')
        for (p++; st_digit(*p); p++)
            ;
    if (*p)
        return false;
    *out = (int)(neg ? -v : v);
    return true;
}

/* Finds "TrackName " followed by at least one character; returns the name or NULL. */
static const char *st_track_name(const char *line, size_t len, size_t *name_len)
{
    static const char key[] = "TrackName ";
    const size_t klen = sizeof key - 1;
    if (len <= klen)
        return NULL;
    for (size_t i = 0; i + klen < len; i++) {
        if (line[i] == 'T' && memcmp(line + i, key, klen) == 0) {
            *name_len = len - i - klen;
            return line + i + klen;
        }
    }
    return NULL;
}

static int st_read(struct tp_reader *r)
{
    struct tp_input *in = tp_reader_input(r);
    struct tp_tracker t;
    tp_tracker_init(&t);
    int rc = TP_OK;
    bool skip_header = false;
    char *line;
    size_t len;
    while ((line = tp_input_getline(in, &len))) {
        long no = tp_input_line_number(in);
        if (skip_header) {
            skip_header = false;
            continue;
        }
        size_t name_len;
        const char *name = st_track_name(line, len, &name_len);
        if (name) {
            if (t.name && (rc = tp_reader_emit(r, &t)))
                break;
            tp_tracker_reset(&t);
            if ((rc = tp_tracker_set_name(&t, name, name_len))) {
                rc = tp_reader_failc(r, rc, no, rc == TP_ERR_LIMIT
                                                    ? "The tracker name is too long"
                                                    : "Out of memory");
                break;
            }
            skip_header = true;
            tp_reader_progress(r, "Reading tracker \"%s\"", t.name);
            continue;
        }
        char *f[4];
        if (st_fields(line, len, f, 4) < 4)
            continue;
        if (!t.name) {
            rc = tp_reader_fail(r, no, "Keyframes come before any \"TrackName\" line; this "
                                       "does not look like a Shake tracker file");
            break;
        }
        int frame;
        double x, y, corr;
        if (!st_frame(f[0], &frame) || !tp_parse_double(f[1], strlen(f[1]), &x) ||
            !tp_parse_double(f[2], strlen(f[2]), &y) ||
            !tp_parse_double(f[3], strlen(f[3]), &corr)) {
            rc = tp_reader_fail(r, no, "Expected a frame, X, Y and a correlation (four "
                                       "numbers) for tracker \"%s\"",
                                t.name);
            break;
        }
        if ((rc = tp_tracker_add(&t, frame - 1, x, y, 1.0 - corr))) {
            rc = tp_reader_failc(r, rc, no, rc == TP_ERR_LIMIT
                                                ? "Tracker \"%s\" has too many keyframes"
                                                : "Out of memory reading tracker \"%s\"",
                                 t.name);
            break;
        }
    }
    if (rc == TP_OK && tp_input_error(in))
        rc = tp_reader_failc(r, tp_input_error(in), tp_input_line_number(in) + 1, "%s",
                             tp_input_error(in) == TP_ERR_LIMIT
                                 ? "A line of this file is too long"
                                 : "The file could not be read");
    if (rc == TP_OK && t.name)
        rc = tp_reader_emit(r, &t);
    tp_tracker_cleanup(&t);
    return rc;
}

/* The first non-blank line of head starting at *pos, or NULL; *pos moves past it. */
static const char *st_next_line(const char *head, size_t len, size_t *pos, size_t *line_len)
{
    while (*pos < len) {
        const char *start = head + *pos;
        const char *nl = memchr(start, '\n', len - *pos);
        size_t n = nl ? (size_t)(nl - start) : len - *pos;
        *pos += n + (nl ? 1 : 0);
        size_t k = 0;
        while (k < n && (st_space(start[k])))
            k++;
        if (k < n) {
            *line_len = n;
            return start;
        }
    }
    return NULL;
}

/* True when line holds exactly the words "Frame X Y Correlation". */
static bool st_is_header(const char *line, size_t len)
{
    static const char *const words[4] = {"Frame", "X", "Y", "Correlation"};
    size_t w = 0, i = 0;
    while (i < len) {
        while (i < len && st_space(line[i]))
            i++;
        if (i >= len)
            break;
        size_t start = i;
        while (i < len && !st_space(line[i]))
            i++;
        if (w >= 4 || strlen(words[w]) != i - start ||
            memcmp(words[w], line + start, i - start) != 0)
            return false;
        w++;
    }
    return w == 4;
}

static int st_sniff(const char *head, size_t len)
{
    size_t pos = 0, n1, n2;
    const char *l1 = st_next_line(head, len, &pos, &n1);
    if (!l1)
        return 0;
    size_t k = 0;
    while (k < n1 && st_space(l1[k]))
        k++;
    if (n1 - k <= 10 || memcmp(l1 + k, "TrackName ", 10) != 0)
        return 0;
    const char *l2 = st_next_line(head, len, &pos, &n2);
    if (l2 && st_is_header(l2, n2))
        return 95;
    return 50;
}

const struct tp_importer tp_import_shaketext = {
    .name = "shaketext",
    .human_name = "Shake .txt tracker file (also Nuke CameraTracker user tracks)",
    .extension = ".txt",
    .flags = 0,
    .sniff = st_sniff,
    .read = st_read,
};
