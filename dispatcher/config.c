/* config.c — the key table and its loader. Validation happens once, here: the rest of the
 * code trusts struct disp_config (ranges, derived paths, socket path length). */
#include "config.h"

#include "jobs_store.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the dispatcher executable is looked for when dispatcher_binary is empty: beside the
 * running program (trackport-fcgi and trackport-dispatcher share lib/trackport once
 * installed; the build tree links one beside trackport-fcgi too), then where the install
 * puts it. CMake sets both from the install prefix; no build-tree path is compiled in. */
#ifndef DISP_DISPATCHER_NAME
#define DISP_DISPATCHER_NAME "trackport-dispatcher"
#endif
#ifndef DISP_INSTALLED_BINARY
#define DISP_INSTALLED_BINARY "/usr/local/lib/trackport/trackport-dispatcher"
#endif
#ifndef DISP_INSTALLED_WWW
#define DISP_INSTALLED_WWW "/usr/local/share/trackport/www"
#endif

/* Bits of disp_config.derived. */
enum { CONFIG_DERIVED_DB = 1, CONFIG_DERIVED_LOCK = 2, CONFIG_DERIVED_SOCKET = 4 };

#define F(field) offsetof(struct disp_config, field), sizeof(((struct disp_config *)0)->field)

static const struct disp_config_key config_keys[] = {
    {"data_dir", DISP_CONFIG_PATH, "/var/lib/trackport",
     "folder of the database, the dispatcher's lock and socket, and jobs/<token>/", F(data_dir), 0,
     0, NULL},
    {"db_path", DISP_CONFIG_PATH, "", "job database (empty: <data_dir>/trackport.db)", F(db_path),
     0, 0, NULL},
    {"lock_path", DISP_CONFIG_PATH, "",
     "lock file that lets one dispatcher run (empty: <data_dir>/dispatcher.lock)", F(lock_path), 0,
     0, NULL},
    {"wake_socket", DISP_CONFIG_PATH, "",
     "unix datagram socket enqueuers poke (empty: <data_dir>/dispatcher.sock)", F(wake_socket), 0,
     0, NULL},
    {"db_sync", DISP_CONFIG_ENUM, "normal",
     "normal: survives any process crash; full: also power loss (an fsync per commit)",
     F(db_sync), 0, 0, "normal|full"},
    {"db_busy_timeout_ms", DISP_CONFIG_INT, "5000", "how long a database write waits for the lock",
     F(db_busy_timeout_ms), 1, 600000, NULL},
    {"memcached_servers", DISP_CONFIG_STRING, "127.0.0.1:11211",
     "memcached for live progress, host:port[,host:port] (empty: progress from SQLite only)",
     F(memcached_servers), 0, 0, NULL},
    {"memcached_timeout_ms", DISP_CONFIG_INT, "100", "memcached connect/send/receive timeout",
     F(memcached_timeout_ms), 1, 10000, NULL},
    {"progress_interval_ms", DISP_CONFIG_INT, "50",
     "shortest gap between two progress writes of one job", F(progress_interval_ms), 0, 60000,
     NULL},
    {"progress_ttl_s", DISP_CONFIG_INT, "3600", "expiry of progress values in memcached",
     F(progress_ttl_s), 1, 2592000, NULL},
    {"dispatcher_binary", DISP_CONFIG_PATH, "",
     "trackport-dispatcher executable the site starts (empty: the one beside the program, "
     "else the installed one)",
     F(dispatcher_binary), 0, 0, NULL},
    {"log_file", DISP_CONFIG_PATH, "",
     "the dispatcher's log, one line per job event (empty: stderr, lighttpd's error log)",
     F(log_file), 0, 0, NULL},
    {"log_level", DISP_CONFIG_ENUM, "info", "dispatcher log detail (job events are info)",
     F(log_level), 0, 0, "error|warn|info|debug"},
    {"poll_interval_ms", DISP_CONFIG_INT, "1000",
     "dispatcher wake-up period when nothing pokes it (the safety net)", F(poll_interval_ms), 10,
     600000, NULL},
    {"recover_interval_s", DISP_CONFIG_INT, "10",
     "period of the scan for running jobs whose worker is gone", F(recover_interval_s), 1, 86400,
     NULL},
    {"max_children", DISP_CONFIG_INT, "0",
     "converter children running at once (0: number of online CPUs)", F(max_children), 0, 1024,
     NULL},
    {"max_attempts", DISP_CONFIG_INT, "3", "attempts of a crashing or timing-out job before it fails",
     F(max_attempts), 1, 100, NULL},
    {"ttr_s", DISP_CONFIG_INT, "300", "time to run: an attempt running longer is killed and retried",
     F(ttr_s), 1, 86400, NULL},
    {"kill_grace_ms", DISP_CONFIG_INT, "2000",
     "delay between SIGTERM and SIGKILL for a child past its time to run", F(kill_grace_ms), 0,
     600000, NULL},
    {"lease_grace_s", DISP_CONFIG_INT, "30",
     "a running job's lease is its time to run plus this; past it the job is presumed lost",
     F(lease_grace_s), 1, 86400, NULL},
    {"retry_backoff_ms", DISP_CONFIG_INT, "1000",
     "delay before the first retry; doubles with each further attempt", F(retry_backoff_ms), 0,
     3600000, NULL},
    {"retry_backoff_max_ms", DISP_CONFIG_INT, "60000", "longest delay between retries",
     F(retry_backoff_max_ms), 0, 86400000, NULL},
    {"retention_hours", DISP_CONFIG_INT, "168",
     "finished jobs and their files are purged after this (0: kept forever)", F(retention_hours),
     0, 876000, NULL},
    {"purge_interval_s", DISP_CONFIG_INT, "3600", "period of the purge", F(purge_interval_s), 1,
     86400, NULL},
    {"rlimit_as_mb", DISP_CONFIG_INT, "4096", "address space of a converter child (0: unlimited)",
     F(rlimit_as_mb), 0, 1048576, NULL},
    {"rlimit_cpu_s", DISP_CONFIG_INT, "600", "CPU seconds of a converter child (0: unlimited)",
     F(rlimit_cpu_s), 0, 86400, NULL},
    {"rlimit_fsize_mb", DISP_CONFIG_INT, "2048",
     "largest file a converter child may write (0: unlimited)", F(rlimit_fsize_mb), 0, 1048576,
     NULL},
    {"rlimit_nofile", DISP_CONFIG_INT, "256", "open files of a converter child (0: unlimited)",
     F(rlimit_nofile), 0, 1048576, NULL},
    {"job_max_output_mb", DISP_CONFIG_INT, "2048",
     "total size of one job's outputs; a job that would write more fails at once (0: unlimited)",
     F(job_max_output_mb), 0, 1048576, NULL},
    {"job_max_keyframes", DISP_CONFIG_INT, "20000000",
     "keyframes one job may export, after its edits (0: unlimited)", F(job_max_keyframes), 0,
     4000000000LL, NULL},
    {"archive_level", DISP_CONFIG_INT, "1",
     "deflate level of the job's archives, 1 (fast) to 9 (small); 0 stores without compressing",
     F(archive_level), 0, 9, NULL},
    {"web_max_upload_bytes", DISP_CONFIG_INT, "104857600",
     "largest accepted upload; larger ones answer 413", F(web_max_upload_bytes), 1,
     (long long)1 << 40, NULL},
    {"web_base_path", DISP_CONFIG_STRING, "",
     "URL prefix the site is mounted under (empty or like /trackport)", F(web_base_path), 0, 0,
     NULL},
    {"web_static_dir", DISP_CONFIG_PATH, DISP_INSTALLED_WWW,
     "folder of the page, its JS and CSS (lighttpd serves it)", F(web_static_dir), 0, 0, NULL},
    {"web_sendfile", DISP_CONFIG_BOOL, "true",
     "downloads through the X-Sendfile header (false: the site streams files itself)",
     F(web_sendfile), 0, 0, NULL},
    {"web_sendfile_header", DISP_CONFIG_STRING, "X-Sendfile", "name of the sendfile header",
     F(web_sendfile_header), 0, 0, NULL},
    {"web_status_poll_ms", DISP_CONFIG_INT, "500", "how often the job page polls its status",
     F(web_status_poll_ms), 50, 60000, NULL},
    {"web_queue", DISP_CONFIG_STRING, "default", "queue of jobs made from uploads", F(web_queue),
     0, 0, NULL},
    {"web_priority", DISP_CONFIG_INT, "0", "priority of jobs made from uploads (lower runs first)",
     F(web_priority), -1000000, 1000000, NULL},
    {"web_max_queued", DISP_CONFIG_INT, "10000",
     "uploads answer 503 while more jobs than this wait", F(web_max_queued), 1, 1000000000, NULL},
    {"web_admin", DISP_CONFIG_BOOL, "true",
     "serve the /admin/ pages to users the web server authenticated", F(web_admin), 0, 0, NULL},
    {"web_admin_without_auth", DISP_CONFIG_BOOL, "false",
     "also serve /admin/ when the web server authenticated nobody (no REMOTE_USER)",
     F(web_admin_without_auth), 0, 0, NULL},
    {"web_metrics_public", DISP_CONFIG_BOOL, "false",
     "serve /metrics to anyone (false: only where /admin/ would be served)",
     F(web_metrics_public), 0, 0, NULL},
};

