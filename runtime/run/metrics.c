/* --metrics: the in-kernel aggregations as Prometheus metrics.
 *
 * The server is libmicrohttpd in its external epoll mode: its epoll fd and
 * a timerfd for its timeouts sit in the loop's control set (run/loop.c),
 * and MHD_run() is called on the loop's thread when either is readable.
 * No thread is started; the maps are read and the text written inside the
 * request callback. A scrape of 100k series holds the loop for tens of ms
 * (bench/metrics.sh); the events wait in the ring buffer meanwhile.
 *
 * What a map becomes (DESIGN.md §2): count and sum a counter, min, max and
 * avg a gauge, stats a summary without quantiles (_sum, _count), hist and
 * lhist a histogram. The values are the kernel's whole, not less what a
 * script's clear() took away: a counter only grows. min, max and stats are
 * deleted by clear() (lua/agg.c), which reads as a reset. */
#include "run/metrics.h"

#include "run/mapread.h"
#include "run/mhd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <lua.h>
#include <microhttpd.h>

#include <luaprobe/event.h>

#include "load/load.h"
#include "lua/json.h"
#include "resolve/kbtf.h"
#include "session.h"
#include "sym/ksym.h"
#include "sym/kstack.h"
#include "sym/usym.h"

struct lp_metrics {
	struct lp_session *s;
	struct MHD_Daemon *d;
	int listen_fd;
	int timer_fd;
	size_t inflight; /* bytes of /metrics answers not yet sent */
};

/* --- text buffer -------------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void buf_grow(struct buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->oom || b->len + more + 1 <= b->cap)
		return;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = 1;
		return;
	}
	b->p = p;
	b->cap = cap;
}

static void buf_put(struct buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void buf_fmt(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	buf_grow(b, 64);
	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		buf_grow(b, (size_t)n);
		if (b->oom)
			return;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* Integers without printf: a 100k-series scrape writes 200k of them. */
static void buf_u64(struct buf *b, unsigned long long v)
{
	char tmp[24], *e = tmp + sizeof(tmp), *p = e;

	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	buf_put(b, p, (size_t)(e - p));
}

static void buf_s64(struct buf *b, long long v)
{
	if (v < 0) {
		buf_put(b, "-", 1);
		buf_u64(b, 0ULL - (unsigned long long)v);
	} else {
		buf_u64(b, (unsigned long long)v);
	}
}

/* A label value: \ " and newline escaped as the format asks; a byte that
 * is not UTF-8 becomes U+FFFD (Prometheus refuses invalid UTF-8). */
static int buf_label_value(struct buf *b, const char *s, size_t n)
{
	int replaced = 0;

	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80		  ? 1
			     : (c & 0xe0) == 0xc0 ? 2
			     : (c & 0xf0) == 0xe0 ? 3
			     : (c & 0xf8) == 0xf0 ? 4
						  : 0;
		int ok = len > 0 && i + len <= n && !(len == 2 && c < 0xc2);

		for (size_t j = 1; ok && j < len; j++)
			ok = ((unsigned char)s[i + j] & 0xc0) == 0x80;
		if (!ok) {
			buf_str(b, "\xef\xbf\xbd");
			replaced = 1;
			i++;
		} else if (c == '\\') {
			buf_str(b, "\\\\"), i++;
		} else if (c == '"') {
			buf_str(b, "\\\""), i++;
		} else if (c == '\n') {
			buf_str(b, "\\n"), i++;
		} else {
			buf_put(b, s + i, len);
			i += len;
		}
	}
	return replaced;
}

/* HELP text: \ and newline escaped. */
static void buf_help(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_str(b, "\\\\");
		else if (*s == '\n')
			buf_str(b, "\\n");
		else
			buf_put(b, s, 1);
	}
}

/* --- names -------------------------------------------------------------- */

int metrics_valid_name(const char *name, int label)
{
	if (!*name || (*name >= '0' && *name <= '9'))
		return 0;
	for (const char *c = name; *c; c++) {
		int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			 (*c >= '0' && *c <= '9') || *c == '_' || (!label && *c == ':');

		if (!ok)
			return 0;
	}
	return 1;
}

/* Text to a name: other characters become one '_', none at the ends. */
static void sanitize(const char *in, char *out, size_t len)
{
	size_t n = 0;
	int under = 1;

	for (; *in && n + 1 < len; in++) {
		char c = *in;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			out[n++] = c;
			under = 0;
		} else if (!under) {
			out[n++] = '_';
			under = 1;
		}
	}
	while (n && out[n - 1] == '_')
		n--;
	out[n] = '\0';
}

/* Key parts named so hold a kernel code address: served as "func+0x1a". */
static int is_code_address(const char *key)
{
	static const char *const names[] = { "location", "call_site", "ip", "caller" };
	const char *last = key;

	for (const char *c = key; *c; c++)
		if (*c == '.' || (*c == '>' && c > key && c[-1] == '-'))
			last = c + 1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(last, names[i]))
			return 1;
	return 0;
}

enum mtype { MT_COUNTER, MT_GAUGE, MT_SUMMARY, MT_HISTOGRAM };

