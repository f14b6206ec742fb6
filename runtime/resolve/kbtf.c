/* Kernel BTF through libbpf. vmlinux BTF is several megabytes parsed, so it
 * is loaded only when a script first asks for an enum, and once. */
#include "resolve/kbtf.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>

#include <bpf/btf.h>

#include "util/suggest.h"

struct lp_kbtf {
	struct btf *btf;
	bool tried;
	int err;
	/* The last type looked up by name: drop_reason() asks for the same
	 * enum on every call, and btf__find_by_name_kind() is a linear scan. */
	char last_type[128];
	int last_id;
	/* Module BTF (/sys/kernel/btf/<module>), split on vmlinux: read once,
	 * the first time a name is not in vmlinux. */
	bool mods_tried;
	/* vmlinux's tracepoint types (btf_trace_*, __bpf_trace_*), sorted by
	 * name: one scan instead of one per lookup (btf__find_by_name_kind
	 * walks all ~150k types, ~1 ms, and every tp_btf probe asks twice). */
	bool trace_indexed;
	int ntrace;
	struct trace_type {
		const char *name;
		int kind;
		int id;
	} * trace;
	int nmods;
	struct btf **mods;
	char **mod_names;
};

struct lp_kbtf *kbtf_new(void)
{
	return calloc(1, sizeof(struct lp_kbtf));
}

int kbtf_load(struct lp_kbtf *kb)
{
	if (!kb)
		return -ENOMEM;
	if (kb->tried)
		return kb->err;
	kb->tried = true;
	kb->btf = btf__load_vmlinux_btf();
	/* libbpf says -ESRCH for "no kernel BTF anywhere": that is a missing file */
	if (!kb->btf)
		kb->err = errno && errno != ESRCH ? -errno : -ENOENT;
	return kb->err;
}

void kbtf_free(struct lp_kbtf *kb)
{
	if (!kb)
		return;
	for (int i = 0; i < kb->nmods; i++) {
		btf__free(kb->mods[i]);
		free(kb->mod_names[i]);
	}
	free(kb->mods);
	free(kb->mod_names);
	free(kb->trace);
	btf__free(kb->btf);
	free(kb);
}

static const char *enum_entry_name(struct lp_kbtf *kb, const struct btf_type *t, int i)
{
	uint32_t off;

	if (btf_is_enum(t))
		off = btf_enum(t)[i].name_off;
	else
		off = btf_enum64(t)[i].name_off;
	return btf__name_by_offset(kb->btf, off);
}

static long long enum_entry_value(const struct btf_type *t, int i)
{
	/* kind_flag marks a signed enum; libbpf's btf_dump reads it the same way */
	if (btf_is_enum(t)) {
		int32_t v = btf_enum(t)[i].val;

		return btf_kflag(t) ? (long long)v : (long long)(uint32_t)v;
	}
	return (long long)btf_enum64_value(btf_enum64(t) + i);
}

/* The id of the enum, named or not, that has an enumerator `name`: many
 * kernel enums have no name of their own (tcp_states.h's TCP_ESTABLISHED,
 * ...), so one of their enumerators names them. -ENOENT when none has. */
static int enum_holding(struct lp_kbtf *kb, const char *name)
{
	int n = (int)btf__type_cnt(kb->btf);

	for (int id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(kb->btf, id);

		if (!btf_is_any_enum(t))
			continue;
		for (int i = 0; i < btf_vlen(t); i++)
			if (!strcmp(enum_entry_name(kb, t, i), name))
				return id;
	}
	return -ENOENT;
}

/* The enum named `type` ("enum x" or "x"), or else the one holding an
 * enumerator of that name; NULL with errno set. */
static const struct btf_type *find_enum(struct lp_kbtf *kb, const char *type)
{
	int err = kbtf_load(kb), id;

	if (err) {
		errno = -err;
		return NULL;
	}
	if (!strncmp(type, "enum ", 5))
		type += 5;
	while (*type == ' ')
		type++;
	if (kb->last_id && !strcmp(kb->last_type, type))
		return btf__type_by_id(kb->btf, kb->last_id);
	id = btf__find_by_name_kind(kb->btf, type, BTF_KIND_ENUM);
	if (id < 0)
		id = btf__find_by_name_kind(kb->btf, type, BTF_KIND_ENUM64);
	if (id < 0)
		id = enum_holding(kb, type);
	if (id < 0) {
		errno = ENOENT;
		return NULL;
	}
	if (strlen(type) < sizeof(kb->last_type)) {
		strcpy(kb->last_type, type);
		kb->last_id = id;
	}
	return btf__type_by_id(kb->btf, id);
}

