// SPDX-License-Identifier: GPL-2.0
/*
 * stress_mux: multiplexor links made and removed under traffic, through the
 * sample multiplexor samples/kmod/router.ko (loaded for the run).
 *
 *   stress_mux [-d SECONDS] [-u UPPERS] [-l LOWERS]
 *
 * UPPERS router streams (default 2, $STRESS_MUX_SECONDS or 10 s), each with
 * LOWERS /dev/clone-echo streams (default 4) linked under it. Per upper, three
 * threads:
 *
 *  - a writer sends frames (rel_util.h: id, sequence number, CRC) round
 *    robin to the lowers that are linked, each with putmsg and the router's
 *    header (the lower's mux id) in the control part;
 *  - a reader takes what comes back up (the echo streams send it back, the
 *    router tags it with the lower's mux id) and checks every message: a
 *    valid frame of this upper, from the lower its header names (a mux id
 *    that lower had), with a sequence number above the last one seen from
 *    that lower. A link removed under traffic flushes what its queues held,
 *    so a sequence may have gaps; nothing may come twice, out of order or
 *    damaged;
 *  - a plumber removes a random lower's link (I_UNLINK, or I_PUNLINK for a
 *    persistent one), checks the echo stream works alone again (what it had
 *    in flight comes up its own head as valid frames, then a probe message
 *    comes back), sometimes replaces it by a new echo stream, and links it
 *    again (I_LINK, or I_PLINK), sometimes closing its descriptor while it
 *    is linked (the link holds the stream).
 *
 * Afterwards: every frame flow checked, every plumbing step succeeded, the
 * persistent links removed with I_PUNLINK MUXID_ALL, nothing linked
 * (debugfs muxes) or open (debugfs streams), and the router unloads. Run as
 * root with strclone loaded and debugfs mounted; without router.ko the
 * program fails, it does not skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest.h"
#include "router.h"
#include "strclone_util.h"
#include "rel_util.h"
#include "kmod_util.h"

#define ROUTER_KO	KMOD_DIR "router.ko"
#define ROUTER_NODE	"/dev/clone-router"
#define DBG_MUXES	"/sys/kernel/debug/strclone/muxes"
#define MAX_UP		8
#define MAX_LO		32
#define PAYLOAD		200
#define NIDS		(1 << 20)

struct lower {
	atomic_int id;		/* its mux id while linked, else 0 */
	int fd;			/* its descriptor, -1 once closed */
	int persistent;		/* linked with I_PLINK */
	uint32_t sent;		/* next sequence number (writer only) */
	uint32_t seen;		/* last one + 1 the reader saw (reader only) */
	long got;		/* frames the reader got */
};

struct upper {
	int idx, fd;
	atomic_int stop;
	struct lower lo[MAX_LO];
	pthread_t w, r, p;
	long sent, got, cycles;
};

static int opt_seconds = 10, opt_up = 2, opt_lo = 4;
static struct upper ups[MAX_UP];
/* Which (upper, lower) + 1 each mux id was given to; 0: none. */
static atomic_int owner[NIDS];
static atomic_int failures;

