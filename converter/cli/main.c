/* main.c — the trackport command line: one tracking file in, every format out. */
#include "trackport.h"

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ONLY 64

struct cli {
    struct tp_convert_options opts;
    struct tp_edits *edits;
    const char *only[MAX_ONLY];
    size_t only_count;
    char *only_storage[MAX_ONLY];
    bool bar;
    int bar_last;
};

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: trackport [-f IMPORTER] [-w WIDTH] [-h HEIGHT] [--only EXPORTER]\n"
            "                 [-o OUTDIR] [edits] INPUT\n"
            "\n"
            "Converts one 2D tracking file into every supported format, written next to the\n"
            "input (or into OUTDIR) as <input name>_<format suffix>.\n"
            "\n"
            "  -f, --from IMPORTER     read the input with this importer (default: detect)\n"
            "  -w, --width PIXELS      comp width, for formats that do not carry it\n"
            "  -h, --height PIXELS     comp height, for formats that do not carry it\n"
            "      --only EXPORTER     write only this format (repeat or comma-separate)\n"
            "  -o, --output-dir DIR    write the outputs into DIR\n"
            "      --list-importers    list the importers and exit\n"
            "      --list-exporters    list the exporters and exit\n"
            "      --version           print the version and exit\n"
            "      --help              print this help and exit\n"
            "\nEdits, applied in the order given:\n");
    size_t n;
    const struct tp_tool_flag *flags = tp_tool_flags(&n);
    for (size_t i = 0; i < n; i++) {
        const char *arg = strcmp(flags[i].kind, "switch") == 0 ? "" : " VALUE";
        char left[64];
        snprintf(left, sizeof left, "--%s%s", flags[i].flag, arg);
        fprintf(to, "      %-22s %s\n", left, flags[i].help);
    }
}

static void list_importers(void)
{
    size_t n;
    const struct tp_importer *const *all = tp_importers(&n);
    printf("The following import modules are available:\n");
    for (size_t i = 0; i < n; i++)
        printf("\t%s - %s\n", all[i]->name, all[i]->human_name);
}

static void list_exporters(void)
{
    size_t n;
    const struct tp_exporter *const *all = tp_exporters(&n);
    printf("The following export modules are available:\n");
    for (size_t i = 0; i < n; i++)
        printf("\t%s - %s (%s)\n", all[i]->name, all[i]->human_name, all[i]->suffix);
}

static void progress(void *ctx, double percent, const char *message)
{
    struct cli *cli = ctx;
    (void)message;
    if (!cli->bar)
        return;
    int p = (int)percent;
    if (p == cli->bar_last)
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

__attribute__((format(printf, 1, 2))) static int die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "trackport: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

static bool parse_size(const char *s, int *out)
{
    return s && tp_parse_int(s, strlen(s), out) && *out > 0 && *out <= 1000000;
}

static const struct tp_tool_flag *find_flag(const char *name)
{
    size_t n;
    const struct tp_tool_flag *flags = tp_tool_flags(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(flags[i].flag, name) == 0)
            return &flags[i];
    return NULL;
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
    }
    for (char *save = NULL, *name = strtok_r(copy, ",", &save); name;
         name = strtok_r(NULL, ",", &save)) {
        if (cli->only_count == MAX_ONLY)
            return die("%s", "too many --only exporters");
        cli->only[cli->only_count++] = name;
    }
    return 0;
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(struct cli *cli, int argc, char **argv)
{
    const char *input = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = NULL;
        char name[64];
        if (strncmp(a, "--", 2) == 0 && a[2]) {
            const char *eq = strchr(a, '=');
            size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            if (len >= sizeof name)
                return die("unknown option %s (see --help)", a);
            memcpy(name, a + 2, len);
            name[len] = '\0';
            value = eq ? eq + 1 : NULL;
        } else if (a[0] == '-' && a[1] && !a[2]) {
            static const struct { char c; const char *name; } shorts[] = {
                {'f', "from"}, {'w', "width"}, {'h', "height"}, {'o', "output-dir"}};
            name[0] = '\0';
            for (size_t k = 0; k < sizeof shorts / sizeof shorts[0]; k++)
                if (shorts[k].c == a[1])
                    snprintf(name, sizeof name, "%s", shorts[k].name);
            if (!name[0])
                return die("unknown option %s (see --help)", a);
        } else {
            if (input)
                return die("more than one input file given (%s); see --help", a);
            input = a;
            continue;
        }

        if (strcmp(name, "help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(name, "version") == 0) {
            printf("trackport %s\n", TP_VERSION);
            return 0;
        }
        if (strcmp(name, "list-importers") == 0) {
            list_importers();
            return 0;
        }
        if (strcmp(name, "list-exporters") == 0) {
            list_exporters();
            return 0;
        }
        const struct tp_tool_flag *flag = find_flag(name);
        bool is_switch = flag && strcmp(flag->kind, "switch") == 0;
        bool known = flag || !strcmp(name, "from") || !strcmp(name, "width") ||
                     !strcmp(name, "height") || !strcmp(name, "only") ||
                     !strcmp(name, "output-dir");
        if (!known)
            return die("unknown option %s (see --help)", a);
        if (!value && !is_switch) {
            if (i + 1 >= argc)
                return die("option %s needs a value", a);
            value = argv[++i];
        }
        if (strcmp(name, "from") == 0) {
            cli->opts.importer = value;
        } else if (strcmp(name, "width") == 0) {
            if (!parse_size(value, &cli->opts.width))
                return die("the width must be a whole number of pixels, not \"%s\"", value);
        } else if (strcmp(name, "height") == 0) {
            if (!parse_size(value, &cli->opts.height))
                return die("the height must be a whole number of pixels, not \"%s\"", value);
        } else if (strcmp(name, "only") == 0) {
            int rc = add_only(cli, value);
            if (rc)
                return rc;
        } else if (strcmp(name, "output-dir") == 0) {
            cli->opts.output_dir = value;
        } else {
            struct tp_diag diag = {0};
            if (tp_edits_add(cli->edits, name, value, &diag))
                return die("%s", diag.message);
        }
    }
    if (!input)
        return die("%s", "no input file given; see --help");
    if (cli->opts.importer && !tp_find_importer(cli->opts.importer)) {
        fprintf(stderr, "trackport: unknown importer \"%s\"; known importers:", cli->opts.importer);
        size_t n;
        const struct tp_importer *const *all = tp_importers(&n);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %s", all[i]->name);
        fputc('\n', stderr);
        return 2;
    }
    for (size_t i = 0; i < cli->only_count; i++) {
        if (!tp_find_exporter(cli->only[i])) {
            fprintf(stderr, "trackport: unknown exporter \"%s\"; known exporters:", cli->only[i]);
            size_t n;
            const struct tp_exporter *const *all = tp_exporters(&n);
            for (size_t k = 0; k < n; k++)
                fprintf(stderr, " %s", all[k]->name);
            fputc('\n', stderr);
            return 2;
        }
    }
    if (access(input, R_OK) != 0)
        return die("cannot read the input file %s", input);
    cli->opts.input_path = input;
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
        fprintf(stderr, "trackport: cannot create the output folder %s: %s\n",
                cli.opts.output_dir, strerror(errno));
        status = 1;
    }
    if (status < 0) {
        cli.opts.edits = cli.edits;
        cli.opts.progress = progress;
        cli.opts.progress_ctx = &cli;
        cli.bar = isatty(STDERR_FILENO);
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
