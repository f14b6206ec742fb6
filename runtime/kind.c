#include "kind.h"

const struct lp_kind *kind_of(enum lp_point_kind kind)
{
	switch (kind) {
	case LP_PT_TRACEPOINT:
		return &kind_tracepoint;
	case LP_PT_UPROBE:
	case LP_PT_URETPROBE:
		return &kind_uprobe;
	default:
		return NULL;
	}
}
