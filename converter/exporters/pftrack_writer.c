/*
 * pftrack_writer.c — the block writer the PFTrack 4, PFTrack 5 and PFMatchit exporters
 * share (see pftrack_writer.h). Whole trackers arrive at once, so the keyframe count that
 * precedes the rows is simply the tracker's length: no spill file is needed.
 */
#include "pftrack_writer.h"

#include <stdint.h>
#include <stdio.h>

/* Length of the UTF-8 sequence starting at s (1..4), or 0 when it is not valid UTF-8. */
static size_t pfw_utf8_len(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

void tp__pf_write_quoted(struct tp_out *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    char esc[16];
    tp_out_putc(out, '"');
    while (*p) {
        unsigned char c = *p;
        if (c < 0x80) {
            const char *rep = NULL;
            switch (c) {
            case '"': rep = "\\\""; break;
            case '\\': rep = "\\\\"; break;
            case '\n': rep = "\\n"; break;
            case '\r': rep = "\\r"; break;
            case '\t': rep = "\\t"; break;
            case '\f': rep = "\\f"; break;
            case '\v': rep = "\\v"; break;
            case '\b': rep = "\\b"; break;
            case '\a': rep = "\\a"; break;
            case 0x1B: rep = "\\e"; break;
            case '#':
                if (p[1] == '{' || p[1] == '$' || p[1] == '@')
                    rep = "\\#";
                break;
            default: break;
            }
            if (rep) {
                tp_out_puts(out, rep);
            } else if (c < 0x20 || c == 0x7F) {
                snprintf(esc, sizeof esc, "\\u%04X", (unsigned)c);
                tp_out_puts(out, esc);
            } else {
                tp_out_putc(out, (char)c);
            }
            p++;
            continue;
        }
        uint32_t cp = 0;
        size_t n = pfw_utf8_len(p, &cp);
        if (n == 0) {
            snprintf(esc, sizeof esc, "\\x%02X", (unsigned)c);
            tp_out_puts(out, esc);
            p++;
        } else if (cp >= 0x80 && cp <= 0x9F) { /* C1 controls are not printable */
            snprintf(esc, sizeof esc, "\\u%04X", (unsigned)cp);
            tp_out_puts(out, esc);
            p += n;
        } else {
            tp_out_write(out, p, n);
            p += n;
        }
    }
    tp_out_putc(out, '"');
}

int tp__pf_write_tracker(struct tp_out *out, const struct tp_tracker *t,
                         const struct tp__pf_style *style)
{
    const char *eol = style->eol;
    tp_out_puts(out, eol);
    tp_out_puts(out, eol);
    tp__pf_write_quoted(out, t->name);
    tp_out_puts(out, eol);
    if (style->camera) {
        tp_out_puts(out, style->camera);
        tp_out_puts(out, eol);
    }
    tp_out_int(out, (long long)t->len);
    tp_out_puts(out, eol);
    for (size_t i = 0; i < t->len; i++) {
        const struct tp_keyframe *k = &t->keys[i];
        tp_out_int(out, (long long)k->frame + style->frame_offset);
        tp_out_putc(out, ' ');
        tp_out_fixed(out, k->x - 0.5, 3);
        tp_out_putc(out, ' ');
        tp_out_fixed(out, k->y - 0.5, 3);
        tp_out_putc(out, ' ');
        tp_out_fixed(out, k->residual / 8, 3);
        tp_out_puts(out, eol);
    }
    return tp_out_error(out);
}
