/*
 * trackport.h — the converter library's public contract.
 *
 * The library turns one 2D tracking file into many. Data flows as whole trackers:
 * an importer parses its input and emits one tracker at a time into a sink; edits
 * (tools) are sinks wrapping sinks; the last sink fans each tracker out to every
 * selected exporter, which writes it to its own output stream. Nothing holds the
 * whole input's trackers in memory unless a format forces it.
 *
 * Model: a tracker is a name plus keyframes sorted by frame, one per frame.
 * Coordinates: origin at the lower left corner of the image, x right, y up, in
 * pixels, the lower-left pixel's centre at (0.5, 0.5). Frames are 0-based.
 *
 * Errors: every fallible call returns 0 or a negative enum tp_error and, where a
 * struct tp_diag is passed, a sentence for the person who supplied the file.
 * The library never prints, never exits and keeps no global mutable state, so it
 * is safe to use in a process that forks (it holds no connections or threads).
 *
 * Memory: "caller owns" results must be released with the named _free/_cleanup
 * call; "borrows" means the pointer must outlive the call only.
 */
#ifndef TRACKPORT_H
#define TRACKPORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TP_VERSION "1.0.0"

#if defined(__GNUC__)
#define TP_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define TP_PRINTF(fmt, args)
#endif

/* Error codes. Values are stored by the job system: never renumber, only append. */
#define TP_ERRORS(X)                                                                     \
    X(TP_OK, 0, "success")                                                               \
    X(TP_ERR_NOMEM, -1, "out of memory")                                                 \
    X(TP_ERR_IO, -2, "input/output error")                                               \
    X(TP_ERR_UNKNOWN_FORMAT, -3, "unknown input format")                                 \
    X(TP_ERR_AMBIGUOUS_FORMAT, -4, "the input format is ambiguous")                      \
    X(TP_ERR_UNKNOWN_IMPORTER, -5, "unknown importer")                                   \
    X(TP_ERR_UNKNOWN_EXPORTER, -6, "unknown exporter")                                   \
    X(TP_ERR_SIZE_REQUIRED, -7, "width and height must be provided for this format")    \
    X(TP_ERR_PARSE, -8, "the file could not be parsed")                                  \
    X(TP_ERR_NO_TRACKERS, -9, "no trackers could be recovered from this file")           \
    X(TP_ERR_LIMIT, -10, "the input exceeds a size limit")                               \
    X(TP_ERR_BAD_ARGUMENT, -11, "invalid argument")                                      \
    X(TP_ERR_CANCELLED, -12, "cancelled")                                                \
    X(TP_ERR_DISK_FULL, -13, "the disk is full")                                         \
    X(TP_ERR_FILE_TOO_BIG, -14, "the file size limit was reached")

enum tp_error {
#define TP__ENUM(name, value, text) name = value,
    TP_ERRORS(TP__ENUM)
#undef TP__ENUM
};

/* tp_strerror returns a static English sentence for an error code (never NULL). */
const char *tp_strerror(int code);

/* tp_errno_code turns an errno value from writing a file into a code: a full disk or quota
 * (ENOSPC, EDQUOT) and a file-size limit (EFBIG) keep their meaning, the rest is TP_ERR_IO. */
int tp_errno_code(int err);

/* tp_error_name returns the enum's name ("TP_ERR_PARSE"), or "TP_UNKNOWN". */
const char *tp_error_name(int code);

/* A diagnostic for the user: which line (0 if none applies) and what went wrong. */
struct tp_diag {
    long line;
    char message[512];
};

/* tp_diag_set fills diag (if not NULL) and returns code, so callers can
 * `return tp_diag_set(d, TP_ERR_PARSE, 12, "expected ...")`. An existing message
 * is overwritten. line 0 means no line applies; otherwise the message gets a
 * "Line N: " prefix. */
int tp_diag_set(struct tp_diag *diag, int code, long line, const char *fmt, ...)
    TP_PRINTF(4, 5);