static enum mtype type_of(enum lp_agg_fn fn)
{
	switch (fn) {
	case LP_AF_COUNT:
	case LP_AF_SUM:
		return MT_COUNTER;
	case LP_AF_STATS:
		return MT_SUMMARY;
	case LP_AF_HIST:
	case LP_AF_LHIST:
		return MT_HISTOGRAM;
	default:
		return MT_GAUGE;
	}
}

static const char *const type_names[] = { "counter", "gauge", "summary", "histogram" };
static const char *const fn_names[] = { "count", "sum",	  "min",  "max",
					"avg",	 "stats", "hist", "lhist" };

/* One aggregation's place in the output. */
struct member {
	struct lp_probe *p;
	int idx;
	char name[200];
	int family; /* index of the first member of its metric */
	char labels[LP_MAX_KEYS][64];
	const char *enum_type[LP_MAX_KEYS]; /* a key that is a field of enum type */
};

/* The name the script gave, or one made of the script's name, the point
 * and the aggregation: netdrop_kfree_skb_count_total,
 * runqlat_sched_switch_hist_latency. */
static void derive_base(const struct lp_session *s, const struct lp_probe *p,
			const struct lp_aggdef *d, char *out, size_t len)
{
	char script[40], point[56], value[40];
	const char *name = s->script_name ? s->script_name : "luaprobe";
	const char *slash = strrchr(name, '/');
	const char *pt = d->metric_point ? d->metric_point : p->text;
	const char *colon = strrchr(pt, ':');
	char *dot;

	sanitize(slash ? slash + 1 : name, script, sizeof(script));
	dot = strstr(script, "_lua");
	if (dot && !dot[4])
		*dot = '\0';
	if (!*script || !strcmp(script, "e") || (script[0] >= '0' && script[0] <= '9'))
		snprintf(script, sizeof(script), "luaprobe");
	sanitize(colon && colon[1] ? colon + 1 : pt, point, sizeof(point));
	sanitize(d->value ? d->value : "", value, sizeof(value));
	snprintf(out, len, "%s_%s_%s%s%s", script, point, fn_names[d->fn], *value ? "_" : "",
		 value);
}

/* Two aggregations are one metric when they have the same name, type and
 * label names: their series add up (a glob's members, or two probes the
 * script named alike). */
static int same_shape(const struct member *a, const struct member *b)
{
	const struct lp_aggdef *x = &a->p->aggs[a->idx], *y = &b->p->aggs[b->idx];

	if (x->fn != y->fn || x->nkeys != y->nkeys)
		return 0;
	if (x->fn == LP_AF_LHIST && (x->lo != y->lo || x->hi != y->hi || x->step != y->step))
		return 0;
	for (int k = 0; k < x->nkeys; k++)
		if (strcmp(a->labels[k], b->labels[k]))
			return 0;
	return 1;
}

/* Derived from a glob's pattern: the same text for every member. */
static int same_origin(const struct member *a, const struct member *b)
{
	const struct lp_aggdef *x = &a->p->aggs[a->idx], *y = &b->p->aggs[b->idx];
	const char *px = x->metric_point ? x->metric_point : a->p->text;
	const char *py = y->metric_point ? y->metric_point : b->p->text;

	return !strcmp(px, py) && !strcmp(x->value ? x->value : "", y->value ? y->value : "") &&
	       same_shape(a, b);
}

static void label_names(struct member *m)
{
	const struct lp_aggdef *d = &m->p->aggs[m->idx];

	for (int k = 0; k < d->nkeys; k++) {
		char base[40];
		int clash = 0;

		/* a field of enum type (skb:kfree_skb's reason) is served as
		 * its enumerator's name, as drop_reason() and enum_name() say */
		for (int f = 0; f < m->p->nfields; f++)
			if (!strcmp(m->p->fields[f].name, d->keys[k]) && m->p->fields[f].ctype &&
			    !strncmp(m->p->fields[f].ctype, "enum ", 5))
				m->enum_type[k] = m->p->fields[f].ctype + 5;

		sanitize(d->keys[k], base, sizeof(base));
		if (!*base || (base[0] >= '0' && base[0] <= '9') || !strcmp(base, "le") ||
		    !strcmp(base, "quantile"))
			snprintf(m->labels[k], sizeof(m->labels[k]), "key%d%s%s", k + 1,
				 *base ? "_" : "", base);
		else
			snprintf(m->labels[k], sizeof(m->labels[k]), "%s", base);
		for (int j = 0; j < k; j++)
			clash |= !strcmp(m->labels[j], m->labels[k]);
		if (clash)
			snprintf(m->labels[k], sizeof(m->labels[k]), "%s_%d", base, k + 1);
	}
}

static const char *builtin_names[] = {
	"luaprobe_build_info", "luaprobe_lost_events_total", "luaprobe_map_full_total",
	"luaprobe_probes",     "luaprobe_events_total",
};

static int name_taken(const struct member *ms, int n, const char *name)
{
	for (size_t i = 0; i < sizeof(builtin_names) / sizeof(builtin_names[0]); i++)
		if (!strcmp(builtin_names[i], name))
			return 1;
	for (int i = 0; i < n; i++)
		if (!strcmp(ms[i].name, name))
			return 1;
	return 0;
}

