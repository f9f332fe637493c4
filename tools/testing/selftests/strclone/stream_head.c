// SPDX-License-Identifier: GPL-2.0
/*
 * Stream head semantics, observed through the echo target (/dev/clone-echo).
 *
 * Every open of /dev/clone-echo is a fresh stream whose driver sends back
 * upstream whatever is written to it, in order. The echo happens in a
 * service procedure on strclone's workqueue, i.e. asynchronously: the tests
 * always wait (poll() or I_NREAD with a timeout) before they read.
 *
 * The behaviour checked here is Documentation/strclone/streams.rst, "The
 * stream head (user-visible behaviour)" and "The echo target".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"

#define MAXPSZ		4096	/* echo driver write queue maxpsz */

static int open_echo(void)
{
	return open(ECHO_NODE, O_RDWR);
}

/* Open an echo stream and arm the watchdog; fails the test if it cannot. */
#define OPEN_ECHO(fd) do {						\
	watchdog(WATCHDOG_S);						\
	fd = open_echo();						\
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", ECHO_NODE, strerror(errno)); \
} while (0)

/* ---- signals for the EINTR tests ------------------------------------- */

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	static const char msg[] = "# blocking call was not interrupted by SIGALRM (restarted?)\n";

	(void)sig;
	/* A call that restarts instead of failing EINTR would block forever. */
	if (++alarms >= 5) {
		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(KSFT_FAIL);
		_exit(KSFT_FAIL);
	}
}

/* SIGALRM handler WITHOUT SA_RESTART, firing after 1 s and every second after. */
static void arm_interrupt(void)
{
	struct sigaction sa;
	struct itimerval it = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(SIGALRM, &sa, NULL);
	alarms = 0;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_interrupt(void)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	watchdog(WATCHDOG_S);
}

/* ---- a writer thread for the blocking-write tests --------------------- */

struct writer {
	pthread_t thr;
	int fd;
	const unsigned char *buf;
	size_t len;
	ssize_t ret;
	int err;
	atomic_int done;
};

static void *writer_fn(void *p)
{
	struct writer *w = p;

	w->ret = write(w->fd, w->buf, w->len);
	w->err = errno;
	atomic_store(&w->done, 1);
	return NULL;
}

static int start_writer(struct writer *w, int fd, const unsigned char *buf, size_t len)
{
	w->fd = fd;
	w->buf = buf;
	w->len = len;
	w->ret = -2;
	w->err = 0;
	atomic_store(&w->done, 0);
	return pthread_create(&w->thr, NULL, writer_fn, w);
}

/* ==== write(2) / read(2) ============================================== */

TEST(write_read_roundtrip)
{
	char buf[64];
	int fd, b;

	OPEN_ECHO(fd);
	ASSERT_EQ(5, write(fd, "hello", 5));
	ASSERT_EQ(5, read_exact(fd, buf, 5, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));

	/* Several messages come back in order. */
	ASSERT_EQ(3, write(fd, "one", 3));
	ASSERT_EQ(3, write(fd, "two", 3));
	ASSERT_EQ(5, write(fd, "three", 5));
	ASSERT_EQ(11, read_exact(fd, buf, 11, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "onetwothree", 11));

	/* Nothing else is left. */
	EXPECT_EQ(0, nread(fd, &b));
	EXPECT_EQ(0, b);
	close(fd);
}

TEST(partial_read_keeps_rest)
{
	char buf[64];
	int fd, b;

	OPEN_ECHO(fd);
	ASSERT_EQ(10, write(fd, "abcdefghij", 10));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	EXPECT_EQ(10, b);

	ASSERT_EQ(4, read(fd, buf, 4));
	EXPECT_EQ(0, memcmp(buf, "abcd", 4));
	/* The rest is still the first (and only) message. */
	EXPECT_EQ(1, nread(fd, &b));
	EXPECT_EQ(6, b);

	ASSERT_EQ(6, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "efghij", 6));
	EXPECT_EQ(0, nread(fd, &b));
	close(fd);
}

TEST(read_across_message_boundaries)
{
	char buf[64];
	int fd, b;

	OPEN_ECHO(fd);
	ASSERT_EQ(3, write(fd, "abc", 3));
	ASSERT_EQ(4, write(fd, "defg", 4));
	ASSERT_EQ(2, write(fd, "hi", 2));
	ASSERT_EQ(3, wait_nread(fd, 3, WAIT_MS, &b));
	EXPECT_EQ(3, b);

	/* One read crosses into the second message and stops inside it. */
	ASSERT_EQ(5, read(fd, buf, 5));
	EXPECT_EQ(0, memcmp(buf, "abcde", 5));
	EXPECT_EQ(2, nread(fd, &b));
	EXPECT_EQ(2, b);

	/* The next one takes everything that is left, across the boundary. */
	ASSERT_EQ(4, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "fghi", 4));
	EXPECT_EQ(0, nread(fd, &b));
	close(fd);
}

/*
 * A read that takes several messages at once and faults part way into the
 * user buffer returns what it copied and puts the rest back in order: the
 * next read gets exactly the bytes that were not returned.
 */
TEST(read_fault_across_messages_keeps_order)
{
	char *pages = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char all[16] = { 0 }, buf[64];
	ssize_t k, got;
	int fd, b;

	ASSERT_NE(MAP_FAILED, pages);
	ASSERT_EQ(0, mprotect(pages + 4096, 4096, PROT_NONE));
	OPEN_ECHO(fd);
	ASSERT_EQ(3, write(fd, "abc", 3));
	ASSERT_EQ(4, write(fd, "defg", 4));
	ASSERT_EQ(2, write(fd, "hi", 2));
	ASSERT_EQ(3, wait_nread(fd, 3, WAIT_MS, &b));

	/* Five bytes of room before the inaccessible page. */
	k = read(fd, pages + 4096 - 5, 64);
	ASSERT_GT(k, 0);
	ASSERT_LE(k, 5);
	memcpy(all, pages + 4096 - 5, k);
	got = read(fd, buf, sizeof(buf));
	ASSERT_EQ(9 - k, got);
	memcpy(all + k, buf, got);
	EXPECT_EQ(0, memcmp(all, "abcdefghi", 9));
	EXPECT_EQ(0, nread(fd, &b));
	close(fd);
	munmap(pages, 2 * 4096);
}

/* SVR4 write(2) on a device: a zero-length write sends a zero-length
 * message (SNDZERO is on in a new stream); without SNDZERO nothing. */
TEST(zero_length_write_sends_empty_message)
{
	char buf[8];
	int fd, b;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, write(fd, buf, 0));
	ASSERT_EQ(1, write(fd, "x", 1));
	/* The zero-length message comes back ahead of "x". */
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, &b));
	EXPECT_EQ(0, b);
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ('x', buf[0]);
	ASSERT_EQ(0, ioctl(fd, I_SWROPT, 0L));
	ASSERT_EQ(0, write(fd, buf, 0));
	ASSERT_EQ(1, write(fd, "y", 1));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	EXPECT_EQ(1, b);
	close(fd);
}

