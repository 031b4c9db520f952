/*
 * export_sink.c — the last sink: fans each tracker out to every exporter.
 *
 * Writing is where a conversion into many formats spends its time (the outputs are many
 * times the input), and exporters share nothing but the read-only tracker. So when there
 * are several exporters and more than one CPU, a second thread shares the work: for each
 * tracker both threads take the next exporter not yet served from a shared counter until
 * none is left, then meet before the next tracker arrives. Exporters differ tenfold in
 * cost, so taking them in turn balances the threads where a fixed split would not; each
 * exporter still sees its trackers one at a time and in order, which keeps memory flat and
 * each output's bytes exactly as a single thread would write them.
 * The helper starts only once the conversion has proved big enough to pay for it: for the
 * small files that make up most jobs, a thread (its stack, its malloc arena) would cost
 * more than the writing it takes over.
 */
#include "trackport.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct export_target {
    const struct tp_exporter *exporter;
    struct tp_out *out; /* borrowed */
    void *state;        /* owned, exporter->state_size bytes */
    bool begun;
};

enum export_step { STEP_NONE, STEP_TRACKER, STEP_END, STEP_QUIT };

/* The helper thread's mailbox; every field below `mu` is guarded by it. */
struct export_helper {
    pthread_t thread;
    bool running;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned long posted, finished; /* steps handed over, steps done */
    enum export_step step;
    const struct tp_tracker *tracker;
    int rc;             /* the helper half's result for the last step */
    size_t failed;      /* index of the target that failed */
};

/* Keyframes exported before the helper thread starts. */
#define EXPORT_HELPER_AFTER_KEYFRAMES 20000

struct export_sink {
    struct tp_sink base;
    struct export_target *targets;
    size_t n;
    bool helper_allowed; /* two exporters or more, two CPUs or more, not disabled */
    size_t keyframes_seen;
    atomic_size_t next; /* the next target to serve in the current step */
    struct export_helper helper;
};

static int fail_for(const struct export_target *t, int rc, struct tp_diag *diag)
{
    int io = tp_out_error(t->out);
    if (io)
        rc = io;
    if (rc == TP_ERR_DISK_FULL)
        return tp_diag_set(diag, rc, 0, "The disk is full: the %s could not be written",
                           t->exporter->human_name);
    if (rc == TP_ERR_FILE_TOO_BIG)
        return tp_diag_set(diag, rc, 0, "The %s grew past the file size limit",
                           t->exporter->human_name);
    return tp_diag_set(diag, rc, 0, "The %s exporter failed: %s", t->exporter->human_name,
                       tp_strerror(rc));
}

static int export_begin(struct tp_sink *self, int width, int height, struct tp_diag *diag)
{
    struct export_sink *s = (struct export_sink *)self;
    for (size_t i = 0; i < s->n; i++) {
        struct export_target *t = &s->targets[i];
        int rc = t->exporter->begin ? t->exporter->begin(t->state, t->out, width, height) : 0;
        t->begun = true;
        if (rc || tp_out_error(t->out))
            return fail_for(t, rc ? rc : TP_ERR_IO, diag);
    }
    return TP_OK;
}

/* Runs one step on targets taken from the shared counter until none is left (both threads
 * call it for the same step). Returns this thread's first failure and where it happened. */
static int run_step(struct export_sink *s, enum export_step step, const struct tp_tracker *tr,
                    size_t *failed)
{
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&s->next, 1, memory_order_relaxed);
        if (i >= s->n)
            return TP_OK;
        struct export_target *t = &s->targets[i];
        int rc;
        if (step == STEP_TRACKER) {
            rc = t->exporter->tracker(t->state, t->out, tr);
            if (!rc && tp_out_error(t->out))
                rc = TP_ERR_IO;
        } else {
            rc = t->exporter->end ? t->exporter->end(t->state, t->out) : 0;
            if (!rc)
                rc = tp_out_flush(t->out);
        }
        if (rc) {
            *failed = i;
            return rc;
        }
    }
}

static void *helper_main(void *arg)
{
    struct export_sink *s = arg;
    struct export_helper *h = &s->helper;
    for (;;) {
        pthread_mutex_lock(&h->mu);
        while (h->posted == h->finished)
            pthread_cond_wait(&h->cv, &h->mu);
        enum export_step step = h->step;
        const struct tp_tracker *tr = h->tracker;
        pthread_mutex_unlock(&h->mu);
        if (step == STEP_QUIT)
            return NULL;
        size_t failed = 0;
        int rc = run_step(s, step, tr, &failed);
        pthread_mutex_lock(&h->mu);
        h->rc = rc;
        h->failed = failed;
        h->finished++;
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
    }
}