#undef F

const struct disp_config_key *disp_config_keys(size_t *count)
{
    *count = sizeof config_keys / sizeof config_keys[0];
    return config_keys;
}

static void config_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void config_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static const struct disp_config_key *config_find(const char *name)
{
    for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++)
        if (strcmp(config_keys[i].name, name) == 0)
            return &config_keys[i];
    return NULL;
}

/* Joins base and rel into out unless rel is already absolute. */
static int config_absolute(const char *base, const char *rel, char *out, size_t size)
{
    int n;
    if (rel[0] == '/' || rel[0] == '\0')
        n = snprintf(out, size, "%s", rel);
    else
        n = snprintf(out, size, "%s/%s", base, rel);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Sets one field from its text; base: folder for relative paths (NULL: the cwd). */
static int config_apply(struct disp_config *cfg, const struct disp_config_key *k,
                        const char *value, const char *base, char *err, size_t errlen)
{
    char *field = (char *)cfg + k->offset;
    switch (k->type) {
    case DISP_CONFIG_STRING:
        if (strlen(value) >= k->size) {
            config_err(err, errlen, "%s is too long", k->name);
            return JOBS_ERR_CONFIG;
        }
        memcpy(field, value, strlen(value) + 1);
        return 0;
    case DISP_CONFIG_PATH: {
        char cwd[DISP_PATH_MAX];
        if (!base && value[0] && value[0] != '/') {
            if (!getcwd(cwd, sizeof cwd)) {
                config_err(err, errlen, "%s: cannot tell the working directory", k->name);
                return JOBS_ERR_CONFIG;
            }
            base = cwd;
        }
        if (config_absolute(base ? base : "", value, field, k->size) != 0) {
            config_err(err, errlen, "%s is too long", k->name);
            return JOBS_ERR_CONFIG;
        }
        return 0;
    }
    case DISP_CONFIG_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end || v < k->min || v > k->max) {
            config_err(err, errlen, "%s must be a whole number from %lld to %lld, not '%s'",
                       k->name, k->min, k->max, value);
            return JOBS_ERR_CONFIG;
        }
        if (k->size == sizeof(int64_t))
            *(int64_t *)(void *)field = v;
        else
            *(int *)(void *)field = (int)v;
        return 0;
    }
    case DISP_CONFIG_BOOL: {
        static const char *const yes[] = {"true", "yes", "on", "1"};
        static const char *const no[] = {"false", "no", "off", "0"};
        for (size_t i = 0; i < 4; i++) {
            if (strcasecmp(value, yes[i]) == 0 || strcasecmp(value, no[i]) == 0) {
                *(bool *)(void *)field = strcasecmp(value, yes[i]) == 0;
                return 0;
            }
        }
        config_err(err, errlen, "%s must be true or false, not '%s'", k->name, value);
        return JOBS_ERR_CONFIG;
    }
    case DISP_CONFIG_ENUM: {
        const char *c = k->choices;
        int index = 0;
        size_t len = strlen(value);
        while (*c) {
            const char *bar = strchr(c, '|');
            size_t clen = bar ? (size_t)(bar - c) : strlen(c);
            if (clen == len && strncasecmp(c, value, len) == 0) {
                *(int *)(void *)field = index;
                return 0;
            }
            index++;
            c += clen + (bar ? 1 : 0);
        }
        config_err(err, errlen, "%s must be one of %s, not '%s'", k->name, k->choices, value);
        return JOBS_ERR_CONFIG;
    }
    }
    return JOBS_ERR_CONFIG;
}

