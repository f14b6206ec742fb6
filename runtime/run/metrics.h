/* --metrics ADDR:PORT and metrics{ listen = ... }: the in-kernel
 * aggregations served as Prometheus metrics (text format 0.0.4) on
 * GET /metrics. The maps are read when a scraper asks, on the loop's
 * thread: no user-space work per event, no thread touching Lua. */
#ifndef LUAPROBE_METRICS_H
#define LUAPROBE_METRICS_H

#include <stddef.h>

struct lp_session;
struct lp_metrics;

/* Bounds that keep a slow or hostile client from holding the loop or the
 * memory: connections at once, idle seconds before a connection is closed,
 * bytes of a request (line and headers), bytes of /metrics answers not yet
 * sent (over it a scrape gets 503). */
#define LP_METRICS_CONNECTIONS 1024
#define LP_METRICS_TIMEOUT_S 10
#define LP_METRICS_REQUEST_MAX 16384
#define LP_METRICS_INFLIGHT_MAX (64u << 20)

/* Check "HOST:PORT", "[V6]:PORT", ":PORT" or "PORT" (HOST defaults to
 * 127.0.0.1). 0, or -EINVAL with the reason in err. */
int metrics_check_addr(const char *addr, char *err, size_t len);

/* Bind and listen on addr, and start the server (it answers once the loop
 * runs). Says where it serves on stderr. 0, or -errno with err filled. */
int metrics_open(struct lp_session *s, const char *addr, char *err, size_t len);

/* The fds the loop polls: the server's epoll fd and its timeout's timerfd. */
int metrics_epoll_fd(const struct lp_metrics *m);
int metrics_timer_fd(const struct lp_metrics *m);

/* Serve what is ready (the loop saw one of the fds readable), then re-arm
 * the timer from the server's timeout. */
void metrics_run(struct lp_metrics *m);

/* Stop serving and free; NULL is a no-op. */
void metrics_close(struct lp_metrics *m);

/* The exposition text of s's aggregations, malloc'd, into *out (*len
 * bytes, NUL-terminated). 0 or -errno (a map that cannot be read). */
int metrics_render(struct lp_session *s, char **out, size_t *len);

/* A metric or label name as Prometheus takes it: [a-zA-Z_:][a-zA-Z0-9_:]*
 * (no ':' in labels). 1 when valid. */
int metrics_valid_name(const char *name, int label);

#endif
