/* DWARF sites and locations against the frames fixture, built at -O0 and
 * at -O2 (tests/fixtures/uprobe/). Expected values come from elsewhere:
 * nm's and readelf's view of the same files, offsetof() on the fixture's
 * own header, the psABI's register numbers and, for every location, a run
 * of the fixture under ptrace: stopped at the site, the test follows the
 * lp_loc chain exactly as dwarf.h defines it (as the template will) and
 * compares the value with what the fixture printed for that call. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "resolve/dwarf/dwarf.h"
#include "resolve/dwarf/sites.h"
#include "frames.h"
#include "test.h"

#define ROUNDS 4 /* fixture rounds per traced run: stacked() takes both paths */
#define MAX_HITS 64

static struct lp_dwarf *d0, *d2, *dn; /* -O0, -O2, -O2 without debuginfo */

/* ---- what other tools say about the fixture ---- */

/* The whole stdout of a shell command, NUL-terminated; NULL on failure. */
static char *cmd_output(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		char *nb = realloc(buf, len + n + 1);

		if (!nb)
			break;
		buf = nb;
		memcpy(buf + len, chunk, n);
		len += n;
		buf[len] = 0;
	}
	pclose(f);
	return buf ? buf : strdup("");
}

/* A symbol's address and size from nm. */
static bool nm_sym(const char *path, const char *name, uint64_t *addr, uint64_t *size)
{
	char cmd[512], *out, *line, *save;
	bool found = false;

	snprintf(cmd, sizeof(cmd), "nm -S --defined-only '%s'", path);
	out = cmd_output(cmd);
	for (line = out ? strtok_r(out, "\n", &save) : NULL; line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long a, s = 0;
		char type, sym[256];

		if (sscanf(line, "%llx %llx %c %255s", &a, &s, &type, sym) == 4 ||
		    (s = 0, sscanf(line, "%llx %c %255s", &a, &type, sym) == 3)) {
			if (!strcmp(sym, name)) {
				*addr = a;
				*size = s;
				found = true;
			}
		}
	}
	free(out);
	return found;
}

/* The file offset of a .text address, through the section header (dwarf.c
 * goes through the program headers). */
static bool text_offset(const char *path, uint64_t addr, uint64_t *off)
{
	char cmd[512], *out, *p;
	unsigned long long sa, so;
	bool ok = false;

	snprintf(cmd, sizeof(cmd), "readelf -SW '%s'", path);
	out = cmd_output(cmd);
	p = out ? strstr(out, " .text ") : NULL;
	if (p && sscanf(p, " .text %*s %llx %llx", &sa, &so) == 2) {
		*off = addr - sa + so;
		ok = true;
	}
	free(out);
	return ok;
}