TEST(large_write_is_split_into_maxpsz_messages)
{
	const size_t len = 20000;
	unsigned char *src = malloc(len), *dst = malloc(len);
	struct writer w;
	size_t got = 0;
	int fd, msgs = 0, biggest = 0;

	ASSERT_NE(NULL, src);
	ASSERT_NE(NULL, dst);
	fill_pat(src, 0, len);
	OPEN_ECHO(fd);
	/* 20000 bytes do not fit in the queues: write from a thread, read here. */
	ASSERT_EQ(0, start_writer(&w, fd, src, len));
	while (got < len) {
		int b = -1, n, rev;
		ssize_t r;

		rev = poll_fd(fd, POLLIN, WAIT_MS);
		ASSERT_TRUE(rev & POLLIN) TH_LOG("nothing to read after %zu bytes", got);
		n = nread(fd, &b);
		ASSERT_LE(1, n);
		ASSERT_LT(0, b) TH_LOG("message %d has %d bytes", msgs, b);
		EXPECT_GE(MAXPSZ, b) TH_LOG("message %d has %d bytes", msgs, b);
		if (b > (int)(len - got))
			b = len - got;
		if (b > biggest)
			biggest = b;
		/* Read exactly the first message. */
		r = read(fd, dst + got, b);
		ASSERT_EQ(b, r);
		got += r;
		msgs++;
	}
	ASSERT_EQ(0, pthread_join(w.thr, NULL));
	EXPECT_EQ((ssize_t)len, w.ret) TH_LOG("write: %s", strerror(w.err));
	EXPECT_EQ(-1, check_pat(dst, 0, len));
	EXPECT_LE((int)((len + MAXPSZ - 1) / MAXPSZ), msgs);
	TH_LOG("20000 bytes came back in %d messages, largest %d", msgs, biggest);
	free(src);
	free(dst);
	close(fd);
}

TEST(read_with_proto_at_front_fails_ebadmsg)
{
	struct strbuf c, d;
	char cb[64], db[64], buf[64];
	int fd, b, flags;

	OPEN_ECHO(fd);
	/* M_PROTO at the front. */
	ASSERT_EQ(0, putmsg_parts(fd, "C", 1, "D", 1, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADMSG, errno);
	/* It was left in place for getmsg. */
	EXPECT_EQ(1, nread(fd, &b));
	c = (struct strbuf){ .maxlen = sizeof(cb), .buf = cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = db };
	flags = 0;
	ASSERT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(1, c.len);
	EXPECT_EQ(1, d.len);
	EXPECT_EQ('C', cb[0]);
	EXPECT_EQ('D', db[0]);

	/* M_PCPROTO at the front. */
	ASSERT_EQ(0, putmsg_parts(fd, "P", 1, "Q", 1, RS_HIPRI));
	ASSERT_TRUE(poll_fd(fd, POLLPRI, WAIT_MS) & POLLPRI);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADMSG, errno);
	flags = 0;
	ASSERT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(RS_HIPRI, flags);
	EXPECT_EQ('P', cb[0]);

	/* M_DATA then M_PROTO: read returns the data and stops before the M_PROTO. */
	ASSERT_EQ(3, write(fd, "abc", 3));
	ASSERT_EQ(0, putmsg_parts(fd, "K", 1, "L", 1, 0));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, &b));
	EXPECT_EQ(3, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADMSG, errno);
	EXPECT_EQ(1, nread(fd, &b));
	close(fd);
}

