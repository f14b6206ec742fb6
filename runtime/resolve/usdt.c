/* USDT markers: <sys/sdt.h> leaves one ELF note per marker in
 * .note.stapsdt (owner "stapsdt", type 3): the marker's address, the
 * link-time address of .stapsdt.base (to undo prelinking), the semaphore's
 * address, then "provider\0name\0args\0". Each argument is
 * "[-]SIZE@OPERAND" in the assembler's syntax: a register, memory at
 * register + displacement, or an immediate. */
#include "resolve/usdt.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NT_STAPSDT 3

/* x86-64 register names by width, as DWARF numbers them (psABI 3.38). */
static const struct {
	const char *name;
	int reg;
} regs[] = {
	{ "rax", 0 },	{ "eax", 0 },	{ "ax", 0 },	{ "al", 0 },	{ "rdx", 1 },
	{ "edx", 1 },	{ "dx", 1 },	{ "dl", 1 },	{ "rcx", 2 },	{ "ecx", 2 },
	{ "cx", 2 },	{ "cl", 2 },	{ "rbx", 3 },	{ "ebx", 3 },	{ "bx", 3 },
	{ "bl", 3 },	{ "rsi", 4 },	{ "esi", 4 },	{ "si", 4 },	{ "sil", 4 },
	{ "rdi", 5 },	{ "edi", 5 },	{ "di", 5 },	{ "dil", 5 },	{ "rbp", 6 },
	{ "ebp", 6 },	{ "bp", 6 },	{ "bpl", 6 },	{ "rsp", 7 },	{ "esp", 7 },
	{ "sp", 7 },	{ "spl", 7 },	{ "r8", 8 },	{ "r8d", 8 },	{ "r8w", 8 },
	{ "r8b", 8 },	{ "r9", 9 },	{ "r9d", 9 },	{ "r9w", 9 },	{ "r9b", 9 },
	{ "r10", 10 },	{ "r10d", 10 }, { "r10w", 10 }, { "r10b", 10 }, { "r11", 11 },
	{ "r11d", 11 }, { "r11w", 11 }, { "r11b", 11 }, { "r12", 12 },	{ "r12d", 12 },
	{ "r12w", 12 }, { "r12b", 12 }, { "r13", 13 },	{ "r13d", 13 }, { "r13w", 13 },
	{ "r13b", 13 }, { "r14", 14 },	{ "r14d", 14 }, { "r14w", 14 }, { "r14b", 14 },
	{ "r15", 15 },	{ "r15d", 15 }, { "r15w", 15 }, { "r15b", 15 }, { "rip", 16 },
};

/* "%rdi" at s: the DWARF register number, and where the name ends. */
static int parse_reg(const char *s, const char **end, char *err, size_t errlen)
{
	size_t n = 0;

	if (*s != '%') {
		snprintf(err, errlen, "expected a register at '%s'", s);
		return -EINVAL;
	}
	s++;
	while (isalnum((unsigned char)s[n]))
		n++;
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (strlen(regs[i].name) == n && !strncmp(regs[i].name, s, n)) {
			*end = s + n;
			return regs[i].reg;
		}
	/* %ah..%dh are bits 8-15 of a register: no lp_loc reads those */
	snprintf(err, errlen, "register '%%%.*s' is not one luaprobe can read", (int)n, s);
	return -EOPNOTSUPP;
}

int usdt_parse_arg(const char *spec, uint64_t pc,
		   int (*sym_addr)(void *ctx, const char *name, uint64_t *addr), void *ctx,
		   struct lp_loc *loc, char *err, size_t errlen)
{
	const char *s = spec, *at = strchr(spec, '@'), *end;
	long long size = 8, disp = 0;
	int is_signed = 0, reg;
	char sym[128] = "";

