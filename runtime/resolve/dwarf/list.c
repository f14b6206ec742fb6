/* -l: the functions, or labels, of a binary matching a glob. */
#include "resolve/dwarf/sites.h"

#include <stdio.h>

int dwarf_list(struct lp_dwarf *d, const char *func_glob, int labels, void *out)
{
	struct names ns = { 0 };
	int ret;

	if (labels)
		ret = labels_names(d, func_glob, &ns);
	else
		ret = sites_function_names(d, func_glob, &ns);
	if (!ret) {
		names_sort_unique(&ns);
		for (size_t i = 0; i < ns.n; i++)
			fprintf(out, "%s\n", ns.v[i]);
		ret = ns.n;
	}
	names_free(&ns);
	return ret;
}
