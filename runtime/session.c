/* The session's caches are a struct lp_caches (caches.h), which stages
 * without Lua (kinds/) reach through their probe. */
#include "session.h"

struct lp_ksym *session_ksym(struct lp_session *s)
{
	return caches_ksym(&s->caches);
}

struct lp_kbtf *session_kbtf(struct lp_session *s)
{
	return caches_kbtf(&s->caches);
}

struct lp_usym *session_usym(struct lp_session *s)
{
	return caches_usym(&s->caches);
}

void session_free_caches(struct lp_session *s)
{
	caches_free(&s->caches);
}
