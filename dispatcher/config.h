/*
 * config.h — trackport's configuration: one key table, loaded once at start.
 *
 * The file is lines of `key = value`; `#` starts a comment line; blank lines are ignored;
 * values are taken verbatim after trimming (no quotes, no escapes). Every key is in the
 * table below with its type, default and one documentation line; an unknown key, a
 * repeated key or a value of the wrong type or out of range is an error that names the
 * file and line. conf/trackport.conf lists every key with its default (a test checks it
 * against the table; `trackportctl config` prints the table in that form).
 *
 * Keys starting with web_ are read by the FastCGI site; the others by the dispatcher, its
 * children and trackportctl. Everybody loads the same file: the site finds it through
 * the environment variable TRACKPORT_CONFIG (lighttpd's bin-environment).
 *
 * Ownership and fork safety: struct disp_config is plain data (fixed-size arrays, no
 * pointers, nothing to free) — copy it, share it across fork(), keep it in a state struct.
 * Paths are made absolute and derived ones filled in by disp_config_finish (called by
 * disp_config_load), so users never rebuild them.
 */
#ifndef TRACKPORT_DISP_CONFIG_H
#define TRACKPORT_DISP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Environment variable naming the config file for processes started without --config. */
#define DISP_CONFIG_ENV "TRACKPORT_CONFIG"

/* Longest path accepted in the config. The wake socket's path must also fit a sockaddr_un
 * (107 bytes): disp_config_finish checks it. */
#define DISP_PATH_MAX 1024
#define DISP_TEXT_MAX 256

enum disp_log_level { DISP_LOG_ERROR = 0, DISP_LOG_WARN = 1, DISP_LOG_INFO = 2, DISP_LOG_DEBUG = 3 };

struct disp_config {
    char path[DISP_PATH_MAX]; /* the file it was loaded from, absolute ("" if none) */

    /* --- storage */
    char data_dir[DISP_PATH_MAX];    /* data_dir: database, lock, socket, jobs/<token>/ */
    char db_path[DISP_PATH_MAX];     /* db_path: "" → <data_dir>/trackport.db */
    char lock_path[DISP_PATH_MAX];   /* lock_path: "" → <data_dir>/dispatcher.lock */
    char wake_socket[DISP_PATH_MAX]; /* wake_socket: "" → <data_dir>/dispatcher.sock */
    int db_sync;                     /* db_sync: normal|full (enum jobs_sync) */
    int db_busy_timeout_ms;          /* db_busy_timeout_ms */

    /* --- progress */
    char memcached_servers[DISP_TEXT_MAX]; /* memcached_servers: "host:port,..."; "" none */
    int memcached_timeout_ms;              /* memcached_timeout_ms: connect/send/receive */
    int progress_interval_ms;              /* progress_interval_ms: min gap between writes */
    int progress_ttl_s;                    /* progress_ttl_s: memcached expiry */

    /* --- dispatcher */
    char dispatcher_binary[DISP_PATH_MAX]; /* dispatcher_binary: "" → beside, else installed */
    char log_file[DISP_PATH_MAX];          /* log_file: "" → stderr */
    int log_level;                         /* log_level: error|warn|info|debug */
    int poll_interval_ms;                  /* poll_interval_ms: safety-net wake-up */
    int recover_interval_s;                /* recover_interval_s: lost-worker scan period */
    int max_children;                      /* max_children: 0 → number of online CPUs */
    int max_attempts;                      /* max_attempts: attempts per job before failed */
    int ttr_s;                             /* ttr_s: time to run of one attempt */
    int kill_grace_ms;                     /* kill_grace_ms: SIGTERM → SIGKILL delay */
    int lease_grace_s;                     /* lease_grace_s: lease = ttr + grace */
    int retry_backoff_ms;                  /* retry_backoff_ms: first retry delay, doubles */
    int retry_backoff_max_ms;              /* retry_backoff_max_ms: cap of the delay */
    int retention_hours;                   /* retention_hours: purge final jobs after; 0 never */
    int purge_interval_s;                  /* purge_interval_s */

    /* --- converter child limits (0: unlimited) */
    int64_t rlimit_as_mb;    /* rlimit_as_mb: address space */
    int64_t rlimit_cpu_s;    /* rlimit_cpu_s: CPU seconds */
    int64_t rlimit_fsize_mb; /* rlimit_fsize_mb: largest file a child may write */
    int64_t rlimit_nofile;   /* rlimit_nofile: open files */