TEST(nonblocking_read_on_empty_stream_eagain)
{
	struct strbuf c, d;
	char cb[16], db[16], buf[16];
	int fd, flags;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, set_nonblock(fd, 1));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);

	c = (struct strbuf){ .maxlen = sizeof(cb), .buf = cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = db };
	flags = 0;
	EXPECT_EQ(-1, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(EAGAIN, errno);

	/* RS_HIPRI wants a high-priority message: a normal one does not do. */
	ASSERT_EQ(1, write(fd, "n", 1));
	ASSERT_TRUE(poll_fd(fd, POLLIN, WAIT_MS) & POLLIN);
	flags = RS_HIPRI;
	EXPECT_EQ(-1, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ('n', buf[0]);
	close(fd);
}

/* ==== putmsg / getmsg ================================================== */

TEST(putmsg_getmsg_control_and_data)
{
	struct strbuf c, d;
	char cb[64], db[64];
	int fd, b, flags, rev;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, putmsg_parts(fd, "CTL1", 4, "data-part", 9, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	/* M_PROTO is a normal message. */
	rev = poll_fd(fd, POLLIN | POLLRDNORM | POLLPRI, 0);
	EXPECT_EQ(POLLIN | POLLRDNORM, rev & (POLLIN | POLLRDNORM | POLLPRI));

	c = (struct strbuf){ .maxlen = sizeof(cb), .buf = cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = db };
	flags = 0;
	ASSERT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(4, c.len);
	EXPECT_EQ(9, d.len);
	EXPECT_EQ(0, flags);
	EXPECT_EQ(0, memcmp(cb, "CTL1", 4));
	EXPECT_EQ(0, memcmp(db, "data-part", 9));
	EXPECT_EQ(0, nread(fd, &b));

	/* A control part without a data part: the data length comes back -1. */
	ASSERT_EQ(0, putmsg_parts(fd, "only", 4, NULL, -1, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	c.maxlen = sizeof(cb);
	d.maxlen = sizeof(db);
	flags = MSG_ANY;
	ASSERT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(4, c.len);
	EXPECT_EQ(-1, d.len);
	EXPECT_EQ(0, flags);
	EXPECT_EQ(0, memcmp(cb, "only", 4));
	close(fd);
}

TEST(putmsg_data_only_is_m_data)
{
	struct strbuf c, d;
	char cb[64], db[64], buf[64];
	int fd, b, flags;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, putmsg_parts(fd, NULL, -1, "xyz", 3, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	c = (struct strbuf){ .maxlen = sizeof(cb), .buf = cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = db };
	flags = 0;
	ASSERT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(-1, c.len);
	EXPECT_EQ(3, d.len);
	EXPECT_EQ(0, flags);
	EXPECT_EQ(0, memcmp(db, "xyz", 3));

	/* And being M_DATA, read(2) takes it too. */
	ASSERT_EQ(0, putmsg_parts(fd, NULL, -1, "plain", 5, 0));
	ASSERT_EQ(5, read_exact(fd, buf, 5, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "plain", 5));
	close(fd);
}

TEST(putmsg_nothing_sends_nothing)
{
	char buf[8];
	int fd, b;

	OPEN_ECHO(fd);
	EXPECT_EQ(0, putmsg_parts(fd, NULL, -1, NULL, -1, 0));
	EXPECT_EQ(0, strclone_putmsg(fd, NULL, NULL, 0));
	ASSERT_EQ(1, write(fd, "z", 1));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	EXPECT_EQ(1, b);
	EXPECT_EQ(1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ('z', buf[0]);
	close(fd);
}

TEST(putmsg_hipri_comes_back_as_pcproto)
{
	struct strbuf c, d;
	char cb[64], db[64];
	int fd, flags, rev;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, putmsg_parts(fd, "PRI", 3, "x", 1, RS_HIPRI));
	rev = poll_fd(fd, POLLPRI, WAIT_MS);
	ASSERT_TRUE(rev & POLLPRI) TH_LOG("revents 0x%x", rev);

	c = (struct strbuf){ .maxlen = sizeof(cb), .buf = cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = db };
	flags = RS_HIPRI;
	ASSERT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(RS_HIPRI, flags);
	EXPECT_EQ(3, c.len);
	EXPECT_EQ(1, d.len);
	EXPECT_EQ(0, memcmp(cb, "PRI", 3));
	EXPECT_EQ('x', db[0]);
	/* Nothing high-priority is left. */
	EXPECT_EQ(0, poll_fd(fd, POLLPRI, 0) & POLLPRI);

	/* MSG_ANY takes it as well and still reports RS_HIPRI. */
	ASSERT_EQ(0, putmsg_parts(fd, "P2", 2, NULL, -1, RS_HIPRI));
	ASSERT_TRUE(poll_fd(fd, POLLPRI, WAIT_MS) & POLLPRI);
	c.maxlen = sizeof(cb);
	d.maxlen = sizeof(db);
	flags = MSG_ANY;
	ASSERT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(RS_HIPRI, flags);
	EXPECT_EQ(2, c.len);
	EXPECT_EQ(-1, d.len);
	EXPECT_EQ(0, memcmp(cb, "P2", 2));
	close(fd);
}

TEST(getmsg_small_maxlen_moreflags)
{
	struct strbuf c, d;
	char cb[64], db[64];
	int fd, b, flags;

	OPEN_ECHO(fd);
	/* Both parts too long. */
	ASSERT_EQ(0, putmsg_parts(fd, "0123456789", 10, "abcdefghijklmnopqrst", 20, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	c = (struct strbuf){ .maxlen = 4, .buf = cb };
	d = (struct strbuf){ .maxlen = 5, .buf = db };
	flags = 0;
	EXPECT_EQ(MORECTL | MOREDATA, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(4, c.len);
	EXPECT_EQ(5, d.len);
	EXPECT_EQ(0, flags);
	EXPECT_EQ(0, memcmp(cb, "0123", 4));
	EXPECT_EQ(0, memcmp(db, "abcde", 5));
	/* The rest stays at the head and comes with the next getmsg. */
	EXPECT_EQ(1, nread(fd, &b));
	c.maxlen = sizeof(cb);
	d.maxlen = sizeof(db);
	flags = 0;
	EXPECT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(6, c.len);
	EXPECT_EQ(15, d.len);
	EXPECT_EQ(0, memcmp(cb, "456789", 6));
	EXPECT_EQ(0, memcmp(db, "fghijklmnopqrst", 15));
	EXPECT_EQ(0, nread(fd, &b));

	/* Only the data part too long. */
	ASSERT_EQ(0, putmsg_parts(fd, "abc", 3, "ABCDEFGHIJKLMNOPQRST", 20, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	c.maxlen = sizeof(cb);
	d.maxlen = 5;
	flags = 0;
	EXPECT_EQ(MOREDATA, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(3, c.len);
	EXPECT_EQ(5, d.len);
	EXPECT_EQ(0, memcmp(cb, "abc", 3));
	EXPECT_EQ(0, memcmp(db, "ABCDE", 5));
	c.maxlen = sizeof(cb);
	d.maxlen = sizeof(db);
	flags = 0;
	EXPECT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	/* The control part was consumed: absent (-1) or empty (0). */
	EXPECT_TRUE(c.len == -1 || c.len == 0) TH_LOG("ctl len %d", c.len);
	EXPECT_EQ(15, d.len);
	EXPECT_EQ(0, memcmp(db, "FGHIJKLMNOPQRST", 15));
	EXPECT_EQ(0, nread(fd, &b));

	/* A data-only message: MOREDATA, and the rest is plain data for read(). */
	ASSERT_EQ(0, putmsg_parts(fd, NULL, -1, "klmnopqrstuvwxyz0123", 20, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	c.maxlen = sizeof(cb);
	d.maxlen = 8;
	flags = 0;
	EXPECT_EQ(MOREDATA, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(-1, c.len);
	EXPECT_EQ(8, d.len);
	EXPECT_EQ(0, memcmp(db, "klmnopqr", 8));
	EXPECT_EQ(1, nread(fd, &b));
	EXPECT_EQ(12, b);
	EXPECT_EQ(12, read(fd, db, sizeof(db)));
	EXPECT_EQ(0, memcmp(db, "stuvwxyz0123", 12));
	close(fd);
}

TEST(getmsg_maxlen_minus_one_leaves_part)
{
	struct strbuf c, d;
	char cb[64], db[64];
	int fd, b, flags, r;

	OPEN_ECHO(fd);
	/* Leave the control part, take the data. */
	ASSERT_EQ(0, putmsg_parts(fd, "CTLX", 4, "DATA1234", 8, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	c = (struct strbuf){ .maxlen = -1, .buf = cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = db };
	flags = 0;
	r = strclone_getmsg(fd, &c, &d, &flags);
	ASSERT_LE(0, r) TH_LOG("getmsg: %s", strerror(errno));
	EXPECT_EQ(0, r & MOREDATA);
	EXPECT_EQ(8, d.len);
	EXPECT_EQ(0, memcmp(db, "DATA1234", 8));
	EXPECT_EQ(1, nread(fd, &b));
	c.maxlen = sizeof(cb);
	d.maxlen = sizeof(db);
	flags = 0;
	EXPECT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(4, c.len);
	EXPECT_EQ(0, memcmp(cb, "CTLX", 4));
	EXPECT_TRUE(d.len == -1 || d.len == 0) TH_LOG("data len %d", d.len);
	EXPECT_EQ(0, nread(fd, &b));

	/* Leave the data part, take the control. */
	ASSERT_EQ(0, putmsg_parts(fd, "CTLY", 4, "DATA5678", 8, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	c.maxlen = sizeof(cb);
	d.maxlen = -1;
	flags = 0;
	r = strclone_getmsg(fd, &c, &d, &flags);
	ASSERT_LE(0, r) TH_LOG("getmsg: %s", strerror(errno));
	EXPECT_EQ(0, r & MORECTL);
	EXPECT_EQ(4, c.len);
	EXPECT_EQ(0, memcmp(cb, "CTLY", 4));
	EXPECT_EQ(1, nread(fd, &b));
	EXPECT_EQ(8, b);
	c.maxlen = sizeof(cb);
	d.maxlen = sizeof(db);
	flags = 0;
	EXPECT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_TRUE(c.len == -1 || c.len == 0) TH_LOG("ctl len %d", c.len);
	EXPECT_EQ(8, d.len);
	EXPECT_EQ(0, memcmp(db, "DATA5678", 8));
	EXPECT_EQ(0, nread(fd, &b));
	close(fd);
}

TEST(getmsg_bad_flags_einval)
{
	struct strbuf c, d;
	char cb[16], db[16];
	int fd, b, flags;
	static const int bad[] = { MSG_BAND, 8, 0x10, 0xff, -1 };

	OPEN_ECHO(fd);
	/* A message is waiting, so a bad flag cannot be mistaken for "block". */
	ASSERT_EQ(1, write(fd, "m", 1));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		c = (struct strbuf){ .maxlen = sizeof(cb), .buf = cb };
		d = (struct strbuf){ .maxlen = sizeof(db), .buf = db };
		flags = bad[i];
		EXPECT_EQ(-1, strclone_getmsg(fd, &c, &d, &flags)) TH_LOG("flags 0x%x", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("flags 0x%x", bad[i]);
	}
	/* The message is untouched. */
	EXPECT_EQ(1, nread(fd, &b));
	EXPECT_EQ(1, b);
	close(fd);
}

TEST(putmsg_bad_flags_and_sizes)
{
	static char big[65537];
	static unsigned char cb[2048], db[8192];
	struct strbuf c, d;
	int fd, b, flags;

	OPEN_ECHO(fd);
	/* flags other than 0/RS_HIPRI */
	EXPECT_EQ(-1, putmsg_parts(fd, "c", 1, "d", 1, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, putmsg_parts(fd, "c", 1, "d", 1, 4));
	EXPECT_EQ(EINVAL, errno);
	/* RS_HIPRI without a control part */
	EXPECT_EQ(-1, putmsg_parts(fd, NULL, -1, "d", 1, RS_HIPRI));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, putmsg_parts(fd, NULL, -1, NULL, -1, RS_HIPRI));
	EXPECT_EQ(EINVAL, errno);
	/* control part above strctlsz */
	EXPECT_EQ(-1, putmsg_parts(fd, big, STRCLONE_STRCTLSZ + 1, "d", 1, 0));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, putmsg_parts(fd, big, STRCLONE_STRCTLSZ + 1, NULL, -1, RS_HIPRI));
	EXPECT_EQ(ERANGE, errno);
	/* data part above strmsgsz */
	EXPECT_EQ(-1, putmsg_parts(fd, NULL, -1, big, STRCLONE_STRMSGSZ + 1, 0));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, putmsg_parts(fd, "c", 1, big, STRCLONE_STRMSGSZ + 1, 0));
	EXPECT_EQ(ERANGE, errno);
	/* data part above the echo driver's maxpsz */
	EXPECT_EQ(-1, putmsg_parts(fd, NULL, -1, big, MAXPSZ + 1, 0));
	EXPECT_EQ(ERANGE, errno);

	/* None of those sent anything. */
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(0, nread(fd, &b));

	/* The limits themselves are fine: 1024 control + 4096 data bytes. */
	fill_pat((unsigned char *)big, 0, sizeof(big));
	ASSERT_EQ(0, putmsg_parts(fd, big, STRCLONE_STRCTLSZ, big + 7, MAXPSZ, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	EXPECT_EQ(MAXPSZ, b);
	c = (struct strbuf){ .maxlen = sizeof(cb), .buf = (char *)cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = (char *)db };
	flags = 0;
	EXPECT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(STRCLONE_STRCTLSZ, c.len);
	EXPECT_EQ(MAXPSZ, d.len);
	EXPECT_EQ(-1, check_pat(cb, 0, STRCLONE_STRCTLSZ));
	EXPECT_EQ(-1, check_pat(db, 7, MAXPSZ));
	close(fd);
}

/* ==== priority ordering ================================================ */

TEST(hipri_bypasses_stopped_echo)
{
	struct strbuf c, d;
	char cb[64], db[64], buf[64];
	int fd, b, flags;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, echo_cmd(fd, ECHO_STOP));
	/* Normal messages pile up in the stopped echo's write queue... */
	ASSERT_EQ(8, write(fd, "normal-1", 8));
	ASSERT_EQ(0, putmsg_parts(fd, "P1", 2, "d1", 2, 0));
	/* ...the high-priority one comes straight back. */
	ASSERT_EQ(0, putmsg_parts(fd, "HI", 2, NULL, -1, RS_HIPRI));
	ASSERT_TRUE(poll_fd(fd, POLLPRI, WAIT_MS) & POLLPRI);

	c = (struct strbuf){ .maxlen = sizeof(cb), .buf = cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = db };
	flags = 0;
	ASSERT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(RS_HIPRI, flags);
	EXPECT_EQ(2, c.len);
	EXPECT_EQ(0, memcmp(cb, "HI", 2));
	EXPECT_EQ(-1, d.len);

	/* The normal ones are still held by the stopped driver. */
	EXPECT_EQ(0, poll_fd(fd, POLLIN, QUIET_MS) & POLLIN);
	EXPECT_EQ(0, nread(fd, &b));

	/* After ECHO_START they follow, in the order they were sent. */
	ASSERT_EQ(0, echo_cmd(fd, ECHO_START));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, &b));
	EXPECT_EQ(8, b);
	EXPECT_EQ(8, read(fd, buf, 8));
	EXPECT_EQ(0, memcmp(buf, "normal-1", 8));
	c.maxlen = sizeof(cb);
	d.maxlen = sizeof(db);
	flags = 0;
	ASSERT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(0, flags);
	EXPECT_EQ(2, c.len);
	EXPECT_EQ(2, d.len);
	EXPECT_EQ(0, memcmp(cb, "P1", 2));
	EXPECT_EQ(0, memcmp(db, "d1", 2));
	close(fd);
}

TEST(hipri_queued_ahead_of_normal)
{
	struct strbuf c, d;
	char cb[64], db[64], buf[64];
	int fd, b, flags;

	OPEN_ECHO(fd);
	/* A normal message reaches the head first... */
	ASSERT_EQ(8, write(fd, "normal-1", 8));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	/* ...then a high-priority one arrives and goes ahead of it. */
	ASSERT_EQ(0, putmsg_parts(fd, "H1", 2, "hd", 2, RS_HIPRI));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, &b));
	/* The first message is now the high-priority one (2 data bytes). */
	EXPECT_EQ(2, b);
	EXPECT_TRUE(poll_fd(fd, POLLPRI, 0) & POLLPRI);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADMSG, errno);
	/*
	 * The head keeps one M_PCPROTO (SVR4's STRPRI): a second one sent while
	 * the first is unread is freed.
	 */
	ASSERT_EQ(0, putmsg_parts(fd, "H2", 2, "h", 1, RS_HIPRI));
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(2, nread(fd, &b));

	c = (struct strbuf){ .maxlen = sizeof(cb), .buf = cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = db };
	flags = 0;
	ASSERT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(RS_HIPRI, flags);
	EXPECT_EQ(0, memcmp(cb, "H1", 2));
	/* Read, it makes room for the next, which again goes first. */
	ASSERT_EQ(0, putmsg_parts(fd, "H3", 2, "h", 1, RS_HIPRI));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, &b));
	EXPECT_EQ(1, b);
	c.maxlen = sizeof(cb);
	d.maxlen = sizeof(db);
	flags = 0;
	ASSERT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(RS_HIPRI, flags);
	EXPECT_EQ(0, memcmp(cb, "H3", 2));
	/* Then the normal one. */
	EXPECT_EQ(8, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "normal-1", 8));
	close(fd);
}

/* ==== flow control ===================================================== */

/*
 * Stop the echo with small driver queues and write without blocking until
 * the write side is full. Returns the bytes written, or -1 if the writer
 * never got EAGAIN within the bound.
 */
static long fill_until_eagain(int fd, int chunk, int max_writes)
{
	unsigned char buf[1024];
	long total = 0;

	for (int i = 0; i < max_writes; i++) {
		ssize_t r;

		fill_pat(buf, total, chunk);
		r = write(fd, buf, chunk);
		if (r < 0)
			return errno == EAGAIN ? total : -2;
		total += r;
	}
	return -1;
}

TEST(flow_control_nonblocking_writer)
{
	unsigned char buf[4096], *all;
	long total;
	int fd, rev;

	OPEN_ECHO(fd);
	EXPECT_EQ(1, ioctl(fd, I_CANPUT, 0));
	ASSERT_EQ(0, echo_setq(fd, 1024, 256));
	ASSERT_EQ(0, echo_cmd(fd, ECHO_STOP));
	ASSERT_EQ(0, set_nonblock(fd, 1));

	total = fill_until_eagain(fd, 256, 1000);
	ASSERT_LT(0, total) TH_LOG("writer got no EAGAIN (%ld)", total);
	TH_LOG("EAGAIN after %ld bytes", total);
	/* The write side is full: no POLLOUT, I_CANPUT says no. */
	rev = poll_fd(fd, POLLOUT | POLLWRNORM, 0);
	EXPECT_EQ(0, rev & (POLLOUT | POLLWRNORM)) TH_LOG("revents 0x%x", rev);
	EXPECT_EQ(0, ioctl(fd, I_CANPUT, 0));
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EAGAIN, errno);

	/* Resume and drain: everything comes back intact, in order. */
	ASSERT_EQ(0, echo_cmd(fd, ECHO_START));
	all = malloc(total);
	ASSERT_NE(NULL, all);
	ASSERT_EQ(total, read_exact(fd, all, total, 2 * WAIT_MS));
	EXPECT_EQ(-1, check_pat(all, 0, total));
	free(all);
	/* Writable again. */
	rev = poll_fd(fd, POLLOUT | POLLWRNORM, WAIT_MS);
	EXPECT_EQ(POLLOUT | POLLWRNORM, rev & (POLLOUT | POLLWRNORM)) TH_LOG("revents 0x%x", rev);
	EXPECT_EQ(1, ioctl(fd, I_CANPUT, 0));
	EXPECT_EQ(5, write(fd, "again", 5));
	EXPECT_EQ(5, read_exact(fd, buf, 5, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "again", 5));
	close(fd);
}

TEST(blocking_writer_released_by_reader)
{
	const size_t len = 32768;
	unsigned char *src = malloc(len), *dst = malloc(len);
	struct writer w;
	ssize_t got;
	int fd;

	ASSERT_NE(NULL, src);
	ASSERT_NE(NULL, dst);
	fill_pat(src, 0, len);
	OPEN_ECHO(fd);
	ASSERT_EQ(0, echo_setq(fd, 1024, 256));
	/* Nobody reads: the head read queue fills, then the echo, then the writer sleeps. */
	ASSERT_EQ(0, start_writer(&w, fd, src, len));
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(0, atomic_load(&w.done)) TH_LOG("a 32 KiB write did not block");
	/* A reader releases it. */
	got = read_exact(fd, dst, len, 3 * WAIT_MS);
	EXPECT_EQ((ssize_t)len, got);
	ASSERT_EQ(0, pthread_join(w.thr, NULL));
	EXPECT_EQ((ssize_t)len, w.ret) TH_LOG("write: %s", strerror(w.err));
	EXPECT_EQ(-1, check_pat(dst, 0, got > 0 ? got : 0));
	free(src);
	free(dst);
	close(fd);
}

/* ==== poll(2) ========================================================== */

#define ALLEV (POLLIN | POLLRDNORM | POLLPRI | POLLOUT | POLLWRNORM)

TEST(poll_in_and_out)
{
	char buf[8];
	int fd, rev;

	OPEN_ECHO(fd);
	/* Empty, writable. */
	rev = poll_fd(fd, ALLEV, 0);
	EXPECT_EQ(POLLOUT | POLLWRNORM, rev) TH_LOG("revents 0x%x", rev);

	ASSERT_EQ(1, write(fd, "x", 1));
	ASSERT_TRUE(poll_fd(fd, POLLIN, WAIT_MS) & POLLIN);
	rev = poll_fd(fd, ALLEV, 0);
	EXPECT_EQ(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM, rev) TH_LOG("revents 0x%x", rev);

	EXPECT_EQ(1, read(fd, buf, sizeof(buf)));
	rev = poll_fd(fd, ALLEV, 0);
	EXPECT_EQ(POLLOUT | POLLWRNORM, rev) TH_LOG("revents 0x%x", rev);
	close(fd);
}

TEST(poll_pri_for_hipri_message)
{
	struct strbuf c, d;
	char cb[16], db[16];
	int fd, rev, flags;

	OPEN_ECHO(fd);
	EXPECT_EQ(0, poll_fd(fd, POLLPRI, 0));
	ASSERT_EQ(0, putmsg_parts(fd, "P", 1, NULL, -1, RS_HIPRI));
	rev = poll_fd(fd, POLLPRI, WAIT_MS);
	EXPECT_EQ(POLLPRI, rev & (POLLPRI | POLLHUP | POLLERR)) TH_LOG("revents 0x%x", rev);

	c = (struct strbuf){ .maxlen = sizeof(cb), .buf = cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = db };
	flags = RS_HIPRI;
	ASSERT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(0, poll_fd(fd, POLLPRI, 0));
	close(fd);
}

TEST(poll_hup_after_hangup)
{
	int fd, rev, r;

	OPEN_ECHO(fd);
	r = echo_cmd(fd, ECHO_HANGUP);
	/* The hangup may overtake the ioctl's own answer. */
	EXPECT_TRUE(r == 0 || (r == -1 && errno == ENXIO)) TH_LOG("ECHO_HANGUP: %d %s", r, strerror(errno));
	rev = poll_fd(fd, POLLIN | POLLPRI, WAIT_MS);
	EXPECT_TRUE(rev & POLLHUP) TH_LOG("revents 0x%x", rev);
	rev = poll_fd(fd, ALLEV, 0);
	EXPECT_TRUE(rev & POLLHUP) TH_LOG("revents 0x%x", rev);
	EXPECT_EQ(0, rev & (POLLOUT | POLLWRNORM)) TH_LOG("revents 0x%x", rev);
	EXPECT_EQ(0, rev & POLLERR) TH_LOG("revents 0x%x", rev);
	close(fd);
}

TEST(poll_err_after_m_error)
{
	int fd, rev, r;

	OPEN_ECHO(fd);
	r = echo_cmd_int(fd, ECHO_ERROR, EPROTO);
	EXPECT_TRUE(r == 0 || (r == -1 && errno == EPROTO)) TH_LOG("ECHO_ERROR: %d %s", r, strerror(errno));
	rev = poll_fd(fd, POLLIN | POLLPRI, WAIT_MS);
	EXPECT_TRUE(rev & POLLERR) TH_LOG("revents 0x%x", rev);
	EXPECT_EQ(0, rev & POLLHUP) TH_LOG("revents 0x%x", rev);
	close(fd);
}

/* ==== I_FLUSH / I_NREAD ================================================ */

TEST(flush_read_side)
{
	char buf[8];
	int fd, b;

	OPEN_ECHO(fd);
	ASSERT_EQ(1, write(fd, "a", 1));
	ASSERT_EQ(2, write(fd, "bb", 2));
	ASSERT_EQ(3, write(fd, "ccc", 3));
	ASSERT_EQ(3, wait_nread(fd, 3, WAIT_MS, &b));
	ASSERT_EQ(0, ioctl(fd, I_FLUSH, FLUSHR));
	EXPECT_EQ(0, nread(fd, &b));
	EXPECT_EQ(0, b);
	ASSERT_EQ(0, set_nonblock(fd, 1));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, poll_fd(fd, POLLIN, 0) & POLLIN);

	/* The stream still works afterwards. */
	ASSERT_EQ(2, write(fd, "ok", 2));
	EXPECT_EQ(2, read_exact(fd, buf, 2, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "ok", 2));
	close(fd);
}

TEST(flush_write_side_discards_held_data)
{
	char buf[16];
	int fd, b;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, echo_cmd(fd, ECHO_STOP));
	ASSERT_EQ(4, write(fd, "held", 4));
	ASSERT_EQ(0, ioctl(fd, I_FLUSH, FLUSHW));
	ASSERT_EQ(0, echo_cmd(fd, ECHO_START));
	/* The flushed data never comes back. */
	EXPECT_EQ(0, poll_fd(fd, POLLIN, QUIET_MS) & POLLIN);
	EXPECT_EQ(0, nread(fd, &b));

	/* FLUSHRW does both. */
	ASSERT_EQ(0, echo_cmd(fd, ECHO_STOP));
	ASSERT_EQ(5, write(fd, "held2", 5));
	ASSERT_EQ(0, ioctl(fd, I_FLUSH, FLUSHRW));
	ASSERT_EQ(0, echo_cmd(fd, ECHO_START));
	EXPECT_EQ(0, poll_fd(fd, POLLIN, QUIET_MS) & POLLIN);
	EXPECT_EQ(0, nread(fd, &b));

	ASSERT_EQ(5, write(fd, "after", 5));
	EXPECT_EQ(5, read_exact(fd, buf, 5, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "after", 5));
	close(fd);
}

TEST(flush_bad_flags_einval)
{
	static const int bad[] = { 0, FLUSHBAND, 8, 0xff, -1 };
	int fd;

	OPEN_ECHO(fd);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-1, ioctl(fd, I_FLUSH, bad[i])) TH_LOG("flags 0x%x", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("flags 0x%x", bad[i]);
	}
	EXPECT_EQ(0, ioctl(fd, I_FLUSH, FLUSHR));
	EXPECT_EQ(0, ioctl(fd, I_FLUSH, FLUSHW));
	EXPECT_EQ(0, ioctl(fd, I_FLUSH, FLUSHRW));
	close(fd);
}

TEST(nread_counts_messages_and_first_size)
{
	struct strbuf c, d;
	char buf[16];
	int fd, b, flags;

	OPEN_ECHO(fd);
	EXPECT_EQ(0, nread(fd, &b));
	EXPECT_EQ(0, b);

	ASSERT_EQ(5, write(fd, "12345", 5));
	ASSERT_EQ(2, write(fd, "ab", 2));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, &b));
	EXPECT_EQ(5, b);
	ASSERT_EQ(5, read(fd, buf, 5));
	EXPECT_EQ(1, nread(fd, &b));
	EXPECT_EQ(2, b);
	ASSERT_EQ(2, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, nread(fd, &b));

	/* Only the data part of an M_PROTO message counts. */
	ASSERT_EQ(0, putmsg_parts(fd, "abc", 3, "wxyz", 4, 0));
	ASSERT_EQ(0, putmsg_parts(fd, "ctl", 3, NULL, -1, 0));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, &b));
	EXPECT_EQ(4, b);
	c = (struct strbuf){ .maxlen = sizeof(buf), .buf = buf };
	d = (struct strbuf){ .maxlen = sizeof(buf), .buf = buf };
	flags = 0;
	ASSERT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(1, nread(fd, &b));
	EXPECT_EQ(0, b);
	close(fd);
}

/* ==== I_STR ============================================================ */

TEST(istr_reverse_ack)
{
	static char big[STRCLONE_STRMSGSZ];
	char buf[64] = "abcdef";
	int fd, len;

	OPEN_ECHO(fd);
	len = -7;
	EXPECT_EQ(6, istr(fd, ECHO_REVERSE, buf, 6, &len));
	EXPECT_EQ(6, len);
	EXPECT_EQ(0, memcmp(buf, "fedcba", 6));

	/* Nothing to reverse: rval 0, no data back. */
	len = -7;
	EXPECT_EQ(0, istr(fd, ECHO_REVERSE, buf, 0, &len));
	EXPECT_EQ(0, len);

	/* ic_timout 0 (default) and -1 (forever) both get the answer. */
	memcpy(buf, "xy", 2);
	EXPECT_EQ(2, istr_t(fd, ECHO_REVERSE, buf, 2, 0, &len));
	EXPECT_EQ(0, memcmp(buf, "yx", 2));
	EXPECT_EQ(2, istr_t(fd, ECHO_REVERSE, buf, 2, INFTIM, &len));
	EXPECT_EQ(0, memcmp(buf, "xy", 2));

	/* The largest ic_len accepted: STRCLONE_STRMSGSZ. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 13 + (i >> 8));
	len = -7;
	EXPECT_EQ(STRCLONE_STRMSGSZ, istr(fd, ECHO_REVERSE, big, sizeof(big), &len));
	EXPECT_EQ(STRCLONE_STRMSGSZ, len);
	for (size_t i = 0; i < sizeof(big); i++) {
		size_t j = sizeof(big) - 1 - i;

		if (big[i] != (char)(j * 13 + (j >> 8))) {
			TH_LOG("byte %zu of the reversed buffer is wrong", i);
			EXPECT_TRUE(0);
			break;
		}
	}
	close(fd);
}

TEST(istr_nak_carries_errno)
{
	int fd;

	OPEN_ECHO(fd);
	EXPECT_EQ(-1, echo_cmd_int(fd, ECHO_NAK, EPERM));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, echo_cmd_int(fd, ECHO_NAK, ENOSPC));
	EXPECT_EQ(ENOSPC, errno);
	/* A NAK without an errno is EINVAL. */
	EXPECT_EQ(-1, echo_cmd_int(fd, ECHO_NAK, 0));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST(istr_unknown_command_einval)
{
	char buf[16];
	int fd;

	OPEN_ECHO(fd);
	EXPECT_EQ(-1, istr(fd, ('E' << 8) | 99, buf, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, istr(fd, 0x12345, buf, 4, NULL));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST(istr_noreply_times_out_etime)
{
	char buf[16] = "ab";
	long long t0, dt;
	int fd, len;

	OPEN_ECHO(fd);
	t0 = now_ms();
	EXPECT_EQ(-1, istr_t(fd, ECHO_NOREPLY, buf, 0, 1, NULL));
	EXPECT_EQ(ETIME, errno);
	dt = now_ms() - t0;
	EXPECT_LE(900, dt) TH_LOG("timed out after %lld ms", dt);
	EXPECT_GT(2 * WAIT_MS, dt) TH_LOG("timed out after %lld ms", dt);
	/* The stream is usable for the next I_STR. */
	EXPECT_EQ(2, istr(fd, ECHO_REVERSE, buf, 2, &len));
	EXPECT_EQ(0, memcmp(buf, "ba", 2));
	close(fd);
}

TEST(istr_bad_arguments_einval)
{
	char buf[16] = "abcd";
	int fd;

	OPEN_ECHO(fd);
	EXPECT_EQ(-1, istr(fd, ECHO_REVERSE, buf, -1, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, istr(fd, ECHO_REVERSE, buf, STRCLONE_STRMSGSZ + 1, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, istr_t(fd, ECHO_REVERSE, buf, 4, -2, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, memcmp(buf, "abcd", 4));
	close(fd);
}

/* ==== hangup and error ================================================= */

TEST(hangup_drains_then_eof)
{
	struct strbuf c, d;
	char buf[64], cb[16], db[16];
	int fd, b, r, flags;

	OPEN_ECHO(fd);
	ASSERT_EQ(6, write(fd, "before", 6));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));
	r = echo_cmd(fd, ECHO_HANGUP);
	EXPECT_TRUE(r == 0 || (r == -1 && errno == ENXIO)) TH_LOG("ECHO_HANGUP: %d %s", r, strerror(errno));
	ASSERT_TRUE(poll_fd(fd, POLLPRI, WAIT_MS) & POLLHUP);

	/* What was queued before the hangup is still readable... */
	EXPECT_EQ(6, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "before", 6));
	/* ...then end of file, for read and for getmsg. */
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	c = (struct strbuf){ .maxlen = sizeof(cb), .len = 99, .buf = cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .len = 99, .buf = db };
	flags = 0;
	EXPECT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(0, c.len);
	EXPECT_EQ(0, d.len);
	/* Writers get EIO (illumos' strwrite), I_STR ENXIO (SVR4). */
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, istr(fd, ECHO_REVERSE, buf, 2, NULL));
	EXPECT_EQ(ENXIO, errno);
	close(fd);
}

TEST(m_error_fails_read_and_write)
{
	struct strbuf c, d;
	char buf[16], cb[16], db[16];
	int fd, r, flags;

	OPEN_ECHO(fd);
	r = echo_cmd_int(fd, ECHO_ERROR, EPROTO);
	EXPECT_TRUE(r == 0 || (r == -1 && errno == EPROTO)) TH_LOG("ECHO_ERROR: %d %s", r, strerror(errno));
	ASSERT_TRUE(poll_fd(fd, POLLIN, WAIT_MS) & POLLERR);

	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EPROTO, errno);
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EPROTO, errno);
	c = (struct strbuf){ .maxlen = sizeof(cb), .buf = cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = db };
	flags = 0;
	EXPECT_EQ(-1, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(EPROTO, errno);
	EXPECT_EQ(-1, putmsg_parts(fd, "c", 1, "d", 1, 0));
	EXPECT_EQ(EPROTO, errno);
	/* It sticks. */
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EPROTO, errno);
	close(fd);
}

/* ==== bad ioctls and pointers ========================================== */

TEST(unknown_ioctl_enotty)
{
	int fd, v = 0;

	OPEN_ECHO(fd);
	EXPECT_EQ(-1, ioctl(fd, _IO('Z', 0x42)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IOR('C', 0x7f, int), &v));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, 0x5a5a5a5a, &v));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST(bad_user_pointers_efault)
{
	static void *const bad[] = { NULL, (void *)1, KERNEL_PTR };
	static const struct { unsigned long cmd; const char *name; } cmds[] = {
		{ I_NREAD, "I_NREAD" },
		{ I_STR, "I_STR" },
		{ I_GETMSG, "I_GETMSG" },
		{ I_PUTMSG, "I_PUTMSG" },
		{ STRCLONE_GETDEV, "STRCLONE_GETDEV" },
	};
	struct strioctl s;
	char buf[16];
	int fd, b;

	OPEN_ECHO(fd);
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(bad); j++) {
			errno = 0;
			EXPECT_EQ(-1, ioctl(fd, cmds[i].cmd, bad[j]))
				TH_LOG("%s(%p)", cmds[i].name, bad[j]);
			EXPECT_EQ(EFAULT, errno) TH_LOG("%s(%p)", cmds[i].name, bad[j]);
		}
	}

	/* Bad buffers behind good structures. */
	for (size_t j = 1; j < ARRAY_SIZE(bad); j++) {
		s = (struct strioctl){ .ic_cmd = ECHO_REVERSE, .ic_timout = ISTR_TIMEOUT,
				       .ic_len = 4, .ic_dp = bad[j] };
		EXPECT_EQ(-1, ioctl(fd, I_STR, &s)) TH_LOG("ic_dp %p", bad[j]);
		EXPECT_EQ(EFAULT, errno) TH_LOG("ic_dp %p", bad[j]);
		EXPECT_EQ(-1, putmsg_parts(fd, NULL, -1, bad[j], 4, 0)) TH_LOG("data %p", bad[j]);
		EXPECT_EQ(EFAULT, errno) TH_LOG("data %p", bad[j]);
		EXPECT_EQ(-1, putmsg_parts(fd, bad[j], 4, "d", 1, 0)) TH_LOG("ctl %p", bad[j]);
		EXPECT_EQ(EFAULT, errno) TH_LOG("ctl %p", bad[j]);
	}

	/* Nothing was sent and the stream still works. */
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(0, nread(fd, &b));
	ASSERT_EQ(2, write(fd, "ok", 2));
	ASSERT_EQ(2, read_exact(fd, buf, 2, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "ok", 2));
	close(fd);
}

