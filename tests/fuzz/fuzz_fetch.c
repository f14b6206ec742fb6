/* The fetch-expression resolver against the frames fixture's DWARF
 * (tests/fixtures/uprobe/frames.c at -O0 and -O2): at a function's entry,
 * at its return, and at a label; what resolves is also planned as the
 * regs template would read it. */
#include "fuzz.h"

#include <stdio.h>

#include "plan/plan.h"
#include "probe.h"
#include "resolve/dwarf/dwarf.h"

struct place {
	const char *func, *label;
	int is_return;
};

static const struct place places[] = {
	{ "show", NULL, 0 }, { "show", NULL, 1 },      { "chain", NULL, 0 },
	{ "ints", NULL, 0 }, { "search", "found", 0 }, { "stacked", "ready", 0 },
};
#define NPLACES (sizeof(places) / sizeof(places[0]))

static struct lp_dwarf *dw[2];
static struct lp_site *sites[2][NPLACES];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *paths[2] = { FIXTURE_O0, FIXTURE_O2 };
	char err[256];

	(void)argc;
	(void)argv;
	for (int i = 0; i < 2; i++) {
		dw[i] = dwarf_open(paths[i]);
		if (!dw[i]) {
			fprintf(stderr, "cannot open %s\n", paths[i]);
			exit(1);
		}
		for (size_t k = 0; k < NPLACES; k++) {
			int n = places[k].label
					? dwarf_label_sites(dw[i], places[k].func, places[k].label,
							    &sites[i][k], err, sizeof(err))
					: dwarf_function_sites(dw[i], places[k].func, &sites[i][k],
							       err, sizeof(err));

			if (n < 1) {
				fprintf(stderr, "%s: no site %s: %s\n", paths[i], places[k].func,
					err);
				exit(1);
			}
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, err[512];
	struct lp_loc loc;
	struct lp_fetch op;
	struct lp_field field;
	size_t k;
	int i;

	if (!dw[0])
		LLVMFuzzerInitialize(NULL, NULL);
	/* the first byte picks the binary and the place */
	if (size < 1)
		return 0;
	i = data[0] & 1;
	k = (data[0] >> 1) % NPLACES;
	text = fuzz_text(data + 1, size - 1);
	err[0] = '\0';
	if (dwarf_fetch(dw[i], sites[i][k], text, places[k].is_return, &loc, err, sizeof(err))) {
		if (!err[0]) {
			fprintf(stderr, "dwarf_fetch failed without a message\n");
			abort();
		}
	} else {
		memset(&field, 0, sizeof(field));
		(void)plan_uval(&loc, 0, &op, &field, err, sizeof(err));
		dwarf_loc_free(&loc);
	}
	free(text);
	return 0;
}