/* Every aggregation with its metric name: named ones first (their names
 * are the script's promise), then derived ones, made unique. */
static int plan_members(struct lp_session *s, struct member **out)
{
	int n = 0, cap = 0;
	struct member *ms = NULL;

	for (int i = 0; i < s->nprobes; i++)
		cap += s->probes[i]->naggs;
	ms = calloc(cap ? cap : 1, sizeof(*ms));
	if (!ms)
		return -ENOMEM;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < s->nprobes; i++) {
			for (int a = 0; a < s->probes[i]->naggs; a++) {
				struct lp_probe *p = s->probes[i];
				const struct lp_aggdef *d = &p->aggs[a];
				struct member *m = &ms[n];
				char base[160];
				int fam = -1;

				if ((pass == 0) != (d->metric_name != NULL))
					continue;
				m->p = p;
				m->idx = a;
				label_names(m);
				if (d->metric_name) {
					snprintf(m->name, sizeof(m->name), "%s", d->metric_name);
					for (int j = 0; j < n && fam < 0; j++)
						if (!strcmp(ms[j].name, m->name))
							fam = same_shape(&ms[j], m) ? ms[j].family
										    : -2;
				} else {
					derive_base(s, p, d, base, sizeof(base));
					for (int sfx = 1; fam < 0; sfx++) {
						const char *tail = type_of(d->fn) == MT_COUNTER
									   ? "_total"
									   : "";
						int other = -1;

						if (sfx == 1)
							snprintf(m->name, sizeof(m->name), "%s%s",
								 base, tail);
						else
							snprintf(m->name, sizeof(m->name),
								 "%s_%d%s", base, sfx, tail);
						for (int j = 0; j < n && other < 0; j++)
							if (!strcmp(ms[j].name, m->name))
								other = j;
						if (other >= 0 && same_origin(&ms[other], m))
							fam = ms[other].family;
						else if (other < 0 && !name_taken(ms, n, m->name))
							fam = n;
					}
				}
				if (fam ==
				    -2) /* Agg:name() checked this; a later change may not have */
					snprintf(m->name + strlen(m->name),
						 sizeof(m->name) - strlen(m->name), "_%d", n + 1);
				m->family = fam >= 0 ? fam : n;
				n++;
			}
		}
	}
	*out = ms;
	return n;
}

/* --- reading the maps --------------------------------------------------- */

/* One series (or one bucket of one): its labels as text, and values. */
struct srow {
	size_t label; /* offset into the label arena */
	__u64 bucket;
	long long v[4]; /* count|sum|min|max as the kind has them */
	int fn;
};

struct rows {
	struct srow *r;
	size_t n, cap;
	struct buf arena;
	struct buf part; /* one key part's text */
	int lossy; /* two keys may have made one label set: sort and merge */
	struct lp_session *s;
};

static const struct rows *sort_ctx;

static int cmp_srow(const void *a, const void *b)
{
	const struct srow *x = a, *y = b;
	int c = strcmp(sort_ctx->arena.p + x->label, sort_ctx->arena.p + y->label);

	if (c)
		return c;
	return x->bucket < y->bucket ? -1 : x->bucket > y->bucket;
}

static void hexbytes(struct buf *b, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_fmt(b, i ? ":%02x" : "%02x", p[i]);
}

/* A stack as one string: frames innermost first, ';' between. */
static void stack_text(struct lp_session *s, struct buf *b, int user, const unsigned char *slot,
		       int pid)
{
	uint64_t n, addrs[LP_STACK_DEPTH];
	char frame[256];
	int skip = 0;

	memcpy(&n, slot, 8);
	if (n > LP_STACK_DEPTH)
		n = LP_STACK_DEPTH;
	memcpy(addrs, slot + 8, 8 * n);
	/* from the traced code, as e.kstack is (sym/kstack.h) */
	if (!user)
		skip = kstack_skip(session_ksym(s), addrs, (int)n);
	for (uint64_t i = skip; i < n; i++) {
		if (!user)
			ksym_format(session_ksym(s), addrs[i], frame, sizeof(frame));
		else if (usym_format(session_usym(s), pid, addrs[i], frame, sizeof(frame)))
			snprintf(frame, sizeof(frame), "0x%llx", (unsigned long long)addrs[i]);
		if (i > (uint64_t)skip)
			buf_str(b, ";");
		buf_str(b, frame);
	}
}