/* ------------------------------------------------------------------ model */

struct tp_keyframe {
    int frame;
    double x, y;
    double residual; /* 0 is "spot on"; formats with correlation store 1 - correlation */
};

struct tp_tracker {
    char *name;               /* owned, NUL-terminated, each whitespace run one '_' */
    struct tp_keyframe *keys; /* owned, sorted by frame, unique frames */
    size_t len, cap;
};

/* Maximum accepted name length and keyframes per tracker: inputs above fail with TP_ERR_LIMIT. */
#define TP_MAX_NAME 4096
#define TP_MAX_KEYFRAMES (16u * 1024u * 1024u)

void tp_tracker_init(struct tp_tracker *t);
void tp_tracker_cleanup(struct tp_tracker *t);
/* tp_tracker_reset drops name and keyframes but keeps the allocation for reuse. */
void tp_tracker_reset(struct tp_tracker *t);
/* tp_tracker_set_name copies len bytes of name, each run of whitespace made one '_'. */
int tp_tracker_set_name(struct tp_tracker *t, const char *name, size_t len);
/* tp_tracker_set_namef formats the name (then replaces whitespace). */
int tp_tracker_set_namef(struct tp_tracker *t, const char *fmt, ...) TP_PRINTF(2, 3);
/* tp_tracker_add stores a keyframe. Appending in frame order is O(1); an earlier frame
 * is inserted in order; an existing frame is replaced (the last write wins). */
int tp_tracker_add(struct tp_tracker *t, int frame, double x, double y, double residual);
/* tp_tracker_find returns the keyframe at frame or NULL. */
struct tp_keyframe *tp_tracker_find(const struct tp_tracker *t, int frame);
/* tp_tracker_copy makes dst a deep copy of src (dst must be initialised). */
int tp_tracker_copy(struct tp_tracker *dst, const struct tp_tracker *src);

/* ------------------------------------------------------------------ sinks */

/*
 * A sink receives one tracker stream: begin once, tracker zero or more times, end once.
 * Tools are sinks that wrap a `next` sink. tracker() may modify or empty *t (it is the
 * caller's scratch tracker, still owned by the caller). Any non-zero return stops the
 * stream; the sink should fill diag. destroy frees the sink itself (not next).
 */
struct tp_sink {
    int (*begin)(struct tp_sink *self, int width, int height, struct tp_diag *diag);
    int (*tracker)(struct tp_sink *self, struct tp_tracker *t, struct tp_diag *diag);
    int (*end)(struct tp_sink *self, struct tp_diag *diag);
    void (*destroy)(struct tp_sink *self);
    struct tp_sink *next;
};

/* tp_sink_destroy_chain destroys self and every sink behind it through next. */
void tp_sink_destroy_chain(struct tp_sink *sink);

/* ------------------------------------------------------------------ input */

/*
 * struct tp_input is a buffered, forward-only reader over a file descriptor or a memory
 * block, with a line reader and a byte counter for progress. Lines may be up to
 * TP_MAX_LINE bytes; longer lines fail with TP_ERR_LIMIT.
 */
#define TP_MAX_LINE (64u * 1024u * 1024u)
struct tp_input;

/* tp_input_open_file opens path for reading. Caller owns *out (tp_input_free). */
int tp_input_open_file(const char *path, struct tp_input **out, struct tp_diag *diag);
/* tp_input_open_memory reads from data[0..len); borrows data for the input's lifetime. */
int tp_input_open_memory(const void *data, size_t len, struct tp_input **out);
void tp_input_free(struct tp_input *in);
/* tp_input_getline returns the next line without its "\n" or "\r\n" (and sets *len), or
 * NULL at the end of input or on error (tp_input_error tells). The pointer is valid until
 * the next read call. A NUL byte inside a line is kept; the line is NUL-terminated. */
