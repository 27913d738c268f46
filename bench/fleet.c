/* The display fleet of bench/fleet.py in C: the same connections, the same
 * stdin/stdout commands, the same answers. On the server's own two cores the
 * load generator's CPU is taken from the server, and reading 5,000 sockets
 * per event costs Python about a third more than it costs C; bench/harness.py
 * builds this with the C compiler when there is one and falls back to
 * fleet.py when there is not.
 *
 *     cc -O2 -o fleet bench/fleet.c && ./fleet PORT COUNT [PREFIX]
 *
 *     expect SEQ  ->  armed SEQ
 *                 <-  arrived SEQ T   (T: CLOCK_MONOTONIC seconds, which is
 *                                      Python's time.perf_counter())
 *     quit
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 200
#define READ_SIZE 65536
#define MAX_EVENTS 1024

typedef struct {
    int fd;
    int upgraded, welcomed, alive, has_event;
    char *buffer;
    size_t used, size;
} Display;

static Display *displays;
static int count;
static const char *prefix = "display";

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "fleet: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void send_all(int fd, const unsigned char *data, size_t size) {
    while (size > 0) {
        ssize_t sent = send(fd, data, size, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return; /* the read side will see the connection go */
        }
        data += sent;
        size -= (size_t)sent;
    }
}

static void send_frame(int fd, int opcode, const unsigned char *payload, size_t length) {
    unsigned char frame[16 + 4096];
    size_t header = 2;
    if (length > 4096) return;
    frame[0] = (unsigned char)(0x80 | opcode);
    if (length < 126) {
        frame[1] = (unsigned char)(0x80 | length);
    } else {
        frame[1] = 0x80 | 126;
        frame[2] = (unsigned char)(length >> 8);
        frame[3] = (unsigned char)length;
        header = 4;
    }
    unsigned char mask[4];
    for (int i = 0; i < 4; i++) mask[i] = (unsigned char)rand();
    memcpy(frame + header, mask, 4);
    for (size_t i = 0; i < length; i++) frame[header + 4 + i] = payload[i] ^ mask[i % 4];
    send_all(fd, frame, header + 4 + length);
}

static void say_hello(Display *d, int index) {
    char hello[512];
    int n = snprintf(hello, sizeof hello,
                     "{\"type\":\"hello\",\"protocol\":1,\"role\":\"display\","
                     "\"device\":\"%s-%d\",\"token\":\"demo-display\"}", prefix, index);
    send_frame(d->fd, 0x1, (const unsigned char *)hello, (size_t)n);
}

/* Whole frames in the buffer: pings answered, text frames checked for the
 * marker; returns whether a text frame carried it. */
static int take_frames(Display *d, const char *marker, size_t marker_size, int *texts) {
    int found = 0;
    size_t offset = 0;
    const unsigned char *b = (const unsigned char *)d->buffer;
    while (d->used - offset >= 2) {
        int opcode = b[offset] & 0x0F;
        uint64_t length = b[offset + 1] & 0x7F;
        size_t start = offset + 2;
        if (length == 126) {
            if (d->used - offset < 4) break;
            length = ((uint64_t)b[offset + 2] << 8) | b[offset + 3];
            start = offset + 4;
        } else if (length == 127) {
            if (d->used - offset < 10) break;
            length = 0;
            for (int i = 0; i < 8; i++) length = (length << 8) | b[offset + 2 + i];
            start = offset + 10;
        }
        if (d->used < start + length) break;
        if (opcode == 0x9) {
            send_frame(d->fd, 0xA, b + start, (size_t)length);
        } else if (opcode == 0x1) {
            (*texts)++;
            if (marker && memmem(b + start, (size_t)length, marker, marker_size)) found = 1;
        }
        offset = start + (size_t)length;
    }
    if (offset > 0) {
        memmove(d->buffer, d->buffer + offset, d->used - offset);
        d->used -= offset;
    }
    return found;
}

