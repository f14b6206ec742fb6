/* Quoted input in messages, cut: a 1 MB probe point or expression is
 * echoed as its first MSG_CUT_LEN characters and "...". */
#ifndef LUAPROBE_CUT_H
#define LUAPROBE_CUT_H

#include <stdio.h>

#define MSG_CUT_LEN 200

/* In place: every 'quoted' run longer than MSG_CUT_LEN keeps its first
 * MSG_CUT_LEN characters and "...". A quote opens after a blank, '(' or
 * the start and closes before a blank, punctuation or the end, on one
 * line, so the apostrophe of "tracepoint's" opens nothing. A quote
 * left open to the end of its line (a message cut to its buffer lost the
 * closing one) is cut the same. */
void msg_cut_quotes(char *msg);

/* "luaprobe: " + the message, quotes cut, + "\n" on stderr. */
void msg_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