char *tp_input_getline(struct tp_input *in, size_t *len);
/* tp_input_line_number is the 1-based number of the line last returned by getline. */
long tp_input_line_number(const struct tp_input *in);
/* tp_input_read_all reads the rest of the input into one owned buffer (NUL-terminated),
 * up to max bytes (TP_ERR_LIMIT above it). Caller owns *data (free). For formats whose
 * grammar needs the whole text; prefer getline. */
int tp_input_read_all(struct tp_input *in, size_t max, char **data, size_t *len);
/* tp_input_peek returns up to want bytes from the current position without consuming them
 * (*got may be less at the end of input). Valid until the next read call. */
const char *tp_input_peek(struct tp_input *in, size_t want, size_t *got);
/* tp_input_rewind returns to the start of the input (only before anything past the first
 * buffer was consumed, or for memory inputs and regular files). */
int tp_input_rewind(struct tp_input *in);
uint64_t tp_input_consumed(const struct tp_input *in);
uint64_t tp_input_total(const struct tp_input *in); /* 0 if unknown */
int tp_input_error(const struct tp_input *in);      /* sticky I/O error or 0 */

/* ------------------------------------------------------------------ output */

/*
 * struct tp_out is a buffered writer to a file descriptor or a growable memory block,
 * with fast number formatting for exporters' hot paths. Errors are sticky: writes after
 * an error do nothing and tp_out_flush/tp_out_error report it.
 */
struct tp_out;

/* tp_out_open_fd writes to fd (not closed by tp_out_free). Caller owns *out. */
int tp_out_open_fd(int fd, struct tp_out **out);
/* tp_out_open_memory collects everything written; see tp_out_memory. */
int tp_out_open_memory(struct tp_out **out);
void tp_out_free(struct tp_out *out);
/* tp_out_memory returns the bytes written so far to a memory out (borrowed). */
const char *tp_out_memory(const struct tp_out *out, size_t *len);
int tp_out_flush(struct tp_out *out);
int tp_out_error(const struct tp_out *out);
uint64_t tp_out_bytes(const struct tp_out *out); /* bytes written so far */

void tp_out_write(struct tp_out *out, const void *data, size_t len);
void tp_out_puts(struct tp_out *out, const char *s);
void tp_out_putc(struct tp_out *out, char c);
void tp_out_printf(struct tp_out *out, const char *fmt, ...) TP_PRINTF(2, 3);
/* tp_out_int writes a decimal integer. */
void tp_out_int(struct tp_out *out, long long v);
/* tp_out_fixed writes v with exactly `decimals` (0..17; clamped) digits after the point,
 * character for character as Ruby 3.1's format("%.Nf") writes it, which is what
 * Tracksperanto's exporters wrote: correctly rounded, except that where dtoa's double
 * arithmetic finds the value within its error bound of a tie at the cut (0.0185 to three
 * places) it rounds half to even, whichever side of the tie the binary value lies.
 * Non-finite values are "Inf", "-Inf" and "NaN", as in Ruby. */
void tp_out_fixed(struct tp_out *out, double v, int decimals);
/* tp_out_copy_from_fd appends the whole content of fd from offset 0 (spill files). */
int tp_out_copy_from_fd(struct tp_out *out, int fd);

/* tp_format_fixed writes v like tp_out_fixed into buf (at least 48 bytes) with a NUL and
 * returns the length; magnitudes from 1e17 are cut to 47 characters. */
size_t tp_format_fixed(char *buf, double v, int decimals);

/* ------------------------------------------------------------------ spill */

/*
 * struct tp_spill is an anonymous temporary file an exporter writes its body into when the
 * format needs counts before the body (the header is written at end, then the body is
 * copied). It lives in $TMPDIR (or /tmp) and disappears when freed or when the process dies.
 */
struct tp_spill;
int tp_spill_new(struct tp_spill **out);
/* tp_spill_out is the writer for the body (borrowed, owned by the spill). */
struct tp_out *tp_spill_out(struct tp_spill *spill);
/* tp_spill_copy_to flushes the body and appends it to dst. */
int tp_spill_copy_to(struct tp_spill *spill, struct tp_out *dst);
/* tp_spill_read flushes the body and reads up to len bytes of it, starting at offset, into
 * buf; *got is less than len only at the end of the body. For tools that must see every
 * tracker before passing any on: they write records into a spill and read them back. */