/* Reads what the socket has; -1 when the connection is gone. */
static int fill(Display *d) {
    if (d->size - d->used < READ_SIZE) {
        d->size = d->used + READ_SIZE;
        d->buffer = realloc(d->buffer, d->size);
        if (!d->buffer) die("out of memory");
    }
    ssize_t got = read(d->fd, d->buffer + d->used, READ_SIZE);
    if (got == 0) return -1;
    if (got < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    d->used += (size_t)got;
    if (!d->upgraded) {
        char *end = memmem(d->buffer, d->used, "\r\n\r\n", 4);
        if (!end) return 0;
        size_t head = (size_t)(end - d->buffer) + 4;
        memmove(d->buffer, d->buffer + head, d->used - head);
        d->used -= head;
        d->upgraded = 1;
        say_hello(d, (int)(d - displays));
    }
    return 0;
}

static int connect_one(int port, Display *d) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char request[512];
    int n = snprintf(request, sizeof request,
                     "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: YW50cmVhbi1mbGVldC0wMQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n");
    send_all(fd, (const unsigned char *)request, (size_t)n);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    d->fd = fd;
    d->alive = 1;
    return fd;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: fleet PORT COUNT [PREFIX]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    count = atoi(argv[2]);
    if (argc > 3) prefix = argv[3];
    struct rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    displays = calloc((size_t)count, sizeof *displays);
    int poller = epoll_create1(0);
    int fd_max = 0;
    Display **by_fd = NULL;
    struct epoll_event events[MAX_EVENTS];

    for (int start = 0; start < count; start += BATCH) {
        int end = start + BATCH < count ? start + BATCH : count;
        for (int i = start; i < end; i++) {
            int fd = connect_one(port, &displays[i]);
            if (fd >= fd_max) {
                int grown = fd * 2 + 64;
                by_fd = realloc(by_fd, (size_t)grown * sizeof *by_fd);
                memset(by_fd + fd_max, 0, (size_t)(grown - fd_max) * sizeof *by_fd);
                fd_max = grown;
            }
            by_fd[fd] = &displays[i];
            struct epoll_event interest = {.events = EPOLLIN, .data.fd = fd};
            epoll_ctl(poller, EPOLL_CTL_ADD, fd, &interest);
        }
        int waiting = end - start;
        double deadline = now() + 60;
        while (waiting > 0) {
            if (now() > deadline) {
                fprintf(stderr, "fleet: %d displays not welcomed within 60 s\n", waiting);
                return 1;
            }
            int ready = epoll_wait(poller, events, MAX_EVENTS, 1000);
            for (int e = 0; e < ready; e++) {
                Display *d = by_fd[events[e].data.fd];
                if (fill(d) < 0) {
                    fprintf(stderr, "fleet: the server closed a display while connecting\n");
                    return 1;
                }
                int texts = 0;
                take_frames(d, NULL, 0, &texts);
                if (texts > 0 && !d->welcomed) {
                    d->welcomed = 1;
                    waiting--;
                }
            }
        }
    }
    printf("connected %d\n", count);
    fflush(stdout);

    struct epoll_event interest = {.events = EPOLLIN, .data.fd = 0};
    epoll_ctl(poller, EPOLL_CTL_ADD, 0, &interest);
    char commands[4096];
    size_t pending = 0;
    char marker[64];
    size_t marker_size = 0;
    int seq = 0, armed = 0, missing = 0, alive = count;
    double last = 0;
    for (;;) {
        int ready = epoll_wait(poller, events, MAX_EVENTS, -1);
        for (int e = 0; e < ready; e++) {
            int fd = events[e].data.fd;
            if (fd == 0) {
                ssize_t got = read(0, commands + pending, sizeof commands - pending - 1);
                if (got <= 0) return 0;
                pending += (size_t)got;
                char *line;
                while ((line = memchr(commands, '\n', pending)) != NULL) {
                    *line = '\0';
                    if (strncmp(commands, "expect ", 7) != 0) return 0; /* quit */
                    seq = atoi(commands + 7);
                    marker_size = (size_t)snprintf(marker, sizeof marker, "\"seq\":%d,", seq);
                    armed = 1;
                    missing = alive;
                    for (int i = 0; i < count; i++) displays[i].has_event = 0;
                    size_t used = (size_t)(line - commands) + 1;
                    memmove(commands, commands + used, pending - used);
                    pending -= used;
                    printf("armed %d\n", seq);
                    fflush(stdout);
                }
                continue;
            }
            Display *d = by_fd[fd];
            if (fill(d) < 0) {
                epoll_ctl(poller, EPOLL_CTL_DEL, fd, NULL);
                close(fd);
                d->alive = 0;
                alive--;
                if (armed && !d->has_event) missing--;
                fprintf(stderr, "fleet: the server closed %s-%d (%d left)\n", prefix,
                        (int)(d - displays), alive);
            } else {
                int texts = 0;
                if (take_frames(d, armed ? marker : NULL, marker_size, &texts) && !d->has_event) {
                    d->has_event = 1;
                    missing--;
                    last = now();
                }
            }
            if (armed && missing == 0) {
                printf("arrived %d %.6f\n", seq, last);
                fflush(stdout);
                armed = 0;
            }
        }
    }
}