int kbtf_enum_value(struct lp_kbtf *kb, const char *type, const char *name, long long *val)
{
	const struct btf_type *t = find_enum(kb, type);

	if (!t)
		return -errno;
	for (int i = 0; i < btf_vlen(t); i++) {
		if (!strcmp(enum_entry_name(kb, t, i), name)) {
			*val = enum_entry_value(t, i);
			return 0;
		}
	}
	return -ENOENT;
}

const char *kbtf_enum_name(struct lp_kbtf *kb, const char *type, long long val,
			   const char *strip_prefix)
{
	const struct btf_type *t = find_enum(kb, type);
	size_t plen = strip_prefix ? strlen(strip_prefix) : 0;

	if (!t)
		return NULL;
	for (int i = 0; i < btf_vlen(t); i++) {
		const char *name = enum_entry_name(kb, t, i);

		if (enum_entry_value(t, i) != val)
			continue;
		if (plen && !strncmp(name, strip_prefix, plen) && name[plen])
			name += plen;
		return name;
	}
	errno = ENOENT;
	return NULL;
}

/* `name` is `query` or ends in "_<query>". */
static bool suffix_match(const char *name, const char *query, size_t qlen)
{
	size_t nlen = strlen(name);

	return nlen > qlen && name[nlen - qlen - 1] == '_' && !strcmp(name + nlen - qlen, query);
}

static const char *type_name(struct lp_kbtf *kb, const struct btf_type *t)
{
	const char *name = btf__name_by_offset(kb->btf, t->name_off);

	return name && *name ? name : "(anonymous)";
}

/* Append a type name to "a, b" unless it is there already; what does not
 * fit becomes "...". */
static void list_add(char *out, size_t len, const char *name)
{
	size_t used = strlen(out), nlen = strlen(name);

	for (const char *p = out; (p = strstr(p, name)); p += nlen) {
		if ((p == out || p[-1] == ' ') && (p[nlen] == ',' || !p[nlen]))
			return;
	}
	if (used >= 3 && !strcmp(out + used - 3, "..."))
		return;
	if (used + 2 + nlen + 5 < len)
		snprintf(out + used, len - used, "%s%s", used ? ", " : "", name);
	else if (used + 5 < len)
		snprintf(out + used, len - used, "%s...", used ? ", " : "");
}

/* Matches of one kind (full name or suffix): how many differ, and the first. */
struct match {
	int n;
	const struct btf_type *t;
	const char *name;
	long long val;
};

static void match_add(struct match *m, const struct btf_type *t, const char *name, long long val)
{
	/* the same enumerator in two copies of an enum is one match */
	if (m->n && m->val == val && !strcmp(m->name, name))
		return;
	if (!m->n++) {
		m->t = t;
		m->name = name;
		m->val = val;
	}
}

/* Every enumerator of every enum that matches query (by full name or by
 * suffix): added to m, and with list, its enum's name added to list. */
static void scan_enums(struct lp_kbtf *kb, const char *query, bool by_suffix, struct match *m,
		       char *list, size_t len)
{
	uint32_t n = btf__type_cnt(kb->btf);
	size_t qlen = strlen(query);

	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(kb->btf, id);

		if (!btf_is_any_enum(t))
			continue;
		for (int i = 0; i < btf_vlen(t); i++) {
			const char *name = enum_entry_name(kb, t, i);

			if (!(by_suffix ? suffix_match(name, query, qlen) : !strcmp(name, query)))
				continue;
			if (list)
				list_add(list, len, type_name(kb, t));
			else
				match_add(m, t, name, enum_entry_value(t, i));
		}
	}
}

static int lookup_pass(struct lp_kbtf *kb, const char *query, bool by_suffix, long long *val,
		       char *type_out, size_t len)
{
	struct match m = { 0 };

	scan_enums(kb, query, by_suffix, &m, NULL, 0);
	if (!m.n)
		return -ENOENT;
	if (m.n == 1) {
		*val = m.val;
		if (type_out && len)
			snprintf(type_out, len, "%s", type_name(kb, m.t));
		return 0;
	}
	/* A second pass lists the candidates' enums for the error message. */
	if (type_out && len) {
		type_out[0] = '\0';
		scan_enums(kb, query, by_suffix, NULL, type_out, len);
	}
	return -EEXIST;
}

