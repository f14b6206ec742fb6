/* handcount OBJ PROG POINT: load PROG of handcount.bpf.o alone and attach
 * it: a classic tracepoint (POINT is SYSTEM:EVENT) for tp_* programs, a raw
 * tracepoint (POINT is the tracepoint's name) for raw_*; print READY, wait
 * for SIGINT or SIGTERM, then print "COUNT PID N" for each key of the
 * counts map. For bench/run.sh's count section. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog, *p;
	struct bpf_link *link;
	__u32 key, next, *cur = NULL;
	__u64 n;
	sigset_t set;
	int sig, fd;

	if (argc != 4) {
		fprintf(stderr, "usage: handcount OBJ PROG POINT\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "handcount: cannot open %s\n", argv[1]);
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, argv[2]);
	if (!prog) {
		fprintf(stderr, "handcount: no program %s\n", argv[2]);
		return 1;
	}
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == prog);
	if (bpf_object__load(obj)) {
		fprintf(stderr, "handcount: cannot load %s\n", argv[2]);
		return 1;
	}
	/* block the signals before attaching: one sent right after READY waits */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (!strncmp(argv[2], "raw_", 4)) {
		link = bpf_program__attach_raw_tracepoint(prog, argv[3]);
	} else {
		char cat[128], *name;

		snprintf(cat, sizeof(cat), "%s", argv[3]);
		name = strchr(cat, ':');
		if (!name) {
			fprintf(stderr, "handcount: POINT is SYSTEM:EVENT\n");
			return 2;
		}
		*name++ = 0;
		link = bpf_program__attach_tracepoint(prog, cat, name);
	}
	if (!link) {
		fprintf(stderr, "handcount: cannot attach %s to %s\n", argv[2], argv[3]);
		return 1;
	}
	printf("READY\n");
	fflush(stdout);
	sigwait(&set, &sig);
	bpf_link__destroy(link);
	fd = bpf_object__find_map_fd_by_name(obj, "counts");
	while (fd >= 0 && !bpf_map_get_next_key(fd, cur, &next)) {
		key = next;
		cur = &key;
		if (!bpf_map_lookup_elem(fd, &key, &n))
			printf("COUNT %u %llu\n", key, (unsigned long long)n);
	}
	bpf_object__close(obj);
	return 0;
}
