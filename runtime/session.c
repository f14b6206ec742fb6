/* The session's process-wide caches: each is made on first use, so a
 * script that never symbolizes never reads kallsyms or BTF. */
#include "session.h"

#include "resolve/kbtf.h"
#include "sym/ksym.h"
#include "sym/usym.h"

struct lp_ksym *session_ksym(struct lp_session *s)
{
	if (!s->ksym)
		s->ksym = ksym_new();
	return s->ksym;
}

struct lp_kbtf *session_kbtf(struct lp_session *s)
{
	if (!s->kbtf)
		s->kbtf = kbtf_new();
	return s->kbtf;
}

struct lp_usym *session_usym(struct lp_session *s)
{
	if (!s->usym)
		s->usym = usym_new();
	return s->usym;
}

void session_free_caches(struct lp_session *s)
{
	ksym_free(s->ksym);
	kbtf_free(s->kbtf);
	usym_free(s->usym);
	s->ksym = NULL;
	s->kbtf = NULL;
	s->usym = NULL;
}
