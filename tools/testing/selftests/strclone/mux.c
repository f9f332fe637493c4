// SPDX-License-Identifier: GPL-2.0
/*
 * Multiplexors: I_LINK, I_PLINK, I_UNLINK, I_PUNLINK through the sample
 * multiplexing driver samples/kmod/router.ko (loaded here), with echo
 * streams and pipe ends linked under its upper streams.
 *
 * - Data both ways: a message written on the upper stream goes down the
 *   lower stream its header (or the upper's default destination) names and
 *   what comes up the lower arrives on the upper tagged with its mux id;
 *   a pipe end below connects the upper to the pipe's other end; flow
 *   control holds in both directions with nobody reading (every byte
 *   arrives once read).
 * - I_LINK's errnos: ENXIO (upper hung up), EINVAL (upper's driver no
 *   multiplexor), EBADF (no descriptor), EINVAL for a lower that is no
 *   stream, the upper itself, linked already, busy with an ioctl, hung up,
 *   or a stream of the same driver (a cycle).
 * - A linked stream's own descriptor: EINVAL for read, write, getmsg,
 *   putmsg and ioctls, POLLNVAL; closing it keeps the link working.
 * - I_UNLINK gives the lower its stream head back (what waited in the
 *   link's queues is flushed); its errnos (0, an unknown id, another
 *   upper's id, a persistent link's id, and I_PUNLINK of an I_LINK id);
 *   MUXID_ALL.
 * - The driver's refusal (M_IOCNAK) leaves both streams as they were; a
 *   driver that does not answer: ETIME after I_STR's 15 s, the lower
 *   working again.
 * - I_PLINK outlives the control stream's close and is removed by
 *   I_PUNLINK from another stream of the driver; an I_LINK link goes with
 *   its upper stream's close.
 * - The driver's module cannot be unloaded while a link exists.
 * - debugfs muxes lists the links and streams shows linked=<mux id>.
 * - Upper and lower closed at once while messages flow, over and over: no
 *   link left, no splat (the console scan).
 */
#include <pthread.h>
#include <stdatomic.h>

#include "kselftest_harness.h"
#include "kmod_util.h"
#include "router.h"

#define ROUTER_KO	KMOD_DIR "router.ko"
#define ROUTER_NODE	"/dev/clone-router"
#define PIPE_NODE	"/dev/clone-pipe"
#define MUXES		"/sys/kernel/debug/strclone/muxes"
#define STREAMS		"/sys/kernel/debug/strclone/streams"

static int open_router(void)
{
	return open(ROUTER_NODE, O_RDWR);
}

static int open_echo(void)
{
	return open(ECHO_NODE, O_RDWR);
}

/* A STREAMS pipe: p[0] and p[1]; 0 or -1. */
static int open_pipe(int p[2])
{
	p[0] = open(PIPE_NODE, O_RDWR);
	if (p[0] < 0)
		return -1;
	p[1] = ioctl(p[0], STRCLONE_PIPEPEER, O_RDWR);
	if (p[1] < 0) {
		close(p[0]);
		return -1;
	}
	return 0;
}

static int router_stats(int up, struct router_stats *st)
{
	memset(st, 0xff, sizeof(*st));
	return istr(up, ROUTER_STATS, st, 0, NULL);
}

/* Links currently in the router's table (-1 on error). */
static int router_links(void)
{
	struct router_stats st;
	int up = open_router(), r;

	if (up < 0)
		return -1;
	r = router_stats(up, &st);
	close(up);
	return r < 0 ? -1 : (int)st.links;
}

static long long router_dropped(int up)
{
	struct router_stats st;

	return router_stats(up, &st) < 0 ? -1 : (long long)st.dropped;
}

/* Sends len bytes to lower id through upper up (an M_PROTO with the header). */
static int send_to(int up, int id, const void *buf, int len)
{
	struct router_hdr h = { .muxid = id };

	return putmsg_parts(up, &h, sizeof(h), buf, len, 0);
}

