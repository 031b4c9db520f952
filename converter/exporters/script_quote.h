/*
 * script_quote.h — writing tracker names into the scripts some exporters produce (After
 * Effects JavaScript, Ruby, Python for Softimage, MAXScript, MEL, Nuke's TCL) and data files
 * written in a language's syntax (JSON for mmSolver, Lua tables for Fusion). Internal to the
 * exporters.
 *
 * Names come from files users upload, so a name must never end a string literal early and
 * turn the rest of itself into code the user then runs. Each language gets a double-quoted
 * literal with its own escapes; bytes that are not valid UTF-8 or are control characters are
 * escaped where the language can say so and replaced by '_' where it cannot.
 */
#ifndef TP_SCRIPT_QUOTE_H
#define TP_SCRIPT_QUOTE_H

#include "trackport.h"

enum tp__script {
    TP__SCRIPT_JS,        /* "\x01" escapes */
    TP__SCRIPT_RUBY,      /* as Ruby's inspect of a binary string: "\e", "\xC3\xA9"; "#{",
                           * "#$", "#@" would interpolate */
    TP__SCRIPT_PYTHON,    /* "\x01" escapes */
    TP__SCRIPT_MAXSCRIPT, /* only \" and \\ are safe: anything else odd becomes '_' */
    TP__SCRIPT_JSON,      /* "\u0001" escapes (a stray byte becomes its Latin-1 letter) */
    TP__SCRIPT_LUA,       /* "\001" escapes, which every Lua since 5.0 reads (Fusion's too) */
    TP__SCRIPT_TCL,       /* Nuke scripts: [ ] $ { } escaped too (they substitute or nest);
                           * control bytes become '_', as Nuke's own readers differ on \x */
};

/* tp__script_quote writes s as a double-quoted string literal of the given language. */
void tp__script_quote(struct tp_out *out, const char *s, enum tp__script lang);

/* tp__script_comment writes s for the inside of a line comment: printable ASCII and valid
 * UTF-8 as they are, anything else as '_' (a stray byte can make a whole script unreadable). */
void tp__script_comment(struct tp_out *out, const char *s);

/* tp__script_identifier writes s with every byte outside [A-Za-z0-9_] replaced by '_'
 * (Maya object names, which also appear unquoted). An empty name becomes "_". */
void tp__script_identifier(struct tp_out *out, const char *s);

#endif
