#include "main/recipe.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char **recipe_path(void)
{
	const char *env = getenv("LUAPROBE_PATH"), *home = getenv("HOME");
	char **dirs = calloc(64, sizeof(*dirs));
	int n = 0;

	if (!dirs)
		return NULL;
	if (env && *env) {
		char *copy = strdup(env), *save = NULL;

		for (char *d = strtok_r(copy, ":", &save); d && n < 60;
		     d = strtok_r(NULL, ":", &save))
			dirs[n++] = strdup(d);
		free(copy);
	}
	if (home && asprintf(&dirs[n], "%s/.config/luaprobe/scripts", home) > 0)
		n++;
	dirs[n++] = strdup(LP_RECIPE_DIR);
	dirs[n++] = strdup(LP_SOURCE_RECIPE_DIR);
	return dirs;
}

void recipe_path_free(char **dirs)
{
	for (int i = 0; dirs && dirs[i]; i++)
		free(dirs[i]);
	free(dirs);
}

int recipe_find(const char *name, char **path, const struct lp_embedded **embedded)
{
	char **dirs = recipe_path();
	int err = -ENOENT;

	*path = NULL;
	*embedded = NULL;
	for (int i = 0; dirs && dirs[i]; i++) {
		char *p;

		if (asprintf(&p, "%s/%s.lua", dirs[i], name) < 0)
			continue;
		if (access(p, R_OK) == 0) {
			*path = p;
			err = 0;
			break;
		}
		free(p);
	}
	recipe_path_free(dirs);
	if (err)
		for (const struct lp_embedded *e = lp_embedded; e->name; e++)
			if (e->is_recipe && strcmp(e->name, name) == 0) {
				*embedded = e;
				err = 0;
			}
	return err;
}

/* The description from a header "--- name: description". */
static int header_desc(const char *text, size_t len, char *desc, size_t desclen)
{
	const char *end = memchr(text, '\n', len), *colon;

	if (len < 4 || strncmp(text, "--- ", 4) != 0)
		return -1;
	if (!end)
		end = text + len;
	colon = memchr(text, ':', end - text);
	if (!colon)
		return -1;
	colon++;
	while (colon < end && *colon == ' ')
		colon++;
	snprintf(desc, desclen, "%.*s", (int)(end - colon), colon);
	return 0;
}

struct seen {
	char name[64];
	char desc[256];
};

static int add_seen(struct seen *list, int n, const char *name, const char *text, size_t len)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i].name, name) == 0)
			return n;
	if (n >= 256 || header_desc(text, len, list[n].desc, sizeof(list[n].desc)))
		return n;
	snprintf(list[n].name, sizeof(list[n].name), "%s", name);
	return n + 1;
}

static int cmp_seen(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->name, ((const struct seen *)b)->name);
}

int recipe_list(FILE *out)
{
	struct seen *list = calloc(256, sizeof(*list));
	char **dirs = recipe_path();
	int n = 0;

	if (!list)
		return -ENOMEM;
	for (int i = 0; dirs && dirs[i]; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;

		while (d && (de = readdir(d))) {
			size_t l = strlen(de->d_name);
			char path[4096], head[512], name[64];
			FILE *f;
			size_t got;

			if (l < 5 || l - 4 >= sizeof(name) || strcmp(de->d_name + l - 4, ".lua"))
				continue;
			snprintf(name, sizeof(name), "%.*s", (int)(l - 4), de->d_name);
			snprintf(path, sizeof(path), "%s/%s", dirs[i], de->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			got = fread(head, 1, sizeof(head), f);
			fclose(f);
			n = add_seen(list, n, name, head, got);
		}
		if (d)
			closedir(d);
	}
	recipe_path_free(dirs);
	for (const struct lp_embedded *e = lp_embedded; e->name; e++)
		if (e->is_recipe)
			n = add_seen(list, n, e->name, e->src, e->len);
	qsort(list, n, sizeof(*list), cmp_seen);
	for (int i = 0; i < n; i++)
		fprintf(out, "%-12s %s\n", list[i].name, list[i].desc);
	free(list);
	return n;
}
