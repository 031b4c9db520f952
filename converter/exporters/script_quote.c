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

static void sq_hex(struct tp_out *out, unsigned char c, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char esc[4] = {'\\', 'x', digits[c >> 4], digits[c & 15]};
    tp_out_write(out, esc, sizeof esc);
}

/* sq_escape writes the byte c as an escape of lang. */
static void sq_escape(struct tp_out *out, unsigned char c, enum tp__script lang)
{
    static const char digits[] = "0123456789abcdef";
    if (lang == TP__SCRIPT_JSON) {
        char esc[6] = {'\\', 'u', '0', '0', digits[c >> 4], digits[c & 15]};
        tp_out_write(out, esc, sizeof esc);
    } else if (lang == TP__SCRIPT_LUA) {
        char esc[4] = {'\\', (char)('0' + c / 100), (char)('0' + c / 10 % 10),
                       (char)('0' + c % 10)};
        tp_out_write(out, esc, sizeof esc);
    } else {
        sq_hex(out, c, false);
    }
}

/*
 * sq_ruby_byte writes a byte outside printable ASCII as Ruby's String#inspect does for the
 * binary strings the reference reads names into: "\e", "\a" and the other named escapes,
 * "\xC3" for anything else, UTF-8 included. Ruby reads those back into the same bytes, so
 * the reference's Ruby exporter is matched byte for byte.
 */
static void sq_ruby_byte(struct tp_out *out, unsigned char c)
{
    static const char named[] = {['\a'] = 'a', ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n',
                                 ['\v'] = 'v', ['\f'] = 'f', ['\r'] = 'r', [27] = 'e'};
    if (c < sizeof named && named[c]) {
        tp_out_putc(out, '\\');
        tp_out_putc(out, named[c]);
    } else {
        sq_hex(out, c, true);
    }
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
        } else if (lang == TP__SCRIPT_RUBY) {
            sq_ruby_byte(out, c);
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
                    sq_escape(out, c, lang);
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
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        tp_out_putc(out, ok ? c : '_');
    }
}