/*
 * The next message on upper up within timeout_ms: its mux id in *id, its
 * data in buf; the data length, or -1 (nothing, or not a tagged message).
 */
static int recv_from(int up, int *id, void *buf, int max, int timeout_ms)
{
	struct router_hdr h;
	struct strbuf c = { .maxlen = sizeof(h), .buf = (char *)&h };
	struct strbuf d = { .maxlen = max, .buf = buf };
	int flags = 0;

	if (!(poll_fd(up, POLLIN, timeout_ms) & POLLIN))
		return -1;
	if (strclone_getmsg(up, &c, &d, &flags) != 0 || c.len != sizeof(h))
		return -1;
	*id = h.muxid;
	return d.len < 0 ? 0 : d.len;
}

/* The lower stream works on its own: what is written comes back. */
static int echo_works(int fd)
{
	char buf[8];

	if (write(fd, "again", 5) != 5)
		return 0;
	return read_exact(fd, buf, 5, WAIT_MS) == 5 && !memcmp(buf, "again", 5);
}

/* The line of debugfs file path that starts with prefix (0), or -1. */
static int find_line(const char *path, const char *prefix, const char *has,
		     char *line, size_t len)
{
	FILE *f = fopen(path, "r");
	int r = -1;

	if (!f)
		return -1;
	while (fgets(line, len, f)) {
		if (!strncmp(line, prefix, strlen(prefix)) && (!has || strstr(line, has))) {
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}

FIXTURE(mux) {
	int up;
};

FIXTURE_SETUP(mux)
{
	watchdog(60);
	/* Writes on a widowed pipe end: EPIPE, not the signal. */
	signal(SIGPIPE, SIG_IGN);
	ASSERT_EQ(0, load_kmod(ROUTER_KO)) TH_LOG("load %s", ROUTER_KO);
	self->up = open_router();
	ASSERT_LE(0, self->up) TH_LOG("open %s: %s", ROUTER_NODE, strerror(errno));
}

FIXTURE_TEARDOWN(mux)
{
	if (self->up >= 0)
		close(self->up);
	EXPECT_EQ(0, router_links());
	EXPECT_EQ(0, unload_kmod_settled("router"));
}

TEST_F(mux, echo_below_both_ways)
{
	char buf[64];
	int e = open_echo(), id, got = 0, dest;
	long long dropped;

	ASSERT_LE(0, e);
	id = ioctl(self->up, I_LINK, e);
	ASSERT_LT(0, id) TH_LOG("I_LINK: %s", strerror(errno));
	/* Down through the header, back up tagged with the mux id. */
	ASSERT_EQ(0, send_to(self->up, id, "hello", 5));
	ASSERT_EQ(5, recv_from(self->up, &got, buf, sizeof(buf), WAIT_MS));
	EXPECT_EQ(id, got);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	/* M_DATA goes to the default destination, once there is one. */
	dropped = router_dropped(self->up);
	ASSERT_EQ(3, write(self->up, "abc", 3));
	EXPECT_EQ(-1, recv_from(self->up, &got, buf, sizeof(buf), QUIET_MS));
	EXPECT_EQ(dropped + 1, router_dropped(self->up));
	dest = id + 1000;
	EXPECT_EQ(-1, istr(self->up, ROUTER_SETDEST, &dest, sizeof(dest), NULL));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, istr(self->up, ROUTER_SETDEST, &id, sizeof(id), NULL));
	ASSERT_EQ(3, write(self->up, "abc", 3));
	ASSERT_EQ(3, recv_from(self->up, &got, buf, sizeof(buf), WAIT_MS));
	EXPECT_EQ(id, got);
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	/* A message for no link is freed and counted. */
	ASSERT_EQ(0, send_to(self->up, id + 1000, "lost", 4));
	EXPECT_EQ(-1, recv_from(self->up, &got, buf, sizeof(buf), QUIET_MS));
	EXPECT_EQ(dropped + 2, router_dropped(self->up));
	EXPECT_EQ(1, router_links());
	close(e);
}

TEST_F(mux, pipe_end_below)
{
	char buf[64];
	int p[2], id, got = 0;

	ASSERT_EQ(0, open_pipe(p)) TH_LOG("pipe: %s", strerror(errno));
	id = ioctl(self->up, I_LINK, p[0]);
	ASSERT_LT(0, id) TH_LOG("I_LINK: %s", strerror(errno));
	ASSERT_EQ(0, istr(self->up, ROUTER_SETDEST, &id, sizeof(id), NULL));
	/* What the upper writes comes out of the other end, header taken off. */
	ASSERT_EQ(4, write(self->up, "ping", 4));
	ASSERT_EQ(4, read_exact(p[1], buf, 4, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	ASSERT_EQ(0, send_to(self->up, id, "viahdr", 6));
	ASSERT_EQ(6, read_exact(p[1], buf, 6, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "viahdr", 6));
	/* What the other end writes arrives at the upper, tagged. */
	ASSERT_EQ(4, write(p[1], "pong", 4)) TH_LOG("write: %s", strerror(errno));
	ASSERT_EQ(4, recv_from(self->up, &got, buf, sizeof(buf), WAIT_MS));
	EXPECT_EQ(id, got);
	EXPECT_EQ(0, memcmp(buf, "pong", 4));
	ASSERT_EQ(0, ioctl(self->up, I_UNLINK, id));
	/* The end is a plain pipe end again. */
	ASSERT_EQ(4, write(p[1], "back", 4));
	ASSERT_EQ(4, read_exact(p[0], buf, 4, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "back", 4));
	close(p[0]);
	close(p[1]);
}

/*
 * Nobody reads the upper: the writer is stopped (EAGAIN) once every queue
 * on the way is full; then every message comes back, in order. The echo
 * stream was used before it was linked (its stream head's queue had been
 * read from).
 */
TEST_F(mux, flow_control_both_ways)
{
	static unsigned char msg[1024], in[2048];
	int e = open_echo(), id, got, sent = 0, rcvd = 0;

	ASSERT_LE(0, e);
	ASSERT_TRUE(echo_works(e));
	id = ioctl(self->up, I_LINK, e);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, set_nonblock(self->up, 1));
	for (;;) {
		fill_pat(msg, (size_t)sent * sizeof(msg), sizeof(msg));
		if (send_to(self->up, id, msg, sizeof(msg)) < 0)
			break;
		sent++;
		ASSERT_GT(100000, sent) TH_LOG("the writer was never stopped");
	}
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, set_nonblock(self->up, 0));
	while (rcvd < sent) {
		int n = recv_from(self->up, &got, in, sizeof(in), WAIT_MS);

		if (n != sizeof(msg))
			break;
		EXPECT_EQ(id, got);
		if (check_pat(in, (size_t)rcvd * sizeof(msg), sizeof(msg)) != -1) {
			TH_LOG("message %d out of order", rcvd);
			break;
		}
		rcvd++;
	}
	EXPECT_EQ(sent, rcvd);
	close(e);
}

TEST_F(mux, link_errnos)
{
	int e = open_echo(), e2 = open_echo(), nul = open("/dev/null", O_RDWR);
	int up2 = open_router(), p[2], id;

	ASSERT_LE(0, e);
	ASSERT_LE(0, e2);
	ASSERT_LE(0, nul);
	ASSERT_LE(0, up2);
	/* The upper's driver is no multiplexor. */
	EXPECT_EQ(-1, ioctl(e2, I_LINK, e));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(e2, I_PLINK, e));
	EXPECT_EQ(EINVAL, errno);
	/* No descriptor. */
	EXPECT_EQ(-1, ioctl(self->up, I_LINK, 999));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, ioctl(self->up, I_PLINK, -1));
	EXPECT_EQ(EBADF, errno);
	/* Not a stream; the upper itself. */
	EXPECT_EQ(-1, ioctl(self->up, I_LINK, nul));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->up, I_LINK, self->up));
	EXPECT_EQ(EINVAL, errno);
	/* A stream of the same driver, under another upper: a cycle. */
	EXPECT_EQ(-1, ioctl(self->up, I_LINK, up2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(up2, I_PLINK, self->up));
	EXPECT_EQ(EINVAL, errno);
	/* Linked already, under this upper or another. */
	id = ioctl(self->up, I_LINK, e);
	ASSERT_LT(0, id);
	EXPECT_EQ(-1, ioctl(self->up, I_LINK, e));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(up2, I_PLINK, e));
	EXPECT_EQ(EINVAL, errno);
	/* A hung-up lower: the end of a pipe whose other end closed. */
	ASSERT_EQ(0, open_pipe(p));
	close(p[1]);
	EXPECT_EQ(-1, ioctl(self->up, I_LINK, p[0]));
	EXPECT_EQ(EINVAL, errno);
	close(p[0]);
	/* Nothing was left half made. */
	EXPECT_EQ(1, router_links());
	EXPECT_TRUE(echo_works(e2));
	EXPECT_EQ(0, ioctl(self->up, I_UNLINK, id));
	EXPECT_TRUE(echo_works(e));
	close(nul);
	close(up2);
	close(e2);
	close(e);
}

