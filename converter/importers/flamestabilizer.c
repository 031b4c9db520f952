/*
 * flamestabilizer.c — Flame/Smoke 2D Stabilizer setups (.stabilizer), 2010 to 2014 and the
 * ones Combustion writes.
 *
 * A setup is a tree of "Keyword value" lines indented with tabs, blocks closed by a line
 * holding only "End". The header carries the comp size (FrameWidth, FrameHeight); the
 * animation follows as "Channel <tracker>/<part>/<axis>" blocks, each holding "Key" blocks
 * with a Frame and a Value (plus tangents we do not need).
 *
 * Of a tracker's many channels only four tell where the feature is: ref/x, ref/y (where
 * the reference box sat, absolute) and shift/x, shift/y (how far the feature moved away
 * from the reference, with the sign inverted). The position on a frame is therefore
 * ref - shift, where ref is read on the first reference keyframe that shares a frame with
 * the shift curve, or on the first reference keyframe if none does. Only frames keyed on
 * both axes count. Flame numbers frames from 1, so one is taken off.
 *
 * Why the trackers are held until the end: they come out in the byte order of their
 * channel names (tracker10 before tracker2), which is the order users of the older
 * converter know, and a tracker's channels may be anywhere in the file. Only the four
 * useful channels of each tracker are kept, as bare (frame, value) pairs.
 *
 * Channels are only looked for once the comp size has been seen, as Flame always writes
 * it first. A setup that stops inside a channel is reported as truncated rather than
 * giving a partial curve.
 */
#include "numscan.h"
#include "trackport.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Frames beyond this are not a real timeline and would overflow the model's int. */
#define FS_MAX_FRAME 1e9
/* Bounds on what a setup may make us hold. */
#define FS_MAX_CHANNELS (1u << 20)
#define FS_MAX_SIZE 1000000000

struct fs_key {
    double frame, value;
};

struct fs_channel {
    char *name;
    size_t name_len;
    struct fs_key *keys;
    size_t len, cap;
    size_t order;  /* position in the file, to let a repeated channel replace an earlier one */
    bool prepared; /* keys sorted by frame, repeated frames collapsed */
};

struct fs_state {
    struct tp_reader *r;
    struct fs_channel *chans;
    size_t len, cap;
};

enum fs_mode { FS_HEADER, FS_TOP, FS_CHANNEL, FS_KEY };

/* One line split into its first word and the trimmed rest. */
struct fs_words {
    const char *word, *rest;
    size_t wlen, rlen;
};

static bool fs_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void fs_split(const char *line, size_t len, struct fs_words *w)
{
    size_t i = 0;
    while (i < len && fs_space(line[i]))
        i++;
    size_t start = i;
    while (i < len && !fs_space(line[i]))
        i++;
    w->word = line + start;
    w->wlen = i - start;
    while (i < len && fs_space(line[i]))
        i++;
    size_t end = len;
    while (end > i && fs_space(line[end - 1]))
        end--;
    w->rest = line + i;
    w->rlen = end - i;
}

static bool fs_is(const struct fs_words *w, const char *word)
{
    size_t n = strlen(word);
    return w->wlen == n && memcmp(w->word, word, n) == 0;
}

static bool fs_contains(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(s + i, needle, n) == 0)
            return true;
    return false;
}

static bool fs_ends_with(const char *s, size_t len, const char *tail)
{
    size_t n = strlen(tail);
    return len >= n && memcmp(s + len - n, tail, n) == 0;
}

/* The channels that locate a feature; every other channel is skipped unread. */
static bool fs_useful(const char *name, size_t len)
{
    return fs_contains(name, len, "/shift/x") || fs_contains(name, len, "/shift/y") ||
           fs_contains(name, len, "/ref/x") || fs_contains(name, len, "/ref/y");
}

/* Reads the leading digits of a header value ("FrameWidth 1920"); false if none or huge. */
static bool fs_header_int(const char *s, size_t len, int *out)
{
    long long v = 0;
    size_t i = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        v = v * 10 + (s[i] - '0');
        if (v > FS_MAX_SIZE)
            return false;
        i++;
    }
    if (i == 0)
        return false;
    *out = (int)v;
    return true;
}

