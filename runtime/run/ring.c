#include "run/ring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

int ring_open(struct lp_ring *r, int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	void *p;

	memset(r, 0, sizeof(*r));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	r->fd = fd;
	r->page = (size_t)sysconf(_SC_PAGESIZE);
	r->mask = info.max_entries - 1;
	p = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	r->consumer_pos = p;
	/* the producer page, then the data twice (the kernel maps it so) */
	r->mapped = r->page + 2 * (size_t)info.max_entries;
	p = mmap(NULL, r->mapped, PROT_READ, MAP_SHARED, fd, (off_t)r->page);
	if (p == MAP_FAILED) {
		int err = -errno;

		munmap(r->consumer_pos, r->page);
		r->consumer_pos = NULL;
		return err;
	}
	r->producer_pos = p;
	r->data = (const unsigned char *)p + r->page;
	r->cons = __atomic_load_n(r->consumer_pos, __ATOMIC_ACQUIRE);
	return 0;
}

void ring_close(struct lp_ring *r)
{
	if (r->producer_pos)
		munmap((void *)r->producer_pos, r->mapped);
	if (r->consumer_pos)
		munmap(r->consumer_pos, r->page);
	r->producer_pos = NULL;
	r->consumer_pos = NULL;
}

const void *ring_next(struct lp_ring *r, size_t *size)
{
	/* The producers write their position on every reserve: it is read
	 * again only once the records it announced are handed out. */
	if (r->cons >= r->prod)
		r->prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
	while (r->cons < r->prod) {
		const unsigned char *rec = r->data + (r->cons & r->mask);
		__u32 len = __atomic_load_n((const __u32 *)rec, __ATOMIC_ACQUIRE);
		__u32 n = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);

		if (len & BPF_RINGBUF_BUSY_BIT)
			return NULL; /* reserved, not committed yet: records stay in order */
		r->cons += (n + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
		if (len & BPF_RINGBUF_DISCARD_BIT)
			continue;
		*size = n;
		return rec + BPF_RINGBUF_HDR_SZ;
	}
	return NULL;
}

int ring_pending(struct lp_ring *r)
{
	if (r->cons >= r->prod)
		r->prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
	return r->cons < r->prod;
}

void ring_release(struct lp_ring *r)
{
	__atomic_store_n(r->consumer_pos, r->cons, __ATOMIC_RELEASE);
}
