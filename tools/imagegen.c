/*
 * imagegen: a template's programs as images, made at build time.
 *
 *   imagegen NAME TEMPLATE.o OUT.h
 *
 * Writes OUT.h, `static const struct lp_tmpl NAME_tmpl` (load/image.h):
 * every program of TEMPLATE.o with its map references relocated as libbpf
 * relocates them (src_reg BPF_PSEUDO_MAP_FD or _VALUE), the map named by
 * its index in the table of the object's maps, and the maps' shapes and
 * .rodata's bytes. Opening the 25k-instruction tracepoint template with
 * libbpf took ~0.9 ms of every start, and libbpf's load ~1 ms more of
 * probing the kernel's features: from the table, a run loads its first
 * probe with neither (load_image_tmpl).
 *
 * Only what an image can carry is accepted: a program that calls a
 * function or refers to anything but a map (an extern, a CO-RE
 * relocation, a subprogram) stops the build with a message.
 */
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <linux/bpf.h>

#define MAX_MAPS 32

static const char *out_name;

static _Noreturn void die(const char *fmt, const char *what)
{
	fprintf(stderr, "imagegen: %s: ", out_name);
	fprintf(stderr, fmt, what);
	fputc('\n', stderr);
	exit(1);
}

static void *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n = 0;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die("cannot read %s", path);
	buf = malloc(n ? n : 1);
	if (!buf || fread(buf, 1, n, f) != (size_t)n)
		die("cannot read %s", path);
	fclose(f);
	*len = n;
	return buf;
}

struct elf_view {
	Elf *elf;
	size_t shstrndx;
	Elf_Data *syms;
	size_t strndx; /* the symbols' names */
};

static const char *sec_name(const struct elf_view *ev, size_t idx)
{
	Elf_Scn *scn = elf_getscn(ev->elf, idx);
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh))
		return NULL;
	return elf_strptr(ev->elf, ev->shstrndx, sh.sh_name);
}

