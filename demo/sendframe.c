/* sendframe: send raw Ethernet frames of a chosen EtherType on an interface.
 *
 *   sendframe --iface IF --ethertype 0x88b5 [--count N] [--interval-ms MS] [--dst MAC]
 *             [--len BYTES]
 *
 * Each frame is dst MAC (default ff:ff:ff:ff:ff:ff), the interface's own MAC as
 * source, the EtherType, and 46 bytes of zeros (the Ethernet minimum payload),
 * or as many as make the frame --len bytes long (60..1514; a frame longer than
 * the receiver's MTU allows is dropped there, as the guest tier's veth drop
 * needs).
 * --count 0 sends until interrupted. Prints "sent N frames" at the end.
 * Used by the demo and the network e2e tests: run it only on interfaces you
 * created (a veth end inside a network namespace). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* struct ifreq, sigaction, nanosleep under -std=c11 */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD_LEN 46
#define FRAME_MAX 1514

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sendframe --iface IF --ethertype 0xNNNN [--count N] [--interval-ms MS] "
		   "[--dst MAC] [--len BYTES]\n"
		   "  --count 0 sends until interrupted (default 1); --interval-ms defaults to 1000;\n"
		   "  --dst defaults to ff:ff:ff:ff:ff:ff\n");
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[ETH_ALEN])
{
	unsigned int b[ETH_ALEN];
	char tail;
	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return -1;
	for (int i = 0; i < ETH_ALEN; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

/* Sleep MS milliseconds, returning early when a signal asks us to stop. */
static void sleep_ms(unsigned long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (!stop && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"iface", required_argument, NULL, 'i'},
		{"ethertype", required_argument, NULL, 'e'},
		{"count", required_argument, NULL, 'c'},
		{"interval-ms", required_argument, NULL, 'm'},
		{"dst", required_argument, NULL, 'D'},
		{"len", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *iface = NULL;
	unsigned long ethertype = 0, count = 1, interval_ms = 1000, len = ETH_HLEN + PAYLOAD_LEN;
	int have_type = 0;
	uint8_t dst[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			iface = optarg;
			break;
		case 'e':
			if (parse_ulong(optarg, 0xffff, &ethertype)) {
				fprintf(stderr, "sendframe: bad --ethertype '%s' (want 0x0000..0xffff)\n", optarg);
				return 2;
			}
			have_type = 1;
			break;
		case 'c':
			if (parse_ulong(optarg, ~0UL, &count)) {
				fprintf(stderr, "sendframe: bad --count '%s'\n", optarg);
				return 2;
			}
			break;
		case 'm':
			if (parse_ulong(optarg, 86400000UL, &interval_ms)) {
				fprintf(stderr, "sendframe: bad --interval-ms '%s'\n", optarg);
				return 2;
			}
			break;
		case 'l':
			if (parse_ulong(optarg, FRAME_MAX, &len) || len < ETH_HLEN + PAYLOAD_LEN) {
				fprintf(stderr, "sendframe: bad --len '%s' (want 60..1514)\n", optarg);
				return 2;
			}
			break;
		case 'D':
			if (parse_mac(optarg, dst)) {
				fprintf(stderr, "sendframe: bad --dst '%s' (want aa:bb:cc:dd:ee:ff)\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sendframe: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!iface || !have_type) {
		usage(stderr);
		return 2;
	}
	if (ethertype < 0x0600)
		fprintf(stderr, "sendframe: note: 0x%04lx < 0x0600 is an 802.3 length, not an EtherType; "
				"receivers hand such frames to LLC\n", ethertype);

	int fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: send only, receive nothing */
	if (fd < 0) {
		perror("sendframe: socket(AF_PACKET, SOCK_RAW)");
		return 1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	if (strlen(iface) >= sizeof(ifr.ifr_name)) {
		fprintf(stderr, "sendframe: interface name too long: %s\n", iface);
		return 2;
	}
	strcpy(ifr.ifr_name, iface);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		fprintf(stderr, "sendframe: no interface %s: %s\n", iface, strerror(errno));
		return 1;
	}
	int ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		fprintf(stderr, "sendframe: cannot read the MAC of %s: %s\n", iface, strerror(errno));
		return 1;
	}

	uint8_t frame[FRAME_MAX];
	memset(frame, 0, sizeof(frame));
	memcpy(frame, dst, ETH_ALEN);
	memcpy(frame + ETH_ALEN, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	uint16_t proto = htons((uint16_t)ethertype);
	memcpy(frame + 2 * ETH_ALEN, &proto, sizeof(proto));

	struct sockaddr_ll to;
	memset(&to, 0, sizeof(to));
	to.sll_family = AF_PACKET;
	to.sll_ifindex = ifindex;
	to.sll_halen = ETH_ALEN;
	memcpy(to.sll_addr, dst, ETH_ALEN);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a signal ends the sleep at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	unsigned long sent = 0;
	int rc = 0;
	while (!stop && (count == 0 || sent < count)) {
		if (sent > 0)
			sleep_ms(interval_ms);
		if (stop)
			break;
		if (sendto(fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "sendframe: send on %s: %s\n", iface, strerror(errno));
			rc = 1;
			break;
		}
		sent++;
	}
	close(fd);
	printf("sent %lu frames\n", sent);
	return rc;
}