int tp_spill_read(struct tp_spill *spill, uint64_t offset, void *buf, size_t len, size_t *got);
void tp_spill_free(struct tp_spill *spill);

/* ------------------------------------------------------------------ importers */

/* The context an importer reads through; see tp_reader_* below. */
struct tp_reader;

enum tp_import_flags {
    TP_IMPORT_KNOWS_SIZE = 1 << 0, /* the format carries its own comp size */
    /* Some files of the format carry the comp size, others not: the size is asked for
     * (needs_size stays true) but not demanded before reading; the importer fails with
     * TP_ERR_SIZE_REQUIRED when neither the user nor the file gives it. */
    TP_IMPORT_SIZE_IN_SOME = 1 << 1,
};

struct tp_importer {
    const char *name;       /* CLI name, lower case: "nukescript" */
    const char *human_name; /* "Nuke .nk script file with Tracker, Reconcile3D..." */
    const char *extension;  /* typical extensions for detection, lower case, with dot, separated
                             * by spaces (".txt .sni"), or NULL */
    unsigned flags;         /* enum tp_import_flags */
    /* sniff rates how surely the head of a file (up to 64 KiB, NUL-terminated) is this
     * format: 0 no, 1..100 more and more sure. NULL: never sniffed. */
    int (*sniff)(const char *head, size_t len);
    /* read parses r's input, calling tp_reader_emit for each tracker as it completes. */
    int (*read)(struct tp_reader *r);
};

struct tp_input *tp_reader_input(struct tp_reader *r);
/* The comp size given by the user (0 if not given). */
int tp_reader_width(const struct tp_reader *r);
int tp_reader_height(const struct tp_reader *r);
/* tp_reader_set_size records the size a format carries; call before the first emit. */
void tp_reader_set_size(struct tp_reader *r, int width, int height);
/* tp_reader_emit sends t downstream and resets it (name and keys cleared, memory kept).
 * The comp size must be known by then (given or set). */
int tp_reader_emit(struct tp_reader *r, struct tp_tracker *t);
/* tp_reader_fail records a parse error for the user and returns TP_ERR_PARSE. line 0:
 * none applies. */
int tp_reader_fail(struct tp_reader *r, long line, const char *fmt, ...) TP_PRINTF(3, 4);
/* tp_reader_failc is tp_reader_fail with another code (TP_ERR_LIMIT, TP_ERR_NOMEM...). */
int tp_reader_failc(struct tp_reader *r, int code, long line, const char *fmt, ...)
    TP_PRINTF(4, 5);
/* tp_reader_progress reports a message; the percent comes from bytes consumed. Cheap to
 * call often (it throttles itself). */
void tp_reader_progress(struct tp_reader *r, const char *fmt, ...) TP_PRINTF(2, 3);
/* tp_reader_progress_at is tp_reader_progress for parsers that hold the whole text: it
 * reports pos bytes of total consumed. */
void tp_reader_progress_at(struct tp_reader *r, size_t pos, size_t total, const char *fmt, ...)
    TP_PRINTF(4, 5);
struct tp_diag *tp_reader_diag(struct tp_reader *r);

/* tp_importers lists every importer in registry order. */
const struct tp_importer *const *tp_importers(size_t *count);
/* tp_find_importer looks a name up case-insensitively; NULL if unknown. */
const struct tp_importer *tp_find_importer(const char *name);

/*
 * tp_detect picks the importer for a file: by extension first (when exactly one importer
 * claims it and its sniffer, if any, does not reject the content), then by content sniffing.
 * head/len: the first bytes of the file (NUL-terminated). A tie between sniffers gives
 * TP_ERR_AMBIGUOUS_FORMAT naming the candidates; no match gives TP_ERR_UNKNOWN_FORMAT.
 */