/* The key's labels, `name="value",...` without braces, into the arena. */
static void key_labels(struct rows *rs, const struct member *m, const unsigned char *key)
{
	const struct lp_aggdef *d = &m->p->aggs[m->idx];
	const struct lp_agg *a = &m->p->plan.agg[m->idx];
	struct buf *b = &rs->arena, *part = &rs->part;

	for (int k = 0; k < d->nkeys; k++) {
		const struct lp_keypart *kp = &a->keys[k];
		const unsigned char *src = key + kp->dst;

		part->len = 0;
		if (d->key_kind[k] == LP_FK_UINTARRAY) {
			hexbytes(part, src, kp->size);
		} else if (d->key_kind[k] == LP_FK_KSTACK || d->key_kind[k] == LP_FK_USTACK) {
			int pid = 0;

			/* the hidden pid part follows the parts as written (plan/agg.c) */
			if (a->nkeys > d->nkeys)
				memcpy(&pid, key + a->keys[d->nkeys].dst, sizeof(pid));
			rs->lossy = 1; /* the hidden pid, and frames read as names */
			stack_text(rs->s, part, d->key_kind[k] == LP_FK_USTACK, src, pid);
		} else if (d->key_kind[k] == LP_FK_STR) {
			buf_put(part, (const char *)src, strnlen((const char *)src, kp->size));
		} else {
			long long v;
			char sym[256];
			const char *name;

			memcpy(&v, src, 8);
			if (m->enum_type[k] && (name = kbtf_enum_name(session_kbtf(rs->s),
								      m->enum_type[k], v, NULL))) {
				buf_str(part, name);
			} else if (is_code_address(d->keys[k])) {
				rs->lossy = 1;
				ksym_format(session_ksym(rs->s), (uint64_t)v, sym, sizeof(sym));
				buf_str(part, sym);
			} else if (d->key_kind[k] == LP_FK_INT) {
				buf_s64(part, v);
			} else {
				buf_u64(part, (unsigned long long)v);
			}
		}
		buf_fmt(b, "%s%s=\"", k ? "," : "", m->labels[k]);
		rs->lossy |= buf_label_value(b, part->p ? part->p : "", part->len);
		buf_put(b, "\"", 1);
	}
	buf_put(b, "", 0);
	b->len++; /* keep the NUL: rows point at their string */
}

static int rows_add(struct rows *rs, const struct member *m, const unsigned char *key,
		    const void *vals, int ncpu, unsigned vsz)
{
	const struct lp_aggdef *d = &m->p->aggs[m->idx];
	const struct lp_agg *a = &m->p->plan.agg[m->idx];
	struct srow *r;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 1024;
		struct srow *g = realloc(rs->r, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		rs->r = g;
		rs->cap = cap;
	}
	r = &rs->r[rs->n];
	memset(r, 0, sizeof(*r));
	r->fn = d->fn;
	r->label = rs->arena.len;
	key_labels(rs, m, key);
	if (rs->arena.oom)
		return -ENOMEM;
	if (d->fn == LP_AF_HIST || d->fn == LP_AF_LHIST)
		memcpy(&r->bucket, key + a->key_size - 8, 8);
	for (int c = 0; c < ncpu; c++) {
		const __s64 *v = (const void *)((const char *)vals + (size_t)c * vsz);

		if (d->fn == LP_AF_COUNT) {
			r->v[0] += v[0];
		} else if (d->fn == LP_AF_HIST || d->fn == LP_AF_LHIST) {
			r->v[0] += v[0]; /* the bucket's count and its values' sum */
			r->v[1] += v[1];
		} else if (v[0]) { /* struct lp_stats: count, sum, min, max */
			if (!r->v[0] || v[2] < r->v[2])
				r->v[2] = v[2];
			if (!r->v[0] || v[3] > r->v[3])
				r->v[3] = v[3];
			r->v[0] += v[0];
			r->v[1] += v[1];
		}
	}
	if (d->fn == LP_AF_SUM)
		r->v[0] = r->v[1]; /* a sum is served as its sum, even of nothing */
	else if (type_of(d->fn) != MT_COUNTER && type_of(d->fn) != MT_HISTOGRAM && !r->v[0])
		return 0; /* a gauge of nothing: no series */
	rs->n++;
	return 0;
}

struct read_ctx {
	struct rows *rs;
	const struct member *m;
	size_t n0; /* rows before this map's */
};

/* run/mapread.h's callback: the key zero-padded to the plan's size (an
 * unkeyed array's u32 key is shorter) */
static int add_entry(void *ctx, const void *key, unsigned ksz, const void *vals, int ncpu,
		     unsigned vstride)
{
	const struct read_ctx *c = ctx;
	unsigned char k[LP_KEY_MAX] = { 0 };

	if (ksz > sizeof(k))
		return -E2BIG;
	memcpy(k, key, ksz);
	return rows_add(c->rs, c->m, k, vals, ncpu, vstride);
}

/* mapread_agg's reset: the rows of a read it starts again */
static void drop_rows(void *ctx)
{
	const struct read_ctx *c = ctx;

	c->rs->n = c->n0;
}

/* Every entry of one map. */
static int read_map(struct rows *rs, const struct member *m)
{
	const struct lp_aggdef *d = &m->p->aggs[m->idx];
	struct read_ctx c = { rs, m, rs->n };

	if (d->fd < 0)
		return 0; /* not loaded yet: nothing counted */
	return mapread_agg(d->fd, m->p->pend_fd, m->p->pctl_fd, m->idx, add_entry, drop_rows, &c);
}

/* --- writing ------------------------------------------------------------ */

