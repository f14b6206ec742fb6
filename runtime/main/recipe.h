/* Recipes: scripts found by name on the recipe path (DESIGN.md §2):
 * $LUAPROBE_PATH, ~/.config/luaprobe/scripts, PREFIX/share/luaprobe/scripts
 * beside the running PREFIX/bin/luaprobe, the installed scripts/, the
 * source tree's scripts/, and last the copies embedded in the binary. */
#ifndef LUAPROBE_RECIPE_H
#define LUAPROBE_RECIPE_H

#include <stdio.h>

#include "main/embedded.h"

/* The folders of the recipe path, in order, NULL-terminated. */
char **recipe_path(void);
void recipe_path_free(char **dirs);

/* Find recipe `name`: 0 with *path set (malloc'd) for a file, 0 with
 * *embedded set for a built-in copy, -ENOENT when there is none. */
int recipe_find(const char *name, char **path, const struct lp_embedded **embedded);

/* --recipes: "name  folder  description" for each recipe, the first found
 * by a name winning: the folder of the path it was found in, or "(built
 * in)"; the description from the header line "--- name: description"; and
 * the file of the same name further down the path it shadows, if any.
 * Returns the count, or -ENOMEM. */
int recipe_list(FILE *out);

#endif