/*
 * A hung-up upper: ENXIO, checked before anything else (an echo stream
 * that hung up is no multiplexor either).
 */
TEST_F(mux, hung_up_upper_enxio)
{
	int e = open_echo(), e2 = open_echo();

	ASSERT_LE(0, e);
	ASSERT_LE(0, e2);
	ASSERT_EQ(0, echo_cmd(e, ECHO_HANGUP));
	EXPECT_EQ(-1, ioctl(e, I_LINK, e2));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ioctl(e, I_PLINK, e2));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_TRUE(echo_works(e2));
	close(e);
	close(e2);
}

struct noreply_arg {
	int fd;
	int r, err;
};

static void *noreply_thread(void *p)
{
	struct noreply_arg *a = p;
	char scratch[8];

	a->r = istr_t(a->fd, ECHO_NOREPLY, scratch, 0, 2, NULL);
	a->err = errno;
	return NULL;
}

/* A lower stream with an ioctl waiting for its answer is busy: EINVAL. */
TEST_F(mux, busy_lower_einval)
{
	struct noreply_arg a = { .fd = open_echo() };
	pthread_t t;
	int id;

	ASSERT_LE(0, a.fd);
	ASSERT_EQ(0, pthread_create(&t, NULL, noreply_thread, &a));
	usleep(300000);
	EXPECT_EQ(-1, ioctl(self->up, I_LINK, a.fd));
	EXPECT_EQ(EINVAL, errno);
	pthread_join(t, NULL);
	EXPECT_EQ(-1, a.r);
	EXPECT_EQ(ETIME, a.err);
	/* Once the ioctl is over, the stream links. */
	id = ioctl(self->up, I_LINK, a.fd);
	EXPECT_LT(0, id);
	close(a.fd);
}

