/*
 * gateway-shim: the Process runtime's monitor of one container instance, as conmon or the
 * containerd shim is the kubelet's. The gateway starts it (posix_spawn, a session of its own, the
 * container's working folder and environment); it starts the container's program as its child in a
 * session and process group of its own, holds the child's stdout and stderr, writes them to the
 * instance's CRI log file with the gateway's rotation (Gateway:Logs), reaps the child and records its
 * exit status in the exit file. So a container's output and exit do not depend on the gateway's
 * process: a gateway that dies or restarts leaves the container running and logging, and the next
 * gateway reads the same files.
 *
 *   gateway-shim EXIT_FILE LOG_FILE MAX_SIZE MAX_FILES PROGRAM ARGV0 [ARG...]
 *
 * fd 1 is the status pipe: one line, "pid <app pid>" once the program is exec'd, or "error <why>",
 * then it is closed. The exit file is written once, atomically (write, then rename):
 *   "exited <code> <unix ns>" or "signaled <signal> <unix ns>".
 * When the program has exited, what is left of its process group is killed (a container runtime
 * tears down the container's cgroup), its remaining output read, then the shim exits.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ENTRY 16384          /* containerd's max_container_log_line_size */
#define OUT_BUFFER 65536
#define MAX_DRAIN_READS 64

extern char **environ;

static const char *log_path;
static long long max_size;
static int max_files;
static int log_fd = -1;
static long long log_size;
static char out[OUT_BUFFER];
static size_t out_len;

struct stream {
    int fd;
    const char *name;
    char line[MAX_ENTRY];
    size_t len;
    int last_cr;
};

static void write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; /* a full disk loses lines, never the container */
        }
        data += n;
        len -= (size_t)n;
    }
}

static void flush_out(void)
{
    if (out_len > 0 && log_fd >= 0)
        write_all(log_fd, out, out_len);
    out_len = 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* As the kubelet: the current file becomes <path>.<yyyyMMdd-HHmmss.ffffff>, the oldest go so that at most MAX_FILES remain. */
static void rotate(void)
{
    struct timespec now;
    struct tm tm;
    char rotated[4096];
    clock_gettime(CLOCK_REALTIME, &now);
    long micros = now.tv_nsec / 1000;
    for (;;) {
        gmtime_r(&now.tv_sec, &tm);
        snprintf(rotated, sizeof rotated, "%s.%04d%02d%02d-%02d%02d%02d.%06ld", log_path, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
        if (access(rotated, F_OK) != 0)
            break;
        if (++micros == 1000000) {
            micros = 0;
            now.tv_sec++;
        }
    }

    close(log_fd);
    rename(log_path, rotated);

    char dir[4096];
    snprintf(dir, sizeof dir, "%s", log_path);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : log_path;
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s.", base);
    if (slash)
        *slash = 0;
    DIR *d = opendir(slash ? dir : ".");
    if (d) {
        char *names[256];
        int count = 0;
        struct dirent *entry;
        while ((entry = readdir(d)) && count < 256)
            if (strncmp(entry->d_name, prefix, strlen(prefix)) == 0)
                names[count++] = strdup(entry->d_name);
        closedir(d);
        qsort(names, (size_t)count, sizeof names[0], by_name);
        for (int i = 0; i < count; i++) {
            if (count - i > max_files - 1) {
                char old[4608];
                snprintf(old, sizeof old, "%s/%s", slash ? dir : ".", names[i]);
                unlink(old);
            }
            free(names[i]);
        }
    }

    log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    log_size = 0;
}

/* One CRI entry: "<RFC 3339 ns> <stream> <F|P> <text>\n". */
static void entry(struct stream *s, size_t len, char tag)
{
    size_t size = 30 + 1 + strlen(s->name) + 3 + len + 1;
    if (log_size > 0 && log_size + (long long)size > max_size) {
        flush_out();
        rotate();
    }

    if (out_len + size > OUT_BUFFER)
        flush_out();
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    char head[64];
    int n = snprintf(head, sizeof head, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ %s %c ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 100 * 100, s->name, tag); /* 100 ns: what the gateway reads back */
    if (size > OUT_BUFFER) {
        /* cannot happen (an entry is at most 16 KiB), but never overflow */
        return;
    }
    memcpy(out + out_len, head, (size_t)n);
    memcpy(out + out_len + n, s->line, len);
    out[out_len + n + len] = '\n';
    out_len += (size_t)n + len + 1;
    log_size += (long long)size;
}

/* Lines end at \n, \r or \r\n; a line longer than MAX_ENTRY is cut into P entries, never inside a UTF-8 character. */
static void add(struct stream *s, const char *bytes, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char c = bytes[i];
        if (s->last_cr) {
            s->last_cr = 0;
            if (c == '\n')
                continue;
        }
        if (c == '\n' || c == '\r') {
            entry(s, s->len, 'F');
            s->len = 0;
            s->last_cr = c == '\r';
            continue;
        }
        if (s->len == MAX_ENTRY) {
            /* The next part begins at a character's first byte. */
            size_t cut = MAX_ENTRY;
            while (cut > 0 && ((unsigned char)(cut == MAX_ENTRY ? c : s->line[cut]) & 0xC0) == 0x80)
                cut--;
            if (cut == 0)
                cut = MAX_ENTRY;
            entry(s, cut, 'P');
            memmove(s->line, s->line + cut, MAX_ENTRY - cut);
            s->len = MAX_ENTRY - cut;
        }
        s->line[s->len++] = c;
    }
}

/* One read; 1 if something was read, 0 for nothing now, -1 at its end. */
static int read_once(struct stream *s)
{
    static char buffer[16384];
    if (s->fd < 0)
        return -1;
    ssize_t n;
    do
        n = read(s->fd, buffer, sizeof buffer);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        add(s, buffer, (size_t)n);
        return 1;
    }
    if (n < 0 && errno == EAGAIN)
        return 0;
    if (s->len > 0)
        entry(s, s->len, 'F');
    s->len = 0;
    close(s->fd);
    s->fd = -1;
    return -1;
}

