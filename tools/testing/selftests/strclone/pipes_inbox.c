// SPDX-License-Identifier: GPL-2.0
/*
 * A STREAMS pipe's lock-free inbox (rust/streams/inbox.rs): small writes
 * reach the other end's head without its stream lock while nothing at
 * that head needs to see them arrive. What must hold whatever path a
 * message takes: every byte arrives once and in order while the head
 * changes under the writer (I_SETSIG on and off, a module pushed and
 * popped, I_NREAD, then a poll, which shuts the inbox for good); a reader
 * blocked on an empty head is woken by each single write (no lost
 * wake-up in the window where it goes to sleep); message boundaries,
 * I_NREAD and I_FLUSH see messages still in the inbox; and a writer that
 * never blocks is held back at the same bound as on the locked path.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"
#include "stropts.h"

#ifndef SIGPOLL
#define SIGPOLL SIGIO
#endif

/* Bytes the ordering test sends, in 64-byte writes. */
#define ORDER_BYTES	(1 << 20)
#define SMALL		64

static void close2(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* Writes `total` pattern bytes to `fd` in `chunk`-byte writes, then exits. */
static void writer_child(int fd, size_t total, size_t chunk)
{
	static unsigned char buf[4096];
	size_t off = 0;

	while (off < total) {
		size_t n = total - off < chunk ? total - off : chunk;
		ssize_t w;

		fill_pat(buf, off, n);
		w = write(fd, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			_exit(10);
		}
		off += (size_t)w;
	}
	_exit(0);
}

struct toggler {
	int fd;
	volatile int stop;
	int rounds;
	int err;
	int hup;
};

static void on_sigpoll(int sig)
{
	(void)sig;
}

/*
 * Changes what the reading end's head must do on arrival, over and over:
 * I_SETSIG on and off, pipemod pushed and popped, I_NREAD. Once the
 * writer has closed, the hung-up end refuses them with ENXIO
 * (streamio(7I)): that ends the rounds.
 */
static void *toggle(void *arg)
{
	struct toggler *t = arg;

	while (!t->stop) {
		int n;

		if (ioctl(t->fd, I_SETSIG, S_INPUT | S_RDNORM) < 0 ||
		    ioctl(t->fd, I_SETSIG, 0) < 0 ||
		    ioctl(t->fd, I_PUSH, "pipemod") < 0 ||
		    ioctl(t->fd, I_POP, 0) < 0 ||
		    ioctl(t->fd, I_NREAD, &n) < 0) {
			if (errno == ENXIO)
				t->hup = 1;
			else
				t->err = errno;
			break;
		}
		t->rounds++;
	}
	return NULL;
}

TEST(small_writes_in_order_while_the_head_changes)
{
	static unsigned char buf[8192];
	struct sigaction sa = { .sa_handler = on_sigpoll, .sa_flags = SA_RESTART };
	struct toggler t = { 0 };
	size_t got = 0;
	int polled = 0;
	pthread_t th;
	int p[2], st;
	pid_t pid;

	watchdog(120);
	ASSERT_EQ(0, s_pipe(p));
	ASSERT_EQ(0, sigaction(SIGPOLL, &sa, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[1]);
		writer_child(p[0], ORDER_BYTES, SMALL);
	}
	close(p[0]);
	t.fd = p[1];
	ASSERT_EQ(0, pthread_create(&th, NULL, toggle, &t));
	for (;;) {
		ssize_t r = read(p[1], buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		ASSERT_LE(0, r) TH_LOG("read: %s", strerror(errno));
		if (r == 0)
			break;
		ASSERT_EQ(-1, check_pat(buf, got, (size_t)r))
			TH_LOG("byte %zu out of order", got + (size_t)check_pat(buf, got, (size_t)r));
		got += (size_t)r;
		if (!polled && got >= ORDER_BYTES / 2) {
			/* From now on the stream counts as polled, for good. */
			poll_fd(p[1], POLLIN, 0);
			polled = 1;
		}
	}
	t.stop = 1;
	pthread_join(th, NULL);
	EXPECT_EQ(0, t.err) TH_LOG("toggler: %s", strerror(t.err));
	EXPECT_EQ((size_t)ORDER_BYTES, got);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	TH_LOG("%d rounds of head changes%s", t.rounds, t.hup ? ", ended by the hangup" : "");
	EXPECT_LT(0, t.rounds);
	signal(SIGPOLL, SIG_DFL);
	close(p[1]);
}

/*
 * A reader blocked on an empty head, woken by one small write, many times,
 * the writer waiting a little longer each time so that its write lands at
 * every point of the reader's way to sleep.
 */
TEST(blocked_reader_woken_by_each_write)
{
	unsigned char c[SMALL], r[SMALL];
	int p[2], st;
	pid_t pid;

	watchdog(120);
	ASSERT_EQ(0, s_pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[1]);
		for (int i = 0; i < 400; i++) {
			volatile unsigned long spin = (unsigned long)(i % 40) * 500;

			while (spin)
				spin--;
			memset(c, i, sizeof(c));
			if (write(p[0], c, sizeof(c)) != sizeof(c))
				_exit(10);
			/* One message at a time: the answer comes back. */
			if (read(p[0], c, sizeof(c)) != 1)
				_exit(11);
		}
		_exit(0);
	}
	/*
	 * Plain blocking reads (a poll would shut the inbox): a lost wake-up
	 * leaves the reader asleep, and the watchdog fails the test.
	 */
	for (int i = 0; i < 400; i++) {
		ssize_t n = read(p[1], r, sizeof(r));

		ASSERT_EQ((ssize_t)sizeof(r), n) TH_LOG("read %d: %s", i, strerror(errno));
		ASSERT_EQ((unsigned char)i, r[0]);
		ASSERT_EQ(1, write(p[1], r, 1));
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close2(p);
}

/* Messages still in the inbox keep their boundaries and are counted. */
TEST(nread_getmsg_and_flush_see_the_inbox)
{
	char data[SMALL], out[256];
	struct strbuf d = { .maxlen = sizeof(out), .buf = out };
	int p[2], bytes = -1, flags = 0;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, s_pipe(p));
	for (int i = 0; i < 10; i++) {
		memset(data, 'a' + i, sizeof(data));
		ASSERT_EQ((ssize_t)(10 + i), write(p[0], data, 10 + i));
	}
	EXPECT_EQ(10, nread(p[1], &bytes));
	EXPECT_EQ(10, bytes);
	for (int i = 0; i < 5; i++) {
		ASSERT_EQ(0, getmsg(p[1], NULL, &d, &flags));
		EXPECT_EQ(10 + i, d.len);
		EXPECT_EQ('a' + i, out[0]);
	}
	EXPECT_EQ(5, nread(p[1], &bytes));
	EXPECT_EQ(15, bytes);
	/* More behind them, then a flush of the read side takes them all. */
	ASSERT_EQ(3, write(p[0], "xyz", 3));
	ASSERT_EQ(0, ioctl(p[1], I_FLUSH, FLUSHR));
	EXPECT_EQ(0, nread(p[1], &bytes));
	ASSERT_EQ(0, set_nonblock(p[1], 1));
	EXPECT_EQ(-1, read(p[1], out, sizeof(out)));
	EXPECT_EQ(EAGAIN, errno);
	/* After the flush, new data arrives as before. */
	ASSERT_EQ(0, set_nonblock(p[1], 0));
	ASSERT_EQ(3, write(p[0], "new", 3));
	EXPECT_EQ(3, read(p[1], out, sizeof(out)));
	EXPECT_EQ(0, memcmp(out, "new", 3));
	close2(p);
}

/*
 * A writer that never blocks stops (EAGAIN) at the same bound as on the
 * locked path: what the reading head holds (its 64 KiB high water mark,
 * plus the message that crossed it) and what waits on the writer's
 * driver write queue (64 KiB plus one). Counted in 64-byte writes, whose
 * blocks count against the high water marks too.
 */
TEST(nonblocking_small_writer_is_held_back)
{
	unsigned char c[SMALL];
	size_t sent = 0;
	int p[2];

	watchdog(60);
	ASSERT_EQ(0, s_pipe(p));
	ASSERT_EQ(0, set_nonblock(p[0], 1));
	memset(c, 'q', sizeof(c));
	for (;;) {
		ssize_t w = write(p[0], c, sizeof(c));

		if (w < 0) {
			ASSERT_EQ(EAGAIN, errno);
			break;
		}
		sent += (size_t)w;
		ASSERT_GE((size_t)(2 * 65536 + 2 * SMALL), sent)
			TH_LOG("%zu bytes went in without EAGAIN", sent);
	}
	TH_LOG("%zu bytes in before EAGAIN", sent);
	EXPECT_LE((size_t)65536, sent);
	close2(p);
}

TEST_HARNESS_MAIN