static void bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void bad(const char *fmt, ...)
{
	va_list ap;

	if (atomic_fetch_add(&failures, 1) >= 20)
		return;
	va_start(ap, fmt);
	printf("# FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

static uint32_t frame_id(int u, int l)
{
	return (uint32_t)u << 8 | (uint32_t)l;
}

static void note_id(int id, int u, int l)
{
	if (id > 0 && id < NIDS)
		atomic_store(&owner[id], (int)frame_id(u, l) + 1);
}

static int link_lower(struct upper *up, int l)
{
	struct lower *lo = &up->lo[l];
	int id;

	lo->persistent = rand() % 4 == 0;
	id = ioctl(up->fd, lo->persistent ? I_PLINK : I_LINK, lo->fd);
	if (id <= 0) {
		bad("upper %d lower %d: %s: %s", up->idx, l, lo->persistent ? "I_PLINK" : "I_LINK",
		    strerror(errno));
		return -1;
	}
	note_id(id, up->idx, l);
	atomic_store(&lo->id, id);
	return 0;
}

/*
 * Checks one frame of upper @up's lower @l: by the reader, with its
 * sequence number (@seq), or by the plumber, from the lower's own head
 * after the unlink, where the order against what the reader has yet to
 * read is not defined.
 */
static void check_frame(struct upper *up, int l, const uint8_t *p, size_t n, int seq,
			const char *where)
{
	struct frame_hdr h = { 0 };
	struct lower *lo = &up->lo[l];

	if (frame_check(p, n, PAYLOAD, &h) != (long)n) {
		bad("%s: upper %d lower %d: a damaged frame (%zu bytes)", where, up->idx, l, n);
		return;
	}
	if (h.id != frame_id(up->idx, l)) {
		bad("%s: upper %d lower %d: a frame of %#x", where, up->idx, l, h.id);
		return;
	}
	if (!seq)
		return;
	if (h.seq < lo->seen) {
		bad("%s: upper %d lower %d: frame %u after %u (duplicate or reordered)", where,
		    up->idx, l, h.seq, lo->seen - 1);
		return;
	}
	lo->seen = h.seq + 1;
	lo->got++;
}

static void *writer(void *p)
{
	struct upper *up = p;
	uint8_t buf[FRAME_HDR + PAYLOAD];
	int l = 0;

	while (!atomic_load(&up->stop)) {
		struct lower *lo;
		struct router_hdr h;
		struct strbuf ctl = { .len = sizeof(h), .buf = (char *)&h };
		struct strbuf dat = { .buf = (char *)buf };
		struct pollfd pf = { .fd = up->fd, .events = POLLOUT };

		l = (l + 1) % opt_lo;
		lo = &up->lo[l];
		h.muxid = atomic_load(&lo->id);
		if (!h.muxid)
			continue;
		dat.len = (int)frame_make(buf, frame_id(up->idx, l), lo->sent, 16 + rand() % (PAYLOAD - 16));
		if (strclone_putmsg(up->fd, &ctl, &dat, 0) == 0) {
			lo->sent++;
			up->sent++;
		} else if (errno == EAGAIN) {
			poll(&pf, 1, 100);
		} else {
			bad("upper %d: putmsg: %s", up->idx, strerror(errno));
			break;
		}
	}
	return NULL;
}

static void *reader(void *p)
{
	struct upper *up = p;
	uint8_t buf[FRAME_HDR + PAYLOAD + 64];
	long long quiet = 0;

	for (;;) {
		struct router_hdr h;
		struct strbuf ctl = { .maxlen = sizeof(h), .buf = (char *)&h };
		struct strbuf dat = { .maxlen = sizeof(buf), .buf = (char *)buf };
		struct pollfd pf = { .fd = up->fd, .events = POLLIN };
		int flags = 0, who, l;

		if (strclone_getmsg(up->fd, &ctl, &dat, &flags) < 0) {
			if (errno != EAGAIN) {
				bad("upper %d: getmsg: %s", up->idx, strerror(errno));
				break;
			}
			/* Stopped, and nothing came for a second: all is in. */
			if (atomic_load(&up->stop) && quiet && rel_now_ms() - quiet > 1000)
				break;
			if (!quiet)
				quiet = rel_now_ms();
			poll(&pf, 1, 100);
			continue;
		}
		quiet = 0;
		if (ctl.len != (int)sizeof(h) || h.muxid <= 0 || dat.len < (int)FRAME_HDR) {
			bad("upper %d: a message without the router's header (ctl %d, data %d)",
			    up->idx, ctl.len, dat.len);
			continue;
		}
		/* The frame says which lower it went through... */
		l = (int)(((const struct frame_hdr *)buf)->id & 0xff);
		if (l >= opt_lo) {
			bad("upper %d: a frame of lower %d", up->idx, l);
			continue;
		}
		/* ... and the header must name a mux id that lower had. */
		who = h.muxid < NIDS ? atomic_load(&owner[h.muxid]) - 1 : (int)frame_id(up->idx, l);
		if (who != (int)frame_id(up->idx, l)) {
			bad("upper %d lower %d: a message tagged with mux id %d, not one of its links",
			    up->idx, l, h.muxid);
			continue;
		}
		check_frame(up, l, buf, (size_t)dat.len, 1, "reader");
		up->got++;
	}
	return NULL;
}

/* The lower's own head after its unlink: frames in flight, then a probe. */
static void lower_alone(struct upper *up, int l)
{
	struct lower *lo = &up->lo[l];
	uint8_t buf[FRAME_HDR + PAYLOAD + 64];
	long long end = rel_now_ms() + 5000;

	if (write(lo->fd, "probe", 5) != 5) {
		bad("upper %d lower %d: write after the unlink: %s", up->idx, l, strerror(errno));
		return;
	}
	while (rel_now_ms() < end) {
		struct pollfd pf = { .fd = lo->fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pf, 1, 100) <= 0)
			continue;
		n = read(lo->fd, buf, sizeof(buf));
		if (n == 5 && !memcmp(buf, "probe", 5))
			return;
		if (n <= 0) {
			bad("upper %d lower %d: read after the unlink: %zd %s", up->idx, l, n,
			    strerror(errno));
			return;
		}
		check_frame(up, l, buf, (size_t)n, 0, "lower alone");
	}
	bad("upper %d lower %d: the probe did not come back alone", up->idx, l);
}

static void *plumber(void *p)
{
	struct upper *up = p;

	while (!atomic_load(&up->stop)) {
		int l = rand() % opt_lo, id;
		struct lower *lo = &up->lo[l];

		usleep(20000 + rand() % 30000);
		id = atomic_exchange(&lo->id, 0);
		if (ioctl(up->fd, lo->persistent ? I_PUNLINK : I_UNLINK, id)) {
			bad("upper %d lower %d: unlink of %d: %s", up->idx, l, id, strerror(errno));
			break;
		}
		if (lo->fd >= 0)
			lower_alone(up, l);
		if (lo->fd < 0 || rand() % 4 == 0) {
			/* Closed while linked (gone with the unlink), or replaced. */
			if (lo->fd >= 0)
				close(lo->fd);
			lo->fd = open(ECHO_NODE, O_RDWR | O_NONBLOCK);
			if (lo->fd < 0) {
				bad("open %s: %s", ECHO_NODE, strerror(errno));
				break;
			}
		}
		if (link_lower(up, l))
			break;
		if (rand() % 4 == 0) {
			close(lo->fd);
			lo->fd = -1;
		}
		up->cycles++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *env = getenv("STRESS_MUX_SECONDS");
	char what[8192];
	long cycles = 0, sent = 0, got = 0, starved = 0;
	int ch, r, nolinks, idle, fd;

	if (env && atoi(env) > 0)
		opt_seconds = atoi(env);
	while ((ch = getopt(argc, argv, "d:u:l:")) != -1) {
		switch (ch) {
		case 'd': opt_seconds = atoi(optarg); break;
		case 'u': opt_up = atoi(optarg); break;
		case 'l': opt_lo = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: stress_mux [-d SECONDS] [-u UPPERS] [-l LOWERS]\n");
			return KSFT_FAIL;
		}
	}
	if (opt_up < 1 || opt_up > MAX_UP || opt_lo < 1 || opt_lo > MAX_LO || opt_seconds < 1)
		return KSFT_FAIL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	srand((unsigned int)rel_now_ms());
	ksft_print_header();
	ksft_set_plan(4);
	r = load_kmod(ROUTER_KO);
	if (r)
		ksft_exit_fail_msg("loading %s: %s\n", ROUTER_KO, strerror(-r));

	for (int u = 0; u < opt_up; u++) {
		struct upper *up = &ups[u];

		up->idx = u;
		up->fd = open(ROUTER_NODE, O_RDWR | O_NONBLOCK);
		if (up->fd < 0)
			ksft_exit_fail_msg("open %s: %s\n", ROUTER_NODE, strerror(errno));
		for (int l = 0; l < opt_lo; l++) {
			up->lo[l].fd = open(ECHO_NODE, O_RDWR | O_NONBLOCK);
			if (up->lo[l].fd < 0 || link_lower(up, l))
				ksft_exit_fail_msg("setting up upper %d lower %d failed\n", u, l);
		}
	}
	for (int u = 0; u < opt_up; u++) {
		pthread_create(&ups[u].w, NULL, writer, &ups[u]);
		pthread_create(&ups[u].r, NULL, reader, &ups[u]);
		pthread_create(&ups[u].p, NULL, plumber, &ups[u]);
	}
	rel_sleep_ms(opt_seconds * 1000);
	for (int u = 0; u < opt_up; u++)
		atomic_store(&ups[u].stop, 1);
	for (int u = 0; u < opt_up; u++) {
		pthread_join(ups[u].w, NULL);
		pthread_join(ups[u].p, NULL);
		pthread_join(ups[u].r, NULL);
		cycles += ups[u].cycles;
		sent += ups[u].sent;
		got += ups[u].got;
		for (int l = 0; l < opt_lo; l++)
			starved += ups[u].lo[l].got == 0;
	}
	ksft_print_msg("%d s: %ld frames sent, %ld came back checked, %ld unlink/relink cycles\n",
		       opt_seconds, sent, got, cycles);
	ksft_test_result(!atomic_load(&failures) && got > 0 && !starved,
			 "frames through the router under links and unlinks: none damaged, repeated or out of order, every lower's came back (%ld lowers got none)\n",
			 starved);
	ksft_test_result(!atomic_load(&failures) && cycles > 0,
			 "every unlink and relink worked, each lower alone in between (%ld cycles)\n",
			 cycles);

	/* The uppers' close removes their I_LINK links; I_PUNLINK the rest. */
	for (int u = 0; u < opt_up; u++) {
		close(ups[u].fd);
		for (int l = 0; l < opt_lo; l++)
			if (ups[u].lo[l].fd >= 0)
				close(ups[u].lo[l].fd);
	}
	fd = open(ROUTER_NODE, O_RDWR);
	r = fd >= 0 ? ioctl(fd, I_PUNLINK, MUXID_ALL) : -1;
	if (fd >= 0)
		close(fd);
	what[0] = 0;
	nolinks = r == 0 && read_text(DBG_MUXES, what, sizeof(what)) == 0;
	if (!nolinks)
		ksft_print_msg("I_PUNLINK MUXID_ALL: %d; links left:\n%s", r, what);
	idle = wait_idle(20000, what, sizeof(what)) == 0;
	if (!idle)
		ksft_print_msg("still open:\n%s", what);
	ksft_test_result(nolinks && idle,
			 "afterwards nothing is linked (debugfs muxes) or open (debugfs streams)\n");
	r = unload_kmod_settled("router");
	ksft_test_result(r == 0, "the router unloads afterwards (%d)\n", r);
	ksft_finished();
}
