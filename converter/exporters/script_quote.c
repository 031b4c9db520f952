/* script_quote.c — tracker names as string literals and identifiers in generated scripts. */
#include "script_quote.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most rest bytes), or 0 if it is not one.
 * Overlong forms, surrogates and code points past U+10FFFF are not valid. */
static size_t sq_utf8_len(const unsigned char *s, size_t rest)
{
    unsigned char c = s[0];
    size_t n;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (rest < n)
        return 0;
    unsigned cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static void sq_hex(struct tp_out *out, unsigned char c)
{
    static const char digits[] = "0123456789abcdef";
    char esc[4] = {'\\', 'x', digits[c >> 4], digits[c & 15]};
    tp_out_write(out, esc, sizeof esc);
}

void tp__script_quote(struct tp_out *out, const char *s, enum tp__script lang)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)p);
    tp_out_putc(out, '"');
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        bool tcl_special = c == '[' || c == ']' || c == '$' || c == '{' || c == '}';
        if (c == '"' || c == '\\' || (lang == TP__SCRIPT_TCL && tcl_special)) {
            tp_out_putc(out, '\\');
            tp_out_putc(out, (char)c);
            i++;
        } else if (c == '#' && lang == TP__SCRIPT_RUBY &&
                   (p[i + 1] == '{' || p[i + 1] == '$' || p[i + 1] == '@')) {
            tp_out_puts(out, "\\#");
            i++;
        } else if (c >= 0x20 && c < 0x7F) {
            tp_out_putc(out, (char)c);
            i++;
        } else {
            size_t n = c >= 0x80 ? sq_utf8_len(p + i, len - i) : 0;
            if (n) {
                tp_out_write(out, p + i, n);
                i += n;
            } else {
                if (lang == TP__SCRIPT_MAXSCRIPT || lang == TP__SCRIPT_TCL)
                    tp_out_putc(out, '_');
                else
                    sq_hex(out, c);
                i++;
            }
        }
    }
    tp_out_putc(out, '"');
}

void tp__script_comment(struct tp_out *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)p);
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        size_t n = c >= 0x80 ? sq_utf8_len(p + i, len - i) : (c >= 0x20 && c < 0x7F);
        if (n) {
            tp_out_write(out, p + i, n);
            i += n;
        } else {
            tp_out_putc(out, '_');
            i++;
        }
    }
}

void tp__script_identifier(struct tp_out *out, const char *s)
{
    if (!s || !*s) {
        tp_out_putc(out, '_');
        return;
    }
    for (const char *p = s; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_';
        tp_out_putc(out, ok ? c : '_');
    }
}