static void open_view(struct elf_view *ev, void *bytes, size_t len)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	elf_version(EV_CURRENT);
	ev->elf = elf_memory(bytes, len);
	if (!ev->elf || elf_getshdrstrndx(ev->elf, &ev->shstrndx))
		die("%s", "not an ELF object");
	while ((scn = elf_nextscn(ev->elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			ev->syms = elf_getdata(scn, NULL);
			ev->strndx = sh.sh_link;
		}
	if (!ev->syms)
		die("%s", "no symbol table");
}

/* prog's instructions from its section; the section and offset there. */
static struct bpf_insn *copy_insns(const struct elf_view *ev, const char *name, size_t *n,
				   size_t *shndx, GElf_Addr *off)
{
	size_t nsyms = ev->syms->d_size / sizeof(Elf64_Sym);

	for (size_t i = 0; i < nsyms; i++) {
		struct bpf_insn *insns;
		const char *sname;
		GElf_Sym sym;
		Elf_Data *d;

		if (!gelf_getsym(ev->syms, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		sname = elf_strptr(ev->elf, ev->strndx, sym.st_name);
		if (!sname || strcmp(sname, name))
			continue;
		d = elf_getdata(elf_getscn(ev->elf, sym.st_shndx), NULL);
		if (!d || !d->d_buf || sym.st_size % sizeof(struct bpf_insn) ||
		    sym.st_value + sym.st_size > d->d_size)
			die("program %s: no instructions", name);
		insns = malloc(sym.st_size);
		if (!insns)
			die("%s", "out of memory");
		memcpy(insns, (char *)d->d_buf + sym.st_value, sym.st_size);
		*n = sym.st_size / sizeof(struct bpf_insn);
		*shndx = sym.st_shndx;
		*off = sym.st_value;
		return insns;
	}
	die("program %s: no symbol", name);
}

/* The map a relocation against sym names: one of .maps by the symbol's
 * name, or the internal map of a data section (.rodata, .bss) by the
 * section's name, as libbpf names it ("lp_tp.rodata"). */
static int reloc_map(const struct elf_view *ev, const GElf_Sym *sym, struct bpf_map **maps,
		     int nmaps, int *data)
{
	const char *sec = sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE
				  ? NULL
				  : sec_name(ev, sym->st_shndx);
	const char *name = elf_strptr(ev->elf, ev->strndx, sym->st_name);

	if (!sec)
		return -1;
	*data = strcmp(sec, ".maps") != 0;
	for (int i = 0; i < nmaps; i++) {
		const char *mname = bpf_map__name(maps[i]);
		size_t ml = strlen(mname), sl = strlen(sec);

		if (!*data && name && !strcmp(mname, name))
			return i;
		if (*data && bpf_map__is_internal(maps[i]) && ml >= sl &&
		    !strcmp(mname + ml - sl, sec))
			return i;
	}
	return -1;
}

/* The program's map references, as libbpf's bpf_object__relocate_data
 * makes them, with the map's index where libbpf puts its fd. */
static void relocate(const struct elf_view *ev, const char *prog, struct bpf_insn *insns, size_t n,
		     size_t shndx, GElf_Addr off, struct bpf_map **maps, int nmaps)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	for (size_t i = 0; i < n; i++)
		if (insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src_reg != 0)
			die("program %s calls a function: an image needs it inlined", prog);
	while ((scn = elf_nextscn(ev->elf, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_REL || sh.sh_info != shndx)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t r = 0; d && r < d->d_size / sizeof(Elf64_Rel); r++) {
			struct bpf_insn *in;
			GElf_Rel rel;
			GElf_Sym sym;
			int idx, data;

			if (!gelf_getrel(d, (int)r, &rel))
				die("%s", "a bad relocation");
			if (rel.r_offset < off || rel.r_offset >= off + n * sizeof(struct bpf_insn))
				continue; /* another program's */
			in = &insns[(rel.r_offset - off) / sizeof(struct bpf_insn)];
			if (in->code != (BPF_LD | BPF_IMM | BPF_DW) || in + 1 >= insns + n ||
			    !gelf_getsym(ev->syms, (int)GELF_R_SYM(rel.r_info), &sym))
				die("program %s: a relocation of something else than a map", prog);
			idx = reloc_map(ev, &sym, maps, nmaps, &data);
			if (idx < 0)
				die("program %s: a reference to no map", prog);
			if (data)
				in[1].imm = in[0].imm + (int)sym.st_value;
			in->src_reg = data ? BPF_PSEUDO_MAP_VALUE : BPF_PSEUDO_MAP_FD;
			in->imm = idx;
		}
	}
}

static void emit_bytes(FILE *out, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s0x%02x,", i % 16 ? "" : "\n\t", b[i]);
}

int main(int argc, char **argv)
{
	struct bpf_map *maps[MAX_MAPS], *map;
	struct bpf_program *prog;
	struct elf_view ev = { 0 };
	const void *rodata = NULL;
	size_t len, rodata_size = 0;
	int nmaps = 0, nprogs = 0, rodata_map = -1;
	struct bpf_object *obj;
	void *bytes;
	FILE *out;

	if (argc != 4) {
		fputs("usage: imagegen NAME TEMPLATE.o OUT.h\n", stderr);
		return 2;
	}
	out_name = argv[3];
	bytes = read_all(argv[2], &len);
	/* named as the skeleton names it: its internal maps "lp_tp.rodata" */
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = argv[1]);
	obj = bpf_object__open_mem(bytes, len, &opts);
	if (!obj)
		die("libbpf cannot open %s", argv[2]);
	open_view(&ev, bytes, len);
	out = fopen(argv[3], "w");
	if (!out)
		die("cannot write %s", argv[3]);
	fprintf(out,
		"/* Generated by tools/imagegen.c from %s: the programs of the template as\n"
		" * images (load/image.h). */\n#include <linux/bpf.h>\n\n#include \"load/image.h\"\n\n",
		argv[2]);
	bpf_object__for_each_map(map, obj) {
		size_t size;
		const void *v = bpf_map__initial_value(map, &size);

		if (nmaps == MAX_MAPS)
			die("%s", "too many maps");
		if (bpf_map__inner_map(map))
			die("map %s: a map of maps", bpf_map__name(map));
		if (v && bpf_map__is_internal(map) &&
		    (bpf_map__map_flags(map) & BPF_F_RDONLY_PROG)) {
			if (rodata)
				die("%s", "two read-only data maps");
			rodata = v;
			rodata_size = size;
			rodata_map = nmaps;
		}
		maps[nmaps++] = map;
	}
	if (!rodata)
		die("%s", "no .rodata");
	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);
		size_t n, shndx;
		GElf_Addr off;
		struct bpf_insn *insns = copy_insns(&ev, name, &n, &shndx, &off);

		relocate(&ev, name, insns, n, shndx, off, maps, nmaps);
		fprintf(out, "static const struct bpf_insn %s_p%d[] = {", argv[1], nprogs++);
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%s{0x%x,%u,%u,%d,%d},", i % 4 ? " " : "\n\t", insns[i].code,
				insns[i].dst_reg, insns[i].src_reg, insns[i].off, insns[i].imm);
		fprintf(out, "\n};\n");
		free(insns);
	}
	fprintf(out, "static const unsigned char %s_rodata[] = {", argv[1]);
	emit_bytes(out, rodata, rodata_size);
	fprintf(out, "\n};\nstatic const struct lp_tmpl_map %s_maps[] = {\n", argv[1]);
	for (int i = 0; i < nmaps; i++)
		fprintf(out, "\t{ \"%s\", %u, %u, %u, %u, %u },\n", bpf_map__name(maps[i]),
			bpf_map__type(maps[i]), bpf_map__key_size(maps[i]),
			bpf_map__value_size(maps[i]), bpf_map__max_entries(maps[i]),
			bpf_map__map_flags(maps[i]));
	fprintf(out, "};\nstatic const struct lp_tmpl_prog %s_progs[] = {\n", argv[1]);
	nprogs = 0;
	bpf_object__for_each_program(prog, obj) {
		fprintf(out, "\t{ \"%s\", %d, %d, %u, %s_p%d, sizeof(%s_p%d) / 8 },\n",
			bpf_program__name(prog), bpf_program__type(prog),
			bpf_program__expected_attach_type(prog), bpf_program__flags(prog), argv[1],
			nprogs, argv[1], nprogs);
		nprogs++;
	}
	fprintf(out,
		"};\nstatic const struct lp_tmpl %s_tmpl = {\n\t%s_maps, %d, %s_progs, %d,\n"
		"\t%s_rodata, sizeof(%s_rodata), %d,\n};\n",
		argv[1], argv[1], nmaps, argv[1], nprogs, argv[1], argv[1], rodata_map);
	if (fclose(out))
		die("cannot write %s", argv[3]);
	elf_end(ev.elf);
	bpf_object__close(obj);
	free(bytes);
	return 0;
}