TEST_F(mux, linked_fd_is_einval_and_pollnval)
{
	struct strbuf c = { .maxlen = 8, .buf = (char [8]){ 0 } };
	struct strbuf d = { .maxlen = 8, .buf = (char [8]){ 0 } };
	char buf[8];
	int e = open_echo(), id, n = 0, flags = 0;

	ASSERT_LE(0, e);
	id = ioctl(self->up, I_LINK, e);
	ASSERT_LT(0, id);
	EXPECT_EQ(-1, read(e, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(e, "x", 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, strclone_getmsg(e, &c, &d, &flags));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, putmsg_parts(e, "c", 1, "d", 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(e, I_NREAD, &n));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(e, I_PUSH, "nullmod"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, echo_cmd(e, ECHO_STOP));
	EXPECT_EQ(EINVAL, errno);
	/*
	 * POLLNVAL when asked for; POLLERR (which Linux always passes on)
	 * otherwise, at once: never readable or writable.
	 */
	EXPECT_EQ(POLLNVAL | POLLERR, poll_fd(e, POLLIN | POLLNVAL, 1000));
	EXPECT_EQ(POLLERR, poll_fd(e, POLLIN | POLLOUT, 1000));
	/* Unlinked, all of it works again. */
	ASSERT_EQ(0, ioctl(self->up, I_UNLINK, id));
	EXPECT_EQ(POLLOUT, poll_fd(e, POLLIN | POLLOUT, 100));
	EXPECT_TRUE(echo_works(e));
	close(e);
}

TEST_F(mux, closed_lower_fd_keeps_the_link)
{
	char buf[16];
	int e = open_echo(), id, got = 0;

	ASSERT_LE(0, e);
	id = ioctl(self->up, I_LINK, e);
	ASSERT_LT(0, id);
	close(e);
	EXPECT_EQ(1, router_links());
	ASSERT_EQ(0, send_to(self->up, id, "still", 5));
	ASSERT_EQ(5, recv_from(self->up, &got, buf, sizeof(buf), WAIT_MS));
	EXPECT_EQ(id, got);
	EXPECT_EQ(0, memcmp(buf, "still", 5));
	/* The unlink releases the stream: its last close. */
	ASSERT_EQ(0, ioctl(self->up, I_UNLINK, id));
	EXPECT_EQ(0, router_links());
}

/*
 * I_UNLINK gives the echo stream its head back. With every queue full
 * (the writer got EAGAIN), what waited in the link's queue on the lower
 * stream is flushed: it reaches neither the upper nor the echo's own
 * descriptor, and messages still on the upper's write queue are freed
 * (counted as dropped) for want of a link.
 */
TEST_F(mux, unlink_restores_the_lower)
{
	static unsigned char msg[1024];
	long long dropped;
	int e = open_echo(), id, got, sent = 0, at_up = 0, at_echo = 0, n;

	ASSERT_LE(0, e);
	id = ioctl(self->up, I_LINK, e);
	ASSERT_LT(0, id);
	dropped = router_dropped(self->up);
	ASSERT_EQ(0, set_nonblock(self->up, 1));
	while (send_to(self->up, id, msg, sizeof(msg)) == 0 && sent < 100000)
		sent++;
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ioctl(self->up, I_UNLINK, id));
	ASSERT_EQ(0, set_nonblock(self->up, 0));
	while (recv_from(self->up, &got, msg, sizeof(msg), QUIET_MS) == sizeof(msg))
		at_up++;
	while ((n = read_exact(e, msg, sizeof(msg), QUIET_MS)) == sizeof(msg))
		at_echo++;
	dropped = router_dropped(self->up) - dropped;
	TH_LOG("sent %d: %d at the upper, %d at the echo, %lld dropped", sent, at_up,
	       at_echo, dropped);
	/* The link's read queue held at least its high water mark (16 KiB). */
	EXPECT_LE(16, sent - at_up - at_echo - dropped);
	EXPECT_TRUE(echo_works(e));
	close(e);
}

TEST_F(mux, unlink_errnos)
{
	int e = open_echo(), e2 = open_echo(), up2 = open_router(), id, pid;

	ASSERT_LE(0, e);
	ASSERT_LE(0, e2);
	ASSERT_LE(0, up2);
	id = ioctl(self->up, I_LINK, e);
	ASSERT_LT(0, id);
	pid = ioctl(self->up, I_PLINK, e2);
	ASSERT_LT(0, pid);
	EXPECT_LT(id, pid);
	EXPECT_EQ(-1, ioctl(self->up, I_UNLINK, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->up, I_UNLINK, -2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->up, I_UNLINK, pid + 1000));
	EXPECT_EQ(EINVAL, errno);
	/* Another upper's link; a persistent link's id; the other way round. */
	EXPECT_EQ(-1, ioctl(up2, I_UNLINK, id));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->up, I_UNLINK, pid));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->up, I_PUNLINK, id));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->up, I_PUNLINK, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Both links are still there. */
	EXPECT_EQ(2, router_links());
	EXPECT_EQ(0, ioctl(self->up, I_UNLINK, id));
	EXPECT_EQ(-1, ioctl(self->up, I_UNLINK, id));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, ioctl(up2, I_PUNLINK, pid));
	EXPECT_TRUE(echo_works(e));
	EXPECT_TRUE(echo_works(e2));
	close(up2);
	close(e2);
	close(e);
}

