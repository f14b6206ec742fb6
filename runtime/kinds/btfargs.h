/* What tp_btf, raw_tp, fentry and fexit share: a BTF function prototype's
 * parameters as named, typed roots for kernel fetch expressions, the
 * template bpf/btf.bpf.c, -L, -l, enums and addresses. */
#ifndef LUAPROBE_KINDS_BTFARGS_H
#define LUAPROBE_KINDS_BTFARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "caches.h"
#include "load/image.h"
#include "load/load.h"
#include "probe.h"
#include "resolve/btf_expr.h"

#define LP_BTF_MAX_ARGS 12 /* the template loads arguments 0..11 */
/* the arguments, $retval (fexit) and arg0..argN as other names for them */
#define LP_BTF_MAX_ROOTS (2 * LP_BTF_MAX_ARGS + 1)

struct bpf_program;

struct lp_btfargs {
	const struct btf *btf; /* the BTF the prototype is in (vmlinux or a module's) */
	const char *module; /* NULL: vmlinux */
	int nargs; /* the prototype's parameters: roots 0..nargs-1 */
	int nroots; /* names expressions start from: the parameters, then others */
	struct lp_kroot roots[LP_BTF_MAX_ROOTS];
	int slot[LP_BTF_MAX_ROOTS]; /* the context's u64 each root is */
	char *names[LP_BTF_MAX_ROOTS];
	char *ctypes[LP_BTF_MAX_ROOTS];
	int typed; /* the verifier types the arguments (tp_btf, fentry) */
	int direct; /* direct loads in the plan; 0 once the kernel refused them */
	int raw; /* the program to run: lp_raw rather than lp_btf */
	/* in vmlinux: tp_btf's btf_trace_NAME typedef, fentry's function (0:
	 * libbpf finds it) */
	int attach_id;
	int attach_type; /* BPF_TRACE_FENTRY/FEXIT; 0: a tracepoint */
	char as[160]; /* how it is attached, for -v */
	/* The caller attaches the program by its fd (the syscall dispatcher):
	 * it may then load from an image of an earlier probe's (load/image.h),
	 * without an object of its own (p->skel NULL, the program img_fd). */
	int by_fd;
	int img_fd; /* with by_fd: -1, none */
	struct lp_caches own; /* -L resolves without a session */
};

/* The parameters of BTF function prototype proto_id (its first `skip`
 * left out: a btf_trace_<tp> typedef's first is the tracepoint's data) as
 * the arguments of a, typed by the verifier when `typed`. Unnamed
 * parameters are arg0..argN. 0, or -E2BIG/-EINVAL/-ENOMEM with why in err. */
int btfargs_from_proto(const struct btf *btf, uint32_t proto_id, int skip, int typed,
		       struct lp_btfargs *a, char *err, size_t errlen);

/* fentry:FUNC (fexit with `fexit`): FUNC's parameters from vmlinux's BTF,
 * arg0..argN as other names for them and, at fexit, $retval (the context's
 * u64 after the arguments); the program attaches to FUNC's BTF id. 0, or
 * -ENOENT/-EINVAL/-E2BIG with why in err. */
int btfargs_resolve_function(struct lp_btfargs *a, struct lp_kbtf *kb, const char *func, int fexit,
			     char *err, size_t errlen);

/* The state of a probe whose kind uses these (p->priv), made on first use. */
struct lp_btfargs *btfargs_of(struct lp_probe *p);
struct lp_kbtf *btfargs_kbtf(struct lp_probe *p);

/* Fetch expression expr over the arguments into a new field `name` at the
 * end of the event data. 0 or -errno with "fetch 'expr': why" in err. */
int btfargs_add_field(struct lp_probe *p, const char *name, const char *expr, char *err,
		      size_t errlen);
/* The same with a kind's own state a (kinds/kprobe.c's fentry). */
int btfargs_add_field_in(struct lp_probe *p, struct lp_btfargs *a, const char *name,
			 const char *expr, char *err, size_t errlen);

/* spec.fetch, or without it every argument by its name. */
int btfargs_plan(struct lp_probe *p, char *err, size_t errlen);

/* Open bpf/btf.bpf.c, write the plan, load lp_btf (attached to tracepoint
 * `target` through BTF) or lp_raw. Direct loads the kernel refuses are
 * dropped and the load tried again (said in as). 0 or -errno. */
int btfargs_load(struct lp_probe *p, const struct lp_maps *m, const char *target, char *err,
		 size_t errlen);
/* The same with a kind's own state a; the object is p->skel either way. */
int btfargs_load_in(struct lp_probe *p, struct lp_btfargs *a, const struct lp_maps *m,
		    const char *target, char *err, size_t errlen);
void btfargs_destroy(struct lp_probe *p);
/* p's link and object, and a (a kind's own state); NULL a is a no-op for a. */
void btfargs_release(struct lp_probe *p, struct lp_btfargs *a);

/* The loaded program (to attach), or NULL. */
struct bpf_program *btfargs_prog(const struct lp_probe *p);
/* Its fd, from an image or the object (a->by_fd); -1: none. */
int btfargs_prog_fd(const struct lp_probe *p, const struct lp_btfargs *a);

/* The kind hooks they share. */
int btfargs_describe(struct lp_probe *p, FILE *out);
int btfargs_scope(struct lp_probe *p, char ***names);
int btfargs_enum_value(struct lp_probe *p, const char *name, const char *hint, long long *val,
		       char *err, size_t errlen);
int btfargs_ranges(struct lp_probe *p, const char *func, struct lp_range *out, int max, char *err,
		   size_t errlen);
int btfargs_add_fetch(struct lp_probe *p, const char *expr, char *err, size_t errlen);

/* tp_btf:NAME and rawtp:NAME: the btf_trace_NAME typedef's prototype (vmlinux,
 * else a module's); -ENOENT with "no BTF tracepoint" and a did-you-mean. */
int btfargs_resolve_tracepoint(struct lp_probe *p, int typed, char *err, size_t errlen);

/* -l for prefix ("tp_btf", "rawtp"): every tracepoint with BTF matching the
 * pattern after "prefix:", as "prefix:name". A pattern for another kind
 * lists nothing. */
int btfargs_list_tracepoints(const char *prefix, const char *pattern, struct lp_caches *c,
			     FILE *out, char *err, size_t errlen);

#endif