/* Equal labels (and bucket) are one series: added, or min/max taken. */
static void merge_into(struct srow *to, const struct srow *r)
{
	if (r->fn == LP_AF_MIN || r->fn == LP_AF_MAX || r->fn == LP_AF_AVG ||
	    r->fn == LP_AF_STATS) {
		if (r->v[2] < to->v[2])
			to->v[2] = r->v[2];
		if (r->v[3] > to->v[3])
			to->v[3] = r->v[3];
	}
	to->v[0] += r->v[0];
	to->v[1] += r->v[1];
}

static void series_head(struct buf *b, const char *name, const char *suffix, const char *labels,
			const char *extra)
{
	buf_str(b, name);
	buf_str(b, suffix);
	if (*labels || extra) {
		buf_put(b, "{", 1);
		buf_str(b, labels);
		if (extra) {
			if (*labels)
				buf_put(b, ",", 1);
			buf_str(b, extra);
		}
		buf_put(b, "}", 1);
	}
	buf_put(b, " ", 1);
}

/* The inclusive upper bound of bucket b: values are integers, so the
 * kernel's [2^(k-1), 2^k) is le="2^k - 1" exactly (le="2^k" would claim
 * the values equal to 2^k, which the next bucket holds). */
static long long bucket_le(const struct lp_aggdef *d, __u64 b)
{
	if (d->fn == LP_AF_HIST)
		return b == 0 ? -1 : b == 1 ? 0 : (long long)((1ULL << (b - 1)) - 1);
	return d->lo + (long long)b * d->step - 1;
}

/* One key's buckets (rows[i..j), sorted by bucket) as cumulative
 * _bucket series, then _sum and _count; no rows is the empty histogram
 * (an lhist's bounds all at 0, a hist's +Inf). */
static void write_hist(struct buf *b, const struct member *m, const char *labels,
		       const struct srow *r, size_t n)
{
	const struct lp_aggdef *d = &m->p->aggs[m->idx];
	__u64 first = d->fn == LP_AF_HIST ? 1 : 0;
	__u64 last = 0; /* a hist without rows: +Inf only */
	unsigned long long cum = 0;
	long long sum = 0;
	size_t i = 0;
	char le[40];

	if (d->fn == LP_AF_LHIST)
		last = (__u64)((d->hi - d->lo) / d->step);
	else if (n)
		last = r[n - 1].bucket;
	if (n && r[0].bucket < first)
		first = r[0].bucket;
	for (__u64 bk = first; bk <= last; bk++) {
		while (i < n && r[i].bucket == bk) {
			cum += (unsigned long long)r[i].v[0];
			sum += r[i].v[1];
			i++;
		}
		snprintf(le, sizeof(le), "le=\"%lld\"", bucket_le(d, bk));
		series_head(b, m->name, "_bucket", labels, le);
		buf_u64(b, cum);
		buf_put(b, "\n", 1);
	}
	for (; i < n; i++) { /* lhist's "at or above hi" */
		cum += (unsigned long long)r[i].v[0];
		sum += r[i].v[1];
	}
	series_head(b, m->name, "_bucket", labels, "le=\"+Inf\"");
	buf_u64(b, cum);
	buf_put(b, "\n", 1);
	series_head(b, m->name, "_sum", labels, NULL);
	buf_s64(b, sum);
	buf_put(b, "\n", 1);
	series_head(b, m->name, "_count", labels, NULL);
	buf_u64(b, cum);
	buf_put(b, "\n", 1);
}

static void write_row(struct buf *b, const struct member *m, const char *labels,
		      const struct srow *r)
{
	switch (r->fn) {
	case LP_AF_COUNT:
		series_head(b, m->name, "", labels, NULL);
		buf_u64(b, (unsigned long long)r->v[0]);
		buf_put(b, "\n", 1);
		break;
	case LP_AF_SUM:
		series_head(b, m->name, "", labels, NULL);
		buf_s64(b, r->v[0]);
		buf_put(b, "\n", 1);
		break;
	case LP_AF_MIN:
	case LP_AF_MAX:
		series_head(b, m->name, "", labels, NULL);
		buf_s64(b, r->fn == LP_AF_MIN ? r->v[2] : r->v[3]);
		buf_put(b, "\n", 1);
		break;
	case LP_AF_AVG:
		series_head(b, m->name, "", labels, NULL);
		buf_fmt(b, "%.17g\n", (double)r->v[1] / (double)r->v[0]);
		break;
	case LP_AF_STATS:
		series_head(b, m->name, "_sum", labels, NULL);
		buf_s64(b, r->v[1]);
		buf_put(b, "\n", 1);
		series_head(b, m->name, "_count", labels, NULL);
		buf_s64(b, r->v[0]);
		buf_put(b, "\n", 1);
		break;
	}
}

