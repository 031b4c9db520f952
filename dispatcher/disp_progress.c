/* disp_progress.c — progress values in memcached through libmemcached. The client is
 * deliberately timid: every call is bounded by memcached_timeout_ms and a failure makes it
 * skip memcached entirely for a second, so a dead or slow cache costs a conversion at most
 * one timeout per second. */
#include "disp_progress.h"

#include "jobs_store.h"

#include <cjson/cJSON.h>
#include <libmemcached/memcached.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct disp_progress {
    memcached_st *mc; /* NULL: no servers configured */
    pid_t pid;
    int ttl_s;
    int64_t backoff_until_ms;
    uint64_t failures; /* operations that failed (disp_progress_failures) */
};

int disp_progress_open(const char *servers, int timeout_ms, int ttl_s, struct disp_progress **out)
{
    *out = NULL;
    struct disp_progress *p = calloc(1, sizeof *p);
    if (!p)
        return JOBS_ERR_NOMEM;
    p->pid = getpid();
    p->ttl_s = ttl_s > 0 ? ttl_s : 3600;
    if (servers && *servers) {
        p->mc = memcached_create(NULL);
        if (!p->mc) {
            free(p);
            return JOBS_ERR_NOMEM;
        }
        memcached_server_st *list = memcached_servers_parse(servers);
        if (!list || memcached_server_push(p->mc, list) != MEMCACHED_SUCCESS) {
            memcached_server_list_free(list);
            memcached_free(p->mc);
            free(p);
            return JOBS_ERR_CONFIG;
        }
        memcached_server_list_free(list);
        uint64_t ms = timeout_ms > 0 ? (uint64_t)timeout_ms : 100;
        memcached_behavior_set(p->mc, MEMCACHED_BEHAVIOR_NO_BLOCK, 1);
        memcached_behavior_set(p->mc, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
        memcached_behavior_set(p->mc, MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, ms);
        memcached_behavior_set(p->mc, MEMCACHED_BEHAVIOR_POLL_TIMEOUT, ms);
        memcached_behavior_set(p->mc, MEMCACHED_BEHAVIOR_SND_TIMEOUT, ms * 1000);
        memcached_behavior_set(p->mc, MEMCACHED_BEHAVIOR_RCV_TIMEOUT, ms * 1000);
        /* Our own backoff decides when to try again; libmemcached must not hold a server
         * dead for longer, nor retry on its own. */
        memcached_behavior_set(p->mc, MEMCACHED_BEHAVIOR_RETRY_TIMEOUT, 1);
        memcached_behavior_set(p->mc, MEMCACHED_BEHAVIOR_SERVER_FAILURE_LIMIT, 1);
    }
    *out = p;
    return 0;
}

void disp_progress_free(struct disp_progress *p)
{
    if (!p)
        return;
    if (p->pid != getpid())
        return; /* inherited: never touch the parent's sockets */
    if (p->mc)
        memcached_free(p->mc);
    free(p);
}

/* Whether memcached may be tried now. */
static bool progress_usable(struct disp_progress *p)
{
    if (!p || !p->mc || p->pid != getpid())
        return false;
    return p->backoff_until_ms == 0 || jobs_mono_ms() >= p->backoff_until_ms;
}

uint64_t disp_progress_failures(const struct disp_progress *p)
{
    return p ? p->failures : 0;
}

static int progress_failed(struct disp_progress *p)
{
    p->failures++;
    p->backoff_until_ms = jobs_mono_ms() + DISP_PROGRESS_BACKOFF_MS;
    /* Drop the connection so the next attempt starts clean (a half-read reply would
     * otherwise desynchronise the text protocol). */
    memcached_quit(p->mc);
    return JOBS_ERR_UNAVAILABLE;
}

static size_t progress_key(const char *token, char *key, size_t size)
{
    int n = snprintf(key, size, DISP_PROGRESS_KEY_PREFIX "%s", token);
    return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

/* Appends s JSON-escaped; returns false when it does not fit. */
static bool progress_escape(char *buf, size_t size, size_t *pos, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        char tmp[8];
        size_t n;
        if (*c == '"' || *c == '\\') {
            tmp[0] = '\\';
            tmp[1] = (char)*c;
            n = 2;
        } else if (*c < 0x20) {
            n = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", *c);
        } else {
            tmp[0] = (char)*c;
            n = 1;
        }
        if (*pos + n >= size)
            return false;
        memcpy(buf + *pos, tmp, n);
        *pos += n;
    }
    return true;
}

/* Copies src into dst (size bytes) cutting on a UTF-8 character boundary. */
static void progress_copy_utf8(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

size_t disp_progress_format(const struct disp_progress_value *v, char *buf, size_t size)
{
    int n = snprintf(buf, size, "{\"v\":%d,\"state\":\"%s\",\"percent\":%d,\"message\":\"",
                     DISP_PROGRESS_VERSION, jobs_state_name(v->state), v->percent);
    if (n < 0 || (size_t)n >= size)
        return 0;
    size_t pos = (size_t)n;
    char message[DISP_PROGRESS_MESSAGE_MAX];
    progress_copy_utf8(message, sizeof message, v->message);
    if (!progress_escape(buf, size, &pos, message))
        return 0;
    n = snprintf(buf + pos, size - pos, "\",\"attempt\":%d,\"updated\":%lld}", v->attempt,
                 (long long)v->updated_ms);
    if (n < 0 || (size_t)n >= size - pos)
        return 0;
    return pos + (size_t)n;
}

void disp_progress_set_message(struct disp_progress_value *v, const char *message)
{
    progress_copy_utf8(v->message, sizeof v->message, message ? message : "");
}

int disp_progress_parse(const char *json, size_t len, struct disp_progress_value *v)
{
    memset(v, 0, sizeof *v);
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root)
        return JOBS_ERR_NOT_FOUND;
    int rc = JOBS_ERR_NOT_FOUND;
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "v");
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(root, "state");
    const cJSON *percent = cJSON_GetObjectItemCaseSensitive(root, "percent");
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(root, "message");
    const cJSON *attempt = cJSON_GetObjectItemCaseSensitive(root, "attempt");
    const cJSON *updated = cJSON_GetObjectItemCaseSensitive(root, "updated");
    if (cJSON_IsNumber(ver) && ver->valueint == DISP_PROGRESS_VERSION && cJSON_IsString(state) &&
        jobs_state_parse(state->valuestring) >= 0 && cJSON_IsNumber(percent) &&
        cJSON_IsString(message) && cJSON_IsNumber(updated)) {
        v->state = jobs_state_parse(state->valuestring);
        double p = percent->valuedouble;
        v->percent = p < 0 ? 0 : p > 100 ? 100 : (int)p;
        v->attempt = cJSON_IsNumber(attempt) ? attempt->valueint : 0;
        v->updated_ms = (int64_t)updated->valuedouble;
        progress_copy_utf8(v->message, sizeof v->message, message->valuestring);
        rc = 0;
    }
    cJSON_Delete(root);
    return rc;
}