TEST_F(mux, muxid_all)
{
	int e[3], id[3], up2 = open_router(), other = open_echo(), oid;

	ASSERT_LE(0, up2);
	ASSERT_LE(0, other);
	/* None: 0. */
	EXPECT_EQ(0, ioctl(self->up, I_UNLINK, MUXID_ALL));
	EXPECT_EQ(0, ioctl(self->up, I_PUNLINK, MUXID_ALL));
	for (int i = 0; i < 3; i++) {
		e[i] = open_echo();
		ASSERT_LE(0, e[i]);
		id[i] = ioctl(self->up, I_LINK, e[i]);
		ASSERT_LT(0, id[i]);
	}
	oid = ioctl(up2, I_LINK, other);
	ASSERT_LT(0, oid);
	EXPECT_EQ(4, router_links());
	/* This upper's links only. */
	EXPECT_EQ(0, ioctl(self->up, I_UNLINK, MUXID_ALL));
	EXPECT_EQ(1, router_links());
	for (int i = 0; i < 3; i++) {
		EXPECT_TRUE(echo_works(e[i]));
		close(e[i]);
	}
	EXPECT_EQ(-1, write(other, "x", 1));
	EXPECT_EQ(EINVAL, errno);
	close(up2);
	EXPECT_TRUE(echo_works(other));
	close(other);
}