/* One metric: HELP, TYPE, and its series from every member in it. */
static int write_family(struct lp_session *s, struct buf *b, struct member *ms, int n, int fam)
{
	struct member *m = &ms[fam];
	const struct lp_aggdef *d = &m->p->aggs[m->idx];
	struct rows rs = { .s = s };
	const char *help = NULL;
	int err = 0, members = 0;

	for (int i = fam; i < n; i++) {
		if (ms[i].family != fam)
			continue;
		members++;
		if (!help)
			help = ms[i].p->aggs[ms[i].idx].metric_help;
		err = read_map(&rs, &ms[i]);
		if (err)
			goto out;
	}
	buf_fmt(b, "# HELP %s ", m->name);
	if (help) {
		buf_help(b, help);
	} else {
		buf_fmt(b, "%s", fn_names[d->fn]);
		if (d->value) {
			buf_str(b, " of ");
			buf_help(b, d->value);
		}
		buf_str(b, " on ");
		buf_help(b, d->metric_point ? d->metric_point : m->p->text);
	}
	buf_fmt(b, "\n# TYPE %s %s\n", m->name, type_names[type_of(d->fn)]);
	/* Distinct keys of one map are distinct label sets unless a part was
	 * symbolized or cut: only then, for several maps, or to gather a
	 * histogram's buckets is the sort (a third of a 100k scrape) needed. */
	sort_ctx = &rs;
	if (rs.n > 1 && (rs.lossy || members > 1 || type_of(d->fn) == MT_HISTOGRAM))
		qsort(rs.r, rs.n, sizeof(*rs.r), cmp_srow);
	for (size_t i = 0; i < rs.n;) {
		const char *labels = rs.arena.p + rs.r[i].label;
		size_t j = i + 1, w = i;

		/* merge equal labels (and buckets) in place */
		while (j < rs.n && !strcmp(rs.arena.p + rs.r[j].label, labels)) {
			if (rs.r[j].bucket == rs.r[w].bucket)
				merge_into(&rs.r[w], &rs.r[j]);
			else
				rs.r[++w] = rs.r[j];
			j++;
		}
		if (type_of(d->fn) == MT_HISTOGRAM)
			write_hist(b, m, labels, &rs.r[i], w - i + 1);
		else
			write_row(b, m, labels, &rs.r[i]);
		i = j;
	}
	/* A keyless aggregation is one series known from the start: served at
	 * 0 before its first event, so that a scraper's first sample is the
	 * baseline (a counter appearing at 5 loses those 5 from increase()).
	 * min, max and avg of nothing have no value, and keyed ones no labels
	 * yet: those stay absent. */
	if (!rs.n && !d->nkeys && d->fn != LP_AF_MIN && d->fn != LP_AF_MAX && d->fn != LP_AF_AVG) {
		struct srow zero = { .fn = d->fn };

		if (type_of(d->fn) == MT_HISTOGRAM)
			write_hist(b, m, "", NULL, 0);
		else
			write_row(b, m, "", &zero);
	}
out:
	free(rs.r);
	free(rs.arena.p);
	free(rs.part.p);
	return err;
}

/* One series a probe point: a point written twice (two probes) is one
 * label set, which Prometheus takes once: its values add up. */
static void write_per_point(struct lp_session *s, struct buf *b, int events)
{
	for (int i = 0; i < s->nprobes; i++) {
		unsigned long long v = 0;
		int seen = 0;

		for (int j = 0; j < s->nprobes && !seen; j++)
			seen = j < i && !strcmp(s->probes[j]->text, s->probes[i]->text);
		if (seen)
			continue;
		for (int j = i; j < s->nprobes; j++) {
			const struct lp_probe *p = s->probes[j];

			if (strcmp(p->text, s->probes[i]->text))
				continue;
			v += events ? p->hits : (unsigned long long)(p->ninsts > 1 ? p->ninsts : 1);
		}
		buf_str(b, events ? "luaprobe_events_total{point=\"" : "luaprobe_probes{point=\"");
		buf_label_value(b, s->probes[i]->text, strlen(s->probes[i]->text));
		buf_fmt(b, "\"} %llu\n", v);
	}
}

/* What luaprobe itself knows: its build, what the kernel side could not
 * do, and the probes. */
static void write_builtins(struct lp_session *s, struct buf *b)
{
	const char *name = s->script_name ? s->script_name : "";
	unsigned long long lost = 0, full = 0;
	char script[128];

	if (s->maps.lost_fd >= 0) {
		lost = load_lost(&s->maps, LP_LOST_RESERVE);
		full = load_lost(&s->maps, LP_LOST_AGGFULL);
	}
	snprintf(script, sizeof(script), "%s", strrchr(name, '/') ? strrchr(name, '/') + 1 : name);
	buf_str(b, "# HELP luaprobe_build_info luaprobe's version, the libbpf and Lua it runs "
		   "with, and the script\n# TYPE luaprobe_build_info gauge\n");
	buf_fmt(b, "luaprobe_build_info{version=\"%s\",libbpf=\"%u.%u\",lua=\"%s\",script=\"",
		LP_VERSION, libbpf_major_version(), libbpf_minor_version(),
		LUA_VERSION_MAJOR "." LUA_VERSION_MINOR);
	buf_label_value(b, script, strlen(script));
	buf_str(b, "\"} 1\n");
	buf_fmt(b,
		"# HELP luaprobe_lost_events_total Events the ring buffer had no room for\n"
		"# TYPE luaprobe_lost_events_total counter\nluaprobe_lost_events_total %llu\n",
		lost);
	buf_fmt(b,
		"# HELP luaprobe_map_full_total Aggregation updates dropped because the map was "
		"full (raise the probe's spec.max_keys)\n"
		"# TYPE luaprobe_map_full_total counter\nluaprobe_map_full_total %llu\n",
		full);
	buf_str(b, "# HELP luaprobe_probes Attach points of each probe point\n"
		   "# TYPE luaprobe_probes gauge\n");
	write_per_point(s, b, 0);
	buf_str(b, "# HELP luaprobe_events_total Events of each probe point delivered to user "
		   "space (probes with a handler)\n# TYPE luaprobe_events_total counter\n");
	write_per_point(s, b, 1);
}

