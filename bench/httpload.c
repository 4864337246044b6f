/*
 * The HTTP load of bench/ledger.py's case (b), in C, as pgbench's client is.
 *
 * bench/ledger.py opens the keep-alive connections itself (so that it can spread them
 * evenly over the server's workers) and hands them to this program as open descriptors.
 * Each connection posts one transfer after another, one in flight at a time, for the given
 * seconds; the program prints how many got their 201 in time. A Python client on uvloop
 * spent 0.07-0.10 ms of CPU per request on the same two cores as the server; this one
 * spends a fraction of that, so the server gets the cores as pgbench's server does.
 *
 *   httpload SECONDS HOT FD... < (token, bank account id, customer account ids: one a line)
 *
 * A transfer is two distinct random customers, or (HOT=1) the bank's account on one side,
 * at random, and a random customer on the other: as _pair in bench/ledger.py. Any answer but
 * a 201 stops the run with the answer on stderr and exit status 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

enum { MAX_CONNECTIONS = 256, MAX_IDS = 4096, ID_LENGTH = 64, BUFFER = 8192 };

struct connection {
    int fd;
    int sending;           /* 1 while the request is being written, 0 while reading */
    size_t sent, length;   /* of the request in out */
    size_t received;       /* bytes of the answer in in */
    char out[BUFFER];
    char in[BUFFER];
};

static char token[2048];
static char bank[ID_LENGTH];
static char ids[MAX_IDS][ID_LENGTH];
static int id_count;
static uint64_t state[2];

/* xorshift128+: fast, and seeded from the kernel, so two runs never share a key. */
static uint64_t next_random(void) {
    uint64_t s1 = state[0];
    const uint64_t s0 = state[1];
    state[0] = s0;
    s1 ^= s1 << 23;
    state[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
    return state[1] + s0;
}

static int below(int n) { return (int)(next_random() % (uint64_t)n); }

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void strip(char *line) { line[strcspn(line, "\r\n")] = '\0'; }

static void read_input(void) {
    char line[2048];
    if (!fgets(token, sizeof token, stdin) || !fgets(bank, sizeof bank, stdin)) {
        fprintf(stderr, "httpload: expected a token and the bank's account id on stdin\n");
        exit(1);
    }
    strip(token);
    strip(bank);
    while (id_count < MAX_IDS && fgets(line, sizeof line, stdin)) {
        strip(line);
        size_t length = strlen(line);
        if (length >= ID_LENGTH) {
            fprintf(stderr, "httpload: account id too long: %s\n", line);
            exit(1);
        }
        if (length > 0) {
            memcpy(ids[id_count++], line, length + 1);
        }
    }
    if (id_count < 2) {
        fprintf(stderr, "httpload: expected at least two customer account ids on stdin\n");
        exit(1);
    }
}

static void next_request(struct connection *c, int hot) {
    const char *debit, *credit;
    if (hot) {
        const char *other = ids[below(id_count)];
        int bank_debits = (int)(next_random() & 1);
        debit = bank_debits ? bank : other;
        credit = bank_debits ? other : bank;
    } else {
        int a = below(id_count), b = below(id_count - 1);
        if (b >= a) {
            b++; /* two distinct customers */
        }
        debit = ids[a];
        credit = ids[b];
    }
    char body[512];
    int body_length = snprintf(body, sizeof body,
                               "{\"debit_account_id\":\"%s\",\"credit_account_id\":\"%s\","
                               "\"amount_minor\":1,\"currency\":\"USD\"}",
                               debit, credit);
    int length = snprintf(c->out, sizeof c->out,
                          "POST /api/v1/ledger/transfers HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Authorization: Bearer %s\r\nIdempotency-Key: %016llx%016llx\r\n"
                          "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
                          token, (unsigned long long)next_random(),
                          (unsigned long long)next_random(), body_length, body);
    if (length <= 0 || (size_t)length >= sizeof c->out) {
        fprintf(stderr, "httpload: request too long\n");
        exit(1);
    }
    c->length = (size_t)length;
    c->sent = 0;
    c->received = 0;
    c->sending = 1;
}

/* The answer's total length once its head is in, else 0; -1 if it has no Content-Length. */
static long answer_length(const struct connection *c) {
    const char *end = memmem(c->in, c->received, "\r\n\r\n", 4);
    if (!end) {
        return 0;
    }
    size_t head = (size_t)(end - c->in) + 4;
    for (const char *p = c->in; p < end; p++) {
        if ((p == c->in || p[-1] == '\n') && strncasecmp(p, "content-length:", 15) == 0) {
            return (long)head + strtol(p + 15, NULL, 10);
        }
    }
    return -1;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: httpload SECONDS HOT FD... < token, bank id, customer ids\n");
        return 1;
    }
    double seconds = strtod(argv[1], NULL);
    int hot = atoi(argv[2]);
    int count = argc - 3;
    if (count > MAX_CONNECTIONS) {
        fprintf(stderr, "httpload: at most %d connections\n", MAX_CONNECTIONS);
        return 1;
    }
    if (getrandom(state, sizeof state, 0) != sizeof state) {
        perror("httpload: getrandom");
        return 1;
    }
    read_input();

    static struct connection connections[MAX_CONNECTIONS];
    struct pollfd polled[MAX_CONNECTIONS];
    for (int i = 0; i < count; i++) {
        connections[i].fd = atoi(argv[3 + i]);
        next_request(&connections[i], hot);
    }
    long done = 0;
    int open = count;
    double end = now() + seconds;
    while (open > 0) {
        for (int i = 0; i < count; i++) {
            polled[i].fd = connections[i].fd;
            polled[i].events = connections[i].sending ? POLLOUT : POLLIN;
            polled[i].revents = 0;
        }
        if (poll(polled, (nfds_t)count, 1000) < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("httpload: poll");
            return 1;
        }
        for (int i = 0; i < count; i++) {
            struct connection *c = &connections[i];
            if (c->fd < 0 || polled[i].revents == 0) {
                continue;
            }
            if (c->sending) {
                ssize_t n = write(c->fd, c->out + c->sent, c->length - c->sent);
                if (n < 0) {
                    if (errno == EAGAIN || errno == EINTR) {
                        continue;
                    }
                    perror("httpload: write");
                    return 1;
                }
                c->sent += (size_t)n;
                c->sending = c->sent < c->length;
                continue;
            }
            ssize_t n = read(c->fd, c->in + c->received, sizeof c->in - c->received);
            if (n <= 0) {
                if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                    continue;
                }
                fprintf(stderr, "httpload: connection %d closed by the server\n", i);
                return 1;
            }
            c->received += (size_t)n;
            long total = answer_length(c);
            if (total < 0 || total > (long)sizeof c->in) {
                fprintf(stderr, "httpload: unexpected answer: %.*s\n", (int)c->received, c->in);
                return 2;
            }
            if (total == 0 || c->received < (size_t)total) {
                continue; /* the rest of the answer is still to come */
            }
            if (strncmp(c->in, "HTTP/1.1 201", 12) != 0) {
                fprintf(stderr, "httpload: answer other than 201: %.*s\n", (int)c->received,
                        c->in);
                return 2;
            }
            double t = now();
            if (t <= end) { /* an answer that comes late is not counted */
                done++;
            }
            if (t < end) {
                next_request(c, hot);
            } else {
                close(c->fd);
                c->fd = -1;
                polled[i].fd = -1;
                open--;
            }
        }
    }
    printf("%ld\n", done);
    return 0;
}
