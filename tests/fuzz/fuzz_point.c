/* The probe point parser: any text ends in a point or a message. */
#include "fuzz.h"

#include <stdio.h>

#include "point/point.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), err[512];
	struct lp_point pt;

	err[0] = '\0';
	if (point_parse(text, &pt, err, sizeof(err)) == 0) {
		(void)point_has_wildcard(&pt);
		(void)point_kind_name(pt.kind);
		point_free(&pt);
	} else if (!err[0]) {
		fprintf(stderr, "point_parse failed without a message\n");
		abort();
	}
	free(text);
	return 0;
}
