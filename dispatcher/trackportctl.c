/*
 * trackportctl.c — the operators' command line for the job system, in the spirit of
 * beanstalkd's admin tools: enqueue a file, look at jobs and queues, retry, cancel, purge,
 * wait for a job. It talks to the database directly and pokes the dispatcher's socket;
 * every command prints plain text, or JSON with --json.
 */
#include "config.h"
#include "disp_log.h"
#include "disp_loop.h"
#include "disp_options.h"
#include "disp_progress.h"
#include "disp_spawn.h"
#include "jobs_life.h"
#include "jobs_store.h"
#include "trackport.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct ctl {
    struct disp_config cfg;
    struct jobs_store *store;
    bool json;
    const char *config_path;
    uid_t site_uid; /* owner of data_dir, whose identity root takes (0: acting as itself) */
};

/* The configuration read when neither --config nor $TRACKPORT_CONFIG names one: the
 * installed file, when it exists. Set by CMake from the install prefix. */
#ifndef DISP_INSTALLED_CONFIG
#define DISP_INSTALLED_CONFIG "/usr/local/etc/trackport/trackport.conf"
#endif

static int ctl_usage(FILE *to, int status)
{
    fprintf(to,
            "Usage: trackportctl [--config FILE] [--json] COMMAND ...\n"
            "\n"
            "  enqueue FILE [-f IMPORTER] [-w W] [-h H] [--only EXP[,EXP]] [--priority N]\n"
            "          [--queue Q] [--ttr S] [--max-attempts N] [--options JSON] [--EDIT VALUE]...\n"
            "                             (edits as trackport's: each one more, in order)\n"
            "                             queue a conversion of FILE; prints its token\n"
            "  status TOKEN               one job (live progress from memcached when running)\n"
            "  wait TOKEN [--timeout S]   wait until the job is final (exit 0 if done)\n"
            "  list [--state S] [--queue Q] [--limit N]\n"
            "  stats                      counts per state and queue, oldest waiting job\n"
            "  retry TOKEN                put a failed or cancelled job back in the queue\n"
            "  cancel TOKEN               cancel a queued or running job\n"
            "  purge --older-than DAYS    delete final jobs finished before, with their files\n"
            "  dispatcher                 whether a dispatcher runs (pid), and whether paused\n"
            "  pause | resume             stop or restart claiming jobs (running ones finish)\n"
            "  config [--defaults]        print the configuration (or the defaults) as a file\n"
            "\nThe configuration comes from --config FILE, else $TRACKPORT_CONFIG, else\n"
            DISP_INSTALLED_CONFIG " when it exists.\n"
            "Run as root, trackportctl acts as the owner of data_dir (the site's user), so\n"
            "what it creates stays the site's; run as another user it refuses.\n"
            "\nExit status: 0 success (wait: the job is done); 1 the command failed, reason on\n"
            "stderr (wait: timed out); 2 bad usage; 3 dispatcher: none runs, wait: the job\n"
            "ended failed or cancelled.\n");
    return status;
}

__attribute__((format(printf, 1, 2))) static int ctl_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "trackportctl: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static int ctl_open(struct ctl *c, bool readonly)
{
    char err[DISP_PATH_MAX + 256];
    int rc = jobs_life_open_store(&c->cfg, readonly ? JOBS_LIFE_READER : JOBS_LIFE_WORKER,
                                  &c->store, err, sizeof err);
    if (rc)
        return ctl_die("%s", err);
    return 0;
}

static void ctl_print_json(cJSON *item)
{
    char *text = cJSON_Print(item);
    if (text)
        puts(text);
    free(text);
    cJSON_Delete(item);
}

