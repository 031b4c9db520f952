/*
 * web_upload.c — POST /jobs (see web_upload.h).
 *
 * Durability: the answer is sent only after the job row is committed, so an answered upload
 * survives any process dying afterwards (lighttpd restarts included). With db_sync = full
 * the input file and its folder are fsync'ed too, matching the database's promise across
 * power loss; with normal the page cache is enough, as it is for the database.
 */
#include "web_upload.h"

#include "disp_options.h"
#include "web_app.h"
#include "web_files.h"
#include "web_multipart.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UPLOAD_CHUNK 65536

struct upload {
    char token[JOBS_TOKEN_SIZE];
    char dir[DISP_PATH_MAX];
    char part_path[DISP_PATH_MAX + 16];
    char input_path[DISP_PATH_MAX + 16];
    int fd;
    struct web_multipart *mp;
    struct disp_options_builder *options;
};

/* Parses a positive pixel count; false if malformed. */
static bool upload_pixels(const char *s, int *out)
{
    return s && tp_parse_int(s, strlen(s), out) && *out > 0 && *out <= 1000000;
}

/* Answers 400 for the edit field `edit.<flag>` at index (its 0-based position among the
 * edit fields): a JSON answer names the field and its position so the page can mark it. */
static void upload_edit_error(struct web_ctx *c, const char *flag, size_t index,
                              const char *message)
{
    if (c->wants_html) {
        web_send_error(c, 400, "%s", message);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    char field[128];
    snprintf(field, sizeof field, "edit.%.100s", flag);
    if (o) {
        cJSON_AddStringToObject(o, "error", message);
        cJSON_AddNumberToObject(o, "status", 400);
        cJSON_AddStringToObject(o, "field", field);
        cJSON_AddNumberToObject(o, "index", (double)index);
    }
    web_send_json(c, 400, o);
    cJSON_Delete(o);
}

/* Turns the form's fields into job options; answers 400 and returns false on a bad one. */
static bool upload_options(struct web_ctx *c, struct upload *u)
{
    struct tp_diag diag = {0};
    u->options = disp_options_builder_new();
    if (!u->options) {
        web_send_error(c, 500, "Out of memory.");
        return false;
    }
    const char *importer = web_multipart_field(u->mp, "importer");
    if (importer && importer[0] && strcmp(importer, "auto") != 0 &&
        disp_options_set_importer(u->options, importer, &diag) != 0) {
        web_send_error(c, 400, "%s", diag.message[0] ? diag.message : "Unknown importer.");
        return false;
    }
    const char *w = web_multipart_field(u->mp, "width");
    const char *h = web_multipart_field(u->mp, "height");
    bool has_w = w && w[0], has_h = h && h[0];
    if (has_w || has_h) {
        int width, height;
        if (!has_w || !has_h) {
            web_send_error(c, 400, "Give both the width and the height of the comp, or "
                                   "neither.");
            return false;
        }
        if (!upload_pixels(w, &width) || !upload_pixels(h, &height)) {
            web_send_error(c, 400, "The width and height must be whole numbers of pixels "
                                   "(got \"%.40s\" x \"%.40s\").",
                           w, h);
            return false;
        }
        if (disp_options_set_size(u->options, width, height, &diag) != 0) {
            web_send_error(c, 400, "%s", diag.message);
            return false;
        }
    }
    size_t n, edit_index = 0;
    const struct web_multipart_field *f = web_multipart_fields(u->mp, &n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(f[i].name, "exporters") == 0 || strcmp(f[i].name, "exporter") == 0) {
            char *list = strdup(f[i].value);
            if (!list) {
                web_send_error(c, 500, "Out of memory.");
                return false;
            }
            int rc = 0;
            for (char *save = NULL, *name = strtok_r(list, ", ", &save); name && !rc;
                 name = strtok_r(NULL, ", ", &save))
                rc = disp_options_add_exporter(u->options, name, &diag);
            free(list);
            if (rc) {
                web_send_error(c, 400, "%s", diag.message[0] ? diag.message : "Unknown exporter.");
                return false;
            }
        } else if (strncmp(f[i].name, "edit.", 5) == 0) {
            const char *flag = f[i].name + 5;
            size_t index = edit_index++;
            if (f[i].len == 0) /* an edit left empty on the form is not applied */
                continue;
            if (disp_options_add_edit(u->options, flag, f[i].value, &diag) != 0) {
                upload_edit_error(c, flag, index, diag.message[0] ? diag.message : "Unknown edit.");
                return false;
            }
        }
    }
    return true;
}

