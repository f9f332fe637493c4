// SPDX-License-Identifier: GPL-2.0
/*
 * ldterm's raw mode by VMIN and VTIME, as Linux's n_tty
 * (Documentation/strclone/terminals.rst, "Raw mode"): every case on a
 * strclone pair with ldterm on the slave and on a native pty (/dev/ptmx)
 * in the same boot, with the same expectations; and ldterm's timer (the
 * framework's qtimeout, modules.rst "Timeouts") pending while ldterm is
 * popped and while the stream closes.
 *
 * Timing bounds are correctness bounds, generous for TCG: a timed read must
 * not return before 80% of its VTIME (a timer never fires early) and must
 * return within WAIT_MS; "at once" means well before the VTIME in play.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"

struct pty {
	int m, s;
	const char *name;
};

/* A strclone pair with ldterm on the slave (pushed unless autopush put it
 * there); 0 or -errno. */
static int open_strclone(struct pty *p)
{
	int r;

	p->name = "strclone";
	p->s = -1;
	p->m = open(PTMX_NODE, O_RDWR | O_NOCTTY);
	if (p->m < 0)
		return -errno;
	if (ioctl(p->m, UNLKPT, 0) < 0)
		return -errno;
	p->s = ioctl(p->m, PTMGETPEER, O_RDWR | O_NOCTTY);
	if (p->s < 0)
		return -errno;
	r = ioctl(p->s, I_FIND, "ldterm");
	if (r < 0)
		return -errno;
	return r ? 0 : push(p->s, "ldterm");
}

/* A native Linux pty pair; 0 or -errno. */
static int open_native(struct pty *p)
{
	p->name = "native";
	return open_native_pty(&p->m, &p->s);
}

static void close_pty(struct pty *p)
{
	if (p->s >= 0)
		close(p->s);
	if (p->m >= 0)
		close(p->m);
	p->s = p->m = -1;
}

/* Raw mode (no echo, no signals, no input maps) with @vmin and @vtime. */
static int set_raw(int fd, int vmin, int vtime)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -1;
	t.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
	t.c_iflag &= ~(IXON | ICRNL);
	t.c_cc[VMIN] = vmin;
	t.c_cc[VTIME] = vtime;
	return tcsetattr(fd, TCSANOW, &t);
}

static int put(int fd, const char *s)
{
	return write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
}

/* A read(2) in its own thread: when it started, what it returned, when. */
struct rd {
	int fd;
	size_t n;
	char buf[64];
	ssize_t r;
	int err;
	long long t0, t1;
	volatile int done;
	pthread_t th;
};

static void on_usr1(int sig)
{
	(void)sig;
}

static void *rd_fn(void *arg)
{
	struct rd *x = arg;

	x->t0 = now_ms();
	x->r = read(x->fd, x->buf, x->n);
	x->err = errno;
	x->t1 = now_ms();
	__atomic_store_n(&x->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Starts a read of @n bytes of @fd and gives it time to block. */
static int start_read(struct rd *x, int fd, size_t n)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */

	sigaction(SIGUSR1, &sa, NULL);
	memset(x, 0, sizeof(*x));
	x->fd = fd;
	x->n = n;
	if (pthread_create(&x->th, NULL, rd_fn, x))
		return -1;
	usleep(100 * 1000);
	return 0;
}

/* Waits up to @ms for the read to return; 0 when it did (and is joined). */
static int wait_read(struct rd *x, int ms)
{
	long long end = now_ms() + ms;

	while (!__atomic_load_n(&x->done, __ATOMIC_ACQUIRE) && now_ms() < end)
		usleep(10 * 1000);
	if (!__atomic_load_n(&x->done, __ATOMIC_ACQUIRE))
		return -1;
	pthread_join(x->th, NULL);
	return 0;
}

/* Ends a read that is still blocked (SIGUSR1: EINTR) and joins it. */
static void kick_read(struct rd *x)
{
	while (!__atomic_load_n(&x->done, __ATOMIC_ACQUIRE)) {
		pthread_kill(x->th, SIGUSR1);
		usleep(10 * 1000);
	}
	pthread_join(x->th, NULL);
}

/* Both kinds of pty, for the loops of the tests below. */
#define OPEN_BOTH(pp) do {						\
	watchdog(2 * WATCHDOG_S);					\
	ASSERT_EQ(0, open_strclone(&(pp)[0])) TH_LOG("strclone pair: %s", strerror(errno)); \
	ASSERT_EQ(0, open_native(&(pp)[1])) TH_LOG("/dev/ptmx pair: %s", strerror(errno)); \
} while (0)