static cJSON *ctl_job_json(const struct jobs_job *j)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)j->id);
    cJSON_AddStringToObject(o, "token", j->token);
    cJSON_AddStringToObject(o, "state", jobs_state_name(j->state));
    cJSON_AddStringToObject(o, "queue", j->queue ? j->queue : "");
    cJSON_AddNumberToObject(o, "priority", j->priority);
    cJSON_AddNumberToObject(o, "attempts", j->attempts);
    cJSON_AddNumberToObject(o, "max_attempts", j->max_attempts);
    cJSON_AddNumberToObject(o, "ttr", j->ttr_s);
    cJSON_AddNumberToObject(o, "run_at", (double)j->run_at_ms);
    cJSON_AddNumberToObject(o, "created", (double)j->created_ms);
    cJSON_AddNumberToObject(o, "started", (double)j->started_ms);
    cJSON_AddNumberToObject(o, "finished", (double)j->finished_ms);
    cJSON_AddNumberToObject(o, "worker_pid", (double)j->worker_pid);
    cJSON_AddStringToObject(o, "input_name", j->input_name ? j->input_name : "");
    cJSON_AddNumberToObject(o, "percent", j->percent);
    if (j->message)
        cJSON_AddStringToObject(o, "message", j->message);
    cJSON_AddNumberToObject(o, "error_code", j->error_code);
    cJSON_AddStringToObject(o, "error_domain", jobs_domain_name(j->error_domain));
    if (j->error_code)
        cJSON_AddStringToObject(o, "error_name",
                                jobs_life_error_name(j->error_domain, j->error_code));
    if (j->error)
        cJSON_AddStringToObject(o, "error", j->error);
    if (j->exit_code >= 0 || j->exit_signal)
        cJSON_AddNumberToObject(o, "exit_code", j->exit_code);
    if (j->exit_signal)
        cJSON_AddNumberToObject(o, "exit_signal", j->exit_signal);
    cJSON *opts = cJSON_Parse(j->options ? j->options : "{}");
    cJSON_AddItemToObject(o, "options", opts ? opts : cJSON_CreateObject());
    if (j->result) {
        cJSON *r = cJSON_Parse(j->result);
        if (r)
            cJSON_AddItemToObject(o, "result", r);
    }
    return o;
}