/*
 * getmsg into a bad buffer fails EFAULT and loses nothing: the message is
 * still at the head, whole, for the next getmsg (control, data, and a
 * read-only strbuf structure).
 */
TEST(getmsg_efault_keeps_the_message)
{
	void *ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct strbuf c, d;
	char cb[64], db[64];
	int fd, b, flags;

	ASSERT_NE(MAP_FAILED, ro_page);
	OPEN_ECHO(fd);
	ASSERT_EQ(0, putmsg_parts(fd, "CTL2", 4, "kept-data", 9, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &b));

	/* A bad data buffer (the control part would fit). */
	c = (struct strbuf){ .maxlen = sizeof(cb), .buf = cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = (void *)1 };
	flags = 0;
	EXPECT_EQ(-1, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(EFAULT, errno);
	/* A bad control buffer. */
	c = (struct strbuf){ .maxlen = sizeof(cb), .buf = (void *)1 };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = db };
	EXPECT_EQ(-1, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(EFAULT, errno);
	/* Read-only memory as the data buffer. */
	c = (struct strbuf){ .maxlen = sizeof(cb), .buf = cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = ro_page };
	EXPECT_EQ(-1, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(EFAULT, errno);

	/* Still there, whole. */
	EXPECT_EQ(1, nread(fd, &b));
	EXPECT_EQ(9, b);
	c = (struct strbuf){ .maxlen = sizeof(cb), .buf = cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = db };
	flags = 0;
	ASSERT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(4, c.len);
	EXPECT_EQ(9, d.len);
	EXPECT_EQ(0, memcmp(cb, "CTL2", 4));
	EXPECT_EQ(0, memcmp(db, "kept-data", 9));
	EXPECT_EQ(0, nread(fd, &b));
	close(fd);
	munmap(ro_page, 4096);
}

/* ==== M_READ ============================================================ */

struct mread_reader {
	int fd;
	ssize_t got;
	char buf[16];
};

static void *mread_reader_thread(void *arg)
{
	struct mread_reader *r = arg;

	r->got = read(r->fd, r->buf, sizeof(r->buf));
	return NULL;
}

TEST(mread_tells_the_driver_a_reader_blocks)
{
	struct mread_reader r = { .got = -2 };
	pthread_t t;
	int fd, before, n = 0;
	char c;

	OPEN_ECHO(fd);
	before = istr(fd, ECHO_MREADS, NULL, 0, NULL);
	ASSERT_LE(0, before);
	/* Without SO_MREADON a blocking read sends nothing down. */
	ASSERT_EQ(0, set_nonblock(fd, 1));
	EXPECT_EQ(-1, read(fd, &c, 1));
	ASSERT_EQ(0, set_nonblock(fd, 0));
	EXPECT_EQ(before, istr(fd, ECHO_MREADS, NULL, 0, NULL));
	/* The driver asks for M_READ (M_SETOPTS SO_MREADON). */
	ASSERT_EQ(0, echo_cmd_int(fd, ECHO_MREAD, 1));
	/* A non-blocking read never blocks, so it sends no M_READ either. */
	ASSERT_EQ(0, set_nonblock(fd, 1));
	EXPECT_EQ(-1, read(fd, &c, 1));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, set_nonblock(fd, 0));
	EXPECT_EQ(before, istr(fd, ECHO_MREADS, NULL, 0, NULL));
	/* A blocking read on an empty stream does. */
	r.fd = fd;
	ASSERT_EQ(0, pthread_create(&t, NULL, mread_reader_thread, &r));
	for (int i = 0; i < 100; i++) {
		n = istr(fd, ECHO_MREADS, NULL, 0, NULL);
		if (n > before)
			break;
		usleep(50 * 1000);
	}
	EXPECT_EQ(before + 1, n);
	/* Data releases the reader. */
	ASSERT_EQ(2, write(fd, "ok", 2));
	pthread_join(t, NULL);
	EXPECT_EQ(2, r.got);
	ASSERT_EQ(0, echo_cmd_int(fd, ECHO_MREAD, 0));
	close(fd);
}

/* ==== signals ========================================================== */

TEST(signal_interrupts_blocking_read)
{
	char buf[16];
	ssize_t r;
	int fd, e;

	OPEN_ECHO(fd);
	arm_interrupt();
	r = read(fd, buf, sizeof(buf));
	e = errno;
	disarm_interrupt();
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EINTR, e);
	EXPECT_LE(1, alarms);
	close(fd);
}