TEST_F(mux, driver_refusal_changes_nothing)
{
	char buf[8];
	int e = open_echo(), err = ENOSPC, id, got;

	ASSERT_LE(0, e);
	ASSERT_EQ(0, istr(self->up, ROUTER_REFUSE, &err, sizeof(err), NULL));
	EXPECT_EQ(-1, ioctl(self->up, I_LINK, e));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, router_links());
	EXPECT_TRUE(echo_works(e));
	err = EPERM;
	ASSERT_EQ(0, istr(self->up, ROUTER_REFUSE, &err, sizeof(err), NULL));
	EXPECT_EQ(-1, ioctl(self->up, I_PLINK, e));
	EXPECT_EQ(EPERM, errno);
	EXPECT_TRUE(echo_works(e));
	/* The upper links the same stream next. */
	id = ioctl(self->up, I_LINK, e);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, send_to(self->up, id, "ok", 2));
	EXPECT_EQ(2, recv_from(self->up, &got, buf, sizeof(buf), WAIT_MS));
	EXPECT_EQ(id, got);
	close(e);
}

TEST_F_TIMEOUT(mux, unanswered_link_is_etime, 90)
{
	long long t0;
	int e = open_echo(), n = 1;

	watchdog(80);
	ASSERT_LE(0, e);
	ASSERT_EQ(0, istr(self->up, ROUTER_HOLD, &n, sizeof(n), NULL));
	t0 = now_ms();
	EXPECT_EQ(-1, ioctl(self->up, I_LINK, e));
	EXPECT_EQ(ETIME, errno);
	/* I_STR's default timeout, 15 s. */
	EXPECT_LE(14000, now_ms() - t0);
	EXPECT_GE(40000, now_ms() - t0);
	EXPECT_EQ(0, router_links());
	EXPECT_TRUE(echo_works(e));
	/* An unlink left unanswered: ETIME too, and the link is gone. */
	n = ioctl(self->up, I_LINK, e);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, istr(self->up, ROUTER_HOLD, &(int){ 1 }, sizeof(int), NULL));
	EXPECT_EQ(-1, ioctl(self->up, I_UNLINK, n));
	EXPECT_EQ(ETIME, errno);
	EXPECT_EQ(0, router_links());
	EXPECT_TRUE(echo_works(e));
	close(e);
}