/* "2026-12-04 14:52:32" (UTC), or "-" for 0. */
static const char *ctl_time(int64_t ms, char *buf, size_t size)
{
    if (ms <= 0) {
        snprintf(buf, size, "-");
        return buf;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

/* "1.2 s", "3 min 4 s", or "-" when the job has not started. */
static const char *ctl_duration(const struct jobs_job *j, char *buf, size_t size)
{
    int64_t end = j->finished_ms > 0 ? j->finished_ms : jobs_now_ms();
    if (j->started_ms <= 0 || end < j->started_ms) {
        snprintf(buf, size, "-");
        return buf;
    }
    double s = (double)(end - j->started_ms) / 1000.0;
    if (s < 60)
        snprintf(buf, size, "%.1f s", s);
    else
        snprintf(buf, size, "%d min %d s", (int)(s / 60), (int)s % 60);
    return buf;
}

static void ctl_bytes(double bytes, char *buf, size_t size)
{
    if (bytes < 1024)
        snprintf(buf, size, "%.0f B", bytes);
    else if (bytes < 1024 * 1024)
        snprintf(buf, size, "%.1f KiB", bytes / 1024);
    else
        snprintf(buf, size, "%.1f MiB", bytes / (1024 * 1024));
}

static void ctl_print_times(const struct jobs_job *j)
{
    char a[32], b[32], c[32], d[32];
    printf("created:    %s UTC\nstarted:    %s\nfinished:   %s\nduration:   %s\n",
           ctl_time(j->created_ms, a, sizeof a), ctl_time(j->started_ms, b, sizeof b),
           ctl_time(j->finished_ms, c, sizeof c), ctl_duration(j, d, sizeof d));
}

static void ctl_print_job(const struct jobs_job *j)
{
    printf("token:      %s\nstate:      %s\nqueue:      %s (priority %d)\nattempts:   %d of %d\n"
           "input:      %s\nprogress:   %d%% %s\n",
           j->token, jobs_state_name(j->state), j->queue ? j->queue : "", j->priority,
           j->attempts, j->max_attempts, j->input_name ? j->input_name : "", j->percent,
           j->message ? j->message : "");
    if (j->error)
        printf("error:      %s (%s)\n", j->error,
               jobs_life_error_name(j->error_domain, j->error_code));
    if (j->exit_signal)
        printf("exit:       signal %d\n", j->exit_signal);
    else if (j->exit_code >= 0)
        printf("exit:       code %d\n", j->exit_code);
    ctl_print_times(j);
    cJSON *result = j->result ? cJSON_Parse(j->result) : NULL;
    const cJSON *outputs = cJSON_GetObjectItemCaseSensitive(result, "outputs");
    if (cJSON_IsArray(outputs)) {
        printf("outputs:    %d\n", cJSON_GetArraySize(outputs));
        const cJSON *o;
        cJSON_ArrayForEach(o, outputs)
        {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
            const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(o, "bytes");
            char size[32];
            ctl_bytes(cJSON_IsNumber(bytes) ? bytes->valuedouble : 0, size, sizeof size);
            printf("  %10s  %s\n", size, cJSON_IsString(name) ? name->valuestring : "?");
        }
    } else if (j->result) {
        printf("result:     %s\n", j->result);
    }
    cJSON_Delete(result);
}

/* ------------------------------------------------------------------ enqueue */

/* Opens the user's input with the caller's own rights: root acting as the site's user
 * still reads a file only root may read, and nothing else is done as root. */
static int ctl_open_input(const struct ctl *c, const char *path)
{
    bool raised = c->site_uid != 0 && seteuid(0) == 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int saved = errno;
    if (raised && seteuid(c->site_uid) != 0)
        abort(); /* never go on as root in the site's folders */
    errno = saved;
    return fd;
}

static int ctl_enqueue(struct ctl *c, int argc, char **argv)
{
    const char *file = NULL, *queue = NULL, *raw_options = NULL;
    int priority = 0, ttr = c->cfg.ttr_s, max_attempts = c->cfg.max_attempts;
    int width = 0, height = 0;
    struct tp_diag d = {0};
    struct disp_options_builder *b = disp_options_builder_new();
    if (!b)
        return ctl_die("out of memory");
    int rc = 0;
    for (int i = 0; i < argc && rc == 0; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if ((strcmp(a, "-f") == 0 || strcmp(a, "--from") == 0) && v) {
            rc = disp_options_set_importer(b, v, &d);
            i++;
        } else if ((strcmp(a, "-w") == 0 || strcmp(a, "--width") == 0) && v) {
            width = atoi(v);
            i++;
        } else if ((strcmp(a, "-h") == 0 || strcmp(a, "--height") == 0) && v) {
            height = atoi(v);
            i++;
        } else if (strcmp(a, "--only") == 0 && v) {
            char *copy = strdup(v), *save = NULL;
            for (char *n = strtok_r(copy, ",", &save); n && rc == 0; n = strtok_r(NULL, ",", &save))
                rc = disp_options_add_exporter(b, n, &d);
            free(copy);
            i++;
        } else if (strcmp(a, "--priority") == 0 && v) {
            priority = atoi(v);
            i++;
        } else if (strcmp(a, "--queue") == 0 && v) {
            queue = v;
            i++;
        } else if (strcmp(a, "--ttr") == 0 && v) {
            ttr = atoi(v);
            i++;
        } else if (strcmp(a, "--max-attempts") == 0 && v) {
            max_attempts = atoi(v);
            i++;
        } else if (strcmp(a, "--options") == 0 && v) {
            raw_options = v; /* already JSON (scripts, tests): checked below */
            i++;
        } else if (strncmp(a, "--", 2) == 0 && a[2]) {
            /* An edit flag, as trackport takes it (--slip 3 or --slip=3): each occurrence is
             * one more edit, kept in the order given. */
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            size_t n;
            const struct tp_tool_flag *flags = tp_tool_flags(&n);
            const struct tp_tool_flag *flag = NULL;
            for (size_t k = 0; k < n; k++)
                if (strlen(flags[k].flag) == len && strncmp(flags[k].flag, a + 2, len) == 0)
                    flag = &flags[k];
            if (!flag) {
                disp_options_builder_free(b);
                return ctl_die("unknown option %s", a);
            }
            bool sw = strcmp(flag->kind, "switch") == 0;
            if (sw && eq) {
                disp_options_builder_free(b);
                return ctl_die("%s takes no value", flag->flag);
            }
            const char *value = sw ? NULL : eq ? eq + 1 : v;
            if (!sw && !value) {
                disp_options_builder_free(b);
                return ctl_die("%s needs a value", a);
            }
            rc = disp_options_add_edit(b, flag->flag, value, &d);
            if (!sw && !eq)
                i++;
        } else if (!file) {
            file = a;
        } else {
            disp_options_builder_free(b);
            return ctl_die("one file at a time");
        }
    }
    if (rc == 0 && (width || height))
        rc = disp_options_set_size(b, width, height, &d);
    if (rc) {
        disp_options_builder_free(b);
        return ctl_die("%s", d.message[0] ? d.message : tp_strerror(rc));
    }
    if (!file) {
        disp_options_builder_free(b);
        return ctl_die("enqueue needs a FILE");
    }
    char *options = raw_options ? strdup(raw_options) : disp_options_builder_json(b);
    disp_options_builder_free(b);
    if (!options)
        return ctl_die("out of memory");
    struct disp_options check;
    rc = disp_options_parse(options, &check, &d);
    if (rc) {
        free(options);
        return ctl_die("%s", d.message);
    }
    disp_options_cleanup(&check);

    if (ctl_open(c, false) != 0) {
        free(options);
        return 1;
    }
    const char *slash = strrchr(file, '/');
    struct jobs_life_params params = {.by = "trackportctl",
                                      .input_name = slash ? slash + 1 : file,
                                      .options = options,
                                      .queue = queue,
                                      .priority = priority,
                                      .max_attempts = max_attempts,
                                      .ttr_s = ttr};
    char token[JOBS_TOKEN_SIZE];
    int in = ctl_open_input(c, file);
    rc = in < 0 ? JOBS_ERR_IO : jobs_life_submit_fd(&c->cfg, c->store, in, &params, token);
    int saved = errno;
    if (in >= 0)
        close(in);
    errno = saved;
    free(options);
    if (rc == JOBS_ERR_IO || rc == JOBS_ERR_BAD_ARGUMENT)
        return ctl_die("cannot store %s: %s", file,
                       rc == JOBS_ERR_IO ? strerror(errno) : "not a regular file");
    if (rc)
        return ctl_die("enqueue: %s (%s)", jobs_strerror(rc), jobs_store_errmsg(c->store));
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "token", token);
        ctl_print_json(o);
    } else {
        printf("%s\n", token);
    }
    return 0;
}

