/*
 * disp_progress.h — live job progress in memcached (DESIGN §4).
 *
 * Key: "trackport:job:<token>". Value: a small JSON object, schema version "v" first:
 *     {"v":1,"state":"running","percent":42,"message":"Parsing Tracker4 node 3 of 7",
 *      "attempt":1,"updated":1700000000123}
 * state is a jobs_state_name, percent 0..100, updated the writer's clock in ms since the
 * epoch. Expiry: progress_ttl_s (one hour by default).
 *
 * Writers: the converter child (throttled to one write per progress_interval_ms, plus
 * every state change) and the dispatcher when it changes a job's state itself (retry after
 * a crash, final failure, recovery). Readers: the site's status endpoint.
 * Reading rule for the site: the state comes from SQLite, always (a final state there wins
 * over any value here, which may lag it or miss a write); while SQLite says running, a value
 * of the same attempt, running and updated within DISP_PROGRESS_STALE_MS, gives the live
 * percent and message. Writers put a final value after their SQLite write, so pollers that
 * read only memcached (trackportctl's progress watchers) see the end too.
 *
 * Failure policy: short timeouts (memcached_timeout_ms) and, after a failed call, no
 * further attempt for DISP_PROGRESS_BACKOFF_MS, so memcached being slow, down or absent
 * never slows or fails a conversion or a request; a final state (done, failed, cancelled)
 * is still tried once during a backoff. Callers may ignore every return code.
 *
 * Fork safety: a struct disp_progress is one libmemcached handle with its own sockets.
 * Never use or free it in another process than the one that opened it (a child that
 * inherited one abandons it and opens its own). Not thread-safe.
 */
#ifndef TRACKPORT_DISP_PROGRESS_H
#define TRACKPORT_DISP_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DISP_PROGRESS_KEY_PREFIX "trackport:job:"
#define DISP_PROGRESS_VERSION 1
#define DISP_PROGRESS_STALE_MS 10000
#define DISP_PROGRESS_BACKOFF_MS 1000
#define DISP_PROGRESS_MESSAGE_MAX 256

struct disp_progress;

/* One progress value. */
struct disp_progress_value {
    int state;                              /* enum jobs_state */
    int percent;                            /* 0..100 */
    int attempt;
    int64_t updated_ms;
    char message[DISP_PROGRESS_MESSAGE_MAX]; /* truncated to fit (on a UTF-8 boundary) */
};

/*
 * disp_progress_open prepares a client for servers ("host:port,host:port"; "" or NULL: a
 * client that stores nothing and finds nothing). Does not connect yet (connection happens
 * on first use). timeout_ms bounds connect, send and receive; ttl_s is the expiry of
 * written values. Caller owns *out (disp_progress_free). 0 or JOBS_ERR_NOMEM/CONFIG.
 */
int disp_progress_open(const char *servers, int timeout_ms, int ttl_s, struct disp_progress **out);
void disp_progress_free(struct disp_progress *p);

/* disp_progress_put writes v for token (updated_ms is filled in if 0). 0, or
 * JOBS_ERR_UNAVAILABLE when memcached is absent, down, slow or backing off. */
int disp_progress_put(struct disp_progress *p, const char *token,
                      const struct disp_progress_value *v);

/* disp_progress_get reads token's value: 0, JOBS_ERR_NOT_FOUND (no value, or one that does
 * not parse as this version), or JOBS_ERR_UNAVAILABLE. */
int disp_progress_get(struct disp_progress *p, const char *token, struct disp_progress_value *v);

/* disp_progress_delete removes token's value (purge). Same failure policy. */
int disp_progress_delete(struct disp_progress *p, const char *token);

/* disp_progress_failures counts the operations of p that failed since it was opened (for
 * the memcached error counter of /metrics); 0 for NULL. */
uint64_t disp_progress_failures(const struct disp_progress *p);

/* disp_progress_ping checks that memcached answers (for /health): 0 or JOBS_ERR_UNAVAILABLE. */
int disp_progress_ping(struct disp_progress *p);

/* disp_progress_set_message copies message (NULL: "") into v, cut on a UTF-8 boundary. */
void disp_progress_set_message(struct disp_progress_value *v, const char *message);

/* disp_progress_format writes v as the JSON value into buf (at least 512 + 6x message
 * bytes); returns its length or 0 if it did not fit. */
size_t disp_progress_format(const struct disp_progress_value *v, char *buf, size_t size);
/* disp_progress_parse reads a JSON value back: 0 or JOBS_ERR_NOT_FOUND if malformed. */
int disp_progress_parse(const char *json, size_t len, struct disp_progress_value *v);

#ifdef __cplusplus
}
#endif
#endif