TEST(signal_interrupts_blocking_getmsg)
{
	struct strbuf c, d;
	char cb[16], db[16];
	int fd, e, r, flags = 0;

	OPEN_ECHO(fd);
	c = (struct strbuf){ .maxlen = sizeof(cb), .buf = cb };
	d = (struct strbuf){ .maxlen = sizeof(db), .buf = db };
	arm_interrupt();
	r = strclone_getmsg(fd, &c, &d, &flags);
	e = errno;
	disarm_interrupt();
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EINTR, e);
	close(fd);
}

TEST(signal_interrupts_blocked_write)
{
	unsigned char buf[256];
	ssize_t r;
	long total;
	int fd, e;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, echo_setq(fd, 1024, 256));
	ASSERT_EQ(0, echo_cmd(fd, ECHO_STOP));
	ASSERT_EQ(0, set_nonblock(fd, 1));
	total = fill_until_eagain(fd, 256, 1000);
	ASSERT_LT(0, total) TH_LOG("writer got no EAGAIN (%ld)", total);
	ASSERT_EQ(0, set_nonblock(fd, 0));

	memset(buf, 'w', sizeof(buf));
	arm_interrupt();
	r = write(fd, buf, sizeof(buf));
	e = errno;
	disarm_interrupt();
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EINTR, e);
	/* Do not leave data in a stopped driver behind the close. */
	EXPECT_EQ(0, ioctl(fd, I_FLUSH, FLUSHRW));
	close(fd);
}