int metrics_render(struct lp_session *s, char **out, size_t *len)
{
	struct buf b = { 0 };
	struct member *ms = NULL;
	int n = plan_members(s, &ms), err = 0;

	*out = NULL;
	*len = 0;
	if (n < 0)
		return n;
	/* A probe point written twice is two probes: one series each would
	 * repeat a label set, which Prometheus refuses. */
	write_builtins(s, &b);
	for (int i = 0; i < n && !err; i++)
		if (ms[i].family == i)
			err = write_family(s, &b, ms, n, i);
	free(ms);
	if (!err && b.oom)
		err = -ENOMEM;
	if (err) {
		free(b.p);
		return err;
	}
	*out = b.p ? b.p : strdup("");
	*len = b.len;
	return *out ? 0 : -ENOMEM;
}

/* --- the server --------------------------------------------------------- */

struct request {
	size_t bytes; /* of the answer, while in flight */
};

/* *req_cls after the first call for a request, before its answer */
static const char headers_seen;

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *text,
			      const char *ctype)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", ctype);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "GET");
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(r, "Retry-After", "1");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **req_cls)
{
	struct lp_metrics *m = cls;
	struct MHD_Response *r;
	struct request *req;
	enum MHD_Result ret;
	char *text;
	size_t len;
	int err;

	(void)version;
	(void)upload;
	(void)upload_size;
	if (strcmp(method, MHD_HTTP_METHOD_GET))
		return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET is served\n",
			      "text/plain; charset=utf-8");
	/* A GET is answered on the second call: answered on the first (as
	 * the refusal above is), libmicrohttpd closes the connection, and a
	 * scraper would connect anew every time. */
	if (!*req_cls) {
		*req_cls = (void *)&headers_seen;
		return MHD_YES;
	}
	if (!strcmp(url, "/"))
		return answer(c, MHD_HTTP_OK,
			      "<html><head><title>luaprobe</title></head><body>"
			      "<h1>luaprobe</h1><p><a href=\"/metrics\">Metrics</a></p>"
			      "</body></html>\n",
			      "text/html; charset=utf-8");
	if (strcmp(url, "/metrics"))
		return answer(c, MHD_HTTP_NOT_FOUND, "not found: luaprobe serves /metrics\n",
			      "text/plain; charset=utf-8");
	/* Clients that do not read keep their answers: past a bound, a new
	 * scrape is told to come back rather than make another. */
	if (m->inflight > LP_METRICS_INFLIGHT_MAX)
		return answer(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			      "too many answers not yet read by their clients\n",
			      "text/plain; charset=utf-8");
	err = metrics_render(m->s, &text, &len);
	if (err) {
		static char msg[160];

		snprintf(msg, sizeof(msg), "cannot read the aggregations: %s\n", strerror(-err));
		return answer(c, MHD_HTTP_INTERNAL_SERVER_ERROR, msg, "text/plain; charset=utf-8");
	}
	req = malloc(sizeof(*req));
	r = req ? MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE) : NULL;
	if (!r) {
		free(req);
		free(text);
		return MHD_NO;
	}
	req->bytes = len;
	m->inflight += len;
	*req_cls = req;
	MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **req_cls,
		    enum MHD_RequestTerminationCode why)
{
	struct lp_metrics *m = cls;
	struct request *req = *req_cls;

	(void)c;
	(void)why;
	*req_cls = NULL;
	if (req && req != (const void *)&headers_seen) {
		m->inflight -= req->bytes;
		free(req);
	}
}

/* "HOST:PORT" into host and port; HOST may be empty, [v6] or absent. */
static int split_addr(const char *addr, char *host, size_t hlen, char *port, size_t plen, char *err,
		      size_t len)
{
	const char *colon = NULL, *p;
	size_t hl;
	char *end;
	long v;

	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');

		if (!close || (close[1] != ':' && close[1]))
			goto bad;
		hl = (size_t)(close - addr - 1);
		if (hl >= hlen)
			goto bad;
		memcpy(host, addr + 1, hl);
		host[hl] = '\0';
		p = close[1] ? close + 2 : "";
	} else {
		colon = strrchr(addr, ':');
		if (colon && strchr(addr, ':') != colon)
			goto bad; /* an IPv6 address without brackets */
		hl = colon ? (size_t)(colon - addr) : 0;
		if (hl >= hlen)
			goto bad;
		memcpy(host, addr, hl);
		host[hl] = '\0';
		p = colon ? colon + 1 : addr;
	}
	if (!*host)
		snprintf(host, hlen, "127.0.0.1");
	v = strtol(p, &end, 10);
	if (!*p || *end || v < 0 || v > 65535 || strlen(p) >= plen)
		goto bad;
	snprintf(port, plen, "%ld", v);
	return 0;
