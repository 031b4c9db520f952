/* main.c — trackport-dispatcher: runs the dispatcher in the foreground (operators, tests) or,
 * with --lifeline, as the child the site starts (disp_spawn.h). */
#include "config.h"
#include "disp_loop.h"
#include "jobs_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct dispatcher_main {
    struct disp_config cfg;
    const char *config_path;
    int lifeline;
};

static int usage(FILE *to, int status)
{
    fprintf(to, "Usage: trackport-dispatcher [--config FILE] [--set KEY=VALUE]... [--lifeline FD]\n"
                "\n"
                "Runs the trackport job dispatcher for the configured data_dir until SIGTERM.\n"
                "Exits at once (status 0) when another dispatcher already runs there.\n"
                "  --config FILE      configuration (default: $TRACKPORT_CONFIG, else defaults)\n"
                "  --set KEY=VALUE    override one configuration key\n"
                "  --lifeline FD      stop when this pipe reaches end of file (the parent left)\n");
    return status;
}

int main(int argc, char **argv)
{
    static struct dispatcher_main m; /* the executable's one state struct */
    m.lifeline = -1;
    const char *sets[64];
    int nsets = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--config") == 0 && i + 1 < argc) {
            m.config_path = argv[++i];
        } else if (strcmp(a, "--lifeline") == 0 && i + 1 < argc) {
            char *end;
            long fd = strtol(argv[++i], &end, 10);
            if (*end || fd < 0 || fd > 65535)
                return usage(stderr, 2);
            m.lifeline = (int)fd;
        } else if (strcmp(a, "--set") == 0 && i + 1 < argc && nsets < 64) {
            sets[nsets++] = argv[++i];
        } else if (strcmp(a, "--help") == 0) {
            return usage(stdout, 0);
        } else {
            return usage(stderr, 2);
        }
    }
    char err[1024];
    if (disp_config_load(m.config_path, &m.cfg, err, sizeof err) != 0) {
        fprintf(stderr, "trackport-dispatcher: %s\n", err);
        return 2;
    }
    for (int i = 0; i < nsets; i++) {
        char key[128];
        const char *eq = strchr(sets[i], '=');
        if (!eq || (size_t)(eq - sets[i]) >= sizeof key) {
            fprintf(stderr, "trackport-dispatcher: --set wants KEY=VALUE\n");
            return 2;
        }
        memcpy(key, sets[i], (size_t)(eq - sets[i]));
        key[eq - sets[i]] = '\0';
        if (disp_config_set(&m.cfg, key, eq + 1, err, sizeof err) != 0) {
            fprintf(stderr, "trackport-dispatcher: %s\n", err);
            return 2;
        }
    }
    if (nsets && disp_config_finish(&m.cfg, err, sizeof err) != 0) {
        fprintf(stderr, "trackport-dispatcher: %s\n", err);
        return 2;
    }
    /* Bind every symbol of every library now, once, by running again with LD_BIND_NOW. Lazily
     * bound, each converter child would resolve on first call every function the dispatcher
     * never called itself, writing GOT entries into pages it shares with us: measured, one
     * page fault in nine of a tiny job's child. If the exec fails, we just go on lazily. */
    if (!getenv("LD_BIND_NOW") && setenv("LD_BIND_NOW", "1", 1) == 0) {
        execv("/proc/self/exe", argv);
        unsetenv("LD_BIND_NOW");
    }
    return disp_loop_run(&m.cfg, m.lifeline);
}
