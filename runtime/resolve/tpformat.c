#include "resolve/tpformat.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <traceevent/event-parse.h>
#include <tracefs/tracefs.h>

static unsigned flags_from_tep(unsigned long f)
{
	unsigned flags = 0;

	if (f & TEP_FIELD_IS_SIGNED)
		flags |= LP_TPF_SIGNED;
	if (f & TEP_FIELD_IS_STRING)
		flags |= LP_TPF_STRING;
	if (f & TEP_FIELD_IS_DYNAMIC)
		flags |= LP_TPF_DATALOC;
	if (f & TEP_FIELD_IS_RELATIVE)
		flags |= LP_TPF_RELLOC;
	if (f & TEP_FIELD_IS_ARRAY)
		flags |= LP_TPF_ARRAY;
	if (f & TEP_FIELD_IS_POINTER)
		flags |= LP_TPF_POINTER;
	return flags;
}

/* "char[16]", "const char[]", "char comm[16]": plain char, the C string type. */
static int is_char_array(const char *type)
{
	if (strncmp(type, "const ", 6) == 0)
		type += 6;
	return strncmp(type, "char", 4) == 0 && (type[4] == '[' || type[4] == ' ');
}

int tpformat_parse(const char *system, const char *text, size_t len, struct lp_tpformat *fmt)
{
	struct tep_format_field **tf = NULL;
	struct tep_handle *tep;
	struct tep_event *ev = NULL;
	int err = -EINVAL, n = 0;

	memset(fmt, 0, sizeof(*fmt));
	tep = tep_alloc();
	if (!tep)
		return -ENOMEM;
	if (tep_parse_format(tep, &ev, text, len, system) != 0 || !ev)
		goto out;
	tf = tep_event_fields(ev);
	while (tf && tf[n])
		n++;
	fmt->system = strdup(system);
	fmt->event = strdup(ev->name);
	fmt->id = ev->id;
	fmt->fields = calloc(n ? n : 1, sizeof(*fmt->fields));
	if (!fmt->system || !fmt->event || !fmt->fields) {
		err = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct lp_tpfield *f = &fmt->fields[i];
		const char *type = tf[i]->type;

		/* libtraceevent keeps "char comm[16]" as type "char[16]"; for
		 * __data_loc it keeps the prefix, which users do not write. */
		if (strncmp(type, "__data_loc ", 11) == 0)
			type += 11;
		else if (strncmp(type, "__rel_loc ", 10) == 0)
			type += 10;
		f->name = strdup(tf[i]->name);
		f->type = strdup(type);
		if (!f->name || !f->type) {
			fmt->nfields = i + 1;
			err = -ENOMEM;
			goto out;
		}
		f->offset = tf[i]->offset;
		f->size = tf[i]->size;
		f->elemsize = tf[i]->elementsize ? (int)tf[i]->elementsize : tf[i]->size;
		f->flags = flags_from_tep(tf[i]->flags);
		/* A char array is a string whatever the parser flagged; an
		 * array of u8, unsigned char or s8 is bytes (an address), though
		 * libtraceevent flags it a string and its zeros would cut it. */
		if (f->flags & LP_TPF_ARRAY) {
			f->flags &= ~LP_TPF_STRING;
			if (is_char_array(f->type))
				f->flags |= LP_TPF_STRING;
		}
	}
	fmt->nfields = n;
	err = 0;
out:
	free(tf);
	tep_free(tep);
	if (err)
		tpformat_free(fmt);
	return err;
}

int tpformat_read(const char *system, const char *event, struct lp_tpformat *fmt)
{
	char path[512];
	char *text;
	int size = 0, err;

	memset(fmt, 0, sizeof(*fmt));
	if (!tracefs_tracing_dir())
		return -EACCES;
	/* Names with a '/' or '..' would escape the events directory. */
	if (strchr(system, '/') || strchr(event, '/') || !strcmp(system, "..") ||
	    !strcmp(event, ".."))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", tracefs_tracing_dir(), system,
		 event);
	if (access(path, R_OK) != 0)
		return errno == ENOENT ? -ENOENT : -errno;
	text = tracefs_event_file_read(NULL, system, event, "format", &size);
	if (!text)
		return -ENOENT;
	err = tpformat_parse(system, text, size, fmt);
	free(text);
	return err;
}

const struct lp_tpfield *tpformat_field(const struct lp_tpformat *fmt, const char *name)
{
	for (int i = 0; i < fmt->nfields; i++)
		if (strcmp(fmt->fields[i].name, name) == 0)
			return &fmt->fields[i];
	return NULL;
}

void tpformat_free(struct lp_tpformat *fmt)
{
	for (int i = 0; fmt->fields && i < fmt->nfields; i++) {
		free(fmt->fields[i].name);
		free(fmt->fields[i].type);
	}
	free(fmt->fields);
	free(fmt->system);
	free(fmt->event);
	memset(fmt, 0, sizeof(*fmt));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **tpformat_list(const char *pattern)
{
	char **systems, **out = NULL;
	size_t n = 0, cap = 0;

	if (!tracefs_tracing_dir()) {
		errno = EACCES;
		return NULL;
	}
	systems = tracefs_event_systems(NULL);
	if (!systems) {
		errno = EACCES;
		return NULL;
	}
	for (int s = 0; systems[s]; s++) {
		char **events = tracefs_system_events(NULL, systems[s]);

		for (int e = 0; events && events[e]; e++) {
			char *name;

			if (asprintf(&name, "%s:%s", systems[s], events[e]) < 0)
				continue;
			if (pattern && fnmatch(pattern, name, 0) != 0) {
				free(name);
				continue;
			}
			if (n + 2 > cap) {
				char **grown =
					realloc(out, (cap = cap ? cap * 2 : 256) * sizeof(*out));

				if (!grown) {
					free(name);
					break;
				}
				out = grown;
			}
			out[n++] = name;
		}
		tracefs_list_free(events);
	}
	tracefs_list_free(systems);
	if (!out)
		out = calloc(1, sizeof(*out));
	if (!out)
		return NULL;
	qsort(out, n, sizeof(*out), cmp_str);
	out[n] = NULL;
	return out;
}

void tpformat_list_free(char **list)
{
	for (int i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
}
