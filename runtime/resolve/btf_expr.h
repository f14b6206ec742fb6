/* Kernel fetch expressions typed by BTF (`skb->dev->name`,
 * `((struct sk_buff *)skbaddr)->len`, `curtask->real_parent->tgid`): the
 * kernel-side counterpart of resolve/dwarf/fetch.c. What comes out is a
 * chain of reads (struct lp_kloc) the planner turns into an LP_FETCH_KVAL
 * op (plan/kval.h); nothing is interpreted at event time. */
#ifndef LUAPROBE_BTF_EXPR_H
#define LUAPROBE_BTF_EXPR_H

#include <stddef.h>
#include <stdint.h>

struct btf;

#define LP_KLOC_MAX_DEREF 6

/* What the value is, once read. */
enum lp_kloc_type {
	LP_KT_INT, /* integer, enum, bool, char: size bytes, is_signed */
	LP_KT_PTR, /* a pointer other than char *: its address */
	LP_KT_STRPTR, /* char *: the string it points to (user with `user`) */
	LP_KT_CHARS, /* char[N]: a string of at most N bytes, in place */
	LP_KT_ARRAY, /* another array: size bytes of elem_size elements */
};

/* A name the expression may start from. */
struct lp_kroot {
	const char *name;
	uint32_t type_id; /* in the btf given; 0: an untyped integer (a tracepoint's
			   * pointer field), usable through a cast */
	int typed; /* the verifier types it through BTF (a tp_btf argument) */
};

#define LP_KROOT_TASK (-1) /* `curtask`: the current task_struct */

/* Reads from the root (see LP_FETCH_KVAL in <luaprobe/plan.h>). */
struct lp_kloc {
	int root; /* index into the roots, or LP_KROOT_TASK */
	int nderef;
	int32_t steps[LP_KLOC_MAX_DEREF];
	int ndirect; /* leading reads the verifier allows as direct loads */
	enum lp_kloc_type type;
	int size; /* bytes of the value (arrays: whole) */
	int elem_size;
	int is_signed;
	int bit_offset; /* bitfields: bits from the LSB of the size bytes read */
	int bit_size; /* 0: not a bitfield */
	int user; /* LP_KT_STRPTR: the string is in user memory (__user) */
	char ctype[128]; /* "struct net_device *", "char[16]", "enum skb_drop_reason" */
};

/* Resolve expr over btf (vmlinux, or a module's split on it) from roots[]
 * and `curtask` (typed like a tp_btf argument when task_typed). 0, or
 * -errno with one message in err:
 *   "struct sk_buff has no member 'protocl' (did you mean 'protocol'?)"
 *   "'len' is an unsigned int, not a pointer: '->' needs one"
 *   "no argument 'skv' (did you mean 'skb'?)" (-ESRCH: the name it starts
 *   from is none of the roots) */
int btf_expr_resolve(const struct btf *btf, const struct lp_kroot *roots, int nroots,
		     int task_typed, const char *expr, struct lp_kloc *out, char *err,
		     size_t errlen);

/* The C spelling of type `id` ("struct sk_buff *", "char[16]", "u32"),
 * into buf. Returns buf. */
char *btf_expr_type_name(const struct btf *btf, uint32_t id, char *buf, size_t len);

/* The value a root itself is (nderef 0): its type, size and sign. 0, or
 * -EINVAL for a type no event can carry (a struct passed by value). */
int btf_expr_root_value(const struct btf *btf, uint32_t id, struct lp_kloc *out);

#endif
