#include "plan/builtins.h"

#include <stddef.h>
#include <string.h>

#include <luaprobe/event.h>

#define HDR(field) offsetof(struct lp_event_hdr, field), sizeof(((struct lp_event_hdr *)0)->field)

const struct lp_builtin builtin_table[] = {
	{ "pid", "u32", LP_BI_HDR, LP_FK_UINT, HDR(pid), 0,
	  "process id (the kernel's tgid) of the task the event happened in" },
	{ "tid", "u32", LP_BI_HDR, LP_FK_UINT, HDR(tid), 0, "thread id (the kernel's pid)" },
	{ "uid", "u32", LP_BI_HDR, LP_FK_UINT, HDR(uid), LP_W_UID, "the task's real user id" },
	{ "comm", "char[16]", LP_BI_HDR, LP_FK_STR, HDR(comm), LP_W_COMM, "the task's name" },
	{ "cpu", "u32", LP_BI_HDR, LP_FK_UINT, HDR(cpu), LP_W_CPU, "the CPU it ran on" },
	{ "ts", "u64", LP_BI_HDR, LP_FK_UINT, HDR(ts), LP_W_TS, "nanoseconds, CLOCK_MONOTONIC" },
	{ "probe", "string", LP_BI_PROBE, LP_FK_STR, 0, 0, 0, "the point as the script wrote it" },
	{ "kstack", "stack", LP_BI_STACK, LP_FK_KSTACK, 0, 0, 0,
	  "the kernel stack (spec.stack = \"kernel\"), symbolized when read" },
	{ "ustack", "stack", LP_BI_STACK, LP_FK_USTACK, 0, 0, 0,
	  "the user stack (spec.stack = \"user\"), symbolized when read" },
};

const int builtin_count = sizeof(builtin_table) / sizeof(builtin_table[0]);

const struct lp_builtin *builtin_find(const char *name, int *plain)
{
	int under = name[0] == '_';

	for (int i = 0; i < builtin_count; i++) {
		if (strcmp(builtin_table[i].name, name + under) != 0)
			continue;
		if (plain)
			*plain = !under;
		return &builtin_table[i];
	}
	return NULL;
}

const struct lp_field *builtin_field(const struct lp_probe *p, const struct lp_builtin *b)
{
	if (b->src != LP_BI_STACK)
		return NULL;
	for (int i = 0; i < p->nfields; i++)
		if (p->fields[i].kind == b->kind && strcmp(p->fields[i].name, b->name) == 0)
			return &p->fields[i];
	return NULL;
}

const struct lp_field *builtin_hidden_by(const struct lp_probe *p, const struct lp_builtin *b)
{
	for (int i = 0; i < p->nfields; i++)
		if (strcmp(p->fields[i].name, b->name) == 0 &&
		    !(b->src == LP_BI_STACK && p->fields[i].kind == b->kind))
			return &p->fields[i];
	return NULL;
}

int builtin_describe_hidden(const struct lp_probe *p, FILE *out)
{
	int n = 0;

	for (int i = 0; i < builtin_count; i++) {
		const struct lp_builtin *b = &builtin_table[i];

		if (!builtin_hidden_by(p, b))
			continue;
		fprintf(out, "    (the field %s hides the built-in %s: use _%s)\n", b->name,
			b->name, b->name);
		n++;
	}
	return n;
}
