/* The messages with a fixed meaning, in one table: tests, docs and users
 * quote these texts, so each is written once. Macros, so that the compiler
 * checks every use against its format. [libdwfl's DWFL_ERRORS]
 * So far: util/, point/ and resolve/; the other stages' fixed messages
 * belong here too. */
#ifndef LUAPROBE_MESSAGES_H
#define LUAPROBE_MESSAGES_H

/* ---- every stage: a misspelt name (util/suggest.h writes it) ---- */
#define MSG_DID_YOU_MEAN " (did you mean '%s'?)"

/* ---- point/: the point parser ---- */
/* what (probe type, suffix...), the word as written */
#define MSG_UNKNOWN_WORD "unknown %s '%.*s'"
#define MSG_STATEMENT_FORM "expected 'file:line' or 'function@file:line'"

/* ---- every stage: what a run needs ---- */
#define MSG_NEED_ROOT "luaprobe needs root (or CAP_BPF and CAP_PERFMON, and read access to tracefs)"

/* ---- kinds/tracepoint.c ---- */
#define MSG_NO_TRACEPOINT "no tracepoint '%s:%s'"
#define MSG_NO_TP_SYSTEM "no tracepoint system '%s'"

/* ---- kinds/perf.c ---- */
#define MSG_NO_SW_COUNTER "no software counter '%s'"
/* the rate asked for, the kernel's limit */
#define MSG_SAMPLE_RATE                                                 \
	"%llu Hz is above the kernel's limit of %llu samples a second " \
	"(kernel.perf_event_max_sample_rate)"

/* ---- resolve/dwarf/: a binary's debuginfo ---- */
#define MSG_NO_DEBUGINFO \
	"no debuginfo for %s: only symbol probes (uprobe:PATH:func without fetches) work"
/* the name, the binary */
#define MSG_NO_DEBUGINFO_ARGS \
	"no '%s' without debuginfo for %s: a function's entry has arg0..arg5 (a return probe $retval), as integers, and casts of them such as (char *)arg0"
/* the name, the marker, its argument count */
#define MSG_NO_USDT_ARG "no '%s' at marker %s: it has %d argument%s (arg0..)"
/* the site's symbol, the binary */
#define MSG_NO_DEBUGINFO_AT "no debuginfo for %s in %s: only a probe without fetches works there"
#define MSG_NO_FUNC "no function '%s' in %s"
#define MSG_ONLY_INLINED \
	"function '%s' in %s has no out-of-line copy (it is always inlined): probe its labels or lines instead"
#define MSG_NO_LABEL "no label '%s' in %s"
#define MSG_LABEL_NO_ADDR "label '%s' in %s has no address (optimized out)"
#define MSG_BAD_STATEMENT "statement '%s': expected FILE:LINE or FUNC@FILE:LINE"
#define MSG_NO_FILE "no source file '%s' in %s"
#define MSG_NO_LINE "no code at %s:%d"
#define MSG_NO_VAR "no variable '%s' in scope at %s"
#define MSG_NO_MEMBER "%s has no member '%s'"
/* the expression as written, as "%.*s" */
#define MSG_OPTIMIZED_OUT "'%.*s' is optimized out at this point"

#endif