    /* --- what one job may write (0: unlimited) */
    int64_t job_max_output_mb; /* job_max_output_mb: all outputs together, in MiB */
    int64_t job_max_keyframes; /* job_max_keyframes: keyframes exported, after the edits */
    int archive_level;         /* archive_level: deflate level of the archives, 0 stores */

    /* --- site (FastCGI) */
    int64_t web_max_upload_bytes;            /* web_max_upload_bytes: 413 above */
    char web_base_path[DISP_PATH_MAX];       /* web_base_path: URL prefix, "" or "/tp" */
    char web_static_dir[DISP_PATH_MAX];      /* web_static_dir: page, JS, CSS folder */
    bool web_sendfile;                       /* web_sendfile: downloads through X-Sendfile */
    char web_sendfile_header[DISP_TEXT_MAX]; /* web_sendfile_header: "X-Sendfile" */
    int web_status_poll_ms;                  /* web_status_poll_ms: the page's poll period */
    char web_queue[DISP_TEXT_MAX];           /* web_queue: queue of uploaded jobs */
    int web_priority;                        /* web_priority: priority of uploaded jobs */
    int64_t web_max_queued;                  /* web_max_queued: 503 when more are waiting */
    bool web_admin;                          /* web_admin: serve /admin/ (behind auth) */
    bool web_admin_without_auth;             /* web_admin_without_auth: no REMOTE_USER needed */
    bool web_metrics_public;                 /* web_metrics_public: /metrics without auth */

    unsigned derived; /* internal: which paths disp_config_finish derived (re-derived when
                         data_dir changes through disp_config_set) */
};

enum disp_config_type {
    DISP_CONFIG_STRING, /* free text up to DISP_TEXT_MAX-1 */
    DISP_CONFIG_PATH,   /* a path; relative ones are taken from the config file's folder */
    DISP_CONFIG_INT,    /* integer within [min, max] */
    DISP_CONFIG_BOOL,   /* true/false, yes/no, on/off, 1/0 */
    DISP_CONFIG_ENUM,   /* one of `choices` ("normal|full"), stored as its index */
};

/* One row of the key table. */
struct disp_config_key {
    const char *name;
    int type;             /* enum disp_config_type */
    const char *def;      /* default, as it would be written in the file */
    const char *doc;      /* one line */
    size_t offset;        /* into struct disp_config */
    size_t size;          /* of the field */
    long long min, max;   /* DISP_CONFIG_INT */
    const char *choices;  /* DISP_CONFIG_ENUM */
};

/* disp_config_keys returns the key table (static) and its length. */
const struct disp_config_key *disp_config_keys(size_t *count);

/* disp_config_defaults fills every field with its default (paths not yet derived). */
void disp_config_defaults(struct disp_config *cfg);

/*
 * disp_config_load: defaults, then the file at path (NULL: $TRACKPORT_CONFIG; neither:
 * defaults only), then disp_config_finish. Returns 0 or JOBS_ERR_CONFIG / JOBS_ERR_IO with
 * "FILE:LINE: unknown key 'foo'" (or similar) in err (err may be NULL).
 */
int disp_config_load(const char *path, struct disp_config *cfg, char *err, size_t errlen);

/* disp_config_set sets one key from its text form (tests, command-line overrides); relative
 * paths are taken from the working directory. Call disp_config_finish afterwards. */
int disp_config_set(struct disp_config *cfg, const char *key, const char *value, char *err,
                    size_t errlen);

/* disp_config_finish makes paths absolute, derives empty db_path, lock_path, wake_socket,
 * dispatcher_binary and max_children, and checks what spans keys. Idempotent. */
int disp_config_finish(struct disp_config *cfg, char *err, size_t errlen);

/* Room a multipart upload needs beyond the file itself (boundaries, part headers, the
 * form's small fields). The site refuses a body longer than the file limit plus this. */
#define DISP_UPLOAD_FORM_ROOM (64 * 1024)

/* disp_config_request_limit_kib is the web server's request body limit (lighttpd's
 * server.max-request-size, KiB) that goes with web_max_upload_bytes: every body the site
 * would accept passes it, with room for the site to refuse a file just over its limit in
 * its own words. One setting drives both (trackport-fcgi --lighttpd-limits prints it). */
long long disp_config_request_limit_kib(const struct disp_config *cfg);

/* disp_config_write prints every key with its doc line and its value in cfg (defaults when
 * cfg is NULL), in the format of conf/trackport.conf. */
int disp_config_write(const struct disp_config *cfg, FILE *to);

/* A job folder's layout lives in jobs_life.h. */

#ifdef __cplusplus
}
#endif
#endif