/*
 * Reads a key's number the way the older converter did, which the recovered tracks are
 * checked against: only the leading run of '-', digits and '.' counts, read as a decimal.
 * An exponent is therefore dropped ("3.05176e-05" reads as 3.05176); Flame writes one
 * only for values that small, so the difference stays within a few pixels of a shift.
 */
static bool fs_key_number(const char *s, size_t len, double *out)
{
    size_t span = 0;
    while (span < len && (s[span] == '-' || s[span] == '.' || (s[span] >= '0' && s[span] <= '9')))
        span++;
    if (span == 0)
        return false;
    char buf[400];
    size_t i = 0;
    if (s[i] == '-')
        i++;
    while (i < span && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i + 1 < span && s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9') {
        i++;
        while (i < span && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i >= sizeof buf)
        return false;
    memcpy(buf, s, i);
    buf[i] = '\0';
    if (i == 0 || (i == 1 && buf[0] == '-')) {
        *out = 0.0;
        return true;
    }
    if (tp__ns_double(buf, i, out))
        return true;
    double v = strtod(buf, NULL);
    if (!isfinite(v))
        return false;
    *out = v;
    return true;
}

static void fs_state_cleanup(struct fs_state *st)
{
    for (size_t i = 0; i < st->len; i++) {
        free(st->chans[i].name);
        free(st->chans[i].keys);
    }
    free(st->chans);
    st->chans = NULL;
    st->len = st->cap = 0;
}

static int fs_new_channel(struct fs_state *st, const char *name, size_t len,
                          struct fs_channel **out)
{
    if (st->len == st->cap) {
        if (st->cap >= FS_MAX_CHANNELS)
            return TP_ERR_LIMIT;
        size_t cap = st->cap ? st->cap * 2 : 64;
        struct fs_channel *p = realloc(st->chans, cap * sizeof *p);
        if (!p)
            return TP_ERR_NOMEM;
        st->chans = p;
        st->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return TP_ERR_NOMEM;
    memcpy(copy, name, len);
    copy[len] = '\0';
    struct fs_channel *c = &st->chans[st->len];
    *c = (struct fs_channel){.name = copy, .name_len = len, .order = st->len};
    st->len++;
    *out = c;
    return TP_OK;
}

static int fs_add_key(struct fs_channel *c, double frame, double value)
{
    if (c->len == c->cap) {
        if (c->cap >= TP_MAX_KEYFRAMES)
            return TP_ERR_LIMIT;
        size_t cap = c->cap ? c->cap * 2 : 16;
        struct fs_key *p = realloc(c->keys, cap * sizeof *p);
        if (!p)
            return TP_ERR_NOMEM;
        c->keys = p;
        c->cap = cap;
    }
    c->keys[c->len++] = (struct fs_key){frame, value};
    return TP_OK;
}

/* Fails with a message for a failed allocation or limit, else a parse message. */
static int fs_fail_code(struct fs_state *st, int code, long line, const char *what)
{
    if (code == TP_ERR_NOMEM)
        return tp_reader_failc(st->r, code, line, "Out of memory while reading %s", what);
    return tp_reader_failc(st->r, code, line, "Too many %s in this setup", what);
}

/* Parses the whole input, keeping the useful channels; fills the comp size. */
static int fs_parse(struct fs_state *st, int *width, int *height)
{
    struct tp_input *in = tp_reader_input(st->r);
    enum fs_mode mode = FS_HEADER;
    struct fs_channel *chan = NULL;
    bool has_frame = false, has_value = false;
    double frame = 0, value = 0;
    int w = 0, h = 0;
    bool has_w = false, has_h = false;
    char *line;
    size_t len;
    while ((line = tp_input_getline(in, &len))) {
        long no = tp_input_line_number(in);
        struct fs_words wd;
        fs_split(line, len, &wd);
        switch (mode) {
        case FS_HEADER:
            if (fs_is(&wd, "FrameWidth") || fs_is(&wd, "FrameHeight")) {
                int v;
                if (!fs_header_int(wd.rest, wd.rlen, &v) || v <= 0)
                    return tp_reader_fail(st->r, no, "expected a comp size in pixels after %s",
                                          fs_is(&wd, "FrameWidth") ? "FrameWidth"
                                                                   : "FrameHeight");
                if (fs_is(&wd, "FrameWidth")) {
                    w = v;
                    has_w = true;
                } else {
                    h = v;
                    has_h = true;
                }
                if (has_w && has_h)
                    mode = FS_TOP;
            }
            break;
        case FS_TOP:
            if (fs_is(&wd, "Channel") && wd.rlen > 0 && fs_useful(wd.rest, wd.rlen)) {
                if (wd.rlen > TP_MAX_NAME)
                    return tp_reader_failc(st->r, TP_ERR_LIMIT, no,
                                           "the channel name is longer than %d bytes",
                                           TP_MAX_NAME);
                int rc = fs_new_channel(st, wd.rest, wd.rlen, &chan);
                if (rc)
                    return fs_fail_code(st, rc, no, "channels");
                tp_reader_progress(st->r, "Reading channel \"%s\"", chan->name);
                mode = FS_CHANNEL;
            }
            break;
        case FS_CHANNEL:
            if (fs_is(&wd, "End") && wd.rlen == 0) {
                mode = FS_TOP;
            } else if (fs_is(&wd, "Key")) {
                has_frame = has_value = false;
                mode = FS_KEY;
            } else if (fs_is(&wd, "Channel")) {
                return tp_reader_fail(st->r, no,
                                      "channel \"%s\" is not closed by an End line before the "
                                      "next channel starts",
                                      chan->name);
            }
            break;
        case FS_KEY:
            if (fs_is(&wd, "End") && wd.rlen == 0) {
                if (!has_frame || !has_value)
                    return tp_reader_fail(st->r, no,
                                          "a key of channel \"%s\" has no %s", chan->name,
                                          has_frame ? "Value" : "Frame");
                int rc = fs_add_key(chan, frame, value);
                if (rc)
                    return fs_fail_code(st, rc, no, "keyframes");
                mode = FS_CHANNEL;
            } else if (fs_is(&wd, "Frame")) {
                if (!fs_key_number(wd.rest, wd.rlen, &frame) || fabs(frame) > FS_MAX_FRAME)
                    return tp_reader_fail(st->r, no, "expected a frame number after Frame");
                has_frame = true;
            } else if (fs_is(&wd, "Value")) {
                if (!fs_key_number(wd.rest, wd.rlen, &value))
                    return tp_reader_fail(st->r, no, "expected a number after Value");
                has_value = true;
            } else if (fs_is(&wd, "Channel") || fs_is(&wd, "Key")) {
                return tp_reader_fail(st->r, no,
                                      "a key of channel \"%s\" is not closed by an End line",
                                      chan->name);
            }
            break;
        }
    }
    if (tp_input_error(in))
        return TP_OK; /* tp_import reports the read error */
    long last = tp_input_line_number(in);
    if (mode == FS_HEADER)
        return tp_reader_fail(st->r, last,
                              "no FrameWidth and FrameHeight found: this does not look like a "
                              "Flame stabilizer setup");
    if (mode == FS_CHANNEL || mode == FS_KEY)
        return tp_reader_fail(st->r, last,
                              "the setup ends inside channel \"%s\"; the file seems truncated",
                              chan->name);
    *width = w;
    *height = h;
    return TP_OK;
}

/* Byte order of names, then file order: a later channel of the same name wins. */
static int fs_cmp_channel(const void *a, const void *b)
{
    const struct fs_channel *x = *(struct fs_channel *const *)a;
    const struct fs_channel *y = *(struct fs_channel *const *)b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, n);
    if (c)
        return c;
    if (x->name_len != y->name_len)
        return x->name_len < y->name_len ? -1 : 1;
    return x->order < y->order ? -1 : (x->order > y->order);
}

/* Finds name in the sorted, de-duplicated index. */
static struct fs_channel *fs_find(struct fs_channel **index, size_t n, const char *name,
                                  size_t len)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct fs_channel *c = index[mid];
        size_t m = c->name_len < len ? c->name_len : len;
        int cmp = memcmp(c->name, name, m);
        if (cmp == 0 && c->name_len != len)
            cmp = c->name_len < len ? -1 : 1;
        if (cmp == 0)
            return index[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Sorts keys by frame (stable merge sort) and keeps the last of each repeated frame. */
static int fs_prepare(struct fs_channel *c)
{
    if (c->prepared)
        return TP_OK;
    c->prepared = true;
    bool sorted = true;
    for (size_t i = 1; i < c->len && sorted; i++)
        sorted = c->keys[i - 1].frame <= c->keys[i].frame;
    if (!sorted) {
        struct fs_key *tmp = malloc(c->len * sizeof *tmp);
        if (!tmp)
            return TP_ERR_NOMEM;
        struct fs_key *src = c->keys, *dst = tmp;
        for (size_t width = 1; width < c->len; width *= 2) {
            for (size_t lo = 0; lo < c->len; lo += 2 * width) {
                size_t mid = lo + width < c->len ? lo + width : c->len;
                size_t hi = lo + 2 * width < c->len ? lo + 2 * width : c->len;
                size_t i = lo, j = mid, k = lo;
                while (i < mid && j < hi)
                    dst[k++] = src[j].frame < src[i].frame ? src[j++] : src[i++];
                while (i < mid)
                    dst[k++] = src[i++];
                while (j < hi)
                    dst[k++] = src[j++];
            }
            struct fs_key *swap = src;
            src = dst;
            dst = swap;
        }
        if (src != c->keys)
            memcpy(c->keys, src, c->len * sizeof *src);
        free(tmp);
    }
    size_t out = 0;
    for (size_t i = 0; i < c->len; i++) {
        if (out > 0 && c->keys[out - 1].frame == c->keys[i].frame)
            c->keys[out - 1] = c->keys[i];
        else
            c->keys[out++] = c->keys[i];
    }
    c->len = out;
    return TP_OK;
}

/* Advances *i and *j to the next frame keyed in both curves; false when none is left. */
static bool fs_next_pair(const struct fs_channel *x, const struct fs_channel *y, size_t *i,
                         size_t *j)
{
    while (*i < x->len && *j < y->len) {
        double fx = x->keys[*i].frame, fy = y->keys[*j].frame;
        if (fx == fy)
            return true;
        if (fx < fy)
            (*i)++;
        else
            (*j)++;
    }
    return false;
}

/* Whether frame is keyed on both shift curves. */
static bool fs_has_pair_at(const struct fs_channel *x, const struct fs_channel *y,
                           double frame)
{
    const struct fs_channel *c[2] = {x, y};
    for (int k = 0; k < 2; k++) {
        size_t lo = 0, hi = c[k]->len;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (c[k]->keys[mid].frame < frame)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == c[k]->len || c[k]->keys[lo].frame != frame)
            return false;
    }
    return true;
}

/* Builds and emits the tracker whose ref/x channel is refx; skips incomplete trackers. */
static int fs_tracker(struct fs_state *st, struct fs_channel **index, size_t n,
                      struct fs_channel *refx, struct tp_tracker *t)
{
    size_t base_len = refx->name_len - strlen("/ref/x");
    char *name = malloc(base_len + 16);
    if (!name)
        return TP_ERR_NOMEM;
    memcpy(name, refx->name, base_len);
    struct fs_channel *ch[3];
    const char *tails[3] = {"/ref/y", "/shift/x", "/shift/y"};
    for (int k = 0; k < 3; k++) {
        size_t tl = strlen(tails[k]);
        memcpy(name + base_len, tails[k], tl);
        ch[k] = fs_find(index, n, name, base_len + tl);
    }
    struct fs_channel *refy = ch[0], *sx = ch[1], *sy = ch[2];
    int rc = TP_OK;
    if (!refy || !sx || !sy)
        goto done;
    struct fs_channel *all[4] = {refx, refy, sx, sy};
    for (int k = 0; k < 4 && rc == TP_OK; k++)
        rc = fs_prepare(all[k]);
    if (rc)
        goto done;

    /* The reference position: on the first ref frame the shift curve also has. */
    size_t i = 0, j = 0;
    bool any_ref = false;
    double base_x = 0, base_y = 0;
    while (fs_next_pair(refx, refy, &i, &j)) {
        if (!any_ref) {
            any_ref = true;
            base_x = refx->keys[i].value;
            base_y = refy->keys[j].value;
        }
        if (fs_has_pair_at(sx, sy, refx->keys[i].frame)) {
            base_x = refx->keys[i].value;
            base_y = refy->keys[j].value;
            break;
        }
        i++;
        j++;
    }
    if (!any_ref)
        goto done;

    rc = tp_tracker_set_name(t, refx->name, base_len);
    if (rc)
        goto done;
    tp_reader_progress(st->r, "Assembling tracker \"%s\"", t->name);
    i = j = 0;
    while (fs_next_pair(sx, sy, &i, &j)) {
        int frame = (int)trunc(sx->keys[i].frame - 1.0);
        rc = tp_tracker_add(t, frame, base_x - sx->keys[i].value, base_y - sy->keys[j].value,
                            0.0);
        if (rc)
            goto done;
        i++;
        j++;
    }
    rc = tp_reader_emit(st->r, t);
done:
    free(name);
    tp_tracker_reset(t);
    return rc;
}

static int fs_assemble(struct fs_state *st)
{
    if (st->len == 0)
        return TP_OK;
    struct fs_channel **index = malloc(st->len * sizeof *index);
    if (!index)
        return tp_reader_failc(st->r, TP_ERR_NOMEM, 0, "Out of memory");
    for (size_t i = 0; i < st->len; i++)
        index[i] = &st->chans[i];
    qsort(index, st->len, sizeof *index, fs_cmp_channel);
    size_t n = 0;
    for (size_t i = 0; i < st->len; i++) {
        if (n > 0 && index[n - 1]->name_len == index[i]->name_len &&
            memcmp(index[n - 1]->name, index[i]->name, index[i]->name_len) == 0)
            index[n - 1] = index[i];
        else
            index[n++] = index[i];
    }
    struct tp_tracker t;
    tp_tracker_init(&t);
    int rc = TP_OK;
    for (size_t i = 0; i < n && rc == TP_OK; i++) {
        if (fs_ends_with(index[i]->name, index[i]->name_len, "/ref/x"))
            rc = fs_tracker(st, index, n, index[i], &t);
    }
    tp_tracker_cleanup(&t);
    free(index);
    if (rc == TP_ERR_NOMEM || rc == TP_ERR_LIMIT)
        rc = tp_reader_failc(st->r, rc, 0, "%s", tp_strerror(rc));
    return rc;
}

static int fs_read(struct tp_reader *r)
{
    struct fs_state st = {.r = r};
    int width = 0, height = 0;
    int rc = fs_parse(&st, &width, &height);
    if (rc == TP_OK && width > 0 && height > 0) {
        tp_reader_set_size(r, width, height);
        rc = fs_assemble(&st);
    }
    fs_state_cleanup(&st);
    return rc;
}

static int fs_sniff(const char *head, size_t len)
{
    (void)len;
    const char *p = head;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (strncmp(p, "StabilizerFileVersion", 21) == 0)
        return 95;
    if (strstr(head, "FrameWidth ") && strstr(head, "\nChannel ") && strstr(head, "/shift/x"))
        return 60;
    return 0;
}

const struct tp_importer tp_import_flamestabilizer = {
    .name = "flamestabilizer",
    .human_name = "Flame .stabilizer file",
    .extension = ".stabilizer",
    .flags = TP_IMPORT_KNOWS_SIZE,
    .sniff = fs_sniff,
    .read = fs_read,
};