/* Reads the body through the parser into the job folder; answers and returns false on
 * failure. */
static bool upload_receive(struct web_ctx *c, struct upload *u, const char *content_type)
{
    struct web_multipart_limits lim = {.max_file = (uint64_t)c->app->cfg.web_max_upload_bytes};
    int rc = web_multipart_new(content_type, u->fd, &lim, &u->mp);
    if (rc) {
        web_send_error(c, 400, "The upload must be sent as multipart/form-data (%s).",
                       web_multipart_strerror(rc));
        return false;
    }
    char *buf = malloc(UPLOAD_CHUNK);
    if (!buf) {
        web_send_error(c, 500, "Out of memory.");
        return false;
    }
    long got;
    while (rc == 0 && (got = web_read(c, buf, UPLOAD_CHUNK)) > 0)
        rc = web_multipart_feed(u->mp, buf, (size_t)got);
    free(buf);
    if (rc == 0)
        rc = web_multipart_finish(u->mp);
    if (rc == WEB_MP_ERR_FILE_TOO_LARGE) {
        web_send_error(c, 413, "The file is larger than this site accepts (%lld bytes at "
                               "most).",
                       (long long)c->app->cfg.web_max_upload_bytes);
        return false;
    }
    if (rc == WEB_MP_ERR_IO || rc == WEB_MP_ERR_NOMEM) {
        web_send_error(c, 500, "The upload could not be stored: %s.", web_multipart_strerror(rc));
        return false;
    }
    if (rc) {
        web_send_error(c, 400, "The upload form could not be read: %s.",
                       web_multipart_strerror(rc));
        return false;
    }
    const char *name;
    uint64_t bytes;
    if (!web_multipart_file(u->mp, NULL, &name, NULL, &bytes)) {
        web_send_error(c, 400, "No file was uploaded: choose a tracking file to convert.");
        return false;
    }
    if (!web_multipart_safe_filename(name) || strlen(name) > 255) {
        web_send_error(c, 400, "The file name must be a plain name, without folders or "
                               "special characters.");
        return false;
    }
    if (bytes == 0) {
        web_send_error(c, 400, "The uploaded file is empty.");
        return false;
    }
    return true;
}

/* fsync of a file and of the folder holding it. */
static int upload_sync(int fd, const char *dir)
{
    if (fsync(fd) != 0)
        return -1;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    int rc = fsync(dfd);
    close(dfd);
    return rc;
}

static bool upload_enqueue(struct web_ctx *c, struct upload *u)
{
    const struct disp_config *cfg = &c->app->cfg;
    char *options = disp_options_builder_json(u->options);
    if (!options) {
        web_send_error(c, 500, "Out of memory.");
        return false;
    }
    const char *name;
    web_multipart_file(u->mp, NULL, &name, NULL, NULL);
    struct jobs_new job = {
        .token = u->token,
        .queue = cfg->web_queue,
        .input_name = name,
        .input_path = u->input_path,
        .options = options,
        .priority = cfg->web_priority,
        .max_attempts = cfg->max_attempts,
        .ttr_s = cfg->ttr_s,
    };
    struct jobs_store *store = web_app_store(c->app);
    int rc = store ? jobs_enqueue(store, &job, NULL) : JOBS_ERR_UNAVAILABLE;
    free(options);
    if (rc) {
        if (store)
            web_app_store_failed(c->app);
        web_send_error(c, 503, "The job could not be queued (%s). Try again in a moment.",
                       jobs_strerror(rc));
        return false;
    }
    disp_wake(cfg, DISP_WAKE_JOB);
    return true;
}