static void helper_post(struct export_helper *h, enum export_step step,
                        const struct tp_tracker *tr)
{
    pthread_mutex_lock(&h->mu);
    h->step = step;
    h->tracker = tr;
    h->posted++;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

static int helper_wait(struct export_helper *h, size_t *failed)
{
    pthread_mutex_lock(&h->mu);
    while (h->finished != h->posted)
        pthread_cond_wait(&h->cv, &h->mu);
    int rc = h->rc;
    *failed = h->failed;
    pthread_mutex_unlock(&h->mu);
    return rc;
}

/* One step over every target, split across the two threads when the helper runs. */
static int run_everywhere(struct export_sink *s, enum export_step step,
                          const struct tp_tracker *tr, struct tp_diag *diag)
{
    size_t failed = 0, helper_failed = 0;
    int rc;
    /* Set before the helper is posted: its mutex makes the store visible to it. */
    atomic_store_explicit(&s->next, 0, memory_order_relaxed);
    if (s->helper.running) {
        helper_post(&s->helper, step, tr);
        rc = run_step(s, step, tr, &failed);
        int helper_rc = helper_wait(&s->helper, &helper_failed);
        if (!rc && helper_rc) {
            rc = helper_rc;
            failed = helper_failed;
        }
    } else {
        rc = run_step(s, step, tr, &failed);
    }
    return rc ? fail_for(&s->targets[failed], rc, diag) : TP_OK;
}

static int export_tracker(struct tp_sink *self, struct tp_tracker *tr, struct tp_diag *diag)
{
    struct export_sink *s = (struct export_sink *)self;
    if (tr->len == 0)
        return TP_OK;
    s->keyframes_seen += tr->len;
    /* Failing to start the helper is not an error: this thread does it all then. */
    if (s->helper_allowed && !s->helper.running &&
        s->keyframes_seen >= EXPORT_HELPER_AFTER_KEYFRAMES) {
        s->helper_allowed = false;
        s->helper.running = pthread_create(&s->helper.thread, NULL, helper_main, s) == 0;
    }
    return run_everywhere(s, STEP_TRACKER, tr, diag);
}

static int export_end(struct tp_sink *self, struct tp_diag *diag)
{
    return run_everywhere((struct export_sink *)self, STEP_END, NULL, diag);
}

static void export_destroy(struct tp_sink *self)
{
    struct export_sink *s = (struct export_sink *)self;
    if (s->helper.running) {
        helper_post(&s->helper, STEP_QUIT, NULL);
        pthread_join(s->helper.thread, NULL);
    }
    pthread_cond_destroy(&s->helper.cv);
    pthread_mutex_destroy(&s->helper.mu);
    for (size_t i = 0; i < s->n; i++) {
        struct export_target *t = &s->targets[i];
        if (t->state && t->exporter->cleanup)
            t->exporter->cleanup(t->state);
        free(t->state);
    }
    free(s->targets);
    free(s);
}

int tp_export_sink_new(const struct tp_exporter *const *exporters, struct tp_out *const *outs,
                       size_t n, struct tp_sink **sink)
{
    struct export_sink *s = calloc(1, sizeof *s);
    if (!s)
        return TP_ERR_NOMEM;
    s->base.begin = export_begin;
    s->base.tracker = export_tracker;
    s->base.end = export_end;
    s->base.destroy = export_destroy;
    pthread_mutex_init(&s->helper.mu, NULL);
    pthread_cond_init(&s->helper.cv, NULL);
    s->targets = calloc(n ? n : 1, sizeof *s->targets);
    if (!s->targets) {
        free(s);
        return TP_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        s->targets[i].exporter = exporters[i];
        s->targets[i].out = outs[i];
        s->targets[i].state = calloc(1, exporters[i]->state_size ? exporters[i]->state_size : 1);
        s->n = i + 1;
        if (!s->targets[i].state) {
            export_destroy(&s->base);
            return TP_ERR_NOMEM;
        }
    }
    /* Without a second CPU a helper thread would only add switches; without a second
     * exporter it would have nothing to do. */
    s->helper_allowed =
        n >= 2 && sysconf(_SC_NPROCESSORS_ONLN) >= 2 && !getenv("TRACKPORT_ONE_THREAD");
    *sink = &s->base;
    return TP_OK;
}
