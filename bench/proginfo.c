/*
 * proginfo: the BPF programs a process holds, with what the kernel's
 * verifier made of each, for bench/verified.sh.
 *
 *   proginfo PID
 *
 * Prints one line per program: "name type verified_insns xlated_bytes
 * jited_bytes id". The programs are found through the process's fds (a
 * program fd or a link fd shows "prog_id:" in its fdinfo), so a program
 * held only by a link, once its object was closed, is found too; and in the
 * program arrays among its maps ("map_id:"), the syscall dispatcher's.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#define MAX_IDS 4096

static int seen(const unsigned *ids, int n, unsigned id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* The programs in map `id` if it is a program array (the syscall
 * dispatcher's: its probes' programs are held by no fd of their own). */
static int prog_array(unsigned id, unsigned *ids, int n)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd = bpf_map_get_fd_by_id(id);

	if (fd < 0)
		return n;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.type == BPF_MAP_TYPE_PROG_ARRAY)
		for (__u32 k = 0; k < info.max_entries && n < MAX_IDS; k++) {
			__u32 pid;

			if (bpf_map_lookup_elem(fd, &k, &pid) == 0 && !seen(ids, n, pid))
				ids[n++] = pid;
		}
	close(fd);
	return n;
}

int main(int argc, char **argv)
{
	static unsigned ids[MAX_IDS];
	char path[64], line[256];
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (argc != 2) {
		fputs("usage: proginfo PID\n", stderr);
		return 2;
	}
	snprintf(path, sizeof(path), "/proc/%s/fdinfo", argv[1]);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "proginfo: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) && n < MAX_IDS) {
		char fpath[384];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(fpath, sizeof(fpath), "%s/%s", path, de->d_name);
		f = fopen(fpath, "r");
		if (!f)
			continue; /* closed meanwhile */
		while (fgets(line, sizeof(line), f)) {
			unsigned id;

			if (sscanf(line, "prog_id: %u", &id) == 1 && !seen(ids, n, id))
				ids[n++] = id;
			else if (sscanf(line, "map_id: %u", &id) == 1)
				n = prog_array(id, ids, n);
		}
		fclose(f);
	}
	closedir(d);
	for (int i = 0; i < n; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			printf("%s %u %u %u %u %u\n", info.name, info.type, info.verified_insns,
			       info.xlated_prog_len, info.jited_prog_len, info.id);
		close(fd);
	}
	return 0;
}
