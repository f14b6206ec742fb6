/* The running kernel's BTF, loaded on first use, for what a script names by
 * enum: drop reasons, enum(type, name), enum constants in filters. */
#ifndef LUAPROBE_KBTF_H
#define LUAPROBE_KBTF_H

#include <stddef.h>

/* Load /sys/kernel/btf/vmlinux once; later calls return the first result.
 * 0 or -errno (-ENOENT without kernel BTF). */
int kbtf_load(void);

/* Drop the loaded BTF; names returned before are invalid afterwards. */
void kbtf_free(void);

/* Value of enumerator `name` of `type` ("skb_drop_reason" or "enum
 * skb_drop_reason"). 0, -ENOENT when either is unknown, or kbtf_load()'s
 * error. */
int kbtf_enum_value(const char *type, const char *name, long long *val);

/* Name of the first enumerator of `type` whose value is val, with
 * strip_prefix (if given and present) removed; NULL with errno set when
 * there is none. Lives until kbtf_free(). */
const char *kbtf_enum_name(const char *type, long long val, const char *strip_prefix);

/* An enumerator looked up in every enum: by its full name, else by the
 * part after an underscore ("UNHANDLED_PROTO" for
 * SKB_DROP_REASON_UNHANDLED_PROTO). 0 with *val and the enum's type name in
 * type_out ("(anonymous)" for an unnamed enum); -EEXIST when the name fits
 * enumerators of different names or values, with their enum types in
 * type_out as "a, b"; -ENOENT; or kbtf_load()'s error. type_out may be NULL. */
int kbtf_enum_lookup_any(const char *name, long long *val, char *type_out, size_t len);

/* An enumerator of enum `type` as users write it: its full name, the part
 * after the enum's common prefix (OTHERHOST for SKB_DROP_REASON_OTHERHOST),
 * or the one name that ends in "_<name>". 0, -ENOENT, -EEXIST, or the load error. */
int kbtf_enum_value_in(const char *type, const char *name, long long *val);

/* The enumerators of `type` that end in "_<name>", as "A, B" in out.
 * Returns how many, or the load error. */
int kbtf_enum_candidates(const char *type, const char *name, char *out, size_t len);

/* For "did you mean": 0 when `type` is an enum, with *closest the
 * enumerator that ends in "_<name>" if exactly one does, else the nearest
 * by edit distance, else NULL; -ENOENT when there is no such enum, or
 * kbtf_load()'s error. */
int kbtf_enum_suggest(const char *type, const char *name, const char **closest);

#endif