int kbtf_enum_lookup_any(struct lp_kbtf *kb, const char *name, long long *val, char *type_out,
			 size_t len)
{
	int err = kbtf_load(kb);

	if (err)
		return err;
	err = lookup_pass(kb, name, false, val, type_out, len);
	if (err != -ENOENT)
		return err;
	return lookup_pass(kb, name, true, val, type_out, len);
}

int kbtf_enum_suggest(struct lp_kbtf *kb, const char *type, const char *name, const char **closest)
{
	const struct btf_type *t = find_enum(kb, type);
	size_t qlen = strlen(name);
	const char **names;
	int vlen, found = 0;

	if (!t)
		return -errno;
	*closest = NULL;
	vlen = btf_vlen(t);
	for (int i = 0; i < vlen; i++) {
		if (suffix_match(enum_entry_name(kb, t, i), name, qlen) && !found++)
			*closest = enum_entry_name(kb, t, i);
	}
	if (found == 1)
		return 0;
	*closest = NULL;
	names = calloc(vlen + 1, sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (int i = 0; i < vlen; i++)
		names[i] = enum_entry_name(kb, t, i);
	*closest = suggest_closest(name, names, vlen);
	free(names);
	return 0;
}

/* The enumerators' common prefix up to its last '_' ("SKB_DROP_REASON_"). */
static size_t common_prefix(struct lp_kbtf *kb, const struct btf_type *t)
{
	int vlen = btf_vlen(t);
	const char *first;
	size_t n;

	if (vlen < 2)
		return 0;
	first = enum_entry_name(kb, t, 0);
	n = strlen(first);
	for (int i = 1; i < vlen && n; i++) {
		const char *e = enum_entry_name(kb, t, i);
		size_t k = 0;

		while (k < n && e[k] == first[k])
			k++;
		n = k;
	}
	while (n && first[n - 1] != '_')
		n--;
	return n;
}

int kbtf_enum_value_in(struct lp_kbtf *kb, const char *type, const char *name, long long *val)
{
	const struct btf_type *t = find_enum(kb, type);
	size_t qlen = strlen(name), plen;
	int vlen, found = 0;
	long long v = 0;

	char typed[256];
	size_t tlen = 0;

	if (!t)
		return -errno;
	/* The kernel's convention: enum skb_drop_reason's constants are
	 * SKB_DROP_REASON_*, though its first is SKB_NOT_DROPPED_YET. */
	if (!strncmp(type, "enum ", 5))
		type += 5;
	while (type[tlen] && tlen + 2 < sizeof(typed)) {
		typed[tlen] = (char)toupper((unsigned char)type[tlen]);
		tlen++;
	}
	typed[tlen++] = '_';
	typed[tlen] = '\0';
	vlen = btf_vlen(t);
	plen = common_prefix(kb, t);
	for (int i = 0; i < vlen; i++) {
		const char *e = enum_entry_name(kb, t, i);
		size_t elen = strlen(e);

		/* the name, or the name after the type's or the common prefix */
		if (!strcmp(e, name) ||
		    (elen == tlen + qlen && !strncmp(e, typed, tlen) && !strcmp(e + tlen, name)) ||
		    (elen == plen + qlen && !strcmp(e + plen, name))) {
			*val = enum_entry_value(t, i);
			return 0;
		}
	}
	for (int i = 0; i < vlen; i++)
		if (suffix_match(enum_entry_name(kb, t, i), name, qlen) && !found++)
			v = enum_entry_value(t, i);
	if (found != 1)
		return found ? -EEXIST : -ENOENT;
	*val = v;
	return 0;
}

int kbtf_enum_candidates(struct lp_kbtf *kb, const char *type, const char *name, char *out,
			 size_t len)
{
	const struct btf_type *t = find_enum(kb, type);
	size_t qlen = strlen(name);
	int vlen, n = 0;

	if (!t)
		return -errno;
	out[0] = '\0';
	vlen = btf_vlen(t);
	for (int i = 0; i < vlen; i++)
		if (suffix_match(enum_entry_name(kb, t, i), name, qlen)) {
			list_add(out, len, enum_entry_name(kb, t, i));
			n++;
		}
	return n;
}

struct btf *kbtf_btf(struct lp_kbtf *kb)
{
	return kb && kbtf_load(kb) == 0 ? kb->btf : NULL;
}

const struct btf *kbtf_vmlinux(struct lp_kbtf *kb)
{
	int err = kbtf_load(kb);

	if (err) {
		errno = -err;
		return NULL;
	}
	return kb->btf;
}

static void load_modules(struct lp_kbtf *kb)
{
	DIR *dir;
	struct dirent *de;

	if (kb->mods_tried || !kb->btf)
		return;
	kb->mods_tried = true;
	dir = opendir("/sys/kernel/btf");
	while (dir && (de = readdir(dir))) {
		char path[512];
		struct btf *b, **mods;
		char **names;

		if (de->d_name[0] == '.' || strcmp(de->d_name, "vmlinux") == 0)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", de->d_name);
		b = btf__parse_split(path, kb->btf);
		if (!b)
			continue;
		mods = realloc(kb->mods, (kb->nmods + 1) * sizeof(*mods));
		if (mods)
			kb->mods = mods;
		names = realloc(kb->mod_names, (kb->nmods + 1) * sizeof(*names));
		if (names)
			kb->mod_names = names;
		if (!mods || !names) {
			btf__free(b);
			break;
		}
		kb->mods[kb->nmods] = b;
		kb->mod_names[kb->nmods++] = strdup(de->d_name);
	}
	if (dir)
		closedir(dir);
}

static bool is_trace_name(const char *name)
{
	return strncmp(name, "btf_trace_", 10) == 0 || strncmp(name, "__bpf_trace_", 12) == 0;
}

static int trace_cmp(const void *a, const void *b)
{
	const struct trace_type *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->kind - y->kind;
}

static void index_trace(struct lp_kbtf *kb)
{
	uint32_t n = btf__type_cnt(kb->btf);

	kb->trace_indexed = true;
	for (uint32_t i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(kb->btf, i);
		const char *name = btf__name_by_offset(kb->btf, t->name_off);
		struct trace_type *grown;

		if (!name || !is_trace_name(name) || (!btf_is_typedef(t) && !btf_is_func(t)))
			continue;
		if ((kb->ntrace & 1023) == 0) {
			grown = realloc(kb->trace, (kb->ntrace + 1024) * sizeof(*grown));
			if (!grown)
				break;
			kb->trace = grown;
		}
		kb->trace[kb->ntrace++] = (struct trace_type){ name, btf_kind(t), (int)i };
	}
	qsort(kb->trace, kb->ntrace, sizeof(*kb->trace), trace_cmp);
}

static int find_vmlinux(struct lp_kbtf *kb, const char *name, int kind)
{
	struct trace_type key = { name, kind, 0 }, *hit;

	if (!is_trace_name(name))
		return btf__find_by_name_kind(kb->btf, name, kind);
	if (!kb->trace_indexed)
		index_trace(kb);
	hit = bsearch(&key, kb->trace, kb->ntrace, sizeof(*kb->trace), trace_cmp);
	return hit ? hit->id : -ENOENT;
}

int kbtf_find(struct lp_kbtf *kb, const char *name, int kind, const struct btf **btf, int *id,
	      const char **module)
{
	int err = kbtf_load(kb), found;

	if (err)
		return err;
	found = find_vmlinux(kb, name, kind);
	if (found > 0) {
		*btf = kb->btf;
		*id = found;
		if (module)
			*module = NULL;
		return 0;
	}
	load_modules(kb);
	for (int i = 0; i < kb->nmods; i++) {
		found = btf__find_by_name_kind(kb->mods[i], name, kind);
		if (found > 0) {
			*btf = kb->mods[i];
			*id = found;
			if (module)
				*module = kb->mod_names[i];
			return 0;
		}
	}
	return -ENOENT;
}

int kbtf_each(struct lp_kbtf *kb, int (*fn)(const struct btf *btf, const char *module, void *arg),
	      void *arg)
{
	int err = kbtf_load(kb), n;

	if (err)
		return err;
	n = fn(kb->btf, NULL, arg);
	load_modules(kb);
	for (int i = 0; n >= 0 && i < kb->nmods; i++) {
		int m = fn(kb->mods[i], kb->mod_names[i], arg);

		n = m < 0 ? m : n + m;
	}
	return n;
}
