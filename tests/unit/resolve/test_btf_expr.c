/* Kernel fetch expressions against the running kernel's BTF: the shape of
 * each chain (reads, how many the verifier types, the value's kind, size and
 * C type) and the messages for what cannot be fetched. Offsets are checked
 * against libbpf's own reading of the same members. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "resolve/btf_expr.h"
#include "test.h"

static struct btf *btf;
static struct lp_kroot roots[2];

static void skip(const char *reason)
{
	printf("SKIP: %s\n", reason);
	fflush(stdout);
	exit(77);
}

/* The id of a pointer to struct `name`. */
static int ptr_to(const char *name)
{
	int sid = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);

	for (unsigned i = 1; sid > 0 && i < btf__type_cnt(btf); i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);

		if (btf_is_ptr(t) && (int)t->type == sid)
			return i;
	}
	return 0;
}

/* Byte offset of member `m` of struct `s` (not through anonymous members). */
static int offset_of(const char *s, const char *m)
{
	const struct btf_type *t =
		btf__type_by_id(btf, btf__find_by_name_kind(btf, s, BTF_KIND_STRUCT));
	const struct btf_member *mb = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, mb++)
		if (strcmp(btf__name_by_offset(btf, mb->name_off), m) == 0)
			return btf_member_bit_offset(t, i) / 8;
	return -1;
}

static int resolve(const char *expr, struct lp_kloc *l, char *err)
{
	return btf_expr_resolve(btf, roots, 2, 1, expr, l, err, 256);
}

static void test_chain(void)
{
	struct lp_kloc l;
	char err[256];

	ASSERT_EQ(resolve("skb->len", &l, err), 0, "skb->len resolves");
	ASSERT_EQ(l.nderef, 1, "skb->len reads");
	ASSERT_EQ(l.ndirect, 1, "skb->len direct reads");
	ASSERT_EQ(l.steps[0], offset_of("sk_buff", "len"), "offset of len");
	ASSERT_EQ(l.size, 4, "size of len");
	ASSERT_STREQ(l.ctype, "unsigned int", "type of len");

	ASSERT_EQ(resolve("skb->dev->name", &l, err), 0, "skb->dev->name resolves");
	ASSERT_EQ(l.nderef, 2, "skb->dev->name reads");
	ASSERT_EQ(l.ndirect, 2, "skb->dev->name direct reads");
	ASSERT_EQ(l.type, LP_KT_CHARS, "skb->dev->name is chars");
	ASSERT_EQ(l.size, 16, "size of name");
	ASSERT_EQ(l.steps[1], offset_of("net_device", "name"), "offset of name");
	ASSERT_STREQ(l.ctype, "char[16]", "type of name");

	ASSERT_EQ(resolve("skb->dev->nd_net.net->loopback_dev->name", &l, err), 0, "depth 4");
	ASSERT_EQ(l.nderef, 4, "depth-4 reads");
	ASSERT_EQ(l.ndirect, 4, "depth-4 direct reads");

	ASSERT_EQ(resolve("curtask->real_parent->tgid", &l, err), 0, "curtask chain");
	ASSERT_EQ(l.root, LP_KROOT_TASK, "curtask root");
	ASSERT_EQ(l.ndirect, 2, "curtask direct reads");
	ASSERT_EQ(l.is_signed, 1, "tgid is signed");
}

static void test_fallbacks(void)
{
	struct lp_kloc l;
	char err[256];

	/* a cast: the verifier still types the root as it was */
	ASSERT_EQ(resolve("((struct sk_buff *)loc)->len", &l, err), 0, "cast resolves");
	ASSERT_EQ(l.ndirect, 0, "a cast's reads are probe-reads");
	ASSERT_EQ(l.steps[0], offset_of("sk_buff", "len"), "offset through the cast");
	/* a bitfield is read whole, then cut */
	ASSERT_EQ(resolve("skb->pkt_type", &l, err), 0, "bitfield resolves");
	ASSERT_EQ(l.bit_size, 3, "pkt_type bits");
	ASSERT_TRUE(l.bit_offset + l.bit_size <= l.size * 8, "the bits fit the read");
	/* arrays */
	ASSERT_EQ(resolve("skb->cb[3]", &l, err), 0, "array element");
	ASSERT_EQ(l.steps[0], offset_of("sk_buff", "cb") + 3, "offset of cb[3]");
	ASSERT_EQ(l.size, 1, "size of one char");
	ASSERT_EQ(resolve("skb->dev->broadcast", &l, err), 0, "byte array");
	ASSERT_EQ(l.type, LP_KT_ARRAY, "unsigned char[32] is bytes, not a string");
}

static void test_errors(void)
{
	struct lp_kloc l;
	char err[256];

	ASSERT_EQ(resolve("skb->protocl", &l, err), -ENOENT, "misspelt member");
	ASSERT_STREQ(err, "struct sk_buff has no member 'protocl' (did you mean 'protocol'?)",
		     "misspelt member message");
	ASSERT_EQ(resolve("skv->len", &l, err), -ESRCH, "unknown root");
	ASSERT_STREQ(err, "no argument 'skv' (did you mean 'skb'?)", "unknown root message");
	ASSERT_EQ(resolve("skb->len->x", &l, err), -EINVAL, "deref of an integer");
	ASSERT_EQ(resolve("loc->x", &l, err), -EINVAL, "deref of an untyped root");
	ASSERT_EQ(resolve("skb->cb[48]", &l, err), -ERANGE, "index past the end");
	ASSERT_EQ(resolve("skb->", &l, err), -EINVAL, "syntax");
	ASSERT_EQ(resolve("*skb", &l, err), -EINVAL, "a struct is no value");
}

static void setup(void)
{
	btf = btf__load_vmlinux_btf();
	if (!btf)
		skip("no kernel BTF");
	roots[0] = (struct lp_kroot){ "skb", ptr_to("sk_buff"), 1 };
	roots[1] = (struct lp_kroot){ "loc", 0, 0 };
}

static void test_all(void)
{
	setup();
	test_chain();
	test_fallbacks();
	test_errors();
	btf__free(btf);
}

TEST_MAIN(TEST(test_all))