int disp_progress_put(struct disp_progress *p, const char *token,
                      const struct disp_progress_value *v)
{
    /* A final state is written once per job and is what turns a watching page from
     * "running" to the result at once, so it is tried even during a backoff (still bounded
     * by the timeout); skipping it would leave a fresh "running" value in memcached. */
    bool final_write = p && p->mc && p->pid == getpid() && jobs_state_final(v->state);
    if (!final_write && !progress_usable(p))
        return JOBS_ERR_UNAVAILABLE;
    char key[64], value[512 + 6 * DISP_PROGRESS_MESSAGE_MAX];
    struct disp_progress_value copy = *v;
    if (copy.updated_ms == 0)
        copy.updated_ms = jobs_now_ms();
    progress_copy_utf8(copy.message, sizeof copy.message, v->message);
    size_t klen = progress_key(token, key, sizeof key);
    size_t vlen = disp_progress_format(&copy, value, sizeof value);
    if (!klen || !vlen)
        return JOBS_ERR_BAD_ARGUMENT;
    memcached_return_t rc =
        memcached_set(p->mc, key, klen, value, vlen, (time_t)p->ttl_s, 0);
    return memcached_success(rc) ? 0 : progress_failed(p);
}

/* The stored JSON text itself (caller owns *json: free); codes as disp_progress_get. */
static int progress_get_raw(struct disp_progress *p, const char *token, char **json)
{
    *json = NULL;
    if (!p || !p->mc)
        return JOBS_ERR_NOT_FOUND;
    if (!progress_usable(p))
        return JOBS_ERR_UNAVAILABLE;
    char key[64];
    size_t klen = progress_key(token, key, sizeof key);
    if (!klen)
        return JOBS_ERR_NOT_FOUND;
    size_t vlen = 0;
    uint32_t flags = 0;
    memcached_return_t rc;
    char *value = memcached_get(p->mc, key, klen, &vlen, &flags, &rc);
    if (!value) {
        if (rc == MEMCACHED_NOTFOUND)
            return JOBS_ERR_NOT_FOUND;
        return memcached_success(rc) ? JOBS_ERR_NOT_FOUND : progress_failed(p);
    }
    char *copy = malloc(vlen + 1);
    if (!copy) {
        free(value);
        return JOBS_ERR_NOMEM;
    }
    memcpy(copy, value, vlen);
    copy[vlen] = '\0';
    free(value);
    *json = copy;
    return 0;
}

int disp_progress_get(struct disp_progress *p, const char *token, struct disp_progress_value *v)
{
    char *json;
    int rc = progress_get_raw(p, token, &json);
    if (rc)
        return rc;
    rc = disp_progress_parse(json, strlen(json), v);
    free(json);
    return rc;
}

int disp_progress_delete(struct disp_progress *p, const char *token)
{
    if (!p || !p->mc)
        return 0;
    if (!progress_usable(p))
        return JOBS_ERR_UNAVAILABLE;
    char key[64];
    size_t klen = progress_key(token, key, sizeof key);
    if (!klen)
        return JOBS_ERR_BAD_ARGUMENT;
    memcached_return_t rc = memcached_delete(p->mc, key, klen, 0);
    if (rc == MEMCACHED_NOTFOUND || memcached_success(rc))
        return 0;
    return progress_failed(p);
}

int disp_progress_ping(struct disp_progress *p)
{
    if (!p || !p->mc)
        return JOBS_ERR_UNAVAILABLE;
    if (!progress_usable(p))
        return JOBS_ERR_UNAVAILABLE;
    size_t vlen;
    uint32_t flags;
    memcached_return_t rc;
    char *value = memcached_get(p->mc, "trackport:ping", 14, &vlen, &flags, &rc);
    free(value);
    return rc == MEMCACHED_NOTFOUND || memcached_success(rc) ? 0 : progress_failed(p);
}