	memset(loc, 0, sizeof(*loc));
	if (at) {
		char *e;

		size = strtoll(s, &e, 10);
		if (e != at) {
			snprintf(err, errlen, "bad size in '%s'", spec);
			return -EINVAL;
		}
		is_signed = size < 0;
		size = llabs(size);
		s = at + 1;
	}
	/* an argument without a size is an old note's long */
	if (!at)
		is_signed = 1;
	if (size != 1 && size != 2 && size != 4 && size != 8) {
		snprintf(err, errlen, "size %lld in '%s' is not 1, 2, 4 or 8", size, spec);
		return -EINVAL;
	}
	loc->type = LP_LT_INT;
	loc->size = (int)size;
	loc->is_signed = is_signed;
	if (*s == '$') {
		char *e;

		errno = 0;
		disp = strtoll(s + 1, &e, 0);
		if (e == s + 1 || *e || errno) {
			snprintf(err, errlen, "bad constant in '%s'", spec);
			return -EINVAL;
		}
		loc->start = LP_LOC_CONST;
		loc->reg = -1;
		loc->base_off = disp;
		return 0;
	}
	if (*s == '%') {
		reg = parse_reg(s, &end, err, errlen);
		if (reg < 0)
			return reg;
		if (*end || reg == 16) {
			snprintf(err, errlen, "cannot read '%s'", spec);
			return -EOPNOTSUPP;
		}
		loc->start = LP_LOC_REG;
		loc->reg = reg;
		return 0;
	}
	/* memory: [disp][+sym][+-disp](%reg), "-16(%rbp)", "8+gs(%rip)" */
	for (int part = 0; part < 3; part++) {
		if (*s == '-' || *s == '+' || isdigit((unsigned char)*s)) {
			long long k;
			char *e;

			if (*s == '+' && !isdigit((unsigned char)s[1]))
				s++; /* "8+sym": the symbol follows */
			if (!(*s == '-' || *s == '+' || isdigit((unsigned char)*s)))
				continue;
			errno = 0;
			k = strtoll(s, &e, 0);
			if (e == s || errno) {
				snprintf(err, errlen, "bad displacement in '%s'", spec);
				return -EINVAL;
			}
			disp += k;
			s = e;
		} else if (!sym[0] && (isalpha((unsigned char)*s) || *s == '_')) {
			size_t n = 0;

			while (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '.')
				n++;
			snprintf(sym, sizeof(sym), "%.*s", (int)n, s);
			s += n;
		}
	}
	if (*s != '(') {
		if (sym[0] && !*s) {
			/* an absolute address: a global in a non-PIC binary */
			snprintf(err, errlen,
				 "'%s' is at an absolute address luaprobe cannot read yet", spec);
			return -EOPNOTSUPP;
		}
		snprintf(err, errlen, "cannot parse argument '%s'", spec);
		return -EINVAL;
	}
	reg = parse_reg(s + 1, &end, err, errlen);
	if (reg < 0)
		return reg;
	if (*end != ')' || end[1]) {
		snprintf(err, errlen, "'%s' is indexed memory, which luaprobe cannot read yet",
			 spec);
		return -EOPNOTSUPP;
	}
	if (sym[0]) {
		uint64_t addr;

		if (reg != 16) {
			snprintf(err, errlen, "'%s': a symbol plus a register other than %%rip",
				 spec);
			return -EOPNOTSUPP;
		}
		if (!sym_addr || sym_addr(ctx, sym, &addr)) {
			snprintf(err, errlen, "'%s': no symbol '%s' in the file", spec, sym);
			return -ENOENT;
		}
		/* At a uprobe the kernel sets rip to the probed address: the
		 * global is where the file placed it, as far from the marker
		 * as at link time. */
		disp += (long long)(addr - pc);
	} else if (reg == 16) {
		/* rip-relative with a number: relative to the next instruction,
		 * which the note does not say */
		snprintf(err, errlen, "'%s' is relative to an instruction the note does not give",
			 spec);
		return -EOPNOTSUPP;
	}
	loc->start = LP_LOC_ADDR;
	loc->reg = reg;
	loc->base_off = disp;
	return 0;
}

/* ---- the ELF file ---- */

struct elf_file {
	int fd;
	Elf *elf;
};

/* The file offset of a link-time address, through its PT_LOAD segment. */
static int file_offset(Elf *elf, uint64_t addr, uint64_t *off)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return -ENOEXEC;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (addr >= ph.p_vaddr && addr < ph.p_vaddr + ph.p_filesz) {
			*off = addr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ERANGE;
}

/* A symbol's address from .symtab, else .dynsym. */
static int sym_addr(void *ctx, const char *name, uint64_t *addr)
{
	Elf *elf = ctx;

	for (int pass = 0; pass < 2; pass++) {
		Elf_Scn *scn = NULL;

		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			Elf_Data *data;

			if (!gelf_getshdr(scn, &sh) ||
			    sh.sh_type != (pass ? SHT_DYNSYM : SHT_SYMTAB) || !sh.sh_entsize)
				continue;
			data = elf_getdata(scn, NULL);
			for (size_t i = 0; data && i < sh.sh_size / sh.sh_entsize; i++) {
				GElf_Sym s;
				const char *n;

				if (!gelf_getsym(data, (int)i, &s) || s.st_shndx == SHN_UNDEF)
					continue;
				n = elf_strptr(elf, sh.sh_link, s.st_name);
				if (n && !strcmp(n, name)) {
					*addr = s.st_value;
					return 0;
				}
			}
		}
	}
	return -ENOENT;
}