/* VMIN 0, VTIME > 0: a read waits up to VTIME for a first byte. */
TEST(vmin0_vtime_is_a_read_timeout)
{
	struct pty pp[2];
	char b[16];
	int i;

	OPEN_BOTH(pp);
	for (i = 0; i < 2; i++) {
		struct pty *p = &pp[i];
		struct rd x;
		long long t0, dt;

		ASSERT_EQ(0, set_raw(p->s, 0, 5));
		/* Nothing comes: 0 after 0.5 s. */
		t0 = now_ms();
		EXPECT_EQ(0, read(p->s, b, sizeof(b))) TH_LOG("%s: %s", p->name, strerror(errno));
		dt = now_ms() - t0;
		EXPECT_LE(400, dt) TH_LOG("%s returned after %lld ms", p->name, dt);
		EXPECT_GE(WAIT_MS, dt) TH_LOG("%s returned after %lld ms", p->name, dt);
		/* A byte before the timeout: the read returns it. */
		ASSERT_EQ(0, start_read(&x, p->s, sizeof(x.buf)));
		ASSERT_EQ(0, put(p->m, "q"));
		ASSERT_EQ(0, wait_read(&x, WAIT_MS)) TH_LOG("%s: the read did not return", p->name);
		EXPECT_EQ(1, x.r) TH_LOG("%s: %zd", p->name, x.r);
		EXPECT_EQ('q', x.buf[0]);
		/* Bytes already there: at once (well before the 5 s VTIME). */
		ASSERT_EQ(0, set_raw(p->s, 0, 50));
		ASSERT_EQ(0, put(p->m, "ab"));
		usleep(QUIET_MS * 1000);
		t0 = now_ms();
		EXPECT_EQ(2, read(p->s, b, sizeof(b))) TH_LOG("%s", p->name);
		EXPECT_GT(2500, now_ms() - t0) TH_LOG("%s", p->name);
		EXPECT_EQ(0, memcmp(b, "ab", 2));
		/* A later timeout after one was satisfied: 0 again, not early. */
		ASSERT_EQ(0, set_raw(p->s, 0, 3));
		t0 = now_ms();
		EXPECT_EQ(0, read(p->s, b, sizeof(b))) TH_LOG("%s", p->name);
		EXPECT_LE(240, now_ms() - t0) TH_LOG("%s", p->name);
	}
	close_pty(&pp[0]);
	close_pty(&pp[1]);
}

/* VMIN > 0, VTIME 0: no timer at all, the read waits for VMIN bytes. */
TEST(vmin_without_vtime_has_no_timer)
{
	struct pty pp[2];
	int i;

	OPEN_BOTH(pp);
	for (i = 0; i < 2; i++) {
		struct pty *p = &pp[i];
		struct rd x;

		ASSERT_EQ(0, set_raw(p->s, 2, 0));
		ASSERT_EQ(0, start_read(&x, p->s, sizeof(x.buf)));
		ASSERT_EQ(0, put(p->m, "a"));
		usleep(700 * 1000);
		EXPECT_EQ(0, __atomic_load_n(&x.done, __ATOMIC_ACQUIRE))
			TH_LOG("%s: returned %zd with one byte of VMIN 2", p->name, x.r);
		ASSERT_EQ(0, put(p->m, "b"));
		if (wait_read(&x, WAIT_MS))
			kick_read(&x);
		EXPECT_EQ(2, x.r) TH_LOG("%s: %zd", p->name, x.r);
		EXPECT_EQ(0, memcmp(x.buf, "ab", 2));
	}
	close_pty(&pp[0]);
	close_pty(&pp[1]);
}