void disp_config_defaults(struct disp_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++)
        (void)config_apply(cfg, &config_keys[i], config_keys[i].def, "/", NULL, 0);
}

int disp_config_set(struct disp_config *cfg, const char *key, const char *value, char *err,
                    size_t errlen)
{
    const struct disp_config_key *k = config_find(key);
    if (!k) {
        config_err(err, errlen, "unknown key '%s'", key);
        return JOBS_ERR_CONFIG;
    }
    int rc = config_apply(cfg, k, value, NULL, err, errlen);
    if (rc == 0 && strcmp(key, "data_dir") == 0) {
        /* paths derived from the old data_dir follow the new one */
        if (cfg->derived & CONFIG_DERIVED_DB)
            cfg->db_path[0] = '\0';
        if (cfg->derived & CONFIG_DERIVED_LOCK)
            cfg->lock_path[0] = '\0';
        if (cfg->derived & CONFIG_DERIVED_SOCKET)
            cfg->wake_socket[0] = '\0';
        cfg->derived = 0;
    }
    if (rc == 0)
        cfg->derived &= ~(strcmp(key, "db_path") == 0       ? (unsigned)CONFIG_DERIVED_DB
                          : strcmp(key, "lock_path") == 0   ? (unsigned)CONFIG_DERIVED_LOCK
                          : strcmp(key, "wake_socket") == 0 ? (unsigned)CONFIG_DERIVED_SOCKET
                                                            : 0u);
    return rc;
}

