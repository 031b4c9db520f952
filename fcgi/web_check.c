/* web_check.c — the checks behind `trackport-fcgi --check`. Each line names the thing,
 * the path or address in use, and the verdict, so an operator can tell at once whether a
 * site runs the installed programs, on which folders, and which server is missing. */
#include "web_check.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct check_tally {
    FILE *to;
    int failed;
};

static void check_line(struct check_tally *t, int ok, const char *what, const char *path,
                       const char *verdict)
{
    fprintf(t->to, "# check: %-18s %s: %s%s\n", what, path, ok ? "" : "PROBLEM: ", verdict);
    if (!ok)
        t->failed++;
}

static const char *check_owner(uid_t uid, char *buf, size_t size)
{
    struct passwd *pw = getpwuid(uid);
    if (pw)
        snprintf(buf, size, "%s", pw->pw_name);
    else
        snprintf(buf, size, "uid %u", (unsigned)uid);
    return buf;
}

static void check_program(struct check_tally *t, const char *what, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        check_line(t, 0, what, path, strerror(errno));
    else if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0)
        check_line(t, 0, what, path, "not an executable file");
    else
        check_line(t, 1, what, path, "executable");
}

/* A folder the site writes into: it must exist (or its parent must let the site create
 * it) and be writable; its owner is shown because the site must run as that user. */
static void check_folder(struct check_tally *t, const char *what, const char *path)
{
    struct stat st;
    char verdict[256], owner[64];
    if (stat(path, &st) != 0) {
        snprintf(verdict, sizeof verdict, "%s", strerror(errno));
        check_line(t, 0, what, path, verdict);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        check_line(t, 0, what, path, "not a folder");
        return;
    }
    int writable = access(path, W_OK | X_OK) == 0;
    char me[64];
    snprintf(verdict, sizeof verdict, "folder owned by %s, %swritable by %s",
             check_owner(st.st_uid, owner, sizeof owner), writable ? "" : "not ",
             check_owner(geteuid(), me, sizeof me));
    check_line(t, writable, what, path, verdict);
}

static void check_log(struct check_tally *t, const char *path)
{
    if (!path[0]) {
        check_line(t, 1, "log_file", "stderr", "lighttpd's error log");
        return;
    }
    char verdict[256];
    if (access(path, F_OK) == 0) {
        int ok = access(path, W_OK) == 0;
        snprintf(verdict, sizeof verdict, "%s", ok ? "writable" : strerror(errno));
        check_line(t, ok, "log_file", path, verdict);
        return;
    }
    char dir[DISP_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir)
        *slash = '\0';
    int ok = access(dir, W_OK | X_OK) == 0;
    snprintf(verdict, sizeof verdict, "%s%s",
             ok ? "will be created" : "its folder: ", ok ? "" : strerror(errno));
    check_line(t, ok, "log_file", path, verdict);
}

/* Connects to host:port within timeout_ms; 0, or an errno value. */
static int check_connect(const char *host, const char *port, int timeout_ms)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0 || !res)
        return EHOSTUNREACH;
    int err = ECONNREFUSED;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        int rc = connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            socklen_t len = sizeof err;
            if (poll(&p, 1, timeout_ms) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
                rc = 0;
            else if (err == 0)
                err = ETIMEDOUT;
        } else if (rc != 0) {
            err = errno;
        }
        close(fd);
        if (rc == 0) {
            freeaddrinfo(res);
            return 0;
        }
    }
    freeaddrinfo(res);
    return err;
}

static void check_memcached(struct check_tally *t, const char *servers, int timeout_ms)
{
    if (!servers[0]) {
        check_line(t, 1, "memcached", "none", "progress comes from the database only");
        return;
    }
    char list[DISP_TEXT_MAX];
    snprintf(list, sizeof list, "%s", servers);
    char *save = NULL;
    for (char *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        while (*item == ' ')
            item++;
        char *colon = strrchr(item, ':');
        const char *port = "11211";
        if (colon) {
            *colon = '\0';
            port = colon + 1;
        }
        int err = check_connect(item, port, timeout_ms);
        char where[DISP_TEXT_MAX + 8];
        snprintf(where, sizeof where, "%s:%s", item, port);
        check_line(t, err == 0, "memcached", where, err == 0 ? "reachable" : strerror(err));
    }
}

int web_check_report(const struct disp_config *cfg, FILE *to)
{
    disp_config_write(cfg, to);
    struct check_tally t = {.to = to, .failed = 0};
    fprintf(to, "\n# What the site will use, checked as the user running this check:\n");
    check_line(&t, 1, "config", cfg->path[0] ? cfg->path : "(none)",
               cfg->path[0] ? "loaded" : "built-in defaults");
    char self[DISP_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        check_line(&t, 1, "trackport-fcgi", self, "this program");
    }
    check_program(&t, "dispatcher_binary", cfg->dispatcher_binary);
    check_folder(&t, "data_dir", cfg->data_dir);
    char path[DISP_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/jobs", cfg->data_dir);
    if (access(path, F_OK) == 0)
        check_folder(&t, "jobs folder", path);
    check_line(&t, 1, "db_path", cfg->db_path,
               access(cfg->db_path, F_OK) == 0 ? "exists" : "created at the first start");
    check_log(&t, cfg->log_file);
    snprintf(path, sizeof path, "%s/index.html", cfg->web_static_dir);
    int page = access(path, R_OK) == 0;
    check_line(&t, page, "web_static_dir", cfg->web_static_dir,
               page ? "the page is there" : "index.html is missing or unreadable");
    check_memcached(&t, cfg->memcached_servers,
                    cfg->memcached_timeout_ms < 1000 ? 1000 : cfg->memcached_timeout_ms);
    fprintf(to, "# %d problem%s\n", t.failed, t.failed == 1 ? "" : "s");
    return t.failed;
}
