/*
 * main.c — the trackport command line: one tracking file in, every format out.
 *
 * It takes Tracksperanto's command line as that program's option parser (Ruby's
 * OptionParser) takes it, so scripts and habits carry over:
 *   - every option it declares, with its meaning and its one-letter forms; where it declares
 *     one letter twice the later declaration wins, as there (-x is --xshift, -r --reformat-y);
 *   - unambiguous prefixes of long options (--wid 1920), case-insensitive as a last resort;
 *     an ambiguous one is refused naming the candidates; a letter declared nowhere is taken
 *     as a prefix of the long options (-v is --version);
 *   - values attached to a letter (-w1920) or after '=' (--width=1920), switches bundled
 *     (-gt), "--" ending the options, options and the input in any order.
 * Its own options (--output-dir, --formats, --help) rank below the reference's when a
 * prefix is resolved, so a prefix that meant one of the reference's options still does.
 *
 * Every error is one line on stderr and exit status 1, as the reference's uncaught
 * exceptions give.
 */
#include "trackport.h"

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ONLY 64
#define CANDIDATES_MAX 512

enum cli_action {
    CLI_EDIT, /* the option's name is the edit flag */
    CLI_FROM,
    CLI_WIDTH,
    CLI_HEIGHT,
    CLI_ONLY,
    CLI_OUTPUT_DIR,
    CLI_LIST_IMPORTERS,
    CLI_LIST_EXPORTERS,
    CLI_FORMATS,
    CLI_VERSION,
    CLI_TRACE,
    CLI_CODE,
    CLI_HELP,
};

struct cli_option {
    const char *name;     /* long form, without "--" */
    char letter;          /* one-letter form, 0: none */
    const char *declared; /* the reference's multi-letter short declaration ("-xs"), or NULL */
    const char *value;    /* name of the value in the help, NULL: a switch */
    enum cli_action action;
    bool reference;   /* declared by the reference (ranks first when resolving prefixes) */
    const char *help; /* NULL: the edit's own help line */
};

/*
 * The reference's declarations, in its order, then trackport's own. Letters: where the
 * reference declares "-xs" OptionParser takes "-x" with a value pattern "s"; the last
 * declaration of a letter wins, so -x is --xshift, -y --yshift, -r --reformat-y, -p
 * --prefix, -c --crop and -a --autoslip. The whole multi-letter words (-xs 2, -pad ...)
 * fail or mean something else there; trackport accepts them as what their users meant.
 * The reference's -a/--autoslip also swallows the next argument (its "-as" declaration
 * gave it a value); here it is the switch it was meant to be.
 */
static const struct cli_option cli_options[] = {
    {"from", 'f', NULL, "IMPORTER", CLI_FROM, true,
     "read the input with this importer (default: detect)"},
    {"width", 'w', NULL, "PIXELS", CLI_WIDTH, true, "comp width, for formats that do not carry it"},
    {"height", 'h', NULL, "PIXELS", CLI_HEIGHT, true,
     "comp height, for formats that do not carry it"},
    {"only", 'o', NULL, "EXPORTER", CLI_ONLY, true,
     "write only this format (repeat or comma-separate for several)"},
    {"xscale", 0, "-xs", "FACTOR", CLI_EDIT, true, NULL},
    {"pad", 0, "-pad", "L,R,T,B", CLI_EDIT, true, NULL},
    {"undistort", 'u', NULL, "K[,KCUBE]", CLI_EDIT, true, NULL},
    {"distort", 'd', NULL, "K[,KCUBE]", CLI_EDIT, true, NULL},
    {"crop", 'c', "-crop", "L,R,T,B", CLI_EDIT, true, NULL},
    {"yscale", 0, "-ys", "FACTOR", CLI_EDIT, true, NULL},
    {"trim", 't', NULL, NULL, CLI_EDIT, true, NULL},
    {"slip", 's', NULL, "FRAMES", CLI_EDIT, true, NULL},
    {"golden", 'g', NULL, NULL, CLI_EDIT, true, NULL},
    {"min-length", 'm', NULL, "KEYFRAMES", CLI_EDIT, true, NULL},
    {"prefix", 'p', NULL, "TEXT", CLI_EDIT, true, NULL},
    {"autoslip", 'a', "-as", NULL, CLI_EDIT, true, NULL},
    {"lerp", 0, NULL, NULL, CLI_EDIT, true, NULL},
    {"flip", 0, NULL, NULL, CLI_EDIT, true, NULL},
    {"flop", 0, NULL, NULL, CLI_EDIT, true, NULL},
    {"reformat-x", 0, "-rx", "PIXELS", CLI_EDIT, true, NULL},
    {"reformat-y", 'r', "-ry", "PIXELS", CLI_EDIT, true, NULL},
    {"xshift", 'x', "-xm", "PIXELS", CLI_EDIT, true, NULL},
    {"yshift", 'y', "-ym", "PIXELS", CLI_EDIT, true, NULL},
    {"list-exporters", 0, NULL, NULL, CLI_LIST_EXPORTERS, true,
     "list the exporters (on stderr, as Tracksperanto) and exit"},
    {"list-importers", 0, NULL, NULL, CLI_LIST_IMPORTERS, true,
     "list the importers (on stderr, as Tracksperanto) and exit"},
    {"version", 0, NULL, NULL, CLI_VERSION, true, "print the version and exit"},
    {"trace", 0, NULL, NULL, CLI_TRACE, true, "print every progress message as \"[N -> message]\""},
    {"code", 0, NULL, "PATH", CLI_CODE, true,
     "(Tracksperanto's Ruby plugins: refused, trackport is not Ruby)"},
    {"output-dir", 0, NULL, "DIR", CLI_OUTPUT_DIR, false,
     "write the outputs into DIR (made if missing) instead of next to the input"},
    {"formats", 0, NULL, NULL, CLI_FORMATS, false,
     "list importers and exporters with output suffixes on stdout and exit"},
    {"help", 0, NULL, NULL, CLI_HELP, false, "print this help and exit"},
};