/* The source line holding a marker comment. */
static int marker_line(const char *marker)
{
	FILE *f = fopen(FIXTURE_SRC, "r");
	char line[512];
	int n = 0, found = 0;

	while (f && fgets(line, sizeof(line), f)) {
		n++;
		if (strstr(line, marker)) {
			found = n;
			break;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* DW_AT_low_pc of every concrete DW_TAG_label called `name` (directly or
 * through DW_AT_abstract_origin), from readelf's DIE dump. */
static int readelf_labels(const char *path, const char *name, uint64_t *pcs, int max)
{
	struct die {
		unsigned long off, origin;
		char name[64];
		unsigned long long low_pc;
		bool has_pc;
	} *dies = calloc(4096, sizeof(*dies));
	char cmd[512], *out, *line, *save;
	int n = 0, cur = -1, found = 0;

	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=info '%s'", path);
	out = cmd_output(cmd);
	for (line = out ? strtok_r(out, "\n", &save) : NULL; line && dies;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long depth, off;
		char *p;

		if (sscanf(line, " <%lu><%lx>:", &depth, &off) == 2) {
			/* a new DIE: attributes below are its own */
			cur = -1;
			if (strstr(line, "(DW_TAG_label)") && n < 4096) {
				cur = n++;
				dies[cur].off = off;
			}
			continue;
		}
		if (cur < 0)
			continue;
		if (strstr(line, "DW_AT_name") && (p = strrchr(line, ':'))) {
			snprintf(dies[cur].name, sizeof(dies[cur].name), "%s", p + 2);
		} else if (strstr(line, "DW_AT_abstract_origin") && (p = strstr(line, "<0x"))) {
			dies[cur].origin = strtoul(p + 3, NULL, 16);
		} else if (strstr(line, "DW_AT_low_pc") && (p = strrchr(line, ':'))) {
			dies[cur].low_pc = strtoull(p + 1, NULL, 16);
			dies[cur].has_pc = true;
		}
	}
	for (int i = 0; dies && i < n; i++) {
		const char *nm = dies[i].name;

		for (int j = 0; !nm[0] && dies[i].origin && j < n; j++)
			if (dies[j].off == dies[i].origin)
				nm = dies[j].name;
		if (dies[i].has_pc && !strcmp(nm, name) && found < max)
			pcs[found++] = dies[i].low_pc;
	}
	free(dies);
	free(out);
	return found;
}

/* The CFA rule readelf gives at addr ("rsp+24"): register name and offset. */
static bool readelf_cfa(const char *path, uint64_t addr, char *reg, long *off)
{
	char cmd[512], *out, *line, *save;
	unsigned long long lo = 0, hi = 0;
	bool in = false, ok = false;

	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=frames-interp '%s'", path);
	out = cmd_output(cmd);
	for (line = out ? strtok_r(out, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long a;
		char rule[64], *pc = strstr(line, "pc=");

		if (pc) {
			in = sscanf(pc, "pc=%llx..%llx", &lo, &hi) == 2 && addr >= lo && addr < hi;
			continue;
		}
		if (in && sscanf(line, "%llx %63s", &a, rule) == 2 && a <= addr) {
			char *plus = strchr(rule, '+');

			if (plus) {
				*plus = 0;
				strcpy(reg, rule);
				*off = strtol(plus + 1, NULL, 10);
				ok = true;
			}
		}
	}
	free(out);
	return ok;
}

/* DW_OP_fbreg of variable `var` in function `func`, from readelf. */
static bool readelf_fbreg(const char *path, const char *func, const char *var, long *off)
{
	char cmd[512], *out, *p;
	char fpat[128], vpat[128];
	bool ok = false;

	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=info '%s'", path);
	out = cmd_output(cmd);
	snprintf(fpat, sizeof(fpat), "): %s\n", func);
	snprintf(vpat, sizeof(vpat), ": %s\n", var);
	p = out ? strstr(out, fpat) : NULL;
	p = p ? strstr(p, vpat) : NULL;
	p = p ? strstr(p, "DW_OP_fbreg: ") : NULL;
	if (p) {
		*off = strtol(p + strlen("DW_OP_fbreg: "), NULL, 10);
		ok = true;
	}
	free(out);
	return ok;
}

/* The lowest is_stmt address of a line, from readelf's decoded line table. */
static bool readelf_line_addr(const char *path, int line_no, uint64_t *addr)
{
	char cmd[512], *out, *line, *save;
	bool ok = false;

	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=decodedline '%s'", path);
	out = cmd_output(cmd);
	for (line = out ? strtok_r(out, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char file[256];
		int ln;
		unsigned long long a;
		size_t len = strlen(line);

		if (sscanf(line, "%255s %d %llx", file, &ln, &a) != 3 || ln != line_no ||
		    !strstr(file, "frames.c") || len < 1 || line[len - 1] != 'x')
			continue;
		if (!ok || a < *addr)
			*addr = a;
		ok = true;
	}
	free(out);
	return ok;
}

/* ---- running the fixture under ptrace ---- */

struct check {
	const char *expr;
	const char *key; /* the fixture prints key=value for this call */
};

struct run {
	const char *path;
	const struct lp_site *site;
	int is_return;
	const struct check *checks;
	int nchecks;
	struct lp_loc locs[16];
	char got[MAX_HITS][512]; /* per stop: " key=value" for each check */
	int nhits;
	char *out; /* what the fixture printed */
};

static uint64_t reg_of(const struct user_regs_struct *r, int reg)
{
	switch (reg) { /* psABI DWARF numbering */
	case 0:
		return r->rax;
	case 1:
		return r->rdx;
	case 2:
		return r->rcx;
	case 3:
		return r->rbx;
	case 4:
		return r->rsi;
	case 5:
		return r->rdi;
	case 6:
		return r->rbp;
	case 7:
		return r->rsp;
	case 8:
		return r->r8;
	case 9:
		return r->r9;
	case 10:
		return r->r10;
	case 11:
		return r->r11;
	case 12:
		return r->r12;
	case 13:
		return r->r13;
	case 14:
		return r->r14;
	case 15:
		return r->r15;
	default:
		return r->rip;
	}
}

static bool mem_read(int memfd, uint64_t addr, void *buf, size_t n)
{
	return pread(memfd, buf, n, (off_t)addr) == (ssize_t)n;
}

static const char *color_name(long long v)
{
	return v == RED ? "RED" : v == GREEN ? "GREEN" : v == BLUE ? "BLUE" : "?";
}

/* The value at l, as dwarf.h's chain says and as the fixture prints it. */
static void loc_value(int memfd, const struct user_regs_struct *regs, uint64_t bias,
		      const struct lp_loc *l, char *buf, size_t len)
{
	uint64_t a = 0, raw = 0, p;
	char str[64] = "";
	bool have_raw = false;

	switch (l->start) {
	case LP_LOC_CONST:
		raw = (uint64_t)l->base_off;
		have_raw = true;
		break;
	case LP_LOC_REG:
		a = reg_of(regs, l->reg);
		if (!l->nderef) {
			raw = a;
			have_raw = true;
			break;
		}
		a += l->step_off[0];
		for (int i = 1; i < l->nderef; i++) {
			if (!mem_read(memfd, a, &p, 8))
				goto fault;
			a = p + l->step_off[i];
		}
		break;
	case LP_LOC_ADDR:
		a = (l->reg < 0 ? bias : reg_of(regs, l->reg)) + l->base_off;
		for (int i = 0; i < l->nderef; i++) {
			if (!mem_read(memfd, a, &p, 8))
				goto fault;
			a = p + l->step_off[i];
		}
		break;
	}
	switch (l->type) {
	case LP_LT_STRPTR:
		if (!have_raw && !mem_read(memfd, a, &raw, 8))
			goto fault;
		for (size_t i = 0;
		     i < sizeof(str) - 1 && mem_read(memfd, raw + i, &str[i], 1) && str[i]; i++)
			;
		str[sizeof(str) - 1] = 0;
		snprintf(buf, len, "%s", str);
		return;
	case LP_LT_CHARARRAY:
		if (l->size >= (int)sizeof(str) || !mem_read(memfd, a, str, l->size))
			goto fault;
		str[l->size] = 0;
		snprintf(buf, len, "%s", str);
		return;
	default:
		break;
	}
	if (!have_raw && (l->size > 8 || !mem_read(memfd, a, &raw, l->size)))
		goto fault;
	if (l->bit_size) {
		raw = (raw >> l->bit_offset) & ((1ULL << l->bit_size) - 1);
		if (l->is_signed && (raw >> (l->bit_size - 1)) & 1)
			raw |= ~((1ULL << l->bit_size) - 1);
	} else if (l->size < 8) {
		raw &= (1ULL << (8 * l->size)) - 1;
		if (l->is_signed && (raw >> (8 * l->size - 1)) & 1)
			raw |= ~((1ULL << (8 * l->size)) - 1);
	}
	if (l->enum_type)
		snprintf(buf, len, "%s", color_name((long long)raw));
	else if (l->is_signed)
		snprintf(buf, len, "%lld", (long long)raw);
	else
		snprintf(buf, len, "%llu", (unsigned long long)raw);
	return;
fault:
	snprintf(buf, len, "<fault at 0x%" PRIx64 ">", a);
}

/* The runtime address of file offset `off` of path in pid's maps, and the
 * load bias (the start of the mapping of offset 0). */
static bool map_offset(int pid, const char *path, uint64_t off, uint64_t *addr, uint64_t *bias)
{
	char maps[64], line[1024], *real = realpath(path, NULL);
	FILE *f;
	bool ok = false;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	f = fopen(maps, "r");
	while (f && real && fgets(line, sizeof(line), f)) {
		unsigned long long s, e, o;
		char file[512] = "";

		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %511s", &s, &e, &o, file) < 3 ||
		    strcmp(file, real))
			continue;
		if (o == 0)
			*bias = s;
		if (off >= o && off < o + (e - s)) {
			*addr = s + (off - o);
			ok = true;
		}
	}
	if (f)
		fclose(f);
	free(real);
	return ok;
}

static bool set_bp(int pid, uint64_t addr, long *orig)
{
	errno = 0;
	*orig = ptrace(PTRACE_PEEKTEXT, pid, (void *)addr, NULL);
	if (errno)
		return false;
	return ptrace(PTRACE_POKETEXT, pid, (void *)addr, (void *)((*orig & ~0xffL) | 0xcc)) == 0;
}

static void record_hit(struct run *r, int memfd, struct user_regs_struct *regs, uint64_t bias)
{
	char *g;

	if (r->nhits == MAX_HITS)
		return;
	g = r->got[r->nhits++];
	g[0] = 0;
	for (int i = 0; i < r->nchecks; i++) {
		char v[128];

		loc_value(memfd, regs, bias, &r->locs[i], v, sizeof(v));
		snprintf(g + strlen(g), 512 - strlen(g), " %s=%s", r->checks[i].key, v);
	}
}

/* Run the fixture with ROUNDS rounds, stopping at the site (for a return
 * probe: at the instruction the function returns to). */
static bool trace_run(struct run *r)
{
	uint64_t addr = 0, bias = 0, ret_addr = 0;
	long orig, ret_orig = 0;
	char rounds[16], mem[64];
	int pfd[2], status, memfd = -1, sig = 0;
	bool ok = false;
	pid_t pid;

	snprintf(rounds, sizeof(rounds), "%d", ROUNDS);
	if (pipe(pfd))
		return false;
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(126);
		execl(r->path, r->path, rounds, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 126)
			fprintf(stderr, "  ptrace(PTRACE_TRACEME) refused here\n");
		goto out;
	}
	snprintf(mem, sizeof(mem), "/proc/%d/mem", pid);
	memfd = open(mem, O_RDONLY);
	/* a return probe goes where uretprobes must: the first instruction */
	if (memfd < 0 ||
	    !map_offset(pid, r->path, r->is_return ? r->site->entry_offset : r->site->offset, &addr,
			&bias) ||
	    !set_bp(pid, addr, &orig))
		goto out;
	for (;;) {
		struct user_regs_struct regs;

		if (ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig) ||
		    waitpid(pid, &status, 0) != pid)
			goto out;
		sig = 0;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
		if (WSTOPSIG(status) != SIGTRAP) {
			sig = WSTOPSIG(status);
			continue;
		}
		if (ptrace(PTRACE_GETREGS, pid, NULL, &regs))
			goto out;
		if (regs.rip - 1 == addr) {
			regs.rip = addr;
			if (r->is_return) {
				uint64_t ra;

				if (!mem_read(memfd, regs.rsp, &ra, 8) ||
				    !set_bp(pid, ra, &ret_orig))
					goto out;
				ret_addr = ra;
			} else {
				record_hit(r, memfd, &regs, bias);
			}
			/* step over the original instruction, then arm again */
			if (ptrace(PTRACE_POKETEXT, pid, (void *)addr, (void *)orig) ||
			    ptrace(PTRACE_SETREGS, pid, NULL, &regs) ||
			    ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) ||
			    waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
			    !set_bp(pid, addr, &orig))
				goto out;
		} else if (ret_addr && regs.rip - 1 == ret_addr) {
			regs.rip = ret_addr;
			record_hit(r, memfd, &regs, bias);
			if (ptrace(PTRACE_POKETEXT, pid, (void *)ret_addr, (void *)ret_orig) ||
			    ptrace(PTRACE_SETREGS, pid, NULL, &regs))
				goto out;
			ret_addr = 0;
		}
	}
	ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
out:
	if (!ok && pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (memfd >= 0)
		close(memfd);
	{
		FILE *f = fdopen(pfd[0], "r");
		size_t len = 0;

		r->out = NULL;
		if (f) {
			getdelim(&r->out, &len, 0, f);
			fclose(f);
		} else {
			close(pfd[0]);
		}
	}
	return ok;
}

/* Fetch each check's expression at the site, run, and compare stop k with
 * the k-th line starting with `prefix` (lines holding `skip` never reach
 * the site). */
static void check_values(const char *path, struct lp_dwarf *d, const struct lp_site *site,
			 int is_return, const char *prefix, const char *skip,
			 const struct check *checks, int nchecks)
{
	struct run *r = calloc(1, sizeof(*r));
	char err[256], what[1024], *line, *save;
	int k = 0, fetched = 0;

	if (!ASSERT_TRUE(r != NULL, "memory"))
		return;
	r->path = path;
	r->site = site;
	r->is_return = is_return;
	r->checks = checks;
	r->nchecks = nchecks;
	for (; fetched < nchecks; fetched++) {
		int ret = dwarf_fetch(d, site, checks[fetched].expr, is_return, &r->locs[fetched],
				      err, sizeof(err));

		snprintf(what, sizeof(what), "dwarf_fetch(%s) at %s in %s: %s",
			 checks[fetched].expr, site->symbol, path, err);
		if (!ASSERT_EQ(ret, 0, what))
			goto out;
	}
	snprintf(what, sizeof(what), "traced run of %s stopping at %s", path, site->symbol);
	if (!trace_run(r)) {
		fprintf(stderr, "  %s failed\n", what);
		ASSERT_TRUE(false, "traced run");
		goto out;
	}
	for (line = strtok_r(r->out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t pl = strlen(prefix);

		if (strncmp(line, prefix, pl) || line[pl] != ' ' || (skip && strstr(line, skip)))
			continue;
		if (!ASSERT_TRUE(k < r->nhits, "a stop for every call"))
			break;
		/* every " key=value" recorded at the stop is in the fixture's line */
		for (char *g = r->got[k], *next; g && *g; g = next) {
			char one[160], padded[600];

			next = strchr(g + 1, ' ');
			snprintf(one, sizeof(one), "%.*s", (int)(next ? next - g : (long)strlen(g)),
				 g);
			snprintf(padded, sizeof(padded), " %s ", line);
			snprintf(what, sizeof(what), "'%s' in \"%s\" (%s at %s)", one + 1, line,
				 path, site->symbol);
			strcat(one, " ");
			if (!strstr(padded, one)) {
				fprintf(stderr, "  no %s\n", what);
				ASSERT_TRUE(false, "value at the stop");
			}
		}
		k++;
	}
	snprintf(what, sizeof(what), "stops at %s in %s", site->symbol, path);
	ASSERT_EQ(r->nhits, k, what);
	ASSERT_TRUE(k > 0, "at least one stop");
out:
	for (int i = 0; i < fetched; i++)
		dwarf_loc_free(&r->locs[i]);
	free(r->out);
	free(r);
}

/* ---- helpers for the static checks ---- */

static int fetch(struct lp_dwarf *d, const struct lp_site *s, const char *expr, int is_return,
		 struct lp_loc *loc, char *err, size_t errlen)
{
	int ret = dwarf_fetch(d, s, expr, is_return, loc, err, errlen);

	if (ret)
		fprintf(stderr, "  dwarf_fetch(%s): %s\n", expr, err);
	return ret;
}

/* One site of func (exactly one expected). */
static struct lp_site *one_function(struct lp_dwarf *d, const char *func, int *n)
{
	struct lp_site *s = NULL;
	char err[256];

	*n = dwarf_function_sites(d, func, &s, err, sizeof(err));
	if (!ASSERT_EQ(*n, 1, func)) {
		fprintf(stderr, "  %s\n", err);
		if (*n > 0)
			dwarf_sites_free(s, *n);
		return NULL;
	}
	return s;
}

static struct lp_site *one_label(struct lp_dwarf *d, const char *func, const char *label, int *n)
{
	struct lp_site *s = NULL;
	char err[256];

	*n = dwarf_label_sites(d, func, label, &s, err, sizeof(err));
	if (!ASSERT_EQ(*n, 1, label)) {
		fprintf(stderr, "  %s\n", err);
		if (*n > 0)
			dwarf_sites_free(s, *n);
		return NULL;
	}
	return s;
}

/* ---- the tests ---- */

static void test_open(void)
{
	struct lp_dwarf *d;

	d0 = dwarf_open(FIXTURE_O0);
	d2 = dwarf_open(FIXTURE_O2);
	dn = dwarf_open(FIXTURE_NODEBUG);
	if (!ASSERT_TRUE(d0 && d2 && dn, "dwarf_open of the fixtures"))
		exit(1);
	ASSERT_EQ(dwarf_has_debuginfo(d0), 1, "-O0 debuginfo");
	ASSERT_EQ(dwarf_has_debuginfo(d2), 1, "-O2 debuginfo");
	ASSERT_EQ(dwarf_has_debuginfo(dn), 0, "stripped debuginfo");

	errno = 0;
	ASSERT_TRUE(!dwarf_open("/nonexistent/frames") && errno == ENOENT, "ENOENT");
	errno = 0;
	ASSERT_TRUE(!dwarf_open(FIXTURE_SRC) && errno == ENOEXEC, "ENOEXEC for a C file");
	/* a soname, on the library path */
	d = dwarf_open("libc.so.6");
	if (ASSERT_TRUE(d != NULL, "dwarf_open(libc.so.6)")) {
		const char *p = dwarf_path(d);
		struct lp_site *s;
		char err[256];
		int n;

		ASSERT_TRUE(p[0] == '/' && strstr(p, "libc.so.6"), "resolved soname path");
		n = dwarf_function_sites(d, "getpid", &s, err, sizeof(err));
		ASSERT_TRUE(n >= 1, "getpid in libc");
		if (n > 0)
			dwarf_sites_free(s, n);
		dwarf_close(d);
	}
}

/* -O2: the site is the symbol itself; -O0: after the prologue. */
static void test_function_sites(void)
{
	static const char *const funcs[] = {
		"ints", "chain", "show", "search", "stacked", "answer"
	};
	struct lp_dwarf *ds[2] = { d0, d2 };
	const char *paths[2] = { FIXTURE_O0, FIXTURE_O2 };

	for (int o = 0; o < 2; o++) {
		for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
			uint64_t sym, size, off;
			struct lp_site *s;
			char want[128];
			int n;

			if (!ASSERT_TRUE(nm_sym(paths[o], funcs[i], &sym, &size), "nm"))
				continue;
			s = one_function(ds[o], funcs[i], &n);
			if (!s)
				continue;
			ASSERT_STREQ(s->func, funcs[i], "func");
			ASSERT_EQ(s->inlined, 0, "inlined");
			if (ASSERT_TRUE(text_offset(paths[o], sym, &off), "readelf .text"))
				ASSERT_EQ(s->entry_offset, off, "entry file offset");
			if (o == 1) {
				ASSERT_EQ(s->addr, sym, "-O2 site at the symbol");
				ASSERT_STREQ(s->symbol, funcs[i], "symbol");
			} else {
				/* push %rbp; mov %rsp,%rbp; then the stores of the arguments */
				ASSERT_TRUE(s->addr >= sym + 4 && s->addr < sym + size,
					    "-O0 site after the prologue");
				snprintf(want, sizeof(want), "%s+0x%" PRIx64, funcs[i],
					 s->addr - sym);
				ASSERT_STREQ(s->symbol, want, "symbol+offset");
			}
			if (ASSERT_TRUE(text_offset(paths[o], s->addr, &off), "readelf .text"))
				ASSERT_EQ(s->offset, off, "file offset");
			ASSERT_TRUE(s->file && strstr(s->file, "frames.c"), "source file");
			ASSERT_TRUE(s->line > 0, "source line");
			dwarf_sites_free(s, n);
		}
	}
}

/* scaled() is cloned at -O2: the clone answers to the source name. */
static void test_clone(void)
{
	uint64_t sym, size;
	struct lp_site *s;
	struct lp_loc l;
	char err[256];
	int n;

	s = one_function(d2, "scaled", &n);
	if (!s)
		return;
	ASSERT_TRUE(nm_sym(FIXTURE_O2, "scaled.constprop.0", &sym, &size), "nm scaled.constprop.0");
	ASSERT_EQ(s->addr, sym, "clone address");
	ASSERT_STREQ(s->func, "scaled", "func");
	ASSERT_STREQ(s->symbol, "scaled.constprop.0", "symbol");
	/* the clone's factor is the constant 3 (DW_AT_const_value) */
	if (!fetch(d2, s, "factor", 0, &l, err, sizeof(err))) {
		ASSERT_EQ(l.start, LP_LOC_CONST, "factor start");
		ASSERT_EQ(l.base_off, 3, "factor value");
		ASSERT_EQ(l.size, 4, "factor size");
		dwarf_loc_free(&l);
	}
	if (!fetch(d2, s, "x", 0, &l, err, sizeof(err))) {
		ASSERT_EQ(l.start, LP_LOC_REG, "x start");
		ASSERT_EQ(l.reg, 5, "x in rdi");
		dwarf_loc_free(&l);
	}
	dwarf_sites_free(s, n);
	/* by its clone name too, and the same symbol in the stripped copy */
	s = one_function(d2, "scaled.constprop.0", &n);
	if (s)
		dwarf_sites_free(s, n);
	s = one_function(dn, "scaled", &n);
	if (s) {
		ASSERT_EQ(s->addr, sym, "stripped clone address");
		ASSERT_STREQ(s->func, "scaled", "stripped func");
		dwarf_sites_free(s, n);
	}
}

/* By the clone's own symbol name (how kallsyms names a kernel function's
 * copy): its first instruction, its parameters as DWARF locates them
 * there; past it only at a line-table row; no such symbol is -ENOENT; a
 * file without DWARF is -ENODATA. */
static void test_symbol_site(void)
{
	uint64_t sym, size;
	struct lp_site *s = NULL;
	struct lp_loc l;
	char err[256];
	int early, n;

	n = dwarf_symbol_site(d2, "scaled.constprop.0", 0, 0, &s, &early, err, sizeof(err));
	if (!ASSERT_EQ(n, 1, err) ||
	    !ASSERT_TRUE(nm_sym(FIXTURE_O2, "scaled.constprop.0", &sym, &size), "nm"))
		goto out;
	ASSERT_EQ(s->addr, sym, "at the symbol's start");
	ASSERT_STREQ(s->func, "scaled", "the source's name");
	ASSERT_STREQ(s->symbol, "scaled.constprop.0", "symbol");
	if (!fetch(d2, s, "x", 0, &l, err, sizeof(err))) {
		ASSERT_EQ(l.start, LP_LOC_REG, "x start");
		ASSERT_EQ(l.reg, 5, "x in rdi");
		dwarf_loc_free(&l);
	}
	if (!fetch(d2, s, "factor", 0, &l, err, sizeof(err))) {
		ASSERT_EQ(l.start, LP_LOC_CONST, "factor start");
		ASSERT_EQ(l.base_off, 3, "factor value");
		dwarf_loc_free(&l);
	}
	ASSERT_EQ(dwarf_fetch(d2, s, "xx", 0, &l, err, sizeof(err)), -ENOENT, "misspelt");
	ASSERT_STREQ(err, "no variable 'xx' in scope at scaled.constprop.0 (did you mean 'x'?)",
		     "misspelt message");
out:
	dwarf_sites_free(s, s ? 1 : 0);
	s = NULL;
	ASSERT_EQ(dwarf_symbol_site(d2, "scaled.constprop.0", 1, 0, &s, &early, err, sizeof(err)),
		  -EILSEQ, "inside the first instruction");
	ASSERT_EQ(dwarf_symbol_site(d2, "no_such_symbol", 0, 0, &s, &early, err, sizeof(err)),
		  -ENOENT, "no such symbol");
	ASSERT_TRUE(strstr(err, "no function symbol 'no_such_symbol'") != NULL,
		    "no such symbol message");
	ASSERT_EQ(dwarf_symbol_site(dn, "scaled.constprop.0", 0, 0, &s, &early, err, sizeof(err)),
		  -ENODATA, "no DWARF");
	ASSERT_TRUE(s == NULL, "nothing returned");
}

/* -O2 arguments arrive where the x86-64 psABI puts them. */
static void test_o2_registers(void)
{
	static const struct {
		const char *name;
		int reg, size, is_signed;
		const char *ctype;
	} args[] = {
		{ "c8", 5, 1, 1, "signed char" },   { "s16", 4, 2, 1, "short int" },
		{ "i32", 1, 4, 1, "int" },	    { "i64", 2, 8, 1, "long int" },
		{ "u8", 8, 1, 0, "unsigned char" }, { "u32", 9, 4, 0, "unsigned int" },
	};
	struct lp_site *s, *s2;
	struct lp_var *vars;
	struct lp_loc l;
	char err[256];
	int n, n2, nv;

	s = one_function(d2, "ints", &n);
	if (!s)
		return;
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		if (fetch(d2, s, args[i].name, 0, &l, err, sizeof(err)))
			continue;
		ASSERT_EQ(l.start, LP_LOC_REG, args[i].name);
		ASSERT_EQ(l.reg, args[i].reg, args[i].name);
		ASSERT_EQ(l.nderef, 0, "nderef");
		ASSERT_EQ(l.type, LP_LT_INT, "type");
		ASSERT_EQ(l.size, args[i].size, "size");
		ASSERT_EQ(l.is_signed, args[i].is_signed, "signedness");
		ASSERT_STREQ(l.ctype, args[i].ctype, "ctype");
		dwarf_loc_free(&l);
	}
	/* a struct passed by value in two registers: DWARF pieces */
	s2 = one_function(d2, "pair_sum", &n2);
	if (s2 && !fetch(d2, s2, "p.a", 0, &l, err, sizeof(err))) {
		ASSERT_EQ(l.start, LP_LOC_REG, "p.a start");
		ASSERT_EQ(l.reg, 5, "p.a in rdi");
		dwarf_loc_free(&l);
	}
	if (s2 && !fetch(d2, s2, "p.b", 0, &l, err, sizeof(err))) {
		ASSERT_EQ(l.start, LP_LOC_REG, "p.b start");
		ASSERT_EQ(l.reg, 4, "p.b in rsi");
		dwarf_loc_free(&l);
	}
	if (s2)
		dwarf_sites_free(s2, n2);
	nv = dwarf_scope_vars(d2, s, &vars);
	if (ASSERT_EQ(nv, 6, "variables at ints")) {
		for (int i = 0; i < nv; i++) {
			ASSERT_STREQ(vars[i].name, args[i].name, "-L name");
			ASSERT_STREQ(vars[i].ctype, args[i].ctype, "-L type");
			ASSERT_EQ(vars[i].is_param, 1, "-L is_param");
		}
	}
	dwarf_vars_free(vars, nv);
	dwarf_sites_free(s, n);
}

/* -O0 arguments live in the frame: rbp-relative once the prologue ran. */
static void test_o0_frame(void)
{
	struct lp_site *s;
	struct lp_loc l;
	char err[256];
	int n;

	s = one_function(d0, "ints", &n);
	if (!s)
		return;
	if (!fetch(d0, s, "i64", 0, &l, err, sizeof(err))) {
		ASSERT_EQ(l.start, LP_LOC_ADDR, "i64 start");
		ASSERT_EQ(l.reg, 6, "i64 off rbp");
		ASSERT_TRUE(l.base_off < 0, "below rbp");
		ASSERT_EQ(l.nderef, 0, "nderef");
		dwarf_loc_free(&l);
	}
	dwarf_sites_free(s, n);
}

/* Member chains, offsets from frames.h; bit positions by setting each
 * bitfield in a real struct frame and looking where the bits went. */
static void test_members(void)
{
	struct frame probe;
	struct lp_site *s;
	struct lp_loc l;
	char err[256];
	int n;

	s = one_function(d2, "chain", &n);
	if (s) {
		if (!fetch(d2, s, "a->b->c->val", 0, &l, err, sizeof(err))) {
			ASSERT_EQ(l.start, LP_LOC_REG, "start");
			ASSERT_EQ(l.reg, 5, "a in rdi");
			ASSERT_EQ(l.nderef, 3, "nderef");
			ASSERT_EQ(l.step_off[0], offsetof(struct a, b), "step 0");
			ASSERT_EQ(l.step_off[1], offsetof(struct b, c), "step 1");
			ASSERT_EQ(l.step_off[2], offsetof(struct c, val), "step 2");
			ASSERT_EQ(l.size, 8, "size");
			ASSERT_EQ(l.is_signed, 1, "signed");
			ASSERT_STREQ(l.ctype, "long int", "ctype");
			dwarf_loc_free(&l);
		}
		if (!fetch(d2, s, "a->b->c->name", 0, &l, err, sizeof(err))) {
			ASSERT_EQ(l.type, LP_LT_CHARARRAY, "char[16]");
			ASSERT_EQ(l.size, 16, "char[16] size");
			ASSERT_EQ(l.step_off[2], offsetof(struct c, name), "name offset");
			dwarf_loc_free(&l);
		}
		if (!fetch(d2, s, "((struct b *)a)->pad", 0, &l, err, sizeof(err))) {
			ASSERT_EQ(l.nderef, 1, "cast nderef");
			ASSERT_EQ(l.step_off[0], offsetof(struct b, pad), "cast member");
			ASSERT_STREQ(l.ctype, "int", "cast member type");
			dwarf_loc_free(&l);
		}
		if (!fetch(d2, s, "(*a).tag", 0, &l, err, sizeof(err))) {
			ASSERT_EQ(l.nderef, 1, "(*a).tag nderef");
			ASSERT_EQ(l.size, 2, "short");
			dwarf_loc_free(&l);
		}
		dwarf_sites_free(s, n);
	}
	s = one_function(d2, "show", &n);
	if (!s)
		return;
	if (!fetch(d2, s, "f->name", 0, &l, err, sizeof(err))) {
		ASSERT_EQ(l.type, LP_LT_CHARARRAY, "f->name type");
		ASSERT_EQ(l.size, 16, "f->name size");
		ASSERT_EQ(l.step_off[0], offsetof(struct frame, name), "f->name offset");
		dwarf_loc_free(&l);
	}
	if (!fetch(d2, s, "f->label", 0, &l, err, sizeof(err))) {
		ASSERT_EQ(l.type, LP_LT_STRPTR, "const char * is a string");
		ASSERT_EQ(l.size, 8, "pointer size");
		ASSERT_STREQ(l.ctype, "const char *", "ctype");
		dwarf_loc_free(&l);
	}
	if (!fetch(d2, s, "f->a", 0, &l, err, sizeof(err))) {
		ASSERT_EQ(l.type, LP_LT_PTR, "struct pointer");
		ASSERT_STREQ(l.ctype, "struct a *", "ctype");
		dwarf_loc_free(&l);
	}
	if (!fetch(d2, s, "f->color", 0, &l, err, sizeof(err))) {
		ASSERT_EQ(l.type, LP_LT_INT, "enum type");
		ASSERT_STREQ(l.enum_type, "enum color", "enum_type");
		ASSERT_EQ(l.size, sizeof(enum color), "enum size");
		ASSERT_EQ(l.step_off[0], offsetof(struct frame, color), "color offset");
		dwarf_loc_free(&l);
	}
	if (!fetch(d2, s, "f->hdr.flags", 0, &l, err, sizeof(err))) {
		ASSERT_EQ(l.step_off[0], offsetof(struct frame, hdr) + offsetof(struct hdr, flags),
			  "embedded member offset");
		ASSERT_EQ(l.size, 1, "unsigned char");
		dwarf_loc_free(&l);
	}
	if (!fetch(d2, s, "f->color", 0, &l, err, sizeof(err))) {
		int64_t v = 0;

		ASSERT_EQ(dwarf_enum_name(d2, l.enum_type, GREEN, err, sizeof(err)), 0,
			  "enum name");
		ASSERT_STREQ(err, "GREEN", "enumerator");
		ASSERT_EQ(dwarf_enum_name(d2, l.enum_type, 3, err, sizeof(err)), -ENOENT, "3");
		ASSERT_STREQ(err, "3", "no enumerator");
		ASSERT_EQ(dwarf_enum_value(d2, l.enum_type, "BLUE", &v), 0, "enum value");
		ASSERT_EQ(v, BLUE, "BLUE");
		ASSERT_EQ(dwarf_enum_value(d2, "enum nosuch", "BLUE", &v), -ENOENT, "no enum");
		dwarf_loc_free(&l);
	}
	if (!fetch(d2, s, "f->vals", 0, &l, err, sizeof(err))) {
		ASSERT_EQ(l.is_signed, 1, "int elements");
		ASSERT_EQ(l.type, LP_LT_ARRAY, "int[4]");
		ASSERT_EQ(l.size, sizeof(probe.vals), "array size");
		ASSERT_EQ(l.elem_size, sizeof(int), "element size");
		dwarf_loc_free(&l);
	}
	if (!fetch(d2, s, "f->vals[2]", 0, &l, err, sizeof(err))) {
		ASSERT_EQ(l.step_off[0], offsetof(struct frame, vals) + 2 * sizeof(int), "vals[2]");
		ASSERT_EQ(l.type, LP_LT_INT, "element type");
		dwarf_loc_free(&l);
	}
	if (!fetch(d2, s, "f->a->b->c->name[1]", 0, &l, err, sizeof(err))) {
		ASSERT_EQ(l.nderef, 4, "four pointers");
		ASSERT_EQ(l.step_off[3], offsetof(struct c, name) + 1, "name[1]");
		ASSERT_EQ(l.size, 1, "char");
		dwarf_loc_free(&l);
	}
	/* bitfields: the bits DWARF points at are the bits C sets */
	static const struct {
		const char *expr;
		int bits, is_signed;
	} bf[] = { { "f->prio", 3, 0 }, { "f->flags", 5, 0 }, { "f->neg", 4, 1 } };
	for (int i = 0; i < 3; i++) {
		unsigned char *bytes = (unsigned char *)&probe;
		int lowest = -1, count = 0;

		memset(&probe, 0, sizeof(probe));
		if (i == 0)
			probe.prio = 7;
		else if (i == 1)
			probe.flags = 31;
		else
			probe.neg = -1;
		for (size_t b = 0; b < sizeof(probe) * 8; b++) {
			if (bytes[b / 8] >> (b % 8) & 1) {
				lowest = lowest < 0 ? (int)b : lowest;
				count++;
			}
		}
		if (fetch(d2, s, bf[i].expr, 0, &l, err, sizeof(err)))
			continue;
		ASSERT_EQ(l.bit_size, bf[i].bits, bf[i].expr);
		ASSERT_EQ(count, bf[i].bits, "bits set by C");
		ASSERT_EQ(l.step_off[0] * 8 + l.bit_offset, lowest, "bit position");
		ASSERT_TRUE(l.bit_offset + l.bit_size <= l.size * 8, "bits inside the read");
		ASSERT_EQ(l.is_signed, bf[i].is_signed, "bitfield signedness");
		dwarf_loc_free(&l);
	}
	dwarf_sites_free(s, n);
}

static void test_labels(void)
{
	struct lp_dwarf *ds[2] = { d0, d2 };
	const char *paths[2] = { FIXTURE_O0, FIXTURE_O2 };

	for (int o = 0; o < 2; o++) {
		static const char *const labels[][2] = { { "search", "found" },
							 { "stacked", "ready" } };

		for (int i = 0; i < 2; i++) {
			uint64_t pcs[4];
			struct lp_site *s;
			int n, np = readelf_labels(paths[o], labels[i][1], pcs, 4);

			s = one_label(ds[o], labels[i][0], labels[i][1], &n);
			if (!s || !ASSERT_EQ(np, 1, "readelf's label"))
				goto next;
			ASSERT_EQ(s->addr, pcs[0], "label address");
			ASSERT_STREQ(s->func, labels[i][0], "func");
			ASSERT_EQ(s->inlined, 0, "not inlined");
			ASSERT_TRUE(s->line > 0 && s->file, "declared at");
next:
			if (s)
				dwarf_sites_free(s, n);
		}
		/* scan() is inlined into scan_a and scan_b: a site per copy */
		{
			uint64_t pcs[4];
			struct lp_site *s;
			char err[256];
			int np = readelf_labels(paths[o], "hit", pcs, 4);
			int n = dwarf_label_sites(ds[o], "scan", "hit", &s, err, sizeof(err));

			if (ASSERT_EQ(n, 2, "copies of hit") &&
			    ASSERT_EQ(np, 2, "readelf's copies")) {
				for (int i = 0; i < 2; i++) {
					ASSERT_TRUE(s[i].addr == pcs[0] || s[i].addr == pcs[1],
						    "copy address");
					ASSERT_EQ(s[i].inlined, 1, "inlined");
					ASSERT_STREQ(s[i].func, "scan", "func");
				}
				ASSERT_TRUE(!strncmp(s[0].symbol, "scan_", 5) &&
						    !strncmp(s[1].symbol, "scan_", 5) &&
						    s[0].symbol[5] != s[1].symbol[5],
					    "one copy in scan_a, one in scan_b");
			}
			if (n > 0)
				dwarf_sites_free(s, n);
			/* globs */
			n = dwarf_label_sites(ds[o], "s*", "*", &s, err, sizeof(err));
			ASSERT_EQ(n, 4, "every label of s*");
			if (n > 0)
				dwarf_sites_free(s, n);
		}
	}
}

/* At -O2 a label's locals are in registers (location lists chosen by the
 * address) and frame slots are CFA-relative through the CFI. */
static void test_label_locations(void)
{
	struct lp_site *s;
	struct lp_var *vars;
	struct lp_loc l;
	char err[256], reg[16];
	long cfa_off = 0, fbreg = 0;
	int n, nv;

	s = one_label(d2, "search", "found", &n);
	if (s) {
		static const char *const want[][2] = {
			{ "arr", "const int *" }, { "n", "int" },     { "want", "int" },
			{ "idx", "int" },	  { "steps", "int" }, { "first", "int" },
		};

		if (!fetch(d2, s, "idx", 0, &l, err, sizeof(err))) {
			ASSERT_EQ(l.start, LP_LOC_REG, "idx in a register");
			dwarf_loc_free(&l);
		}
		if (!fetch(d2, s, "steps", 0, &l, err, sizeof(err))) {
			ASSERT_EQ(l.start, LP_LOC_REG, "steps in a register");
			dwarf_loc_free(&l);
		}
		nv = dwarf_scope_vars(d2, s, &vars);
		if (ASSERT_EQ(nv, 6, "variables at found")) {
			for (int i = 0; i < nv; i++) {
				ASSERT_STREQ(vars[i].name, want[i][0], "-L name");
				ASSERT_STREQ(vars[i].ctype, want[i][1], "-L type");
				ASSERT_EQ(vars[i].is_param, i < 3, "-L is_param");
			}
		}
		dwarf_vars_free(vars, nv);
		dwarf_sites_free(s, n);
	}
	s = one_label(d2, "stacked", "ready", &n);
	if (!s)
		return;
	if (ASSERT_TRUE(readelf_cfa(FIXTURE_O2, s->addr, reg, &cfa_off), "readelf CFA") &&
	    ASSERT_TRUE(readelf_fbreg(FIXTURE_O2, "stacked", "h", &fbreg), "readelf fbreg") &&
	    !fetch(d2, s, "h.flags", 0, &l, err, sizeof(err))) {
		ASSERT_STREQ(reg, "rsp", "CFA register at -O2");
		ASSERT_EQ(l.start, LP_LOC_ADDR, "h in memory");
		ASSERT_EQ(l.reg, 7, "rsp");
		ASSERT_EQ(l.base_off, cfa_off + fbreg + (long)offsetof(struct hdr, flags),
			  "CFA + fbreg + member");
		ASSERT_EQ(l.nderef, 0, "nderef");
		dwarf_loc_free(&l);
	}
	dwarf_sites_free(s, n);
}

static void test_statement(void)
{
	int line = marker_line("/* STATEMENT_HERE */");
	struct lp_dwarf *ds[2] = { d0, d2 };
	const char *paths[2] = { FIXTURE_O0, FIXTURE_O2 };
	char spec[512], err[256];
	struct lp_site *s;
	uint64_t addr;
	int n;

	if (!ASSERT_TRUE(line > 0, "marker line"))
		return;
	for (int o = 0; o < 2; o++) {
		snprintf(spec, sizeof(spec), "frames.c:%d", line);
		n = dwarf_statement_sites(ds[o], spec, &s, err, sizeof(err));
		if (ASSERT_EQ(n, 1, spec) &&
		    ASSERT_TRUE(readelf_line_addr(paths[o], line, &addr), "readelf line")) {
			ASSERT_EQ(s->addr, addr, "first is_stmt address");
			ASSERT_STREQ(s->func, "chain", "func");
			ASSERT_EQ(s->line, line, "line");
			ASSERT_TRUE(s->file && strstr(s->file, "uprobe/frames.c"), "file");
		}
		if (n > 0)
			dwarf_sites_free(s, n);
		/* with a function, and the file by more of its path */
		snprintf(spec, sizeof(spec), "chain@uprobe/frames.c:%d", line);
		n = dwarf_statement_sites(ds[o], spec, &s, err, sizeof(err));
		ASSERT_EQ(n, 1, spec);
		if (n > 0)
			dwarf_sites_free(s, n);
		snprintf(spec, sizeof(spec), "show@frames.c:%d", line);
		n = dwarf_statement_sites(ds[o], spec, &s, err, sizeof(err));
		ASSERT_EQ(n, -ENOENT, "the line is not in show");
		n = dwarf_statement_sites(ds[o], "nosuch.c:10", &s, err, sizeof(err));
		ASSERT_EQ(n, -ENOENT, "no such file");
		snprintf(spec, sizeof(spec), "no source file 'nosuch.c' in %s", dwarf_path(ds[o]));
		ASSERT_STREQ(err, spec, "message");
	}
	/* a comment line has no code: the message names the lines around it */
	n = dwarf_statement_sites(d0, "frames.c:1", &s, err, sizeof(err));
	ASSERT_EQ(n, -ENOENT, "no code on line 1");
	ASSERT_TRUE(!strncmp(err, "no code at frames.c:1 (nearest line with code: ", 47),
		    "message for a line without code");
}

static void test_errors(void)
{
	struct lp_site *s;
	struct lp_loc l;
	char err[256], want[256];
	int n;

	s = one_function(d2, "show", &n);
	if (s) {
		ASSERT_EQ(dwarf_fetch(d2, s, "f->pri", 0, &l, err, sizeof(err)), -ENOENT, "pri");
		ASSERT_STREQ(err, "struct frame has no member 'pri' (did you mean 'prio'?)",
			     "misspelt member");
		ASSERT_EQ(dwarf_fetch(d2, s, "f->hdr.flgs", 0, &l, err, sizeof(err)), -ENOENT,
			  "flgs");
		ASSERT_STREQ(err, "struct hdr has no member 'flgs' (did you mean 'flags'?)",
			     "misspelt embedded member");
		ASSERT_EQ(dwarf_fetch(d2, s, "f.id", 0, &l, err, sizeof(err)), -EINVAL, "f.id");
		ASSERT_STREQ(err, "'f' (struct frame *) is a pointer: use '->'",
			     "'.' on a pointer");
		ASSERT_EQ(dwarf_fetch(d2, s, "f->hdr->len", 0, &l, err, sizeof(err)), -EINVAL,
			  "hdr->len");
		ASSERT_STREQ(err, "'f->hdr' (struct hdr) is not a pointer: use '.'",
			     "'->' on a struct");
		ASSERT_EQ(dwarf_fetch(d2, s, "f->vals[4]", 0, &l, err, sizeof(err)), -ERANGE,
			  "vals[4]");
		ASSERT_STREQ(err, "index 4 is outside 'f->vals' (int [4])", "index out of range");
		ASSERT_EQ(dwarf_fetch(d2, s, "f->hdr", 0, &l, err, sizeof(err)), -EINVAL, "hdr");
		ASSERT_STREQ(
			err,
			"'f->hdr' (struct hdr) is a whole struct: fetch one of its members (len, flags)",
			"whole struct");
		ASSERT_EQ(dwarf_fetch(d2, s, "$retval", 0, &l, err, sizeof(err)), -EINVAL,
			  "$retval at entry");
		ASSERT_STREQ(err, "$retval is only known at a return probe", "$retval at entry");
		ASSERT_EQ(dwarf_fetch(d2, s, "f->", 0, &l, err, sizeof(err)), -EINVAL, "syntax");
		ASSERT_STREQ(err, "column 4: expected a member name after '->' at the end",
			     "syntax error");
		ASSERT_EQ(dwarf_fetch(d2, s, "(struct nosuch *)f", 0, &l, err, sizeof(err)),
			  -ENOENT, "cast to an unknown struct");
		snprintf(want, sizeof(want), "no type 'struct nosuch' in %s", dwarf_path(d2));
		ASSERT_STREQ(err, want, "unknown struct");
		dwarf_sites_free(s, n);
	}
	s = one_label(d2, "search", "found", &n);
	if (s) {
		ASSERT_EQ(dwarf_fetch(d2, s, "idz", 0, &l, err, sizeof(err)), -ENOENT, "idz");
		snprintf(want, sizeof(want),
			 "no variable 'idz' in scope at %s (did you mean 'idx'?)", s->symbol);
		ASSERT_STREQ(err, want, "unknown variable");
		/* first is dead once the loop ran: no location list entry there */
		ASSERT_EQ(dwarf_fetch(d2, s, "first", 0, &l, err, sizeof(err)), -ENODATA, "first");
		ASSERT_STREQ(err, "'first' is optimized out at this point", "optimized out");
		dwarf_sites_free(s, n);
	}
	s = one_function(d2, "search", &n);
	if (s) {
		/* locals are not in scope at a function's entry */
		ASSERT_EQ(dwarf_fetch(d2, s, "idx", 0, &l, err, sizeof(err)), -ENOENT,
			  "idx at entry");
		ASSERT_EQ(dwarf_fetch(d2, s, "want", 1, &l, err, sizeof(err)), -EINVAL,
			  "a parameter at return");
		ASSERT_STREQ(err,
			     "'want' is not known at a return probe (only $retval and globals are)",
			     "parameter at return");
		dwarf_sites_free(s, n);
	}
	n = dwarf_function_sites(d2, "serch", &s, err, sizeof(err));
	ASSERT_EQ(n, -ENOENT, "serch");
	snprintf(want, sizeof(want), "no function 'serch' in %s (did you mean 'search'?)",
		 dwarf_path(d2));
	ASSERT_STREQ(err, want, "unknown function");
	n = dwarf_function_sites(d2, "scan", &s, err, sizeof(err));
	ASSERT_EQ(n, -ENOENT, "scan has no out-of-line copy");
	snprintf(
		want, sizeof(want),
		"function 'scan' in %s has no out-of-line copy (it is always inlined): probe its labels or lines instead",
		dwarf_path(d2));
	ASSERT_STREQ(err, want, "inlined-only function");
	n = dwarf_label_sites(d2, "search", "fund", &s, err, sizeof(err));
	ASSERT_EQ(n, -ENOENT, "fund");
	ASSERT_STREQ(err, "no label 'fund' in search (did you mean 'found'?)", "unknown label");
}

static void test_retval_and_globals(void)
{
	uint64_t sym, size;
	struct lp_site *s;
	struct lp_loc l;
	char err[256];
	int n;

	s = one_function(d2, "answer", &n);
	if (!s)
		return;
	if (!fetch(d2, s, "$retval", 1, &l, err, sizeof(err))) {
		ASSERT_EQ(l.start, LP_LOC_REG, "$retval start");
		ASSERT_EQ(l.reg, 0, "rax");
		ASSERT_EQ(l.size, 4, "int");
		ASSERT_EQ(l.is_signed, 1, "signed");
		dwarf_loc_free(&l);
	}
	/* a global: at its link-time address, the planner adds the load bias */
	if (ASSERT_TRUE(nm_sym(FIXTURE_O2, "frames_counter", &sym, &size), "nm frames_counter") &&
	    !fetch(d2, s, "frames_counter", 1, &l, err, sizeof(err))) {
		ASSERT_EQ(l.start, LP_LOC_ADDR, "global start");
		ASSERT_EQ(l.reg, -1, "absolute");
		ASSERT_EQ(l.base_off, sym, "address");
		ASSERT_STREQ(l.ctype, "volatile int", "ctype");
		dwarf_loc_free(&l);
	}
	dwarf_sites_free(s, n);
}

static void test_nodebug(void)
{
	uint64_t sym, size;
	struct lp_site *s;
	struct lp_loc l;
	char err[256], want[512];
	int n;

	s = one_function(dn, "search", &n);
	if (!s)
		return;
	if (ASSERT_TRUE(nm_sym(FIXTURE_NODEBUG, "search", &sym, &size), "nm"))
		ASSERT_EQ(s->addr, sym, "symbol address");
	ASSERT_STREQ(s->symbol, "search", "symbol");
	ASSERT_TRUE(s->file == NULL && s->line == 0, "no source");
	ASSERT_EQ(dwarf_fetch(dn, s, "arr", 0, &l, err, sizeof(err)), -ENOENT, "fetch");
	snprintf(want, sizeof(want),
		 "no 'arr' without debuginfo for %s: a function's entry has arg0..arg5 (a return "
		 "probe $retval), as integers, and casts of them such as (char *)arg0",
		 dwarf_path(dn));
	ASSERT_STREQ(err, want, "no debuginfo message");
	/* the calling convention's registers (x86-64 SysV: rdi, rsi, ...) */
	if (ASSERT_EQ(dwarf_fetch(dn, s, "arg0", 0, &l, err, sizeof(err)), 0, err)) {
		ASSERT_EQ(l.start, LP_LOC_REG, "arg0 start");
		ASSERT_EQ(l.reg, 5, "arg0 in rdi");
		ASSERT_EQ(l.size, 8, "arg0 size");
		ASSERT_STREQ(l.ctype, "uint64_t", "arg0 ctype");
		dwarf_loc_free(&l);
	}
	if (ASSERT_EQ(dwarf_fetch(dn, s, "(char *)arg1", 0, &l, err, sizeof(err)), 0, err)) {
		ASSERT_EQ(l.type, LP_LT_STRPTR, "a string");
		ASSERT_EQ(l.reg, 4, "arg1 in rsi");
		ASSERT_STREQ(l.ctype, "char *", "cast ctype");
		dwarf_loc_free(&l);
	}
	if (ASSERT_EQ(dwarf_fetch(dn, s, "*(int32_t *)arg2", 0, &l, err, sizeof(err)), 0, err)) {
		ASSERT_EQ(l.start, LP_LOC_REG, "what rdx points to");
		ASSERT_EQ(l.reg, 1, "arg2 in rdx");
		ASSERT_EQ(l.nderef, 1, "one read");
		ASSERT_EQ(l.size, 4, "int32_t");
		ASSERT_EQ(l.is_signed, 1, "signed");
		dwarf_loc_free(&l);
	}
	ASSERT_EQ(dwarf_fetch(dn, s, "arg0", 1, &l, err, sizeof(err)), -EINVAL, "arg0 at a return");
	if (ASSERT_EQ(dwarf_fetch(dn, s, "$retval", 1, &l, err, sizeof(err)), 0, err)) {
		ASSERT_EQ(l.reg, 0, "$retval in rax");
		dwarf_loc_free(&l);
	}
	snprintf(want, sizeof(want),
		 "no debuginfo for %s: only symbol probes (uprobe:PATH:func without fetches) work",
		 dwarf_path(dn));
	dwarf_sites_free(s, n);
	n = dwarf_label_sites(dn, "search", "found", &s, err, sizeof(err));
	ASSERT_EQ(n, -ENODATA, "labels need debuginfo");
	ASSERT_STREQ(err, want, "labels message");
	n = dwarf_function_sites(dn, "serch", &s, err, sizeof(err));
	ASSERT_EQ(n, -ENOENT, "serch");
	snprintf(want, sizeof(want), "no function 'serch' in %s (did you mean 'search'?)",
		 dwarf_path(dn));
	ASSERT_STREQ(err, want, "did you mean from the symbol table");
}

static void test_list(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int n;

	if (!ASSERT_TRUE(f != NULL, "memstream"))
		return;
	n = dwarf_list(d2, "s*", 0, f);
	ASSERT_EQ(n, 6, "functions s*");
	n = dwarf_list(d2, "*", 1, f);
	ASSERT_EQ(n, 3, "labels");
	fclose(f);
	ASSERT_STREQ(buf,
		     "scaled\nscan_a\nscan_b\nsearch\nshow\nstacked\n"
		     "scan:hit\nsearch:found\nstacked:ready\n",
		     "-l output");
	free(buf);
}

/* Every location, followed in the running fixture, gives what it printed. */
static void test_traced_values(void)
{
	static const struct check ints[] = { { "c8", "c8" },   { "s16", "s16" }, { "i32", "i32" },
					     { "i64", "i64" }, { "u8", "u8" },	 { "u32", "u32" } };
	static const struct check ret[] = { { "$retval", "ret" } };
	static const struct check answer[] = { { "x", "x" } };
	static const struct check chain[] = { { "a->tag", "tag" },
					      { "a->b->c->val", "val" },
					      { "a->b->c->name", "name" },
					      { "(*a).tag", "tag" } };
	static const struct check show[] = {
		{ "f->id", "id" },
		{ "f->prio", "prio" },
		{ "f->flags", "flags" },
		{ "f->neg", "neg" },
		{ "f->name", "name" },
		{ "f->label", "label" },
		{ "f->color", "color" },
		{ "f->hdr.len", "hdr.len" },
		{ "f->hdr.flags", "hdr.flags" },
		{ "f->vals[2]", "vals[2]" },
	};
	static const struct check found[] = { { "want", "want" },
					      { "idx", "idx" },
					      { "steps", "steps" } };
	static const struct check ready[] = { { "x", "x" },
					      { "h.len", "h.len" },
					      { "h.flags", "h.flags" } };
	static const struct check hit[] = { { "s", "s" }, { "pos", "pos" } };
	static const struct check scaled[] = { { "x", "x" }, { "factor", "factor" } };
	static const struct check pair[] = { { "p.a", "a" }, { "p.b", "b" } };
	static const struct check stmt[] = { { "c->val", "val" },
					     { "c->name", "name" },
					     { "a->tag", "tag" } };
	struct lp_dwarf *ds[2] = { d0, d2 };
	const char *paths[2] = { FIXTURE_O0, FIXTURE_O2 };
	char err[256], spec[64];

#define NCHECK(a) (int)(sizeof(a) / sizeof(a[0]))
	for (int o = 0; o < 2; o++) {
		struct lp_dwarf *d = ds[o];
		const char *p = paths[o];
		struct lp_site *s;
		int n;

		if ((s = one_function(d, "ints", &n))) {
			check_values(p, d, s, 0, "ints", NULL, ints, NCHECK(ints));
			check_values(p, d, s, 1, "ints", NULL, ret, NCHECK(ret));
			dwarf_sites_free(s, n);
		}
		if ((s = one_function(d, "answer", &n))) {
			check_values(p, d, s, 0, "answer", NULL, answer, NCHECK(answer));
			check_values(p, d, s, 1, "answer", NULL, ret, NCHECK(ret));
			dwarf_sites_free(s, n);
		}
		if ((s = one_function(d, "chain", &n))) {
			check_values(p, d, s, 0, "chain", NULL, chain, NCHECK(chain));
			dwarf_sites_free(s, n);
		}
		if ((s = one_function(d, "show", &n))) {
			check_values(p, d, s, 0, "show", NULL, show, NCHECK(show));
			dwarf_sites_free(s, n);
		}
		if ((s = one_function(d, "pair_sum", &n))) {
			check_values(p, d, s, 0, "pair_sum", NULL, pair, NCHECK(pair));
			check_values(p, d, s, 1, "pair_sum", NULL, ret, NCHECK(ret));
			dwarf_sites_free(s, n);
		}
		if ((s = one_function(d, "scaled", &n))) {
			check_values(p, d, s, 0, "scaled", NULL, scaled, NCHECK(scaled));
			dwarf_sites_free(s, n);
		}
		if ((s = one_label(d, "search", "found", &n))) {
			check_values(p, d, s, 0, "search", NULL, found, NCHECK(found));
			dwarf_sites_free(s, n);
		}
		if ((s = one_label(d, "stacked", "ready", &n))) {
			check_values(p, d, s, 0, "stacked", NULL, ready, NCHECK(ready));
			dwarf_sites_free(s, n);
		}
		n = dwarf_label_sites(d, "scan", "hit", &s, err, sizeof(err));
		for (int i = 0; i < n; i++) {
			/* the copy in scan_a stops on scan_a's calls that find 'a' */
			char prefix[8];

			snprintf(prefix, sizeof(prefix), "%.6s", s[i].symbol);
			check_values(p, d, &s[i], 0, prefix, " pos=-1 ", hit, NCHECK(hit));
		}
		if (n > 0)
			dwarf_sites_free(s, n);
		snprintf(spec, sizeof(spec), "frames.c:%d", marker_line("/* STATEMENT_HERE */"));
		n = dwarf_statement_sites(d, spec, &s, err, sizeof(err));
		if (ASSERT_EQ(n, 1, "statement"))
			check_values(p, d, s, 0, "chain", NULL, stmt, NCHECK(stmt));
		if (n > 0)
			dwarf_sites_free(s, n);
	}
}

/* No path is an error, not a crash: dwarf_open(NULL), and a line table
 * row whose file libdw cannot name (dwarf_linesrc() gives NULL) when a
 * statement's file is matched against it. */
static void test_null_path(void)
{
	errno = 0;
	ASSERT_TRUE(dwarf_open(NULL) == NULL, "dwarf_open(NULL)");
	ASSERT_EQ(errno, EINVAL, "errno for no path");
	ASSERT_TRUE(!lines_path_tail_match(NULL, "frames.c"), "a row without a file");
	ASSERT_TRUE(lines_path_tail_match("/src/uprobe/frames.c", "uprobe/frames.c"), "tail");
	ASSERT_TRUE(lines_path_tail_match("frames.c", "frames.c"), "whole");
	ASSERT_TRUE(!lines_path_tail_match("/src/xframes.c", "frames.c"), "whole components");
}

/* Hostile expressions end in a message: 100,000 '*' or '(' used to
 * overflow the C stack, and an index whose byte offset passes 32 bits
 * wrapped in the template (f->label[4294967296] read f->label[0]). */
static char *repeat(char c, size_t n, const char *tail)
{
	size_t t = strlen(tail);
	char *s = malloc(n + t + 1);

	if (!s)
		exit(1);
	memset(s, c, n);
	memcpy(s + n, tail, t + 1);
	return s;
}

static void test_hostile(void)
{
	struct lp_dwarf *dirs[2] = { d0, d2 };
	char err[512];
	struct lp_loc l;
	char *e;
	int n;

	for (int i = 0; i < 2; i++) {
		struct lp_site *s = one_function(dirs[i], "show", &n);

		if (!s)
			continue;
		e = repeat('*', 100000, "f");
		ASSERT_EQ(dwarf_fetch(dirs[i], s, e, 0, &l, err, sizeof(err)), -E2BIG,
			  "100000 '*'");
		ASSERT_TRUE(strstr(err, "nested too deeply"), "message for 100000 '*'");
		free(e);
		e = repeat('(', 100000, "f");
		ASSERT_EQ(dwarf_fetch(dirs[i], s, e, 0, &l, err, sizeof(err)), -E2BIG,
			  "100000 '('");
		free(e);
		e = repeat('(', 100000, "int)f");
		ASSERT_EQ(dwarf_fetch(dirs[i], s, e, 0, &l, err, sizeof(err)), -E2BIG, "casts");
		free(e);
		/* 64 levels are still an expression */
		e = repeat('*', 1, "f->label");
		ASSERT_EQ(fetch(dirs[i], s, e, 0, &l, err, sizeof(err)), 0, "*f->label");
		dwarf_loc_free(&l);
		free(e);
		ASSERT_EQ(dwarf_fetch(dirs[i], s, "f->label[4294967296]", 0, &l, err, sizeof(err)),
			  -ERANGE, "label[2^32]");
		ASSERT_STREQ(
			err,
			"index 4294967296 of 'f->label' is too far: a fetch reads at most 2 GiB "
			"from an address",
			"message for label[2^32]");
		ASSERT_EQ(dwarf_fetch(dirs[i], s, "f[1073741824].id", 0, &l, err, sizeof(err)),
			  -ERANGE, "f[2^30]");
		ASSERT_EQ(dwarf_fetch(dirs[i], s, "f[4611686018427387904].id", 0, &l, err,
				      sizeof(err)),
			  -ERANGE, "f[2^62]");
		ASSERT_EQ(dwarf_fetch(dirs[i], s, "f[-9223372036854775808].id", 0, &l, err,
				      sizeof(err)),
			  -ERANGE, "f[-2^63]");
		ASSERT_EQ(dwarf_fetch(dirs[i], s, "f[99999999999999999999].id", 0, &l, err,
				      sizeof(err)),
			  -EINVAL, "an index past 64 bits");
		/* within 2 GiB: still a fetch */
		ASSERT_EQ(fetch(dirs[i], s, "f->label[2147483647]", 0, &l, err, sizeof(err)), 0,
			  "label[2^31-1]");
		dwarf_loc_free(&l);
		dwarf_sites_free(s, n);
	}
}

/* Binaries are regular files: a FIFO blocked open() (uninterruptibly,
 * with signals blocked), a directory is no ELF file either. */
static void test_not_files(void)
{
	char fifo[] = "/tmp/lp-test-fifo-XXXXXX";
	int fd = mkstemp(fifo);

	if (!ASSERT_TRUE(fd >= 0, "mkstemp"))
		return;
	close(fd);
	unlink(fifo);
	if (!ASSERT_TRUE(mkfifo(fifo, 0600) == 0, "mkfifo"))
		return;
	errno = 0;
	ASSERT_TRUE(!dwarf_open(fifo) && errno == ENOEXEC, "ENOEXEC for a FIFO");
	unlink(fifo);
	errno = 0;
	ASSERT_TRUE(!dwarf_open("/tmp") && errno == EISDIR, "EISDIR for a directory");
	errno = 0;
	ASSERT_TRUE(!dwarf_open("/dev/zero") && errno == ENOEXEC, "ENOEXEC for /dev/zero");
}

static void test_close(void)
{
	dwarf_close(d0);
	dwarf_close(d2);
	dwarf_close(dn);
}

TEST_MAIN(TEST(test_open), TEST(test_function_sites), TEST(test_clone), TEST(test_symbol_site),
	  TEST(test_o2_registers), TEST(test_o0_frame), TEST(test_members), TEST(test_labels),
	  TEST(test_label_locations), TEST(test_statement), TEST(test_errors),
	  TEST(test_retval_and_globals), TEST(test_nodebug), TEST(test_list),
	  TEST(test_traced_values), TEST(test_null_path), TEST(test_hostile), TEST(test_not_files),
	  TEST(test_close))
