#include "main/recipe.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char **recipe_path(void)
{
	const char *env = getenv("LUAPROBE_PATH"), *home = getenv("HOME");
	char **dirs = calloc(64, sizeof(*dirs)), exe[4096];
	ssize_t len;
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
	/* installed under another prefix (cmake --install --prefix, a
	 * package's DESTDIR): PREFIX/bin/luaprobe finds PREFIX/share's */
	if ((len = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		char *slash;

		exe[len] = '\0';
		slash = strrchr(exe, '/');
		if (slash && slash - exe >= 4 && !strncmp(slash - 4, "/bin", 4)) {
			snprintf(slash - 3, sizeof(exe) - (slash - 3 - exe),
				 "share/luaprobe/scripts");
			if (strcmp(exe, LP_RECIPE_DIR))
				dirs[n++] = strdup(exe);
		}
	}
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

#define MAX_LISTED 512

struct seen {
	char name[64];
	char desc[256];
	char from[4096]; /* its folder, or "(built in)" */
	char path[4096]; /* its file ("" built in) */
	char shadows[4096]; /* the next file of the same name down the path */
};

/* Whether two files hold the same bytes (a recipe installed and its copy in
 * the source tree: no shadowing worth a word). */
static int same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
	int same = fa && fb, ca, cb;

	while (same) {
		ca = getc(fa);
		cb = getc(fb);
		same = ca == cb;
		if (ca == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/* A recipe found: the first of a name is the one that runs; a later file
 * of that name, when it differs, is what it shadows. Returns the new count. */
static int add_seen(struct seen *list, int n, const char *name, const char *text, size_t len,
		    const char *path, const char *dir)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i].name, name) == 0) {
			if (path && !list[i].shadows[0] && list[i].path[0] &&
			    !same_file(list[i].path, path))
				snprintf(list[i].shadows, sizeof(list[i].shadows), "%s", path);
			return n;
		}
	if (n >= MAX_LISTED)
		return n;
	if (header_desc(text, len, list[n].desc, sizeof(list[n].desc)))
		snprintf(list[n].desc, sizeof(list[n].desc), "(no \"--- %s: ...\" header)", name);
	snprintf(list[n].name, sizeof(list[n].name), "%s", name);
	snprintf(list[n].from, sizeof(list[n].from), "%s", dir);
	snprintf(list[n].path, sizeof(list[n].path), "%s", path ? path : "");
	return n + 1;
}

static int cmp_seen(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->name, ((const struct seen *)b)->name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One folder's recipes, in name order (a readdir order would make which
 * of two spellings is seen first change from disk to disk). */
static int add_dir(struct seen *list, int n, const char *dir)
{
	char *names[MAX_LISTED];
	int m = 0;
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)) && m < MAX_LISTED) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.' || l < 5 || l - 4 >= sizeof(list->name) ||
		    strcmp(de->d_name + l - 4, ".lua"))
			continue;
		names[m] = strdup(de->d_name);
		if (names[m])
			m++;
	}
	if (d)
		closedir(d);
	qsort(names, m, sizeof(*names), cmp_str);
	for (int i = 0; i < m; i++) {
		size_t l = strlen(names[i]), got = 0;
		char path[4096], head[512], name[64];
		struct stat st;
		FILE *f;

		snprintf(name, sizeof(name), "%.*s", (int)(l - 4), names[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		free(names[i]);
		/* a folder or a FIFO named x.lua is no recipe (and would block) */
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		f = fopen(path, "r");
		if (!f)
			continue;
		got = fread(head, 1, sizeof(head), f);
		fclose(f);
		n = add_seen(list, n, name, head, got, path, dir);
	}
	return n;
}

int recipe_list(FILE *out)
{
	struct seen *list = calloc(MAX_LISTED, sizeof(*list));
	char **dirs = recipe_path();
	int n = 0, wname = 0, wfrom = 0;

	if (!list || !dirs) {
		free(list);
		recipe_path_free(dirs);
		return -ENOMEM;
	}
	for (int i = 0; dirs[i]; i++)
		n = add_dir(list, n, dirs[i]);
	recipe_path_free(dirs);
	for (const struct lp_embedded *e = lp_embedded; e->name; e++)
		if (e->is_recipe)
			n = add_seen(list, n, e->name, e->src, e->len, NULL, "(built in)");
	qsort(list, n, sizeof(*list), cmp_seen);
	for (int i = 0; i < n; i++) {
		wname = (int)strlen(list[i].name) > wname ? (int)strlen(list[i].name) : wname;
		wfrom = (int)strlen(list[i].from) > wfrom ? (int)strlen(list[i].from) : wfrom;
	}
	for (int i = 0; i < n; i++) {
		fprintf(out, "%-*s  %-*s  %s", wname, list[i].name, wfrom, list[i].from,
			list[i].desc);
		if (list[i].shadows[0])
			fprintf(out, " (shadows %s)", list[i].shadows);
		fputc('\n', out);
	}
	free(list);
	return n;
}