/* ------------------------------------------------------------------ reading */

static int ctl_status(struct ctl *c, const char *token)
{
    if (ctl_open(c, true) != 0)
        return 1;
    struct jobs_job j;
    jobs_job_init(&j);
    int rc = jobs_get(c->store, token, &j);
    if (rc)
        return ctl_die("%s: %s", token, jobs_strerror(rc));
    /* Live progress of a running job lives in memcached. */
    struct disp_progress_value live;
    bool have_live = false;
    if (j.state == JOBS_RUNNING) {
        struct disp_progress *p;
        if (disp_progress_open(c->cfg.memcached_servers, c->cfg.memcached_timeout_ms,
                               c->cfg.progress_ttl_s, &p) == 0) {
            have_live = disp_progress_get(p, token, &live) == 0 && live.attempt == j.attempts;
            disp_progress_free(p);
        }
        if (have_live) {
            j.percent = live.percent;
            free(j.message);
            j.message = strdup(live.message);
        }
    }
    if (c->json) {
        cJSON *o = ctl_job_json(&j);
        cJSON_AddStringToObject(o, "progress_source", have_live ? "memcached" : "sqlite");
        ctl_print_json(o);
    } else {
        ctl_print_job(&j);
    }
    jobs_job_cleanup(&j);
    return 0;
}

static int ctl_wait(struct ctl *c, const char *token, double timeout_s)
{
    if (ctl_open(c, true) != 0)
        return 1;
    struct jobs_job j;
    jobs_job_init(&j);
    int64_t t0 = jobs_mono_ms();
    for (;;) {
        int rc = jobs_get(c->store, token, &j);
        if (rc)
            return ctl_die("%s: %s", token, jobs_strerror(rc));
        if (jobs_state_final(j.state))
            break;
        if ((double)(jobs_mono_ms() - t0) / 1000.0 > timeout_s) {
            jobs_job_cleanup(&j);
            return ctl_die("%s: still %s after %.0f s", token, jobs_state_name(j.state),
                           timeout_s);
        }
        poll(NULL, 0, 20);
    }
    if (c->json)
        ctl_print_json(ctl_job_json(&j));
    else
        ctl_print_job(&j);
    int status = j.state == JOBS_DONE ? 0 : 3;
    jobs_job_cleanup(&j);
    return status;
}