TEST_F(mux, plink_outlives_its_upper)
{
	char buf[16], line[256], pfx[32];
	int e = open_echo(), id, up2, got = 0;

	ASSERT_LE(0, e);
	id = ioctl(self->up, I_PLINK, e);
	ASSERT_LT(0, id);
	close(self->up);
	self->up = -1;
	snprintf(pfx, sizeof(pfx), "%d plink ", id);
	EXPECT_EQ(0, find_line(MUXES, pfx, " linked ", line, sizeof(line)));
	EXPECT_EQ(1, router_links());
	up2 = open_router();
	ASSERT_LE(0, up2);
	/* Sending to it makes up2 its owner: the answer comes to up2. */
	ASSERT_EQ(0, send_to(up2, id, "owned", 5));
	ASSERT_EQ(5, recv_from(up2, &got, buf, sizeof(buf), WAIT_MS));
	EXPECT_EQ(id, got);
	EXPECT_EQ(-1, ioctl(up2, I_UNLINK, id));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, ioctl(up2, I_PUNLINK, id));
	EXPECT_NE(0, find_line(MUXES, pfx, NULL, line, sizeof(line)));
	EXPECT_EQ(-1, ioctl(up2, I_PUNLINK, id));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(echo_works(e));
	close(up2);
	close(e);
}

TEST_F(mux, upper_close_unlinks)
{
	int e = open_echo(), e2 = open_echo(), id;

	ASSERT_LE(0, e);
	ASSERT_LE(0, e2);
	id = ioctl(self->up, I_LINK, e);
	ASSERT_LT(0, id);
	ASSERT_LT(0, ioctl(self->up, I_LINK, e2));
	close(e2);
	EXPECT_EQ(2, router_links());
	close(self->up);
	self->up = -1;
	EXPECT_EQ(0, router_links());
	EXPECT_TRUE(echo_works(e));
	close(e);
}

TEST_F(mux, no_unload_while_linked)
{
	int e = open_echo(), id;

	ASSERT_LE(0, e);
	id = ioctl(self->up, I_PLINK, e);
	ASSERT_LT(0, id);
	close(self->up);
	/* No router stream is open; the link holds the module. */
	EXPECT_EQ(-EWOULDBLOCK, unload_kmod("router"));
	self->up = open_router();
	ASSERT_LE(0, self->up);
	ASSERT_EQ(0, ioctl(self->up, I_PUNLINK, MUXID_ALL));
	close(self->up);
	self->up = -1;
	EXPECT_EQ(0, unload_kmod_settled("router"));
	EXPECT_TRUE(echo_works(e));
	close(e);
	/* For the teardown. */
	ASSERT_EQ(0, load_kmod(ROUTER_KO));
}

TEST_F(mux, debugfs_shows_links)
{
	char line[512], pfx[128], tok[64], tok_end[72];
	int e = open_echo(), id;
	char *t;

	ASSERT_LE(0, e);
	id = ioctl(self->up, I_LINK, e);
	ASSERT_LT(0, id);
	snprintf(pfx, sizeof(pfx), "%d link linked upper=", id);
	ASSERT_EQ(0, find_line(MUXES, pfx, NULL, line, sizeof(line)));
	/* lower=<major>/<minor>/<token>: the echo stream's streams line. */
	t = strstr(line, " lower=72/");
	ASSERT_NE(NULL, t) TH_LOG("%s", line);
	t = strrchr(t, '/');
	snprintf(tok, sizeof(tok), " token=%.*s", (int)strcspn(t + 1, "\n"), t + 1);
	/*
	 * The token is followed by " linked=<id>" while linked, by the line's
	 * end after.
	 */
	snprintf(pfx, sizeof(pfx), "%s linked=%d\n", tok, id);
	EXPECT_EQ(0, find_line(STREAMS, "", pfx, line, sizeof(line))) TH_LOG("no %s", pfx);
	ASSERT_EQ(0, ioctl(self->up, I_UNLINK, id));
	snprintf(pfx, sizeof(pfx), "%d ", id);
	EXPECT_NE(0, find_line(MUXES, pfx, NULL, line, sizeof(line)));
	snprintf(tok_end, sizeof(tok_end), "%s\n", tok);
	EXPECT_EQ(0, find_line(STREAMS, "", tok_end, line, sizeof(line))) TH_LOG("no %s", tok);
	close(e);
}