static void status(const char *format, const char *a, const char *b)
{
    char line[4096];
    int n = snprintf(line, sizeof line, format, a, b);
    write_all(1, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1));
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        static const char usage[] = "error usage: gateway-shim EXIT_FILE LOG_FILE MAX_SIZE MAX_FILES PROGRAM ARGV0 [ARG...]\n";
        write_all(1, usage, sizeof usage - 1);
        return 2;
    }
    const char *exit_path = argv[1];
    log_path = argv[2];
    max_size = atoll(argv[3]);
    max_files = atoi(argv[4]);
    /* The container's command, kept for the child's execve; this process's own command line keeps
       only its files, blanked before the child exists, so that `pgrep -f <command>` never finds the
       container twice, not even while it starts. */
    int words = argc - 5;
    char **command = calloc((size_t)words + 1, sizeof *command);
    if (command == NULL) {
        status("error out of memory%s%s\n", "", "");
        return 1;
    }
    for (int i = 0; i < words; i++) {
        command[i] = strdup(argv[5 + i]);
        if (command[i] == NULL) {
            status("error out of memory%s%s\n", "", "");
            return 1;
        }
    }
    for (int i = 5; i < argc; i++)
        memset(argv[i], 0, strlen(argv[i]));
    const char *program = command[0];
    signal(SIGPIPE, SIG_IGN);

    log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (log_fd < 0) {
        status("error cannot open the container log %s: %s\n", log_path, strerror(errno));
        return 1;
    }

    int outp[2], errp[2], execp[2];
    if (pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC) || pipe2(execp, O_CLOEXEC)) {
        status("error cannot create the output pipes of %s: %s\n", command[1], strerror(errno));
        return 1;
    }

    pid_t child = fork();
    if (child < 0) {
        status("error fork: %s%s\n", strerror(errno), "");
        return 1;
    }
    if (child == 0) {
        setsid();
        signal(SIGPIPE, SIG_DFL);
        dup2(outp[1], 1);
        dup2(errp[1], 2);
        execve(program, command + 1, environ);
        int error = errno;
        write_all(execp[1], (const char *)&error, sizeof error);
        _exit(127);
    }

    close(outp[1]);
    close(errp[1]);
    close(execp[1]);
    int error = 0;
    ssize_t got;
    do
        got = read(execp[0], &error, sizeof error);
    while (got < 0 && errno == EINTR);
    close(execp[0]);
    if (got == (ssize_t)sizeof error) {
        status("error exec: \"%s\": %s\n", command[1], strerror(error));
        waitpid(child, NULL, 0);
        close(log_fd);
        unlink(log_path);
        return 1;
    }

    char pid_line[32];
    int n = snprintf(pid_line, sizeof pid_line, "pid %d\n", (int)child);
    write_all(1, pid_line, (size_t)n);
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    dup2(devnull, 1);
    close(devnull);

    int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
    static struct stream streams[2];
    streams[0].fd = outp[0];
    streams[0].name = "stdout";
    streams[1].fd = errp[0];
    streams[1].name = "stderr";
    fcntl(outp[0], F_SETFL, O_NONBLOCK);
    fcntl(errp[0], F_SETFL, O_NONBLOCK);

    int exited = 0;
    while (!exited) {
        struct pollfd fds[3] = {{streams[0].fd, POLLIN, 0}, {streams[1].fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
        /* Without a pidfd (Linux before 5.4) the exit is looked for once a second. */
        int ready = poll(fds, 3, pidfd < 0 ? 1000 : -1);
        if (ready < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; i++)
            if (fds[i].revents)
                while (read_once(&streams[i]) > 0)
                    ;
        flush_out();
        if (pidfd >= 0 ? fds[2].revents != 0 : waitid(P_PID, (id_t)child, &(siginfo_t){0}, WEXITED | WNOHANG | WNOWAIT) == 0)
            exited = 1;
    }

    siginfo_t info;
    memset(&info, 0, sizeof info);
    /* The program is a zombie until reaped, so its group id is not reused: nothing of the container outlives it. */
    kill(-child, SIGKILL);
    for (int i = 0; i < 2; i++)
        for (int reads = 0; reads < MAX_DRAIN_READS && read_once(&streams[i]) > 0; reads++)
            ;
    for (int i = 0; i < 2; i++)
        if (streams[i].len > 0)
            entry(&streams[i], streams[i].len, 'F');
    flush_out();
    close(log_fd);
    while (waitid(P_PID, (id_t)child, &info, WEXITED) < 0 && errno == EINTR)
        ;

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char line[128];
    n = snprintf(line, sizeof line, "%s %d %lld\n", info.si_code == CLD_EXITED ? "exited" : "signaled", info.si_status,
                 (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
    char temporary[4096];
    snprintf(temporary, sizeof temporary, "%s.tmp", exit_path);
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd >= 0) {
        write_all(fd, line, (size_t)n);
        fsync(fd);
        close(fd);
        rename(temporary, exit_path);
    }
    return 0;
}