static int ctl_list(struct ctl *c, int argc, char **argv)
{
    struct jobs_filter f = {.state = -1, .limit = 100};
    for (int i = 0; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--state") == 0) {
            f.state = jobs_state_parse(argv[i + 1]);
            if (f.state < 0) {
                char valid[128] = "";
                for (int s = 0; s < JOBS_STATE_COUNT; s++)
                    snprintf(valid + strlen(valid), sizeof valid - strlen(valid), "%s%s",
                             s ? ", " : "", jobs_state_name(s));
                return ctl_die("unknown state '%s' (valid states: %s)", argv[i + 1], valid);
            }
        } else if (strcmp(argv[i], "--queue") == 0) {
            f.queue = argv[i + 1];
        } else if (strcmp(argv[i], "--limit") == 0) {
            f.limit = (size_t)strtoul(argv[i + 1], NULL, 10);
        } else {
            return ctl_die("unknown option %s", argv[i]);
        }
    }
    if (argc % 2)
        return ctl_die("unknown option %s", argv[argc - 1]);
    if (ctl_open(c, true) != 0)
        return 1;
    struct jobs_list list;
    int rc = jobs_list_jobs(c->store, &f, &list);
    if (rc)
        return ctl_die("list: %s", jobs_strerror(rc));
    if (c->json) {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; i < list.n; i++)
            cJSON_AddItemToArray(a, ctl_job_json(&list.jobs[i]));
        ctl_print_json(a);
    } else {
        printf("%-22s  %-9s  %-10s  %-8s  %-19s  %-10s  %s\n", "TOKEN", "STATE", "QUEUE",
               "ATTEMPTS", "CREATED (UTC)", "DURATION", "FILE / ERROR");
        for (size_t i = 0; i < list.n; i++) {
            const struct jobs_job *j = &list.jobs[i];
            char created[32], took[32], attempts[24];
            snprintf(attempts, sizeof attempts, "%d/%d", j->attempts, j->max_attempts);
            printf("%-22s  %-9s  %-10s  %-8s  %-19s  %-10s  %s%s%s\n", j->token,
                   jobs_state_name(j->state), j->queue ? j->queue : "", attempts,
                   ctl_time(j->created_ms, created, sizeof created),
                   ctl_duration(j, took, sizeof took), j->input_name ? j->input_name : "",
                   j->error ? ": " : "", j->error ? j->error : "");
        }
    }
    jobs_list_cleanup(&list);
    return 0;
}

static int ctl_stats(struct ctl *c)
{
    if (ctl_open(c, true) != 0)
        return 1;
    struct jobs_stats st;
    int rc = jobs_stats(c->store, jobs_now_ms(), &st);
    if (rc)
        return ctl_die("stats: %s", jobs_strerror(rc));
    pid_t pid = 0;
    bool disp = disp_lock_holder(&c->cfg, &pid) == 0;
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        for (int s = 0; s < JOBS_STATE_COUNT; s++)
            cJSON_AddNumberToObject(o, jobs_state_name(s), (double)st.count[s]);
        cJSON_AddNumberToObject(o, "ready", (double)st.ready);
        cJSON_AddNumberToObject(o, "oldest_queued_ms", (double)st.oldest_queued_ms);
        cJSON_AddNumberToObject(o, "running_workers", (double)st.running_workers);
        cJSON_AddNumberToObject(o, "dispatcher_pid", disp ? (double)pid : 0);
        cJSON *qs = cJSON_AddObjectToObject(o, "queues");
        for (size_t i = 0; i < st.queue_count; i++) {
            cJSON *q = cJSON_AddObjectToObject(qs, st.queues[i].queue);
            for (int s = 0; s < JOBS_STATE_COUNT; s++)
                cJSON_AddNumberToObject(q, jobs_state_name(s), (double)st.queues[i].count[s]);
        }
        ctl_print_json(o);
    } else {
        printf("dispatcher: %s", disp ? "running, pid " : "not running\n");
        if (disp)
            printf("%d\n", (int)pid);
        for (int s = 0; s < JOBS_STATE_COUNT; s++)
            printf("%-10s %lld\n", jobs_state_name(s), (long long)st.count[s]);
        printf("ready      %lld\noldest     %.1f s\nworkers    %lld\n", (long long)st.ready,
               (double)st.oldest_queued_ms / 1000.0, (long long)st.running_workers);
        for (size_t i = 0; i < st.queue_count; i++) {
            printf("queue %s:", st.queues[i].queue);
            for (int s = 0; s < JOBS_STATE_COUNT; s++)
                printf(" %s %lld", jobs_state_name(s), (long long)st.queues[i].count[s]);
            putchar('\n');
        }
    }
    jobs_stats_cleanup(&st);
    return 0;
}

