/*
 * web_upload.c — POST /jobs and POST /jobs/<token>/reconvert (see web_upload.h).
 *
 * A job is stored, named and made durable by jobs_life (one rule for every submitter); this
 * file only turns the form into job options. The answer is sent only after the job row is
 * committed, so an answered upload survives any process dying afterwards.
 */
#include "web_upload.h"

#include "disp_options.h"
#include "disp_log.h"
#include "web_app.h"
#include "web_jobs.h"
#include "web_multipart.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define UPLOAD_CHUNK 65536

struct upload {
    struct web_multipart *mp;
    struct disp_options_builder *options;
};

/* Parses a positive pixel count; false if malformed. */
static bool upload_pixels(const char *s, int *out)
{
    return s && tp_parse_int(s, strlen(s), out) && *out > 0 && *out <= 1000000;
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
            /* Each field is one more edit, in the order of the form; a flag may repeat. */
            const char *flag = f[i].name + 5;
            size_t index = edit_index++;
            if (f[i].len == 0) /* an edit left empty on the form is not applied */
                continue;
            if (disp_options_add_edit(u->options, flag, f[i].value, &diag) != 0) {
                const char *message = diag.message[0] ? diag.message : "Unknown edit.";
                cJSON *o = c->wants_html ? NULL : cJSON_CreateObject();
                if (!o) {
                    web_send_error(c, 400, "%s", message);
                    return false;
                }
                /* The page marks the field: its name and place among the edit fields. */
                cJSON_AddStringToObject(o, "error", message);
                cJSON_AddNumberToObject(o, "status", 400);
                cJSON_AddStringToObject(o, "field", f[i].name);
                cJSON_AddNumberToObject(o, "index", (double)index);
                web_send_json(c, 400, o);
                cJSON_Delete(o);
                return false;
            }
        }
    }
    return true;
}

/* Answers an upload that could not be written to disk: a full disk or quota is the
 * server's state, not the request's fault, and is said so (507) to user and operator. */
static void upload_store_failed(struct web_ctx *c, int err)
{
    if (err == ENOSPC || err == EDQUOT) {
        fprintf(stderr, "trackport-fcgi: an upload was refused: the disk of %s is full\n",
                c->app->cfg.data_dir);
        web_send_error(c, 507, "The server's disk is full, so the upload could not be stored. "
                               "Try again later.");
        return;
    }
    web_send_error(c, 500, "The upload could not be stored: %s.", strerror(err));
}

/* Feeds the request body through the parser; answers and returns false on failure. The
 * file part, if any, goes to fd. max_file 0: the form must carry no file. */