static char *config_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static int config_read_file(struct disp_config *cfg, const char *path, char *err, size_t errlen)
{
    char abs[DISP_PATH_MAX], dir[DISP_PATH_MAX];
    if (path[0] == '/') {
        if (snprintf(abs, sizeof abs, "%s", path) >= (int)sizeof abs)
            goto too_long;
    } else {
        char cwd[DISP_PATH_MAX];
        if (!getcwd(cwd, sizeof cwd) || config_absolute(cwd, path, abs, sizeof abs) != 0)
            goto too_long;
    }
    memcpy(dir, abs, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';

    FILE *f = fopen(abs, "r");
    if (!f) {
        config_err(err, errlen, "%s: %s", abs, strerror(errno));
        return JOBS_ERR_IO;
    }
    memcpy(cfg->path, abs, sizeof cfg->path);
    bool seen[sizeof config_keys / sizeof config_keys[0]] = {false};
    char line[4096];
    long no = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        no++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            config_err(err, errlen, "%s:%ld: line too long", abs, no);
            rc = JOBS_ERR_CONFIG;
            break;
        }
        char *s = config_trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            config_err(err, errlen, "%s:%ld: expected 'key = value'", abs, no);
            rc = JOBS_ERR_CONFIG;
            break;
        }
        *eq = '\0';
        char *key = config_trim(s), *value = config_trim(eq + 1);
        const struct disp_config_key *k = config_find(key);
        if (!k) {
            config_err(err, errlen, "%s:%ld: unknown key '%s'", abs, no, key);
            rc = JOBS_ERR_CONFIG;
            break;
        }
        size_t index = (size_t)(k - config_keys);
        if (seen[index]) {
            config_err(err, errlen, "%s:%ld: '%s' is set twice", abs, no, key);
            rc = JOBS_ERR_CONFIG;
            break;
        }
        seen[index] = true;
        char why[512];
        if (config_apply(cfg, k, value, dir, why, sizeof why) != 0) {
            config_err(err, errlen, "%s:%ld: %s", abs, no, why);
            rc = JOBS_ERR_CONFIG;
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        config_err(err, errlen, "%s: read error", abs);
        rc = JOBS_ERR_IO;
    }
    fclose(f);
    return rc;
too_long:
    config_err(err, errlen, "config path too long");
    return JOBS_ERR_CONFIG;
}

int disp_config_load(const char *path, struct disp_config *cfg, char *err, size_t errlen)
{
    disp_config_defaults(cfg);
    if (!path || !*path)
        path = getenv(DISP_CONFIG_ENV);
    if (path && *path) {
        int rc = config_read_file(cfg, path, err, errlen);
        if (rc)
            return rc;
    }
    return disp_config_finish(cfg, err, errlen);
}

