#include "kind.h"

const struct lp_kind *kind_of(enum lp_point_kind kind)
{
	switch (kind) {
	case LP_PT_TRACEPOINT:
		return &kind_tracepoint;
	default:
		return NULL;
	}
}