/* ------------------------------------------------------------------ changing */

static int ctl_transition(struct ctl *c, const char *what, const char *token)
{
    if (ctl_open(c, false) != 0)
        return 1;
    bool cancel = strcmp(what, "cancel") == 0;
    struct jobs_job after;
    jobs_job_init(&after);
    int rc = cancel ? jobs_life_cancel(&c->cfg, c->store, NULL, token, &after, "trackportctl")
                    : jobs_life_retry(&c->cfg, c->store, NULL, token, "trackportctl");
    if (rc == JOBS_ERR_STATE && cancel)
        ctl_die("cancel %s: already %s", token, jobs_state_name(after.state));
    else if (rc)
        ctl_die("%s %s: %s", what, token, jobs_strerror(rc));
    jobs_job_cleanup(&after);
    if (rc)
        return 1;
    const char *state = cancel ? "cancelled" : "queued";
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "token", token);
        cJSON_AddStringToObject(o, what, "ok");
        cJSON_AddStringToObject(o, "state", state);
        ctl_print_json(o);
    } else {
        printf("%s: %s\n", token, cancel ? "cancelled" : "queued again");
    }
    return 0;
}

static int ctl_purge(struct ctl *c, int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[0], "--older-than") != 0)
        return ctl_die("purge --older-than DAYS");
    char *end;
    double days = strtod(argv[1], &end);
    if (*end || days < 0)
        return ctl_die("--older-than wants a number of days");
    if (ctl_open(c, false) != 0)
        return 1;
    size_t n = 0;
    int64_t before = jobs_now_ms() - (int64_t)(days * 86400000.0);
    int rc = jobs_life_purge(&c->cfg, c->store, NULL, before, 0, &n, "trackportctl");
    if (rc)
        return ctl_die("purge: %s", jobs_strerror(rc));
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "purged", (double)n);
        ctl_print_json(o);
    } else {
        printf("purged %zu jobs\n", n);
    }
    return 0;
}

/*
 * Every file trackportctl creates in data_dir (job folders, the database's -wal and -shm)
 * must belong to the site's user, the owner of data_dir, or the site can no longer write
 * them. Run by that owner: nothing to do. Run by root: take the owner's identity (groups,
 * then effective gid and uid; the real uid stays root only so that the user's input file
 * can still be read, see ctl_user_file). Run by anyone else: refuse, saying why.
 */
static int ctl_become_site_user(struct ctl *c)
{
    struct stat st;
    if (stat(c->cfg.data_dir, &st) != 0 || st.st_uid == geteuid())
        return 0; /* a folder still to create belongs to whoever creates the site */
    struct passwd *pw = getpwuid(st.st_uid);
    char name[64];
    snprintf(name, sizeof name, "%s", pw ? pw->pw_name : "");
    if (geteuid() != 0)
        return ctl_die("data_dir %s belongs to %s%s(uid %u), the site's user: run trackportctl "
                       "as that user (sudo -u %s trackportctl ...) or as root, which acts as it",
                       c->cfg.data_dir, name, name[0] ? " " : "", (unsigned)st.st_uid,
                       name[0] ? name : "#uid");
    gid_t gid = pw ? pw->pw_gid : st.st_gid;
    if ((pw ? initgroups(name, gid) : setgroups(1, &gid)) != 0 || setegid(gid) != 0 ||
        seteuid(st.st_uid) != 0)
        return ctl_die("cannot act as %s (uid %u), the owner of data_dir %s: %s",
                       name[0] ? name : "the site's user", (unsigned)st.st_uid, c->cfg.data_dir,
                       strerror(errno));
    c->site_uid = st.st_uid;
    return 0;
}