static int config_derive(char *field, size_t size, const char *dir, const char *name,
                         unsigned *derived, unsigned bit)
{
    if (field[0])
        return 0;
    *derived |= bit;
    int n = snprintf(field, size, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

static void config_find_binary(char *out, size_t size)
{
    char self[DISP_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash && (size_t)(slash - self) + 32 < sizeof self) {
            strcpy(slash + 1, DISP_DISPATCHER_NAME);
            /* Resolved, so every program names the same file (the build tree's is a link). */
            char real[PATH_MAX];
            if (access(self, X_OK) == 0 && realpath(self, real) && strlen(real) < size) {
                memcpy(out, real, strlen(real) + 1);
                return;
            }
        }
    }
    snprintf(out, size, "%s", DISP_INSTALLED_BINARY);
}

int disp_config_finish(struct disp_config *cfg, char *err, size_t errlen)
{
    if (cfg->data_dir[0] != '/') {
        config_err(err, errlen, "data_dir must be an absolute path");
        return JOBS_ERR_CONFIG;
    }
    size_t n = strlen(cfg->data_dir);
    while (n > 1 && cfg->data_dir[n - 1] == '/')
        cfg->data_dir[--n] = '\0';
    if (config_derive(cfg->db_path, sizeof cfg->db_path, cfg->data_dir, "trackport.db",
                      &cfg->derived, CONFIG_DERIVED_DB) ||
        config_derive(cfg->lock_path, sizeof cfg->lock_path, cfg->data_dir, "dispatcher.lock",
                      &cfg->derived, CONFIG_DERIVED_LOCK) ||
        config_derive(cfg->wake_socket, sizeof cfg->wake_socket, cfg->data_dir,
                      "dispatcher.sock", &cfg->derived, CONFIG_DERIVED_SOCKET)) {
        config_err(err, errlen, "data_dir is too long");
        return JOBS_ERR_CONFIG;
    }
    if (!cfg->dispatcher_binary[0])
        config_find_binary(cfg->dispatcher_binary, sizeof cfg->dispatcher_binary);
    if (strlen(cfg->wake_socket) > 107) {
        config_err(err, errlen,
                   "wake_socket '%s' is longer than a unix socket path may be (107 bytes); "
                   "set wake_socket or use a shorter data_dir",
                   cfg->wake_socket);
        return JOBS_ERR_CONFIG;
    }
    if (cfg->max_children == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        cfg->max_children = cpus > 0 ? (int)(cpus > 1024 ? 1024 : cpus) : 1;
    }
    if (cfg->retry_backoff_max_ms < cfg->retry_backoff_ms)
        cfg->retry_backoff_max_ms = cfg->retry_backoff_ms;
    if (cfg->web_base_path[0] && cfg->web_base_path[0] != '/') {
        config_err(err, errlen, "web_base_path must be empty or start with '/'");
        return JOBS_ERR_CONFIG;
    }
    n = strlen(cfg->web_base_path);
    while (n > 0 && cfg->web_base_path[n - 1] == '/')
        cfg->web_base_path[--n] = '\0';
    if (!cfg->web_queue[0] || strlen(cfg->web_queue) > JOBS_MAX_QUEUE_NAME) {
        config_err(err, errlen, "web_queue must be 1 to %d characters", JOBS_MAX_QUEUE_NAME);
        return JOBS_ERR_CONFIG;
    }
    return 0;
}

/* Formats field k of cfg back into text. */
static void config_value(const struct disp_config *cfg, const struct disp_config_key *k,
                         char *buf, size_t size)
{
    const char *field = (const char *)cfg + k->offset;
    switch (k->type) {
    case DISP_CONFIG_STRING:
    case DISP_CONFIG_PATH:
        snprintf(buf, size, "%s", field);
        break;
    case DISP_CONFIG_INT:
        if (k->size == sizeof(int64_t))
            snprintf(buf, size, "%lld", (long long)*(const int64_t *)(const void *)field);
        else
            snprintf(buf, size, "%d", *(const int *)(const void *)field);
        break;
    case DISP_CONFIG_BOOL:
        snprintf(buf, size, "%s", *(const bool *)(const void *)field ? "true" : "false");
        break;
    case DISP_CONFIG_ENUM: {
        int index = *(const int *)(const void *)field;
        const char *c = k->choices;
        for (int i = 0; i < index && c; i++) {
            c = strchr(c, '|');
            if (c)
                c++;
        }
        const char *bar = c ? strchr(c, '|') : NULL;
        snprintf(buf, size, "%.*s", c ? (int)(bar ? (size_t)(bar - c) : strlen(c)) : 0,
                 c ? c : "");
        break;
    }
    }
}

int disp_config_write(const struct disp_config *cfg, FILE *to)
{
    fprintf(to, "# trackport configuration: key = value, one per line; '#' starts a comment.\n"
                "# Unknown keys are an error. Relative paths are taken from this file's folder.\n"
                "# The site finds this file through the TRACKPORT_CONFIG environment variable;\n"
                "# the dispatcher and trackportctl take --config FILE.\n");
    for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
        const struct disp_config_key *k = &config_keys[i];
        char value[DISP_PATH_MAX];
        if (cfg)
            config_value(cfg, k, value, sizeof value);
        else
            snprintf(value, sizeof value, "%s", k->def);
        fprintf(to, "\n# %s", k->doc);
        if (k->type == DISP_CONFIG_ENUM)
            fprintf(to, " (%s)", k->choices);
        fprintf(to, "\n%s = %s\n", k->name, value);
    }
    return ferror(to) ? JOBS_ERR_IO : 0;
}

long long disp_config_request_limit_kib(const struct disp_config *cfg)
{
    return (cfg->web_max_upload_bytes + 2 * DISP_UPLOAD_FORM_ROOM + 1023) / 1024;
}