/* VMIN > 0, VTIME > 0: an inter-byte timer, started by the first byte. */
TEST(vmin_vtime_is_an_inter_byte_timer)
{
	struct pty pp[2];
	char b[16];
	int i;

	OPEN_BOTH(pp);
	for (i = 0; i < 2; i++) {
		struct pty *p = &pp[i];
		struct rd x;
		long long tw, t0, dt;

		/* No byte: no timer; the read waits. */
		ASSERT_EQ(0, set_raw(p->s, 5, 3));
		ASSERT_EQ(0, start_read(&x, p->s, sizeof(x.buf)));
		usleep(700 * 1000);
		EXPECT_EQ(0, __atomic_load_n(&x.done, __ATOMIC_ACQUIRE))
			TH_LOG("%s: returned %zd with no input", p->name, x.r);
		/* One byte: 0.3 s later the read returns it. */
		tw = now_ms();
		ASSERT_EQ(0, put(p->m, "a"));
		if (wait_read(&x, WAIT_MS))
			kick_read(&x);
		dt = x.t1 - tw;
		EXPECT_EQ(1, x.r) TH_LOG("%s: %zd", p->name, x.r);
		EXPECT_EQ('a', x.buf[0]);
		EXPECT_LE(240, dt) TH_LOG("%s returned %lld ms after the byte", p->name, dt);
		EXPECT_GE(WAIT_MS, dt) TH_LOG("%s returned %lld ms after the byte", p->name, dt);
		/* Bytes already there when the read starts: the timer runs from
		 * then. */
		ASSERT_EQ(0, put(p->m, "xy"));
		usleep(QUIET_MS * 1000);
		t0 = now_ms();
		EXPECT_EQ(2, read(p->s, b, sizeof(b))) TH_LOG("%s", p->name);
		EXPECT_EQ(0, memcmp(b, "xy", 2));
		EXPECT_LE(240, now_ms() - t0) TH_LOG("%s", p->name);
		/* Bytes closer together than VTIME (2 s): the read waits for
		 * VMIN (3) of them. */
		ASSERT_EQ(0, set_raw(p->s, 3, 20));
		ASSERT_EQ(0, start_read(&x, p->s, sizeof(x.buf)));
		ASSERT_EQ(0, put(p->m, "1"));
		usleep(100 * 1000);
		ASSERT_EQ(0, put(p->m, "2"));
		usleep(100 * 1000);
		ASSERT_EQ(0, put(p->m, "3"));
		if (wait_read(&x, WAIT_MS))
			kick_read(&x);
		EXPECT_EQ(3, x.r) TH_LOG("%s: %zd", p->name, x.r);
		EXPECT_EQ(0, memcmp(x.buf, "123", 3));
		/* A read of fewer bytes than VMIN returns when it has them. */
		ASSERT_EQ(0, put(p->m, "pq"));
		usleep(QUIET_MS * 1000);
		t0 = now_ms();
		EXPECT_EQ(2, read(p->s, b, 2)) TH_LOG("%s", p->name);
		EXPECT_GT(1500, now_ms() - t0) TH_LOG("%s", p->name);
	}
	close_pty(&pp[0]);
	close_pty(&pp[1]);
}

/*
 * strclone only: ldterm's timer is armed (a VMIN 0, VTIME 0.5 s read
 * waits) when ldterm is popped: the pop cancels it, nothing is delivered
 * to the popped module, and the reader, no longer a terminal's, gets the
 * next byte untouched. Then a timer left armed by an interrupted read when
 * the stream closes: the close cancels it (a splat or a use after free on
 * the console would fail the run; check-kasan would see the latter).
 */
TEST(timer_pending_at_pop_and_close)
{
	struct pty p;
	struct rd x;
	int k;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, open_strclone(&p)) TH_LOG("strclone pair: %s", strerror(errno));
	ASSERT_EQ(0, set_raw(p.s, 0, 5));
	ASSERT_EQ(0, start_read(&x, p.s, sizeof(x.buf)));
	/* Pop down to and including ldterm (autopush may have pushed more). */
	for (k = 0; k < 8 && ioctl(p.s, I_FIND, "ldterm") == 1; k++) {
		ASSERT_EQ(0, pop(p.s));
	}
	ASSERT_EQ(0, ioctl(p.s, I_FIND, "ldterm"));
	usleep(1000 * 1000);
	EXPECT_EQ(0, __atomic_load_n(&x.done, __ATOMIC_ACQUIRE))
		TH_LOG("the read returned %zd after ldterm was popped", x.r);
	ASSERT_EQ(0, put(p.m, "z\r"));
	if (wait_read(&x, WAIT_MS))
		kick_read(&x);
	EXPECT_EQ(2, x.r);
	EXPECT_EQ(0, memcmp(x.buf, "z\r", 2));

	/* Again a terminal; a read arms the timer and is interrupted. */
	ASSERT_EQ(0, push(p.s, "ldterm"));
	ASSERT_EQ(0, set_raw(p.s, 0, 5));
	ASSERT_EQ(0, start_read(&x, p.s, sizeof(x.buf)));
	kick_read(&x);
	EXPECT_EQ(-1, x.r);
	EXPECT_EQ(EINTR, x.err);
	/* Closed with the timer armed; its expiry time passes. */
	close_pty(&p);
	usleep(800 * 1000);
	/* And the module still works. */
	ASSERT_EQ(0, open_strclone(&p));
	ASSERT_EQ(0, set_raw(p.s, 0, 1));
	EXPECT_EQ(0, read(p.s, x.buf, sizeof(x.buf)));
	close_pty(&p);
}

TEST_HARNESS_MAIN