static bool upload_read_form(struct web_ctx *c, struct upload *u, const char *content_type,
                             int fd, uint64_t max_file)
{
    struct web_multipart_limits lim = {.max_file = max_file ? max_file : 1};
    int rc = web_multipart_new(content_type, fd, &lim, &u->mp);
    if (rc) {
        web_send_error(c, 400, "The form must be sent as multipart/form-data (%s).",
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
    if (rc == WEB_MP_ERR_FILE_TOO_LARGE && max_file) {
        web_send_error(c, 413, "The file is larger than this site accepts (%lld bytes at "
                               "most).",
                       (long long)max_file);
        return false;
    }
    if (rc == WEB_MP_ERR_DISK_FULL) {
        upload_store_failed(c, ENOSPC);
        return false;
    }
    if (rc == WEB_MP_ERR_IO || rc == WEB_MP_ERR_NOMEM) {
        web_send_error(c, 500, "The upload could not be stored: %s.", web_multipart_strerror(rc));
        return false;
    }
    if (rc == 0 && !max_file && web_multipart_file(u->mp, NULL, NULL, NULL, NULL))
        rc = WEB_MP_ERR_FILE_TOO_LARGE;
    if (rc == WEB_MP_ERR_FILE_TOO_LARGE) {
        web_send_error(c, 400, "A conversion again uses the stored file: send the form "
                               "without a file.");
        return false;
    }
    if (rc) {
        web_send_error(c, 400, "The upload form could not be read: %s.",
                       web_multipart_strerror(rc));
        return false;
    }
    return true;
}

/* Checks the uploaded file part; answers and returns false if unusable. */
static bool upload_check_file(struct web_ctx *c, const struct upload *u)
{
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

/* Answers a failed submission (jobs_life_draft_commit or jobs_life_reconvert). */
static void upload_failed(struct web_ctx *c, int rc)
{
    if (rc == JOBS_ERR_IO || rc == JOBS_ERR_BAD_ARGUMENT || rc == JOBS_ERR_NOMEM) {
        web_send_error(c, 500, "The job could not be stored: %s.", jobs_strerror(rc));
        return;
    }
    if (rc != JOBS_ERR_BUSY && rc != JOBS_ERR_UNAVAILABLE)
        web_app_store_failed(c->app);
    web_jobs_busy(c, rc);
}

/* The job parameters every job made by the site has; options: JSON of the form's fields. */
static struct jobs_life_params upload_params(const struct disp_config *cfg, const char *name,
                                             const char *options)
{
    return (struct jobs_life_params){.input_name = name,
                                     .options = options,
                                     .queue = cfg->web_queue,
                                     .priority = cfg->web_priority,
                                     .by = name ? "upload" : "reconvert"};
}

static void upload_answer(struct web_ctx *c, const char *token)
{
    char page[64];
    snprintf(page, sizeof page, "/jobs/%s", token);
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
        cJSON_AddStringToObject(o, "token", token);
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

/* False (and 503 answered) while more jobs wait than web_max_queued. */
static bool upload_queue_has_room(struct web_ctx *c)
{
    const struct disp_config *cfg = &c->app->cfg;
    struct jobs_store *store = web_app_store(c->app);
    int64_t depth = 0;
    if (cfg->web_max_queued <= 0 || !store ||
        jobs_queue_depth(store, jobs_now_ms(), &depth) != 0 || depth < cfg->web_max_queued)
        return true;
    web_header(c, "Retry-After", "30");
    web_send_error(c, 503, "The converter is busy (%lld files are waiting). Try again in a "
                           "minute.",
                   (long long)depth);
    return false;
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
    if (len > cfg->web_max_upload_bytes + DISP_UPLOAD_FORM_ROOM) {
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
    if (!upload_queue_has_room(c))
        return;
    struct jobs_life_draft draft;
    if (jobs_life_draft_begin(cfg, &draft) != 0) {
        upload_store_failed(c, errno);
        return;
    }
    struct upload u = {0};
    char *options = NULL;
    bool ok = upload_read_form(c, &u, content_type, draft.fd,
                               (uint64_t)cfg->web_max_upload_bytes) &&
              upload_check_file(c, &u) && upload_options(c, &u);
    if (ok && !(options = disp_options_builder_json(u.options))) {
        web_send_error(c, 500, "Out of memory.");
        ok = false;
    }
    if (ok) {
        const char *name;
        web_multipart_file(u.mp, NULL, &name, NULL, NULL);
        struct jobs_life_params p = upload_params(cfg, name, options);
        int rc = jobs_life_draft_commit(cfg, web_app_store(c->app), &draft, &p);
        if (rc) {
            upload_failed(c, rc);
            ok = false;
        }
    }
    if (ok)
        upload_answer(c, draft.token);
    else
        jobs_life_draft_abort(cfg, &draft);
    free(options);
    web_multipart_free(u.mp);
    disp_options_builder_free(u.options);
}

void web_upload_reconvert(struct web_ctx *c, const struct web_match *m)
{
    const struct disp_config *cfg = &c->app->cfg;
    char token[JOBS_TOKEN_SIZE];
    if (web_match_param(m, "token", token, sizeof token) < 0 || !jobs_token_valid(token)) {
        web_send_error(c, 404, "There is no such conversion.");
        return;
    }
    const char *content_type = web_env(c, "CONTENT_TYPE");
    if (!content_type || strncasecmp(content_type, "multipart/form-data", 19) != 0) {
        web_send_error(c, 400, "The form must be sent as multipart/form-data.");
        return;
    }
    if (!upload_queue_has_room(c))
        return;
    int sink = open("/dev/null", O_WRONLY | O_CLOEXEC); /* a file part is refused anyway */
    struct upload u = {0};
    char *options = NULL;
    bool ok = sink >= 0 && upload_read_form(c, &u, content_type, sink, 0) &&
              upload_options(c, &u);
    if (sink < 0)
        web_send_error(c, 500, "/dev/null: %s.", strerror(errno));
    if (ok && !(options = disp_options_builder_json(u.options))) {
        web_send_error(c, 500, "Out of memory.");
        ok = false;
    }
    if (ok) {
        struct jobs_life_params p = upload_params(cfg, NULL, options);
        char made[JOBS_TOKEN_SIZE];
        int rc = jobs_life_reconvert(cfg, web_app_store(c->app), token, &p, made);
        if (rc == JOBS_ERR_NOT_FOUND)
            web_send_error(c, 404, "There is no such conversion, or its file was removed "
                                   "after the retention period.");
        else if (rc)
            upload_failed(c, rc);
        else
            upload_answer(c, made);
    }
    if (sink >= 0)
        close(sink);
    free(options);
    web_multipart_free(u.mp);
    disp_options_builder_free(u.options);
}
