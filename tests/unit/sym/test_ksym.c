/* Kernel symbols and kernel BTF against the running kernel. Every expected
 * value is read here independently: addresses straight from /proc/kallsyms,
 * drop reasons from the kfree_skb tracepoint's __print_symbolic list. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

#include "resolve/kbtf.h"
#include "sym/ksym.h"
#include "test.h"

#define KFREE_SKB_FORMAT "/sys/kernel/tracing/events/skb/kfree_skb/format"
#define CLONE_FUNC "__netif_receive_skb_core"

static void skip(const char *reason)
{
	printf("SKIP: %s\n", reason);
	fflush(stdout);
	exit(77);
}

/* One pass over /proc/kallsyms, the test's own reading of it. */
struct kallsyms_facts {
	uint64_t lowest; /* lowest non-zero address */
	uint64_t openat2; /* do_sys_openat2 */
	uint64_t after_open; /* the next address above it */
	int nclones; /* distinct addresses of CLONE_FUNC and CLONE_FUNC.* */
	uint64_t clone[8];
	char clone_name[8][512];
	uint64_t clone_next[8]; /* the next address above each */
};

static bool is_clone(const char *name)
{
	size_t n = strlen(CLONE_FUNC);

	return !strncmp(name, CLONE_FUNC, n) && (!name[n] || name[n] == '.');
}

static int read_facts(struct kallsyms_facts *k)
{
	char line[1024], name[512], type;
	unsigned long long a;
	bool nonzero = false;
	FILE *f;

	memset(k, 0, sizeof(*k));
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return -errno;
	/* first pass: the symbols' own addresses */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %511s", &a, &type, name) != 3)
			continue;
		nonzero |= a != 0;
		if (a && (!k->lowest || a < k->lowest))
			k->lowest = a;
		if (!strcmp(name, "do_sys_openat2") && (type == 't' || type == 'T') && !k->openat2)
			k->openat2 = a;
		if (is_clone(name) && (type == 't' || type == 'T') && k->nclones < 8) {
			bool seen = false;

			for (int i = 0; i < k->nclones; i++)
				seen |= k->clone[i] == a;
			if (!seen) {
				k->clone[k->nclones] = a;
				snprintf(k->clone_name[k->nclones++], 512, "%s", name);
			}
		}
	}
	if (!nonzero) {
		fclose(f);
		return -EPERM;
	}
	/* second pass: the next address above each, whatever its symbol */
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %511s", &a, &type, name) != 3)
			continue;
		if (a > k->openat2 && (!k->after_open || a < k->after_open))
			k->after_open = a;
		for (int i = 0; i < k->nclones; i++) {
			if (a > k->clone[i] && (!k->clone_next[i] || a < k->clone_next[i]))
				k->clone_next[i] = a;
		}
	}
	fclose(f);
	return 0;
}

static struct kallsyms_facts facts;
/* The context every kallsyms test reads, as a session holds one. */
static struct lp_ksym *ks;

static void test_load(void)
{
	int err = read_facts(&facts);

	if (err == -EPERM)
		skip("/proc/kallsyms shows no addresses (kernel.kptr_restrict)");
	if (err)
		skip("/proc/kallsyms not readable");
	if (!facts.openat2 || !facts.nclones)
		skip("do_sys_openat2 or " CLONE_FUNC " not in /proc/kallsyms");
	ks = ksym_new();
	if (!ASSERT_TRUE(ks != NULL, "ksym_new"))
		return;
	ASSERT_EQ(ksym_load(ks), 0, "ksym_load");
	ASSERT_EQ(ksym_load(ks), 0, "ksym_load again");
}

static void test_addr_and_format(void)
{
	uint64_t a = facts.openat2, off = 0;
	char buf[128];

	ASSERT_EQ(ksym_addr(ks, "do_sys_openat2"), a, "ksym_addr(ks, do_sys_openat2)");
	if (!ASSERT_TRUE(facts.after_open > a + 0x10, "do_sys_openat2 longer than 0x10"))
		return;
	ASSERT_STREQ(ksym_name(ks, a + 0x10, &off), "do_sys_openat2", "ksym_name");
	ASSERT_EQ(off, 0x10, "offset");
	ASSERT_EQ(ksym_format(ks, a + 0x10, buf, sizeof(buf)), 0, "ksym_format");
	ASSERT_STREQ(buf, "do_sys_openat2+0x10", "formatted");
	ASSERT_EQ(ksym_format(ks, a, buf, sizeof(buf)), 0, "ksym_format at start");
	ASSERT_STREQ(buf, "do_sys_openat2", "formatted at offset 0");
	/* the last byte before the next symbol still belongs to it */
	ksym_format(ks, facts.after_open - 1, buf, sizeof(buf));
	snprintf(buf + 64, 64, "do_sys_openat2+0x%" PRIx64, facts.after_open - 1 - a);
	ASSERT_STREQ(buf, buf + 64, "last byte");
	ASSERT_EQ(ksym_format(ks, a + 0x10, buf, 8), -ENOSPC, "ksym_format into 8 bytes");
	ASSERT_STREQ(buf, "do_sys_", "cut text");
}