#define CLI_OPTION_COUNT (sizeof cli_options / sizeof cli_options[0])

struct cli {
    struct tp_convert_options opts;
    struct tp_edits *edits;
    const char *only[MAX_ONLY];
    size_t only_count;
    char *only_storage[MAX_ONLY];
    const char *input;
    bool bar, trace;
    int bar_last;
};

__attribute__((format(printf, 1, 2))) static int die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "trackport: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static const char *option_help(const struct cli_option *o)
{
    if (o->help)
        return o->help;
    size_t n;
    const struct tp_tool_flag *flags = tp_tool_flags(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(flags[i].flag, o->name) == 0)
            return flags[i].help;
    return "";
}

static void usage(FILE *to)
{
    fprintf(to, "Usage: trackport [options] INPUT\n"
                "  e.g. trackport -f shakescript -w 1920 -h 1080 --only nukescript script.shk\n"
                "\n"
                "Converts one 2D tracking file into every supported format (or those --only\n"
                "names), written next to the input as <input name>_<format suffix>. Edits apply\n"
                "in the order given, one per flag given (a flag given twice edits twice).\n"
                "Long options may be shortened to any unambiguous prefix.\n\n");
    for (size_t i = 0; i < CLI_OPTION_COUNT; i++) {
        const struct cli_option *o = &cli_options[i];
        char left[64];
        int n = 0;
        if (o->letter)
            n = snprintf(left, sizeof left, "-%c, ", o->letter);
        else
            n = snprintf(left, sizeof left, "    ");
        snprintf(left + n, sizeof left - (size_t)n, "--%s%s%s", o->name, o->value ? " " : "",
                 o->value ? o->value : "");
        fprintf(to, "  %-28s %s\n", left, option_help(o));
        if (i + 1 < CLI_OPTION_COUNT && o->reference && !cli_options[i + 1].reference)
            fputc('\n', to);
    }
    fprintf(to,
            "\nAlso accepted as Tracksperanto users write them: -xs -ys -pad -crop -as -rx -ry\n"
            "-xm -ym, each as the long option it stands for (--xscale ... --yshift).\n");
}

/* The reference's lists: on stderr, each name quoted, as its bin/tracksperanto prints them. */
static void list_importers(FILE *to)
{
    size_t n;
    const struct tp_importer *const *all = tp_importers(&n);
    fprintf(to, "The following import modules are available:\n");
    for (size_t i = 0; i < n; i++)
        fprintf(to, "\t\"%s\" - %s\n", all[i]->name, all[i]->human_name);
}

static void list_exporters(FILE *to)
{
    size_t n;
    const struct tp_exporter *const *all = tp_exporters(&n);
    fprintf(to, "The following export modules are available:\n");
    for (size_t i = 0; i < n; i++)
        fprintf(to, "\t\"%s\" - %s\n", all[i]->name, all[i]->human_name);
}

