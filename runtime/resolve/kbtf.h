/* The running kernel's BTF, loaded on first use, for what a script names by
 * enum: drop reasons, enum(type, name), enum constants in filters. */
#ifndef LUAPROBE_KBTF_H
#define LUAPROBE_KBTF_H

#include <stddef.h>

/* The loaded BTF and the last enum looked up, in a context the session
 * owns (no file-scope state). */
struct lp_kbtf;

/* An empty context; nothing is loaded yet. NULL with errno ENOMEM. */
struct lp_kbtf *kbtf_new(void);

/* Free the context and its BTF; NULL is a no-op. Names returned before are
 * invalid afterwards. */
void kbtf_free(struct lp_kbtf *kb);

/* Load /sys/kernel/btf/vmlinux once; later calls return the first result.
 * 0 or -errno (-ENOENT without kernel BTF; -ENOMEM for kb NULL, which
 * every function below returns as its load error). */
int kbtf_load(struct lp_kbtf *kb);

/* Value of enumerator `name` of `type` ("skb_drop_reason" or "enum
 * skb_drop_reason"; for an enum without a name of its own, one of its
 * enumerators, "TCP_ESTABLISHED": so for every `type` below). 0, -ENOENT
 * when either is unknown, or kbtf_load()'s error. */
int kbtf_enum_value(struct lp_kbtf *kb, const char *type, const char *name, long long *val);

/* Name of the first enumerator of `type` whose value is val, with
 * strip_prefix (if given and present) removed; NULL with errno set when
 * there is none. Lives until kbtf_free(). */
const char *kbtf_enum_name(struct lp_kbtf *kb, const char *type, long long val,
			   const char *strip_prefix);

/* An enumerator looked up in every enum: by its full name, else by the
 * part after an underscore ("UNHANDLED_PROTO" for
 * SKB_DROP_REASON_UNHANDLED_PROTO). 0 with *val and the enum's type name in
 * type_out ("(anonymous)" for an unnamed enum); -EEXIST when the name fits
 * enumerators of different names or values, with their enum types in
 * type_out as "a, b"; -ENOENT; or kbtf_load()'s error. type_out may be NULL. */
int kbtf_enum_lookup_any(struct lp_kbtf *kb, const char *name, long long *val, char *type_out,
			 size_t len);

/* An enumerator of enum `type` as users write it: its full name, the part
 * after the enum's common prefix (OTHERHOST for SKB_DROP_REASON_OTHERHOST),
 * or the one name that ends in "_<name>". 0, -ENOENT, -EEXIST, or the load error. */
int kbtf_enum_value_in(struct lp_kbtf *kb, const char *type, const char *name, long long *val);

/* The enumerators of `type` that end in "_<name>", as "A, B" in out.
 * Returns how many, or the load error. */
int kbtf_enum_candidates(struct lp_kbtf *kb, const char *type, const char *name, char *out,
			 size_t len);

/* For "did you mean": 0 when `type` is an enum, with *closest the
 * enumerator that ends in "_<name>" if exactly one does, else the nearest
 * by edit distance, else NULL; -ENOENT when there is no such enum, or
 * kbtf_load()'s error. */
int kbtf_enum_suggest(struct lp_kbtf *kb, const char *type, const char *name, const char **closest);

/* The loaded BTF itself (kbtf_load first), for function prototypes; NULL
 * when there is none. Lives until kbtf_free(). */
struct btf;
struct btf *kbtf_btf(struct lp_kbtf *kb);

/* The vmlinux BTF (kbtf_load), for types: NULL with errno. Lives until
 * kbtf_free(). */
const struct btf *kbtf_vmlinux(struct lp_kbtf *kb);

/* The type `name` of BTF kind `kind` (BTF_KIND_TYPEDEF...), in vmlinux, else
 * in a module's BTF (read once, on the first miss): 0 with the BTF that holds
 * it, its id and the module's name (NULL for vmlinux); -ENOENT; or the load
 * error. */
int kbtf_find(struct lp_kbtf *kb, const char *name, int kind, const struct btf **btf, int *id,
	      const char **module);

/* fn on vmlinux's BTF then every module's; the sum of what fn returns, or
 * the first negative. */
int kbtf_each(struct lp_kbtf *kb, int (*fn)(const struct btf *btf, const char *module, void *arg),
	      void *arg);

#endif