static void test_clones(void)
{
	struct ksym_range r[8];
	char buf[600], want[600];
	int n;

	n = ksym_ranges(ks, CLONE_FUNC, r, 8);
	if (!ASSERT_EQ(n, facts.nclones, "ranges of " CLONE_FUNC))
		return;
	for (int i = 0; i < facts.nclones; i++) {
		int j;

		for (j = 0; j < n && r[j].start != facts.clone[i]; j++)
			;
		if (!ASSERT_TRUE(j < n, "a range starts at each copy"))
			continue;
		ASSERT_EQ(r[j].end, facts.clone_next[i], "range end: the next address");
		/* the clone is named as kallsyms names it */
		ASSERT_EQ(ksym_addr(ks, facts.clone_name[i]), facts.clone[i],
			  "ksym_addr(ks, clone)");
		ksym_format(ks, facts.clone[i] + 1, buf, sizeof(buf));
		snprintf(want, sizeof(want), "%s+0x1", facts.clone_name[i]);
		ASSERT_STREQ(buf, want, "clone formatted");
	}
	for (int i = 1; i < n; i++)
		ASSERT_TRUE(r[i - 1].start < r[i].start, "ranges in address order");
	ASSERT_EQ(ksym_ranges(ks, CLONE_FUNC, NULL, 0), n, "count only");
	/* a prefix of a name is not that function */
	ASSERT_EQ(ksym_ranges(ks, "__netif_receive_skb_cor", r, 8), 0, "prefix");
	ASSERT_EQ(ksym_ranges(ks, "no_such_function_xyz", r, 8), 0, "unknown function");
}

static void test_bounds(void)
{
	char buf[64];

	errno = 0;
	ASSERT_TRUE(ksym_name(ks, 0, NULL) == NULL, "no name for 0");
	ASSERT_TRUE(ksym_name(ks, facts.lowest - 1, NULL) == NULL, "no name below the first");
	ASSERT_EQ(errno, ENOENT, "errno");
	ASSERT_EQ(ksym_format(ks, facts.lowest - 1, buf, sizeof(buf)), -ENOENT, "unknown address");
	snprintf(buf + 32, 32, "0x%" PRIx64, facts.lowest - 1);
	ASSERT_STREQ(buf, buf + 32, "hex form");
	ASSERT_EQ(ksym_format(ks, 0, buf, sizeof(buf)), -ENOENT, "format 0");
	ASSERT_STREQ(buf, "0x0", "0 in hex");
	ASSERT_EQ(ksym_addr(ks, "no_such_symbol_xyz"), 0, "unknown symbol");
	ASSERT_EQ(ksym_addr(ks, "do_sys_openat"), 0, "exact names only");
}

/* A made-up kallsyms: out of order, aliases, module and bpf symbols. */
static const char fake_kallsyms[] = "ffffffff81000000 T _stext\n"
				    "ffffffff81000000 T _text\n"
				    "ffffffff81000100 t foo.constprop.0\n"
				    "ffffffff81000180 t foo_bar\n"
				    "ffffffff810001f0 t __pfx_foo\n"
				    "ffffffff81000200 T foo\n"
				    "ffffffff81000300 D foo.data\n"
				    "ffffffff810003f0 t __pfx_zzz\n"
				    "ffffffff81000400 t bar\n"
				    "ffffffffc0002000 t foo.cold\t[mymod]\n"
				    "ffffffffc0001000 t modfunc\t[mymod]\n"
				    "ffffffffc0003000 t bpf_prog_1234_x\t[bpf]\n"
				    "not a line\n";