int tp_detect(const char *file_name, const char *head, size_t len,
              const struct tp_importer **importer, struct tp_diag *diag);

/*
 * tp_import runs importer on in, sending trackers into sink (begin, trackers, end).
 * width/height: the size given by the user, 0 if none. Returns 0 or an error with diag.
 * progress may be NULL.
 */
typedef void (*tp_progress_fn)(void *ctx, double percent, const char *message);
int tp_import(const struct tp_importer *importer, struct tp_input *in, int width, int height,
              struct tp_sink *sink, tp_progress_fn progress, void *progress_ctx,
              struct tp_diag *diag);

/* ------------------------------------------------------------------ exporters */

struct tp_exporter {
    const char *name;       /* CLI name, lower case: "pftrack5" */
    const char *human_name; /* "PFTrack v5 .2dt file" */
    const char *suffix;     /* output name suffix: "pftrack_v5.2dt" */
    const char *application; /* the application that reads it, for grouping: "PFTrack" */
    const char *note;        /* one line on versions and use: "PFTrack 5; single camera" */
    size_t state_size;      /* bytes of zeroed state handed to every callback */
    int (*begin)(void *state, struct tp_out *out, int width, int height);
    /* tracker receives whole trackers (len >= 1, sorted) in import order. */
    int (*tracker)(void *state, struct tp_out *out, const struct tp_tracker *t);
    int (*end)(void *state, struct tp_out *out);
    /* cleanup releases what state holds, whether or not end ran. May be NULL. */
    void (*cleanup)(void *state);
};

const struct tp_exporter *const *tp_exporters(size_t *count);
const struct tp_exporter *tp_find_exporter(const char *name);

/*
 * tp_export_sink_new makes a sink that writes every tracker to each exporter's out
 * (outs[i] borrowed, n pairs). end flushes every out. Caller owns *sink (destroy).
 * With two or more exporters on a machine with two or more CPUs, once some tens of
 * thousands of keyframes have gone through, a helper thread shares the exporters with the
 * calling one, tracker by tracker (joined per tracker, stopped by destroy): an exporter may
 * run on either thread, one call at a time, so it must keep all mutable state in its own
 * state and out. TRACKPORT_ONE_THREAD in the environment keeps everything on the calling
 * thread (for measurements).
 */
int tp_export_sink_new(const struct tp_exporter *const *exporters, struct tp_out *const *outs,
                       size_t n, struct tp_sink **sink);

/* ------------------------------------------------------------------ tools (edits) */

/*
 * An edit list is an ordered list of tools with their parameters, built from CLI-style
 * flags ("xscale" "2") or from the web form. Every flag added is one more tool, applied in
 * the order added: a flag given twice is two tools (two slips add up, two flips cancel).
 */
struct tp_edits;

/* A flag a tool accepts, for help texts and the web API. */
struct tp_tool_flag {
    const char *flag;   /* "xscale" (the CLI spells it --xscale) */
    const char *tool;   /* "scaler" */
    const char *kind;   /* "number", "integer", "text", "list" (comma separated) or "switch" */
    const char *help;   /* one line */
};

const struct tp_tool_flag *tp_tool_flags(size_t *count);

/* tp_edits_new returns an empty list or NULL on allocation failure. */
struct tp_edits *tp_edits_new(void);
void tp_edits_free(struct tp_edits *edits);
/* tp_edits_add parses value for flag (value ignored for switches, may be NULL). Returns
 * TP_ERR_BAD_ARGUMENT with a message naming the flag on an unknown flag or bad value. */
int tp_edits_add(struct tp_edits *edits, const char *flag, const char *value,
                 struct tp_diag *diag);
/* tp_edits_count is the number of tools in the list. */
size_t tp_edits_count(const struct tp_edits *edits);
/* tp_edits_wrap builds the tool sinks in front of next; *head is the first sink (next
 * itself when the list is empty or NULL). The new sinks' next chain ends at next; destroy
 * them with tp_sink_destroy_chain only down to (excluding) next: use tp_edits_unwrap. */