/* The section named `name`, or NULL. */
static Elf_Scn *section(Elf *elf, const char *name, GElf_Shdr *sh)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, sh))
			continue;
		n = elf_strptr(elf, shstrndx, sh->sh_name);
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

/* One note's description into n. 0, or -EINVAL for a malformed note. */
static int read_note(Elf *elf, const char *desc, size_t len, uint64_t base_addr, int have_base,
		     struct lp_usdt_note *n)
{
	uint64_t pc, base, sema;
	const char *prov, *name, *args, *end = desc + len;
	char *copy, *tok, *save;
	char why[256];

	if (len < 24)
		return -EINVAL;
	memcpy(&pc, desc, 8);
	memcpy(&base, desc + 8, 8);
	memcpy(&sema, desc + 16, 8);
	prov = desc + 24;
	name = memchr(prov, 0, end - prov);
	if (!name++ || name >= end)
		return -EINVAL;
	args = memchr(name, 0, end - name);
	if (!args++ || args > end)
		return -EINVAL;
	if (args == end || !memchr(args, 0, end - args))
		args = "";
	/* prelink moved the file: the note's base says by how much */
	if (have_base) {
		pc += base_addr - base;
		if (sema)
			sema += base_addr - base;
	}
	n->pc = pc;
	n->sema = sema;
	n->provider = strdup(prov);
	n->name = strdup(name);
	n->args = strdup(args);
	if (!n->provider || !n->name || !n->args)
		return -ENOMEM;
	if (file_offset(elf, pc, &n->offset))
		return -EINVAL;
	if (sema && file_offset(elf, sema, &n->sema_offset)) {
		/* a semaphore in .bss has no file offset to count at */
		if (asprintf(&n->bad, "its semaphore at 0x%llx is not in the file",
			     (unsigned long long)sema) < 0)
			return -ENOMEM;
	}
	copy = strdup(args);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " \t", &save); tok && !n->bad;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (n->nargs == USDT_MAX_ARGS) {
			if (asprintf(&n->bad, "it has more than %d arguments", USDT_MAX_ARGS) < 0)
				n->bad = NULL;
			break;
		}
		if (usdt_parse_arg(tok, pc, sym_addr, elf, &n->arg[n->nargs], why, sizeof(why))) {
			if (asprintf(&n->bad, "arg%d: %s", n->nargs, why) < 0)
				n->bad = NULL;
			break;
		}
		n->nargs++;
	}
	free(copy);
	return 0;
}

int usdt_notes(const char *path, struct lp_usdt_note **out, char *err, size_t errlen)
{
	struct lp_usdt_note *v = NULL;
	int fd, count = 0, cap = 0, ret = 0, have_base;
	GElf_Shdr sh, base_sh;
	Elf_Scn *scn;
	Elf *elf;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		return ret;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		snprintf(err, errlen, "cannot open '%s': not an ELF file", path);
		ret = -ENOEXEC;
		goto out;
	}
	have_base = section(elf, ".stapsdt.base", &base_sh) != NULL;
	scn = section(elf, ".note.stapsdt", &sh);
	if (scn && sh.sh_type == SHT_NOTE) {
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t off = 0, noff, doff;
		GElf_Nhdr nh;

		while (data && (off = gelf_getnote(data, off, &nh, &noff, &doff)) > 0) {
			const char *owner = (const char *)data->d_buf + noff;

			if (nh.n_type != NT_STAPSDT || nh.n_namesz != 8 ||
			    memcmp(owner, "stapsdt", 8))
				continue;
			if (count == cap) {
				struct lp_usdt_note *nv;

				cap = cap ? cap * 2 : 16;
				nv = realloc(v, cap * sizeof(*nv));
				if (!nv) {
					ret = -ENOMEM;
					break;
				}
				v = nv;
			}
			memset(&v[count], 0, sizeof(v[count]));
			ret = read_note(elf, (const char *)data->d_buf + doff, nh.n_descsz,
					base_sh.sh_addr, have_base, &v[count]);
			count++;
			if (ret) {
				snprintf(err, errlen, "%s: %s", path,
					 ret == -ENOMEM ? "out of memory"
							: "a malformed .note.stapsdt note");
				break;
			}
		}
	}
	if (ret) {
		usdt_notes_free(v, count);
		v = NULL;
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	if (ret)
		return ret;
	*out = v;
	return count;
}

void usdt_notes_free(struct lp_usdt_note *notes, int n)
{
	for (int i = 0; notes && i < n; i++) {
		free(notes[i].provider);
		free(notes[i].name);
		free(notes[i].args);
		free(notes[i].bad);
	}
	free(notes);
}