/* trackport's own layout: unquoted names, exporters with the suffix of the file they write. */
static void list_formats(void)
{
    size_t n;
    const struct tp_importer *const *imp = tp_importers(&n);
    printf("Importers (-f):\n");
    for (size_t i = 0; i < n; i++)
        printf("\t%s - %s\n", imp[i]->name, imp[i]->human_name);
    const struct tp_exporter *const *exp = tp_exporters(&n);
    printf("Exporters (--only) and the suffix of the file each writes:\n");
    for (size_t i = 0; i < n; i++)
        printf("\t%s - %s (%s)\n", exp[i]->name, exp[i]->human_name, exp[i]->suffix);
}

static void progress(void *ctx, double percent, const char *message)
{
    struct cli *cli = ctx;
    int p = (int)percent;
    if (cli->trace) {
        printf("[%d -> %s]\n", p, message ? message : "");
        fflush(stdout);
    }
    if (!cli->bar || p == cli->bar_last)
        return;
    cli->bar_last = p;
    char bar[41];
    int filled = p * 40 / 100;
    for (int i = 0; i < 40; i++)
        bar[i] = i < filled ? '#' : ' ';
    bar[40] = '\0';
    fprintf(stderr, "\rConverting |%s| %3d%%", bar, p);
    if (p >= 100)
        fputc('\n', stderr);
    fflush(stderr);
}

static bool parse_size(const char *s, int *out)
{
    return s && tp_parse_int(s, strlen(s), out) && *out > 0 && *out <= 1000000;
}