struct flow {
	int up, fd, peer;
	int id;
	atomic_int stop;
};

static void *flow_writer(void *p)
{
	struct flow *f = p;
	char buf[256] = { 0 };

	while (!atomic_load(&f->stop)) {
		if (send_to(f->up, f->id, buf, sizeof(buf)) < 0 && errno != EAGAIN)
			break;
		if (f->peer >= 0 && write(f->peer, buf, sizeof(buf)) < 0 && errno != EAGAIN)
			break;
	}
	return NULL;
}

static void *flow_reader(void *p)
{
	struct flow *f = p;
	char buf[512], ctl[16];
	struct strbuf c = { .maxlen = sizeof(ctl), .buf = ctl };
	struct strbuf d = { .maxlen = sizeof(buf), .buf = buf };
	int flags;

	while (!atomic_load(&f->stop)) {
		flags = 0;
		if (strclone_getmsg(f->up, &c, &d, &flags) < 0 && errno != EAGAIN)
			break;
		if (f->peer >= 0 && read(f->peer, buf, sizeof(buf)) < 0 && errno != EAGAIN)
			break;
	}
	return NULL;
}

static void *close_fd(void *p)
{
	close(*(int *)p);
	return NULL;
}

/*
 * Upper and lower closed at once while messages flow both ways, 40 times
 * with an echo stream below and 40 with a pipe end: no link is left, and
 * the console scan finds nothing.
 */
TEST_F_TIMEOUT(mux, concurrent_close_under_traffic, 120)
{
	watchdog(110);
	for (int i = 0; i < 80; i++) {
		struct flow f = { .peer = -1 };
		pthread_t w, r, c1, c2;
		int p[2];

		f.up = open_router();
		ASSERT_LE(0, f.up);
		if (i % 2) {
			ASSERT_EQ(0, open_pipe(p));
			f.fd = p[0];
			f.peer = p[1];
		} else {
			f.fd = open_echo();
			ASSERT_LE(0, f.fd);
		}
		ASSERT_EQ(0, set_nonblock(f.up, 1));
		if (f.peer >= 0)
			ASSERT_EQ(0, set_nonblock(f.peer, 1));
		f.id = ioctl(f.up, i % 4 < 2 ? I_LINK : I_PLINK, f.fd);
		ASSERT_LT(0, f.id) TH_LOG("link %d: %s", i, strerror(errno));
		ASSERT_EQ(0, pthread_create(&w, NULL, flow_writer, &f));
		ASSERT_EQ(0, pthread_create(&r, NULL, flow_reader, &f));
		usleep(20000);
		ASSERT_EQ(0, pthread_create(&c1, NULL, close_fd, &f.up));
		ASSERT_EQ(0, pthread_create(&c2, NULL, close_fd, &f.fd));
		pthread_join(c1, NULL);
		pthread_join(c2, NULL);
		atomic_store(&f.stop, 1);
		pthread_join(w, NULL);
		pthread_join(r, NULL);
		if (i % 4 >= 2) {
			/* A persistent link outlives both: removed by another stream. */
			int up = open_router();

			ASSERT_LE(0, up);
			EXPECT_EQ(0, ioctl(up, I_PUNLINK, MUXID_ALL));
			close(up);
		}
		if (f.peer >= 0)
			close(f.peer);
		ASSERT_EQ(0, router_links()) TH_LOG("round %d", i);
	}
}

TEST_HARNESS_MAIN
