/* disp_spawn.c — starting and finding the dispatcher. The lock is a POSIX record lock
 * (fcntl), not flock(): it is not inherited by fork(), dies with its process, and F_GETLK
 * tells other processes who holds it. Never call disp_lock_holder inside the dispatcher:
 * closing any descriptor of the lock file drops a process's POSIX locks on it. */
#include "disp_spawn.h"

#include "jobs_store.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SPAWN_LIFELINE_FD 3

int disp_wake(const struct disp_config *cfg, int reason)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t len = strlen(cfg->wake_socket);
    if (len >= sizeof addr.sun_path)
        return JOBS_ERR_CONFIG;
    memcpy(addr.sun_path, cfg->wake_socket, len + 1);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return JOBS_ERR_IO;
    char byte = (char)reason;
    ssize_t n = sendto(fd, &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&addr,
                       sizeof addr);
    int err = errno;
    close(fd);
    if (n == 1 || err == EAGAIN || err == EWOULDBLOCK)
        return 0;
    return JOBS_ERR_UNAVAILABLE;
}

void disp_handle_init(struct disp_handle *h)
{
    h->pid = 0;
    h->lifeline_fd = -1;
    h->last_spawn_ms = 0;
}

/* Reaps h's child if it has exited. */
static void spawn_reap(struct disp_handle *h)
{
    if (h->pid <= 0)
        return;
    int status;
    pid_t r = waitpid(h->pid, &status, WNOHANG);
    if (r == h->pid || (r < 0 && errno == ECHILD)) {
        h->pid = 0;
        if (h->lifeline_fd >= 0)
            close(h->lifeline_fd);
        h->lifeline_fd = -1;
    }
}

/* In the forked child: becomes the dispatcher through exec, or exits. */
static _Noreturn void spawn_child(const struct disp_config *cfg, pid_t parent, int lifeline)
{
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
        _exit(0); /* the parent is already gone */
    if (lifeline != SPAWN_LIFELINE_FD) {
        if (dup2(lifeline, SPAWN_LIFELINE_FD) < 0)
            _exit(127);
    } else {
        fcntl(lifeline, F_SETFD, 0);
    }
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO); /* FastCGI's listening socket lives on fd 0 */
        dup2(devnull, STDOUT_FILENO);
    }
    /* Close everything else, including the FastCGI process's connections. */
    close_range(SPAWN_LIFELINE_FD + 1, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    static const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    char fdtext[16];
    snprintf(fdtext, sizeof fdtext, "%d", SPAWN_LIFELINE_FD);
    char *argv[] = {(char *)"trackport-dispatcher", (char *)"--config", (char *)cfg->path,
                    (char *)"--lifeline", fdtext, NULL};
    execv(cfg->dispatcher_binary, argv);
    _exit(127);
}

int disp_spawn(const struct disp_config *cfg, struct disp_handle *h)
{
    spawn_reap(h);
    if (!cfg->path[0] || !cfg->dispatcher_binary[0])
        return JOBS_ERR_CONFIG;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return JOBS_ERR_IO;
    pid_t parent = getpid();
    h->last_spawn_ms = jobs_mono_ms();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return JOBS_ERR_IO;
    }
    if (pid == 0) {
        close(fds[1]);
        spawn_child(cfg, parent, fds[0]);
    }
    close(fds[0]);
    if (h->pid > 0 && h->lifeline_fd >= 0)
        close(h->lifeline_fd); /* a previous, still running child: let it go */
    h->pid = pid;
    h->lifeline_fd = fds[1];
    return 0;
}

int disp_lock_holder(const struct disp_config *cfg, pid_t *pid)
{
    int fd = open(cfg->lock_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? JOBS_ERR_NOT_FOUND : JOBS_ERR_IO;
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    int rc = fcntl(fd, F_GETLK, &fl);
    close(fd);
    if (rc != 0)
        return JOBS_ERR_IO;
    if (fl.l_type == F_UNLCK)
        return JOBS_ERR_NOT_FOUND;
    if (pid)
        *pid = fl.l_pid;
    return 0;
}

int disp_ensure(const struct disp_config *cfg, struct disp_handle *h)
{
    spawn_reap(h);
    if (h->pid > 0)
        return 0;
    int rc = disp_lock_holder(cfg, NULL);
    if (rc == 0)
        return 0;
    if (h->last_spawn_ms && jobs_mono_ms() - h->last_spawn_ms < 1000)
        return 0;
    return disp_spawn(cfg, h);
}

void disp_handle_close(struct disp_handle *h, int timeout_ms)
{
    if (h->lifeline_fd >= 0)
        close(h->lifeline_fd);
    h->lifeline_fd = -1;
    int64_t until = jobs_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    while (h->pid > 0) {
        spawn_reap(h);
        if (h->pid <= 0 || jobs_mono_ms() >= until)
            break;
        poll(NULL, 0, 5);
    }
    h->pid = 0;
}