bad:
	snprintf(err, len,
		 "'%.100s' is not an address to serve metrics on: HOST:PORT, [IPV6]:PORT "
		 "or :PORT (HOST 127.0.0.1), PORT 0 to 65535",
		 addr);
	return -EINVAL;
}

int metrics_check_addr(const char *addr, char *err, size_t len)
{
	char host[256], port[8];

	return split_addr(addr, host, sizeof(host), port, sizeof(port), err, len);
}

static int listen_on(const char *addr, char *where, size_t wlen, char *err, size_t len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	struct sockaddr_storage sa;
	socklen_t salen = sizeof(sa);
	char host[256], port[8], text[INET6_ADDRSTRLEN];
	int fd = -1, one = 1, ret;

	ret = split_addr(addr, host, sizeof(host), port, sizeof(port), err, len);
	if (ret)
		return ret;
	ret = getaddrinfo(host, port, &hints, &res);
	if (ret) {
		snprintf(err, len, "cannot serve metrics on '%.100s': %s", addr, gai_strerror(ret));
		return -EINVAL;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 128) ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen)) {
		ret = -errno;
		snprintf(err, len, "cannot serve metrics on '%.100s': %s", addr, strerror(-ret));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return ret;
	}
	freeaddrinfo(res);
	if (sa.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof(text));
		snprintf(where, wlen, "[%s]:%u", text, ntohs(s6->sin6_port));
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;

		inet_ntop(AF_INET, &s4->sin_addr, text, sizeof(text));
		snprintf(where, wlen, "%s:%u", text, ntohs(s4->sin_port));
	}
	return fd;
}

int metrics_open(struct lp_session *s, const char *addr, char *err, size_t len)
{
	struct lp_metrics *m = calloc(1, sizeof(*m));
	const union MHD_DaemonInfo *info;
	char where[96], url[128];
	int ret;

	if (!m) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	m->s = s;
	m->timer_fd = -1;
	m->listen_fd = listen_on(addr, where, sizeof(where), err, len);
	if (m->listen_fd < 0) {
		ret = m->listen_fd;
		free(m);
		return ret;
	}
	m->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (m->timer_fd < 0) {
		ret = -errno;
		snprintf(err, len, "cannot serve metrics: %s", strerror(-ret));
		metrics_close(m);
		return ret;
	}
	/* MHD_USE_EPOLL without a thread flag: the loop polls its epoll fd */
	m->d = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, m,
				MHD_OPTION_LISTEN_SOCKET, m->listen_fd, MHD_OPTION_CONNECTION_LIMIT,
				(unsigned)LP_METRICS_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned)LP_METRICS_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				(size_t)LP_METRICS_REQUEST_MAX, MHD_OPTION_NOTIFY_COMPLETED,
				on_done, m, MHD_OPTION_END);
	info = m->d ? MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
	if (!info) {
		if (*mhd_load_error())
			snprintf(err, len, "cannot serve metrics on '%.100s': cannot load %.200s",
				 addr, mhd_load_error());
		else
			snprintf(err, len,
				 "cannot serve metrics on '%.100s': libmicrohttpd would not start",
				 addr);
		metrics_close(m);
		return -EINVAL;
	}
	m->listen_fd = -1; /* MHD_stop_daemon() closes it */
	s->metrics = m;
	snprintf(url, sizeof(url), "http://%s/metrics", where);
	/* under --json stderr holds JSON lines: {"type": "metrics", "data": URL} */
	if (!s->opt.json || json_write_text(s, stderr, "metrics", url))
		fprintf(stderr, "luaprobe: metrics on %s\n", url);
	return 0;
}

int metrics_epoll_fd(const struct lp_metrics *m)
{
	return MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd;
}

int metrics_timer_fd(const struct lp_metrics *m)
{
	return m->timer_fd;
}

void metrics_run(struct lp_metrics *m)
{
	MHD_UNSIGNED_LONG_LONG ms = 0;
	struct itimerspec its = { 0 };
	uint64_t ticks;

	if (read(m->timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	MHD_run(m->d);
	/* MHD's next timeout (a connection idle too long); 0 means "call
	 * again at once", which a zero itimerspec would read as "disarm" */
	if (MHD_get_timeout(m->d, &ms) == MHD_YES) {
		its.it_value.tv_sec = (time_t)(ms / 1000);
		its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
		if (!ms)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(m->timer_fd, 0, &its, NULL);
}

void metrics_close(struct lp_metrics *m)
{
	if (!m)
		return;
	if (m->d)
		MHD_stop_daemon(m->d);
	if (m->listen_fd >= 0)
		close(m->listen_fd);
	if (m->timer_fd >= 0)
		close(m->timer_fd);
	free(m);
}