static int add_only(struct cli *cli, const char *list)
{
    char *copy = strdup(list);
    if (!copy)
        return die("%s", "out of memory");
    for (size_t i = 0; i < MAX_ONLY; i++) {
        if (!cli->only_storage[i]) {
            cli->only_storage[i] = copy;
            break;
        }
        if (i == MAX_ONLY - 1) {
            free(copy);
            return die("%s", "too many --only options");
        }
    }
    size_t before = cli->only_count;
    for (char *save = NULL, *name = strtok_r(copy, ",", &save); name;
         name = strtok_r(NULL, ",", &save)) {
        if (cli->only_count == MAX_ONLY)
            return die("%s", "too many --only exporters");
        cli->only[cli->only_count++] = name;
    }
    /* "--only ''" names no exporter: an unknown one, not every one. */
    if (cli->only_count == before) {
        fprintf(stderr, "trackport: unknown exporter \"%s\"\n", list);
        list_exporters(stderr);
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ resolving names */

/*
 * find_long resolves name[0..len) to an option: an exact name first, then, tier by tier
 * (the reference's options, then trackport's), a unique prefix, case-sensitive before
 * case-insensitive when icase allows (OptionParser tries case only for long options, not
 * for a letter it completes). Returns the option, or NULL with *ambiguous set when a tier had
 * several candidates (listed in candidates) and unset when nothing matched.
 */
static const struct cli_option *find_long(const char *name, size_t len, bool icase_allowed,
                                          bool *ambiguous, char *candidates, size_t size)
{
    *ambiguous = false;
    for (size_t i = 0; i < CLI_OPTION_COUNT; i++)
        if (strlen(cli_options[i].name) == len && strncmp(cli_options[i].name, name, len) == 0)
            return &cli_options[i];
    if (len == 0)
        return NULL;
    for (int tier = 0; tier < 2; tier++) {
        for (int icase = 0; icase < (icase_allowed ? 2 : 1); icase++) {
            const struct cli_option *found = NULL;
            size_t count = 0, used = 0;
            candidates[0] = '\0';
            for (size_t i = 0; i < CLI_OPTION_COUNT; i++) {
                const struct cli_option *o = &cli_options[i];
                if (o->reference != (tier == 0))
                    continue;
                bool match =
                    icase ? strncasecmp(o->name, name, len) == 0 : strncmp(o->name, name, len) == 0;
                if (!match)
                    continue;
                found = o;
                count++;
                int n =
                    snprintf(candidates + used, size - used, "%s--%s", used ? ", " : "", o->name);
                if (n > 0 && (size_t)n < size - used)
                    used += (size_t)n;
            }
            if (count == 1)
                return found;
            if (count > 1) {
                *ambiguous = true;
                return NULL;
            }
        }
    }
    return NULL;
}

static const struct cli_option *find_letter(char letter)
{
    for (size_t i = 0; i < CLI_OPTION_COUNT; i++)
        if (cli_options[i].letter == letter)
            return &cli_options[i];
    return NULL;
}

static const struct cli_option *find_declared(const char *arg)
{
    for (size_t i = 0; i < CLI_OPTION_COUNT; i++)
        if (cli_options[i].declared && strcmp(cli_options[i].declared, arg) == 0)
            return &cli_options[i];
    return NULL;
}

/* ------------------------------------------------------------------ applying options */

/* Applies o with value (NULL for switches). Returns -1 to go on, or an exit status. */
static int apply(struct cli *cli, const struct cli_option *o, const char *value)
{
    switch (o->action) {
    case CLI_HELP:
        usage(stdout);
        return 0;
    case CLI_VERSION:
        printf("trackport %s (reads and writes as Tracksperanto 4.2.0)\n", TP_VERSION);
        return 0;
    case CLI_LIST_IMPORTERS:
        list_importers(stderr);
        return 0;
    case CLI_LIST_EXPORTERS:
        list_exporters(stderr);
        return 0;
    case CLI_FORMATS:
        list_formats();
        return 0;
    case CLI_CODE:
        return die("--code loads Ruby code into Tracksperanto; trackport is not Ruby and cannot "
                   "load %s",
                   value);
    case CLI_TRACE:
        cli->trace = true;
        return -1;
    case CLI_FROM:
        cli->opts.importer = value;
        return -1;
    case CLI_WIDTH:
        if (!parse_size(value, &cli->opts.width))
            return die("the width must be a whole number of pixels, not \"%s\"", value);
        return -1;
    case CLI_HEIGHT:
        if (!parse_size(value, &cli->opts.height))
            return die("the height must be a whole number of pixels, not \"%s\"", value);
        return -1;
    case CLI_ONLY: {
        int rc = add_only(cli, value);
        return rc ? rc : -1;
    }
    case CLI_OUTPUT_DIR:
        cli->opts.output_dir = value;
        return -1;
    case CLI_EDIT: {
        struct tp_diag diag = {0};
        if (tp_edits_add(cli->edits, o->name, value, &diag))
            return die("%s", diag.message);
        return -1;
    }
    }
    return -1;
}

/*
 * take_value gives o its value: the attached text when there is one, else the next
 * argument (whatever it looks like, as OptionParser does: --slip -3). Returns -1 to go on
 * with *value set, or an exit status.
 */
static int take_value(const struct cli_option *o, const char *attached, const char *spelt, int argc,
                      char **argv, int *i, const char **value)
{
    if (attached) {
        *value = attached;
        return -1;
    }
    if (*i + 1 >= argc)
        return die("option %s needs a value (%s)", spelt, o->value);
    *value = argv[++*i];
    return -1;
}

static int parse_long(struct cli *cli, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char *eq = strchr(a + 2, '=');
    size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    bool ambiguous;
    char candidates[CANDIDATES_MAX];
    const struct cli_option *o =
        find_long(a + 2, len, true, &ambiguous, candidates, sizeof candidates);
    if (ambiguous)
        return die("ambiguous option %.*s: it could be %s", (int)len + 2, a, candidates);
    if (!o)
        return die("unknown option %.*s (see --help)", (int)len + 2, a);
    const char *value = NULL;
    if (!o->value) {
        if (eq)
            return die("option --%s takes no value (%s)", o->name, a);
    } else {
        int rc = take_value(o, eq ? eq + 1 : NULL, a, argc, argv, i, &value);
        if (rc >= 0)
            return rc;
    }
    return apply(cli, o, value);
}

/* parse_short reads "-x...": one letter, then its value or more bundled switches. */
static int parse_short(struct cli *cli, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const struct cli_option *o = find_declared(a);
    if (o) {
        const char *value = NULL;
        if (o->value) {
            int rc = take_value(o, NULL, a, argc, argv, i, &value);
            if (rc >= 0)
                return rc;
        }
        return apply(cli, o, value);
    }
    for (const char *p = a + 1; *p;) {
        char spelt[3] = {'-', *p, '\0'};
        o = find_letter(*p);
        if (!o) {
            /* A letter declared nowhere is a prefix of the long options, as OptionParser
             * completes it (-v is --version); otherwise the whole word is unknown. */
            bool ambiguous;
            char candidates[CANDIDATES_MAX];
            o = find_long(p, 1, false, &ambiguous, candidates, sizeof candidates);
            if (ambiguous)
                return die("ambiguous option -%c: it could be %s", *p, candidates);
            if (!o)
                return die("unknown option %s (see --help)", p == a + 1 ? a : spelt);
        }
        const char *rest = p[1] ? p + 1 : NULL;
        if (o->value) {
            const char *value = NULL;
            int rc = take_value(o, rest, spelt, argc, argv, i, &value);
            if (rc >= 0)
                return rc;
            return apply(cli, o, value);
        }
        int rc = apply(cli, o, NULL);
        if (rc >= 0)
            return rc;
        p++; /* bundled switches: -gt is -g -t */
    }
    return -1;
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(struct cli *cli, int argc, char **argv)
{
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int rc = -1;
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
        } else if (!options_done && strncmp(a, "--", 2) == 0) {
            rc = parse_long(cli, argc, argv, &i);
        } else if (!options_done && a[0] == '-' && a[1]) {
            rc = parse_short(cli, argc, argv, &i);
        } else if (cli->input) {
            return die("more than one input file given (%s and %s); see --help", cli->input, a);
        } else {
            cli->input = a;
        }
        if (rc >= 0)
            return rc;
    }
    if (!cli->input)
        return die("%s", "no input file given: it should be the last argument; see --help");
    if (cli->opts.importer && !tp_find_importer(cli->opts.importer)) {
        fprintf(stderr, "trackport: unknown importer \"%s\"\n", cli->opts.importer);
        list_importers(stderr);
        return 1;
    }
    for (size_t i = 0; i < cli->only_count; i++) {
        if (!tp_find_exporter(cli->only[i])) {
            fprintf(stderr, "trackport: unknown exporter \"%s\"\n", cli->only[i]);
            list_exporters(stderr);
            return 1;
        }
    }
    /* The reference passes the size on only as a pair: a lone -w or -h is ignored by a
     * format that carries its size and leaves one that does not asking for both. */
    if ((cli->opts.width > 0) != (cli->opts.height > 0))
        cli->opts.width = cli->opts.height = 0;
    if (access(cli->input, R_OK) != 0)
        return die("cannot read the input file %s", cli->input);
    cli->opts.input_path = cli->input;
    if (cli->only_count) {
        cli->opts.exporters = cli->only;
        cli->opts.exporter_count = cli->only_count;
    }
    return -1;
}

/* Set by the first SIGINT, SIGTERM or SIGHUP: the conversion stops at the next tracker and
 * removes what it wrote, then the signal is raised again so the caller sees it. A second
 * one kills at once (SA_RESETHAND); outputs are anonymous files until complete, so even
 * that leaves nothing half-written. */
static volatile int cli_cancel;
static volatile sig_atomic_t cli_signal;

static void cli_on_stop(int sig)
{
    cli_signal = sig;
    cli_cancel = 1;
}

static void cli_catch_signals(struct cli *cli)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cli_on_stop;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* Past a file-size limit (ulimit -f) a write then fails with EFBIG and the conversion
     * ends with a message instead of the process dying mid-file. */
    signal(SIGXFSZ, SIG_IGN);
    cli->opts.cancel = &cli_cancel;
}