static void upload_answer(struct web_ctx *c, const struct upload *u)
{
    char page[64];
    snprintf(page, sizeof page, "/jobs/%s", u->token);
    if (!c->accepts_json) {
        web_send_redirect(c, 303, page);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    struct web_buf b;
    web_buf_init(&b, 4096);
    web_url_prefix(c, &b);
    web_buf_puts(&b, page);
    size_t plen = b.len;
    web_buf_puts(&b, "/status");
    if (o && web_buf_ok(&b)) {
        cJSON_AddStringToObject(o, "token", u->token);
        cJSON_AddStringToObject(o, "status_url", b.data);
        b.data[plen] = '\0';
        cJSON_AddStringToObject(o, "page_url", b.data);
    }
    web_begin(c, 202);
    web_header(c, "Location", "%s", b.data ? b.data : page);
    web_send_json(c, 202, o);
    web_buf_cleanup(&b);
    cJSON_Delete(o);
}

void web_upload_handle(struct web_ctx *c, const struct web_match *m)
{
    (void)m;
    const struct disp_config *cfg = &c->app->cfg;
    const char *len_text = web_env(c, "CONTENT_LENGTH");
    long long len = len_text ? atoll(len_text) : -1;
    if (len < 0) {
        web_send_error(c, 411, "The upload must say how long it is (Content-Length).");
        return;
    }
    /* The form's own text adds a little to the file; refuse early only what cannot fit. */
    if (len > cfg->web_max_upload_bytes + 64 * 1024) {
        web_send_error(c, 413, "The file is larger than this site accepts (%lld bytes at "
                               "most).",
                       (long long)cfg->web_max_upload_bytes);
        return;
    }
    const char *content_type = web_env(c, "CONTENT_TYPE");
    if (!content_type || strncasecmp(content_type, "multipart/form-data", 19) != 0) {
        web_send_error(c, 400, "The upload must be sent as multipart/form-data with a file "
                               "field named \"file\".");
        return;
    }
    if (cfg->web_max_queued > 0) {
        struct jobs_store *store = web_app_store(c->app);
        int64_t depth = 0;
        if (store && jobs_queue_depth(store, jobs_now_ms(), &depth) == 0 &&
            depth >= cfg->web_max_queued) {
            web_header(c, "Retry-After", "30");
            web_send_error(c, 503, "The converter is busy (%lld files are waiting). Try again "
                                   "in a minute.",
                           (long long)depth);
            return;
        }
    }

    struct upload u = {.fd = -1};
    if (jobs_token_new(u.token) != 0 ||
        disp_config_job_dir(cfg, u.token, u.dir, sizeof u.dir) != 0) {
        web_send_error(c, 500, "No job folder could be made.");
        return;
    }
    snprintf(u.part_path, sizeof u.part_path, "%s/input.part", u.dir);
    snprintf(u.input_path, sizeof u.input_path, "%s/input", u.dir);
    bool ok = false;
    if (mkdir(u.dir, 0750) != 0) {
        web_send_error(c, 500, "No job folder could be made: %s.", strerror(errno));
        goto out;
    }
    u.fd = open(u.part_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (u.fd < 0) {
        web_send_error(c, 500, "The upload could not be stored: %s.", strerror(errno));
        goto out;
    }
    if (!upload_receive(c, &u, content_type) || !upload_options(c, &u))
        goto out;
    if ((cfg->db_sync == JOBS_SYNC_FULL && upload_sync(u.fd, u.dir) != 0) ||
        close(u.fd) != 0) {
        u.fd = -1;
        web_send_error(c, 500, "The upload could not be stored: %s.", strerror(errno));
        goto out;
    }
    u.fd = -1;
    if (rename(u.part_path, u.input_path) != 0) {
        web_send_error(c, 500, "The upload could not be stored: %s.", strerror(errno));
        goto out;
    }
    if (!upload_enqueue(c, &u))
        goto out;
    ok = true;
    upload_answer(c, &u);
out:
    if (u.fd >= 0)
        close(u.fd);
    if (!ok)
        web_remove_tree(u.dir);
    web_multipart_free(u.mp);
    disp_options_builder_free(u.options);
}