/* ==== identity and isolation =========================================== */

TEST(getdev_echo_major_72)
{
	struct strclone_devinfo a, b;
	int fa, fb;

	OPEN_ECHO(fa);
	fb = open_echo();
	ASSERT_LE(0, fb);
	ASSERT_EQ(0, getdev(fa, &a));
	ASSERT_EQ(0, getdev(fb, &b));
	EXPECT_EQ(STRCLONE_ECHO_MAJOR, a.major);
	EXPECT_EQ(STRCLONE_ECHO_MAJOR, b.major);
	EXPECT_NE(a.minor, b.minor);
	close(fa);
	close(fb);
}

TEST(echo_streams_are_isolated)
{
	unsigned char big[3000];
	char buf[64];
	int fa, fb, b;

	OPEN_ECHO(fa);
	fb = open_echo();
	ASSERT_LE(0, fb);
	ASSERT_EQ(4, write(fa, "AAAA", 4));
	ASSERT_EQ(2, write(fb, "BB", 2));
	ASSERT_EQ(4, read_exact(fa, buf, 4, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "AAAA", 4));
	ASSERT_EQ(2, read_exact(fb, buf, 2, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "BB", 2));
	EXPECT_EQ(0, nread(fa, &b));
	EXPECT_EQ(0, nread(fb, &b));

	/* Lots on one, nothing on the other. */
	fill_pat(big, 0, sizeof(big));
	ASSERT_EQ((ssize_t)sizeof(big), write(fa, big, sizeof(big)));
	ASSERT_EQ(0, putmsg_parts(fa, "C", 1, "D", 1, RS_HIPRI));
	ASSERT_LE(2, wait_nread(fa, 2, WAIT_MS, &b));
	EXPECT_EQ(0, poll_fd(fb, POLLIN | POLLPRI, QUIET_MS));
	EXPECT_EQ(0, nread(fb, &b));
	EXPECT_EQ(0, b);
	close(fa);
	close(fb);
}

TEST_HARNESS_MAIN
