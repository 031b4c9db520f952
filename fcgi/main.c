/*
 * main.c — trackport-fcgi: the site's FastCGI program.
 *
 * lighttpd starts it (mod_fastcgi bin-path) with the listening unix socket as descriptor 0
 * and the environment variable TRACKPORT_CONFIG naming the config file; it can also be run
 * by hand on a socket of its own (--socket PATH). Each process serves one request at a time
 * (lighttpd's max-procs sets how many run) and, at start, starts the dispatcher for its
 * data_dir; a lock lets exactly one run whichever process started it (see disp_spawn.h),
 * and every request checks it is still there (cheap), so restarting lighttpd restarts
 * everything and a dispatcher that died is replaced.
 *
 * The only mutable state is the one struct below.
 */
#include "web_app.h"
#include "web_check.h"
#include "web_http.h"
#include "web_routes.h"

#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct web_main {
    struct web_app app;
    FCGX_Request request;
    int listen_fd;
    const struct web_route *routes;
    size_t route_count;
};

static void usage(FILE *to)
{
    fprintf(to, "Usage: trackport-fcgi [--config FILE] [--socket PATH]\n"
                "\n"
                "The trackport site's FastCGI program. lighttpd normally starts it (bin-path)\n"
                "on its own socket; with --socket it listens on PATH itself.\n"
                "  --config FILE   the config file (default: $" DISP_CONFIG_ENV ")\n"
                "  --socket PATH   listen on this unix socket instead of descriptor 0\n"
                "  --check         print the config and what the site will use (programs,\n"
                "                  folders, servers) with whether each is usable, and exit:\n"
                "                  0 all usable, 1 bad config, 3 something is not usable\n"
                "  --lighttpd-limits\n"
                "                  print lighttpd's settings that follow from the config\n"
                "                  (server.max-request-size from web_max_upload_bytes), for\n"
                "                  lighttpd's include_shell\n");
}

/* Routes one request and answers it. */
static void main_serve(struct web_main *s)
{
    struct web_ctx ctx;
    web_ctx_init(&ctx, &s->app, &s->request, s->app.cfg.web_base_path);
    disp_ensure(&s->app.cfg, &s->app.dispatcher);
    struct web_match match;
    int rc = ctx.path_ok ? web_route_find(s->routes, s->route_count, ctx.method, ctx.path,
                                          ctx.path_len, &match)
                         : WEB_ROUTE_NOT_FOUND;
    if (rc == WEB_ROUTE_FOUND) {
        match.route->handler(&ctx, &match);
    } else if (rc == WEB_ROUTE_BAD_METHOD) {
        char allow[96];
        web_methods_format(match.allowed, allow, sizeof allow);
        web_header(&ctx, "Allow", "%s", allow);
        web_send_error(&ctx, 405, "This address does not accept %s requests (only %s).",
                       web_env(&ctx, "REQUEST_METHOD") ? web_env(&ctx, "REQUEST_METHOD") : "such",
                       allow);
    } else {
        web_send_error(&ctx, 404, "There is no such page.");
    }
    web_ctx_finish(&ctx);
}

/* SIGTERM (lighttpd stopping its backends) ends the accept loop instead of the process, so
 * that connections and the dispatcher's lifeline are closed in order and leak checkers see
 * a normal exit. Only a flag is set here (async-signal-safe); libfcgi's accept returns once
 * it is set, because the handler is installed without SA_RESTART. */
static int main_listen_fd = -1;

static void main_on_term(int sig)
{
    (void)sig;
    FCGX_ShutdownPending();
    /* Stop listening at once, even while a request is still being answered: a web server
     * started meanwhile must find the socket refusing connections, so that it spawns
     * processes of its own instead of handing requests to one that is leaving. */
    if (main_listen_fd >= 0)
        shutdown(main_listen_fd, SHUT_RDWR);
}

/* The only children of this process are the dispatchers it starts. One that lost the race
 * for the lock exits at once; reaping it here, rather than at the next request, keeps it
 * from lingering as a zombie on a quiet site. disp_ensure then finds its pid gone (ECHILD)
 * and knows it ended. SA_RESTART keeps accept() and reads going across the signal. */