static void cli_reraise(void)
{
    if (!cli_signal)
        return;
    signal(cli_signal, SIG_DFL);
    raise(cli_signal);
}

int main(int argc, char **argv)
{
    struct cli cli = {.bar_last = -1};
    cli.edits = tp_edits_new();
    if (!cli.edits) {
        fprintf(stderr, "trackport: out of memory\n");
        return 1;
    }
    int status = parse_args(&cli, argc, argv);
    /* An output folder that does not exist yet is made (one level, as mkdir would). */
    if (status < 0 && cli.opts.output_dir && mkdir(cli.opts.output_dir, 0777) != 0 &&
        errno != EEXIST) {
        fprintf(stderr, "trackport: cannot create the output folder %s: %s\n", cli.opts.output_dir,
                strerror(errno));
        status = 1;
    }
    if (status < 0) {
        cli.opts.edits = cli.edits;
        cli.opts.progress = progress;
        cli.opts.progress_ctx = &cli;
        cli.bar = isatty(STDERR_FILENO) && !cli.trace;
        cli_catch_signals(&cli);
        struct tp_convert_result result;
        struct tp_diag diag = {0};
        int rc = tp_convert(&cli.opts, &result, &diag);
        if (rc) {
            if (cli.bar && cli.bar_last >= 0 && cli.bar_last < 100)
                fputc('\n', stderr);
            fprintf(stderr, "trackport: %s\n", diag.message[0] ? diag.message : tp_strerror(rc));
            status = 1;
        } else {
            printf("Found and converted %zu trackers with %zu keyframes.\n", result.trackers,
                   result.keyframes);
            status = 0;
        }
        tp_convert_result_cleanup(&result);
    }
    for (size_t i = 0; i < MAX_ONLY; i++)
        free(cli.only_storage[i]);
    tp_edits_free(cli.edits);
    cli_reraise();
    return status;
}
