/* One probe of a script: the point as written, what it resolved to, its
 * plan, the layout its events decode with, and its kernel objects. */
#ifndef LUAPROBE_PROBE_H
#define LUAPROBE_PROBE_H

#include <stdint.h>

#include <luaprobe/plan.h>

#include "point.h"

enum lp_field_kind {
	LP_FK_INT,	 /* signed integer of `size` bytes */
	LP_FK_UINT,	 /* unsigned integer or pointer */
	LP_FK_STR,	 /* NUL-terminated string in a slot of `size` bytes */
	LP_FK_INTARRAY,	 /* `size / elem` signed integers */
	LP_FK_UINTARRAY, /* `size / elem` unsigned integers */
};

/* Where one named value sits in an event's data, and how to read it. */
struct lp_field {
	char *name;
	char *ctype; /* the C type, for -L and messages */
	uint16_t off;
	uint16_t size;
	uint16_t elem;
	uint8_t kind;
};

struct lp_probe {
	int id;
	char *text;  /* the point as the script wrote it */
	char *where; /* "file.lua:12:" of the probe() call, for later messages */
	struct lp_point point;
	struct lp_plan plan;
	struct lp_field *fields;
	int nfields;
	int handler_ref; /* LUA_NOREF: no handler */
	int fieldmap_ref; /* Lua table: field name -> index into fields (built-ins < 0) */
	struct bpf_object *obj;
	struct bpf_link *link;
	void *skel;
	unsigned long long hits; /* events delivered to Lua */
};

/* Release the probe's fields and strings; the kernel side goes with load.h. */
void probe_free_fields(struct lp_probe *p);

#endif