static void main_on_child(int sig)
{
    (void)sig;
    int saved = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    errno = saved;
}

/* Under lighttpd (bin-path) nothing sends SIGTERM when lighttpd itself is killed with
 * SIGKILL: this process would keep answering on the old socket, and a restarted lighttpd,
 * finding the socket answered, would spawn none of its own. The kernel's parent-death
 * signal stands in for lighttpd's SIGTERM. It is asked for first thing, before the config
 * and the store are opened, since a young process is as likely to lose its parent; until
 * the handler is installed SIGTERM's default action simply ends the process. */
static void main_follow_parent(void)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}

/* True when the process that spawned us (spawner, read first thing in main) has gone
 * before the parent-death signal was asked for or handled. */
static bool main_orphaned(pid_t spawner)
{
    return getppid() != spawner;
}

static bool main_is_socket(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

int main(int argc, char **argv)
{
    static struct web_main state;
    pid_t spawner = getppid();
    const char *config = NULL, *socket_path = NULL;
    bool check = false, limits = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config = argv[++i];
        } else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
            socket_path = argv[++i];
        } else if (strcmp(argv[i], "--check") == 0) {
            check = true;
        } else if (strcmp(argv[i], "--lighttpd-limits") == 0) {
            limits = true;
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    if (!socket_path && !check && !limits) {
        main_follow_parent();
        if (main_orphaned(spawner))
            return 0;
    }
    if (check || limits) {
        char err[512] = "";
        struct disp_config cfg;
        if (disp_config_load(config, &cfg, err, sizeof err) != 0) {
            fprintf(stderr, "trackport-fcgi: %s\n", err);
            return 1;
        }
        if (limits) {
            printf("# from web_max_upload_bytes = %lld\nserver.max-request-size = %lld\n",
                   (long long)cfg.web_max_upload_bytes, disp_config_request_limit_kib(&cfg));
            return 0;
        }
        return web_check_report(&cfg, stdout) == 0 ? 0 : 3;
    }
    if (FCGX_Init() != 0) {
        fprintf(stderr, "trackport-fcgi: cannot initialise FastCGI\n");
        return 1;
    }
    state.listen_fd = 0;
    if (socket_path) {
        unlink(socket_path);
        state.listen_fd = FCGX_OpenSocket(socket_path, 128);
        if (state.listen_fd < 0) {
            fprintf(stderr, "trackport-fcgi: cannot listen on %s\n", socket_path);
            return 1;
        }
    } else if (!main_is_socket(0)) {
        fprintf(stderr, "trackport-fcgi: descriptor 0 is not a socket: run me from lighttpd "
                        "(bin-path) or give --socket PATH\n");
        usage(stderr);
        return 2;
    }
    char err[512] = "";
    struct sigaction child;
    memset(&child, 0, sizeof child);
    child.sa_handler = main_on_child;
    child.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&child.sa_mask);
    sigaction(SIGCHLD, &child, NULL);
    if (web_app_init(&state.app, config, err, sizeof err) != 0) {
        fprintf(stderr, "trackport-fcgi: %s\n", err);
        web_app_cleanup(&state.app);
        return 1;
    }
    state.routes = web_routes(&state.route_count);
    main_listen_fd = state.listen_fd;
    struct sigaction term;
    memset(&term, 0, sizeof term);
    term.sa_handler = main_on_term;
    sigemptyset(&term.sa_mask);
    sigaction(SIGTERM, &term, NULL);
    sigaction(SIGINT, &term, NULL);
    if (!socket_path && main_orphaned(spawner))
        main_on_term(SIGTERM);
    FCGX_InitRequest(&state.request, state.listen_fd, 0);
    while (FCGX_Accept_r(&state.request) >= 0) {
        main_serve(&state);
        FCGX_Finish_r(&state.request);
    }
    FCGX_Free(&state.request, 0);
    web_app_cleanup(&state.app);
    return 0;
}