int main(int argc, char **argv)
{
    static struct ctl c; /* the executable's one state struct */
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            c.config_path = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            c.json = true;
        else if (strcmp(argv[i], "--help") == 0)
            return ctl_usage(stdout, 0);
        else
            break;
    }
    if (i >= argc)
        return ctl_usage(stderr, 2);
    const char *cmd = argv[i++];
    /* --json may also follow the command */
    int rest = 0;
    char **args = argv + i;
    for (int k = i; k < argc; k++) {
        if (strcmp(argv[k], "--json") == 0)
            c.json = true;
        else
            args[rest++] = argv[k];
    }
    char err[1024];
    if (!c.config_path && !getenv(DISP_CONFIG_ENV) && access(DISP_INSTALLED_CONFIG, R_OK) == 0)
        c.config_path = DISP_INSTALLED_CONFIG;
    if (disp_config_load(c.config_path, &c.cfg, err, sizeof err) != 0)
        return ctl_die("%s", err);
    if (strcmp(cmd, "config") != 0 && ctl_become_site_user(&c) != 0)
        return 1;
    int status;
    if (strcmp(cmd, "enqueue") == 0)
        status = ctl_enqueue(&c, rest, args);
    else if (strcmp(cmd, "status") == 0 && rest == 1)
        status = ctl_status(&c, args[0]);
    else if (strcmp(cmd, "wait") == 0 && (rest == 1 || (rest == 3 && !strcmp(args[1], "--timeout"))))
        status = ctl_wait(&c, args[0], rest == 3 ? atof(args[2]) : 3600.0);
    else if (strcmp(cmd, "list") == 0)
        status = ctl_list(&c, rest, args);
    else if (strcmp(cmd, "stats") == 0 && rest == 0)
        status = ctl_stats(&c);
    else if ((strcmp(cmd, "retry") == 0 || strcmp(cmd, "cancel") == 0) && rest == 1)
        status = ctl_transition(&c, cmd, args[0]);
    else if (strcmp(cmd, "purge") == 0)
        status = ctl_purge(&c, rest, args);
    else if ((strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0) && rest == 0) {
        bool pause = strcmp(cmd, "pause") == 0;
        if (jobs_life_set_paused(&c.cfg, pause) != 0)
            return ctl_die("%s: %s", cmd, strerror(errno));
        disp_log(c.cfg.log_level, DISP_LOG_INFO, "ctl", "claiming %s by trackportctl",
                 pause ? "paused" : "resumed");
        printf("%s\n", pause ? "paused: no job is claimed until `trackportctl resume`"
                             : "resumed");
        status = 0;
    }
    else if (strcmp(cmd, "dispatcher") == 0 && rest == 0) {
        pid_t pid = 0;
        int rc = disp_lock_holder(&c.cfg, &pid);
        if (c.json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddBoolToObject(o, "running", rc == 0);
            cJSON_AddNumberToObject(o, "pid", rc == 0 ? (double)pid : 0);
            ctl_print_json(o);
        } else if (rc == 0) {
            printf("running, pid %d%s\n", (int)pid,
                   jobs_life_paused(&c.cfg) ? ", paused (claims no job)" : "");
        } else {
            printf("not running\n");
        }
        status = rc == 0 ? 0 : 3;
    } else if (strcmp(cmd, "config") == 0 && rest <= 1) {
        status = disp_config_write(rest == 1 && !strcmp(args[0], "--defaults") ? NULL : &c.cfg,
                                   stdout) == 0
                     ? 0
                     : 1;
    } else {
        static const char *const known[] = {"enqueue", "status", "wait",       "list",
                                            "stats",   "retry",  "cancel",     "purge",
                                            "pause",   "resume", "dispatcher", "config"};
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            if (strcmp(cmd, known[k]) == 0) {
                fprintf(stderr, "trackportctl: wrong arguments for %s\n\n", cmd);
                return ctl_usage(stderr, 2);
            }
        fprintf(stderr,
                "trackportctl: unknown command '%s' (commands: enqueue, status, wait, list, "
                "stats, retry, cancel, purge, pause, resume, dispatcher, config; --help for "
                "their arguments)\n",
                cmd);
        return 2;
    }
    jobs_store_close(c.store);
    return status;
}