int tp_edits_wrap(const struct tp_edits *edits, struct tp_sink *next, struct tp_sink **head,
                  struct tp_diag *diag);
/* tp_edits_unwrap destroys the sinks tp_edits_wrap made, leaving next alone. */
void tp_edits_unwrap(struct tp_sink *head, struct tp_sink *next);

/* ------------------------------------------------------------------ pipeline */

struct tp_convert_options {
    const char *input_path;           /* borrowed */
    const char *input_name;           /* name for detection and output names; NULL: input_path */
    const char *importer;             /* NULL: detect */
    int width, height;                /* 0: not given */
    const char *const *exporters;     /* names; NULL: every exporter */
    size_t exporter_count;
    const char *output_dir;           /* NULL: the input's folder */
    const struct tp_edits *edits;     /* NULL: none */
    tp_progress_fn progress;          /* may be NULL */
    void *progress_ctx;
    volatile const int *cancel;       /* non-zero: stop soon with TP_ERR_CANCELLED; may be NULL */
    /* Watchers (borrowed, may be NULL) see the stream without changing it, in the same pass:
     * watch_input each tracker as imported (before the edits), watch_output each tracker as
     * the exporters get it. tp_convert calls their begin, tracker and end and never their
     * destroy or next (a watcher may forward to its own next). They must not modify the
     * tracker; a non-zero return stops the conversion like any sink's. */
    struct tp_sink *watch_input;
    struct tp_sink *watch_output;
    /* Bounds (0: none). max_keyframes: keyframes reaching the exporters, all trackers
     * together. max_output_bytes: bytes of all outputs together; a tracker is refused before
     * it is written when the output, estimated from what each exporter writes per keyframe,
     * would cross it. Crossing either fails with TP_ERR_LIMIT and a sentence estimating how
     * much the job would have written. */
    uint64_t max_keyframes;
    uint64_t max_output_bytes;
};

struct tp_output_file {
    const struct tp_exporter *exporter;
    char *path; /* owned */
    uint64_t bytes;
};

struct tp_convert_result {
    const struct tp_importer *importer;
    int width, height;
    size_t trackers, keyframes;
    struct tp_output_file *outputs; /* owned, in exporter order */
    size_t output_count;
};

/*
 * tp_convert runs detect, import, edits and every selected exporter. Outputs are named
 * "<input base>_<suffix>", written under temporary names and renamed when all succeeded;
 * on failure none are left. Caller owns result (tp_convert_result_cleanup, also after a
 * failure).
 */
int tp_convert(const struct tp_convert_options *opts, struct tp_convert_result *result,
               struct tp_diag *diag);
void tp_convert_result_cleanup(struct tp_convert_result *result);

/* tp_output_base returns the input's file name without directory and last extension, as
 * the output names use it. Caller owns the result (free); NULL on allocation failure. */
char *tp_output_base(const char *input_name);

/* ------------------------------------------------------------------ utilities */

/* tp_strcaseeq compares ASCII case-insensitively. */
bool tp_strcaseeq(const char *a, const char *b);
/* tp_utf8_repair returns a copy of s (len bytes) in which every byte that does not begin
 * or continue a valid UTF-8 sequence (overlong forms, surrogates and code points past
 * U+10FFFF included) and every NUL is replaced by U+FFFD, so that names taken from files
 * and uploads can go into JSON, HTML and SVG. Caller owns the result (free); NULL on
 * allocation failure. */
char *tp_utf8_repair(const char *s, size_t len);
/* tp_parse_double parses a whole token (leading/trailing spaces allowed) as a finite double. */
bool tp_parse_double(const char *s, size_t len, double *out);
/* tp_parse_int parses a whole token as an int within INT_MIN..INT_MAX. */
bool tp_parse_int(const char *s, size_t len, int *out);

#ifdef __cplusplus
}
#endif
#endif