static int write_tmp(const char *text, char *path)
{
	int fd;

	strcpy(path, "/tmp/test_ksym.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

static void test_file(void)
{
	struct ksym_range r[4];
	char path[64], buf[64];
	uint64_t off;

	if (!ASSERT_EQ(write_tmp(fake_kallsyms, path), 0, "temp file"))
		return;
	ASSERT_EQ(ksym_load_file(ks, path), 0, "load fake");
	unlink(path);
	ASSERT_STREQ(ksym_name(ks, 0xffffffff81000010, &off), "_stext", "first alias wins");
	ASSERT_EQ(ksym_addr(ks, "_text"), 0xffffffff81000000, "second alias");
	/* "foo" shares the tail of "__pfx_foo" in the pool */
	ASSERT_STREQ(ksym_name(ks, 0xffffffff810001f4, NULL), "__pfx_foo", "padding symbol");
	ASSERT_STREQ(ksym_name(ks, 0xffffffff81000204, NULL), "foo", "after its padding");
	ASSERT_STREQ(ksym_name(ks, 0xffffffff81000404, NULL), "bar", "after another padding");
	ASSERT_EQ(ksym_addr(ks, "foo"), 0xffffffff81000200, "foo by name");
	ASSERT_STREQ(ksym_name(ks, 0xffffffffc0001010, NULL), "modfunc", "module suffix dropped");
	ksym_format(ks, 0xffffffffc0003004, buf, sizeof(buf));
	ASSERT_STREQ(buf, "bpf_prog_1234_x+0x4", "bpf symbol");
	/* no sizes in kallsyms: nobody's past 1 MB from the nearest symbol */
	ASSERT_EQ(ksym_format(ks, 0xffffffffffffffff, buf, sizeof(buf)), -ENOENT, "ksym(-1)");
	ASSERT_STREQ(buf, "0xffffffffffffffff", "ksym(-1) in hex");
	ASSERT_TRUE(ksym_name(ks, 0xffffffffc0103000, NULL) == NULL, "1 MB past the last");
	ASSERT_STREQ(ksym_name(ks, 0xffffffffc0102fff, &off), "bpf_prog_1234_x",
		     "just under 1 MB past the last");
	ASSERT_TRUE(ksym_name(ks, 0xffffffff90000000, NULL) == NULL,
		    "in the gap between the kernel and the modules");
	ASSERT_EQ(ksym_addr(ks, "foo.data"), 0xffffffff81000300, "data symbol by name");
	ASSERT_EQ(ksym_ranges(ks, "foo", r, 4), 3,
		  "foo: clone, plain, cold; not data, foo_bar, __pfx_foo");
	ASSERT_EQ(r[0].start, 0xffffffff81000100, "clone start");
	ASSERT_EQ(r[0].end, 0xffffffff81000180, "clone end");
	ASSERT_EQ(r[1].start, 0xffffffff81000200, "foo start");
	ASSERT_EQ(r[1].end, 0xffffffff81000300, "foo end");
	ASSERT_EQ(r[2].start, 0xffffffffc0002000, "cold start");
	ASSERT_EQ(r[2].end, 0xffffffffc0003000, "cold end");
	ASSERT_EQ(ksym_ranges(ks, "foo", r, 2), -E2BIG, "more than max");
	ASSERT_EQ(ksym_ranges(ks, "foo", NULL, 0), 3, "count only");
	ASSERT_EQ(ksym_load(ks), 0, "ksym_load keeps the loaded table");

	if (!ASSERT_EQ(write_tmp("0000000000000000 T _stext\n0000000000000000 t foo\n", path), 0,
		       "temp file"))
		return;
	ASSERT_EQ(ksym_load_file(ks, path), -EPERM, "hidden addresses");
	ASSERT_EQ(ksym_load(ks), -EPERM, "the error is kept");
	ASSERT_TRUE(ksym_name(ks, 0xffffffff81000010, NULL) == NULL, "no table");
	ASSERT_EQ(errno, EPERM, "errno from the load");
	ASSERT_EQ(ksym_ranges(ks, "foo", r, 4), -EPERM, "ranges report the load error");
	unlink(path);
	if (!ASSERT_EQ(write_tmp("", path), 0, "temp file"))
		return;
	ASSERT_EQ(ksym_load_file(ks, path), -ENOENT, "empty file");
	unlink(path);
	ASSERT_EQ(ksym_load_file(ks, "/nonexistent/kallsyms"), -ENOENT, "missing file");
	ksym_free(ks);
	ks = NULL;
}

/* The value of "UNHANDLED_PROTO" and friends as the tracepoint prints them:
 * `{ 74, "UNHANDLED_PROTO" }` in __print_symbolic. */
static int format_value(const char *text, const char *name, long long *val)
{
	char quoted[128];
	const char *p;

	snprintf(quoted, sizeof(quoted), "\"%s\" }", name);
	p = strstr(text, quoted);
	if (!p)
		return -ENOENT;
	while (p > text && *p != '{')
		p--;
	*val = strtoll(p + 1, NULL, 0);
	return 0;
}

static char *read_format(void)
{
	FILE *f = fopen(KFREE_SKB_FORMAT, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = calloc(1, 1 << 16);
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_btf_drop_reasons(void)
{
	struct lp_kbtf *kb = NULL;
	char *fmt = read_format(), type[128];
	const char *p;
	long long want, v = -1;
	int checked = 0;

	if (!fmt)
		skip(KFREE_SKB_FORMAT " not readable");
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		skip("no kernel BTF at /sys/kernel/btf/vmlinux");
	if (!ASSERT_EQ(format_value(fmt, "UNHANDLED_PROTO", &want), 0, "UNHANDLED_PROTO in format"))
		goto out;
	kb = kbtf_new();
	if (!ASSERT_TRUE(kb != NULL, "kbtf_new"))
		goto out;
	ASSERT_EQ(kbtf_load(kb), 0, "kbtf_load");
	ASSERT_EQ(kbtf_enum_value(kb, "skb_drop_reason", "SKB_DROP_REASON_UNHANDLED_PROTO", &v), 0,
		  "kbtf_enum_value");
	ASSERT_EQ(v, want, "SKB_DROP_REASON_UNHANDLED_PROTO");
	v = -1;
	ASSERT_EQ(kbtf_enum_value(kb, "enum skb_drop_reason", "SKB_DROP_REASON_UNHANDLED_PROTO",
				  &v),
		  0, "with 'enum '");
	ASSERT_EQ(v, want, "value with 'enum '");
	ASSERT_STREQ(kbtf_enum_name(kb, "skb_drop_reason", want, "SKB_DROP_REASON_"),
		     "UNHANDLED_PROTO", "kbtf_enum_name stripped");
	ASSERT_STREQ(kbtf_enum_name(kb, "skb_drop_reason", want, NULL),
		     "SKB_DROP_REASON_UNHANDLED_PROTO", "kbtf_enum_name");

	/* every { n, "NAME" } the tracepoint prints names n the same way */
	for (p = strstr(fmt, "__print_symbolic"); p && (p = strstr(p, "{ ")); p += 2) {
		char name[128], got[160];
		long long n;

		if (sscanf(p, "{ %lld, \"%127[^\"]\" }", &n, name) != 2)
			continue;
		snprintf(got, sizeof(got), "%s",
			 kbtf_enum_name(kb, "skb_drop_reason", n, "SKB_DROP_REASON_") ?: "(null)");
		if (!ASSERT_STREQ(got, name, "drop reason from the format"))
			break;
		checked++;
	}
	ASSERT_TRUE(checked > 50, "the format lists the drop reasons");

	v = -1;
	ASSERT_EQ(kbtf_enum_lookup_any(kb, "SKB_DROP_REASON_UNHANDLED_PROTO", &v, type,
				       sizeof(type)),
		  0, "lookup by full name");
	ASSERT_EQ(v, want, "value by full name");
	ASSERT_STREQ(type, "skb_drop_reason", "enum by full name");
	v = -1;
	type[0] = '\0';
	ASSERT_EQ(kbtf_enum_lookup_any(kb, "UNHANDLED_PROTO", &v, type, sizeof(type)), 0,
		  "lookup by suffix");
	ASSERT_EQ(v, want, "value by suffix");
	ASSERT_STREQ(type, "skb_drop_reason", "enum by suffix");
	/* NOT_SPECIFIED ends drop reasons and also tcp's reset reasons */
	ASSERT_EQ(kbtf_enum_lookup_any(kb, "NOT_SPECIFIED", &v, type, sizeof(type)), -EEXIST,
		  "ambiguous suffix");
	ASSERT_TRUE(strstr(type, "skb_drop_reason") && strstr(type, ", "), "candidates listed");
	ASSERT_EQ(kbtf_enum_lookup_any(kb, "NOT_SPECIFIED", &v, NULL, 0), -EEXIST, "no type_out");
	ASSERT_EQ(kbtf_enum_lookup_any(kb, "NO_SUCH_ENUMERATOR_XYZ", &v, type, sizeof(type)),
		  -ENOENT, "unknown enumerator");
	ASSERT_EQ(kbtf_enum_lookup_any(kb, "_PROTO", &v, type, sizeof(type)), -ENOENT,
		  "a suffix starts after an underscore");
	ASSERT_EQ(kbtf_enum_value(kb, "no_such_enum_xyz", "A", &v), -ENOENT, "unknown enum");
	ASSERT_EQ(kbtf_enum_value(kb, "skb_drop_reason", "UNHANDLED_PROTO", &v), -ENOENT,
		  "enum_value wants the full name");
	ASSERT_TRUE(kbtf_enum_name(kb, "skb_drop_reason", 1 << 30, NULL) == NULL, "unknown value");
out:
	free(fmt);
	kbtf_free(kb);
}

static void test_btf_suggest(void)
{
	struct lp_kbtf *kb = kbtf_new();
	const char *c = NULL;

	if (!ASSERT_TRUE(kb != NULL, "kbtf_new"))
		return;
	ASSERT_EQ(kbtf_enum_suggest(kb, "skb_drop_reason", "UNHANDLED_PROTO", &c), 0, "suggest");
	ASSERT_STREQ(c, "SKB_DROP_REASON_UNHANDLED_PROTO", "by suffix");
	ASSERT_EQ(kbtf_enum_suggest(kb, "skb_drop_reason", "SKB_DROP_REASON_UNHANDLD_PROTO", &c), 0,
		  "suggest");
	ASSERT_STREQ(c, "SKB_DROP_REASON_UNHANDLED_PROTO", "by distance");
	ASSERT_EQ(kbtf_enum_suggest(kb, "skb_drop_reason", "zzzzzzzzzzzzzzzzzzzzzzzz", &c), 0,
		  "suggest");
	ASSERT_TRUE(c == NULL, "nothing close");
	ASSERT_EQ(kbtf_enum_suggest(kb, "no_such_enum_xyz", "A", &c), -ENOENT, "unknown enum");
	kbtf_free(kb);
}

/* Contexts are independent (a session owns one; nothing is file-scope):
 * two tables loaded from two files answer each for its own, freeing one
 * leaves the other whole, and a NULL context is -ENOMEM, never a crash.
 * LSan (the ASan build) checks every table and BTF is freed. */
static void test_contexts(void)
{
	struct lp_ksym *a = ksym_new(), *b = ksym_new();
	struct lp_kbtf *ka = kbtf_new(), *kb2 = kbtf_new();
	char path[64], buf[64];
	long long v1 = -1, v2 = -2;

	if (!ASSERT_TRUE(a && b && ka && kb2, "contexts"))
		goto out;
	if (!ASSERT_EQ(write_tmp("ffffffff81000000 T alpha\nffffffff81000100 T beta\n", path), 0,
		       "temp file"))
		goto out;
	ASSERT_EQ(ksym_load_file(a, path), 0, "load a");
	unlink(path);
	if (!ASSERT_EQ(write_tmp("ffffffff81000000 T gamma\n", path), 0, "temp file"))
		goto out;
	ASSERT_EQ(ksym_load_file(b, path), 0, "load b");
	unlink(path);
	ASSERT_STREQ(ksym_name(a, 0xffffffff81000010, NULL), "alpha", "a's table");
	ASSERT_STREQ(ksym_name(b, 0xffffffff81000010, NULL), "gamma", "b's table");
	ASSERT_EQ(ksym_addr(b, "alpha"), 0, "b does not see a's symbols");
	ksym_free(a);
	a = NULL;
	ksym_format(b, 0xffffffff81000104, buf, sizeof(buf));
	ASSERT_STREQ(buf, "gamma+0x104", "b after a is freed");

	ASSERT_EQ(ksym_load(NULL), -ENOMEM, "NULL ksym");
	ASSERT_EQ(ksym_format(NULL, 0x10, buf, sizeof(buf)), -ENOENT, "NULL ksym formats hex");
	ASSERT_STREQ(buf, "0x10", "hex");
	ASSERT_EQ(ksym_ranges(NULL, "foo", NULL, 0), -ENOMEM, "NULL ksym ranges");
	ASSERT_EQ(kbtf_load(NULL), -ENOMEM, "NULL kbtf");
	ASSERT_EQ(kbtf_enum_value(NULL, "skb_drop_reason", "X", &v1), -ENOMEM, "NULL kbtf value");

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		goto out; /* the BTF half needs kernel BTF */
	ASSERT_EQ(kbtf_enum_value(ka, "skb_drop_reason", "SKB_DROP_REASON_NOT_SPECIFIED", &v1), 0,
		  "a's BTF");
	kbtf_free(ka);
	ka = NULL;
	ASSERT_EQ(kbtf_enum_value(kb2, "skb_drop_reason", "SKB_DROP_REASON_NOT_SPECIFIED", &v2), 0,
		  "b's BTF, loaded after a's was freed");
	ASSERT_EQ(v1, v2, "the same kernel");
out:
	ksym_free(a);
	ksym_free(b);
	kbtf_free(ka);
	kbtf_free(kb2);
}

TEST_MAIN(TEST(test_load), TEST(test_addr_and_format), TEST(test_clones), TEST(test_bounds),
	  TEST(test_file), TEST(test_btf_drop_reasons), TEST(test_btf_suggest), TEST(test_contexts))
