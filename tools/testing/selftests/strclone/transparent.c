// SPDX-License-Identifier: GPL-2.0
/*
 * Transparent ioctls: an ioctl the stream head does not know goes down the
 * stream as M_IOCTL (ioc_count TRANSPARENT, the argument in the
 * continuation); a module or driver that knows it reads and writes the
 * caller's memory with M_COPYIN/M_COPYOUT through the stream head, which
 * answers each with M_IOCDATA; M_IOCACK/M_IOCNAK end it.
 *
 * testmod's TESTMOD_XCHG (one copy in, one copy out), TESTMOD_XVEC (two
 * copies in, two copies out, also with I_STR) and TESTMOD_XHOLD (an ioctl
 * kept in flight) drive the protocol; the built-in drivers answer what they
 * do not know with ENOTTY. Documentation/strclone/streams.rst, "Transparent
 * ioctls", is the contract checked here.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"

/* Bare pts slaves: these tests predate the ptem/ldterm autopush default. */
STRCLONE_BARE_PTS()

#define OPEN_ECHO(fd) do {						\
	watchdog(WATCHDOG_S);						\
	fd = open(ECHO_NODE, O_RDWR);					\
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", ECHO_NODE, strerror(errno)); \
} while (0)

#define OPEN_PAIR(m, s) do {						\
	watchdog(WATCHDOG_S);						\
	m = open(PTMX_NODE, O_RDWR | O_NOCTTY);				\
	ASSERT_LE(0, m) TH_LOG("open %s: %s", PTMX_NODE, strerror(errno)); \
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0)) TH_LOG("UNLKPT: %s", strerror(errno)); \
	s = ioctl(m, PTMGETPEER, O_RDWR | O_NOCTTY);			\
	ASSERT_LE(0, s) TH_LOG("PTMGETPEER: %s", strerror(errno));	\
} while (0)

static int xchg(int fd, int a, int b, struct testmod_xchg *out)
{
	out->a = a;
	out->b = b;
	return xioctl(fd, TESTMOD_XCHG, out);
}

/* TESTMOD_XCHG works and gives the right answer. */
static int xchg_ok(int fd, int a, int b)
{
	struct testmod_xchg x;
	int r = xchg(fd, a, b, &x);

	if (r != 0)
		return r;
	return x.a == (int)((unsigned int)a + (unsigned int)b) &&
	       x.b == (int)((unsigned int)a * (unsigned int)b) ? 0 : -1000;
}

/* I_STR ECHO_REVERSE of a short string works (the stream still answers). */
static int reverse_ok(int fd, int timout)
{
	char buf[8] = "abcdef";
	int olen = -1, r;

	r = istr_t(fd, ECHO_REVERSE, buf, 6, timout, &olen);
	if (r < 0)
		return -errno;
	return r == 6 && olen == 6 && !memcmp(buf, "fedcba", 6) ? 0 : -1000;
}

/* Data written to an echo stream comes back. */
static int echo_ok(int fd)
{
	char in[4];

	if (write(fd, "ping", 4) != 4)
		return -errno;
	if (read_exact(fd, in, 4, WAIT_MS) != 4)
		return -1000;
	return memcmp(in, "ping", 4) ? -1001 : 0;
}

/*
 * Messages on testmod's write queue of the stream @di, from debugfs
 * (".. mods=testmod:r=a/b:w=N/M"); -1 if the stream or testmod is not
 * listed.
 */
static int testmod_wq(const struct strclone_devinfo *di)
{
	FILE *f = fopen("/sys/kernel/debug/strclone/streams", "r");
	char line[512], head[32];
	int n = -1;

	if (!f)
		return -1;
	snprintf(head, sizeof(head), "%u %u ", di->major, di->minor);
	while (fgets(line, sizeof(line), f)) {
		char *t;

		if (strncmp(line, head, strlen(head)))
			continue;
		t = strstr(line, "testmod:");
		if (t && (t = strstr(t, ":w=")))
			n = atoi(t + 3);
	}
	fclose(f);
	return n;
}

/* Wait until testmod on stream @di holds @want messages on its write queue. */
static int wait_held(const struct strclone_devinfo *di, int want)
{
	long long end = now_ms() + WAIT_MS;
	int n;

	for (;;) {
		n = testmod_wq(di);
		if (n == want || now_ms() >= end)
			return n;
		usleep(1000);
	}
}

/* A thread issuing one ioctl whose result the test collects. */
struct call {
	pthread_t t;
	int fd;
	unsigned long cmd;
	void *arg;
	int r;
	atomic_int done;
};

static void *call_fn(void *p)
{
	struct call *c = p;

	c->r = xioctl(c->fd, c->cmd, c->arg);
	atomic_store(&c->done, 1);
	return NULL;
}

static void start_call(struct call *c, int fd, unsigned long cmd, void *arg)
{
	c->fd = fd;
	c->cmd = cmd;
	c->arg = arg;
	c->r = 12345;
	atomic_store(&c->done, 0);
	pthread_create(&c->t, NULL, call_fn, c);
}

/* Wait up to @ms for the call to end; 1 if it did. */
static int call_ended(struct call *c, int ms)
{
	long long end = now_ms() + ms;

	while (!atomic_load(&c->done) && now_ms() < end)
		usleep(1000);
	return atomic_load(&c->done);
}

/* ==== the protocol ===================================================== */

TEST(xchg_round_trip)
{
	struct testmod_counts c0, c1;
	struct testmod_xchg x;
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, push(fd, "testmod"));
	ASSERT_EQ(0, counts(fd, &c0));
	EXPECT_EQ(0, xchg(fd, 6, 7, &x));
	EXPECT_EQ(13, x.a);
	EXPECT_EQ(42, x.b);
	EXPECT_EQ(0, xchg(fd, -5, 3, &x));
	EXPECT_EQ(-2, x.a);
	EXPECT_EQ(-15, x.b);
	/* Wraps around like unsigned arithmetic. */
	EXPECT_EQ(0, xchg_ok(fd, 0x7fffffff, 1));
	EXPECT_EQ(0, xchg_ok(fd, 0x10000, 0x10000));
	/* testmod's own commands are not counted as ioctls passing it. */
	ASSERT_EQ(0, counts(fd, &c1));
	EXPECT_EQ(c0.ioctls, c1.ioctls);
	/* The stream works as before. */
	EXPECT_EQ(0, echo_ok(fd));
	EXPECT_EQ(0, reverse_ok(fd, ISTR_TIMEOUT));
	close(fd);
}

TEST(xchg_below_other_modules)
{
	int fd;

	OPEN_ECHO(fd);
	/* nullmod between: the copy requests and answers pass through it. */
	ASSERT_EQ(0, push(fd, "nullmod"));
	ASSERT_EQ(0, push(fd, "testmod"));
	ASSERT_EQ(0, push(fd, "nullmod"));
	EXPECT_EQ(0, xchg_ok(fd, 11, 12));
	/* Two testmods: the upper one answers, the lower never sees it. */
	ASSERT_EQ(0, push(fd, "testmod"));
	EXPECT_EQ(0, xchg_ok(fd, -100, 7));
	EXPECT_EQ(0, echo_ok(fd));
	close(fd);
}

TEST(xvec_multi_step)
{
	int v[TESTMOD_XVEC_MAX];
	struct testmod_xvec h;
	int fd, n;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, push(fd, "testmod"));
	for (n = 1; n <= TESTMOD_XVEC_MAX; n += 21) {
		int sum = 0;

		for (int i = 0; i < n; i++) {
			v[i] = i * 3 - 7;
			sum += v[i];
		}
		h.n = n;
		h.sum = 12345;
		h.vec = v;
		/* Copy in the header, the vector; out the vector, the header. */
		EXPECT_EQ(n, xioctl(fd, TESTMOD_XVEC, &h));
		EXPECT_EQ((unsigned int)n, h.n);
		EXPECT_EQ(sum, h.sum);
		EXPECT_TRUE(h.vec == &v[0]);
		for (int i = 0; i < n; i++) {
			EXPECT_EQ((n - 1 - i) * 3 - 7, v[i]) TH_LOG("n %d, entry %d", n, i);
		}
	}
	/* A header the module refuses: its errno, and the stream goes on. */
	h.n = 0;
	EXPECT_EQ(-EINVAL, xioctl(fd, TESTMOD_XVEC, &h));
	h.n = TESTMOD_XVEC_MAX + 1;
	EXPECT_EQ(-EINVAL, xioctl(fd, TESTMOD_XVEC, &h));
	EXPECT_EQ(0, xchg_ok(fd, 1, 2));
	close(fd);
}

TEST(istr_with_copy_requests)
{
	int v[4] = { 10, 20, 30, 45 };
	struct testmod_xvec h = { .n = 4, .sum = 0, .vec = v };
	int fd, olen = -1;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, push(fd, "testmod"));
	/* I_STR: the header is the data, the vector comes by copy requests. */
	EXPECT_EQ(4, istr(fd, TESTMOD_XVEC, &h, sizeof(h), &olen));
	EXPECT_EQ((int)sizeof(h), olen);
	EXPECT_EQ(105, h.sum);
	EXPECT_EQ(4u, h.n);
	EXPECT_EQ(45, v[0]);
	EXPECT_EQ(30, v[1]);
	EXPECT_EQ(20, v[2]);
	EXPECT_EQ(10, v[3]);
	/* A short header: the module's EINVAL. */
	EXPECT_EQ(-1, istr(fd, TESTMOD_XVEC, &h, 8, NULL));
	EXPECT_EQ(EINVAL, errno);
	/* The transparent-only commands are not testmod's with I_STR. */
	EXPECT_EQ(-1, istr(fd, TESTMOD_XCHG, &h, 8, NULL));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* ==== unknown ioctls =================================================== */

TEST(unknown_enotty_without_modules)
{
	struct testmod_xchg x = { 1, 2 };
	struct termios tio;
	int fd, m, s, log;

	OPEN_ECHO(fd);
	EXPECT_EQ(-ENOTTY, xioctl(fd, TCGETS, &tio));
	EXPECT_EQ(-ENOTTY, xioctl(fd, TESTMOD_XCHG, &x));
	EXPECT_EQ(-ENOTTY, xioctl(fd, _IO('Z', 3), NULL));
	/* echo's I_STR commands are not transparent ones. */
	EXPECT_EQ(-ENOTTY, xioctl(fd, ECHO_NOREPLY, NULL));
	EXPECT_EQ(-ENOTTY, xioctl(fd, ECHO_HANGUP, NULL));
	EXPECT_EQ(0, echo_ok(fd));
	close(fd);

	OPEN_PAIR(m, s);
	EXPECT_EQ(-ENOTTY, xioctl(m, TCGETS, &tio));
	EXPECT_EQ(-ENOTTY, xioctl(s, TCGETS, &tio));
	EXPECT_EQ(-ENOTTY, xioctl(s, TESTMOD_XCHG, &x));
	close(s);
	close(m);

	log = open("/dev/conslog", O_WRONLY);
	ASSERT_LE(0, log) TH_LOG("open /dev/conslog: %s", strerror(errno));
	EXPECT_EQ(-ENOTTY, xioctl(log, TCGETS, &tio));
	/* The log's own I_STR command, sent transparently, is not its. */
	EXPECT_EQ(-ENOTTY, xioctl(log, I_CONSLOG, NULL));
	close(log);
}

TEST(unknown_enotty_with_modules)
{
	struct testmod_counts c0, c1;
	struct termios tio;
	int fd, m, s, v = 0;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, push(fd, "nullmod"));
	ASSERT_EQ(0, push(fd, "testmod"));
	ASSERT_EQ(0, push(fd, "nullmod"));
	ASSERT_EQ(0, counts(fd, &c0));
	EXPECT_EQ(-ENOTTY, xioctl(fd, TCGETS, &tio));
	/* TCGETS has TESTMOD_COUNTS's number, but is not testmod's. */
	EXPECT_EQ(-ENOTTY, xioctl(fd, TESTMOD_COUNTS, &c1));
	EXPECT_EQ(-ENOTTY, xioctl(fd, _IOR('Z', 9, int), &v));
	ASSERT_EQ(0, counts(fd, &c1));
	EXPECT_EQ(c0.ioctls + 3, c1.ioctls);
	EXPECT_EQ(0, echo_ok(fd));
	close(fd);

	OPEN_PAIR(m, s);
	ASSERT_EQ(0, push(s, "testmod"));
	ASSERT_EQ(0, push(m, "nullmod"));
	EXPECT_EQ(-ENOTTY, xioctl(s, TCGETS, &tio));
	EXPECT_EQ(-ENOTTY, xioctl(m, TCGETS, &tio));
	/* The master's own ioctls still come first. */
	EXPECT_EQ(0, xioctl(m, ISPTM, NULL));
	EXPECT_EQ(0, xchg_ok(s, 2, 3));
	close(s);
	close(m);
}

TEST(module_nak_reaches_caller)
{
	struct termios tio;
	int fd, err = EPERM;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, push(fd, "testmod"));
	ASSERT_EQ(0, istr(fd, TESTMOD_NAK, &err, sizeof(err), NULL));
	EXPECT_EQ(-EPERM, xioctl(fd, TCGETS, &tio));
	err = 0;
	ASSERT_EQ(0, istr(fd, TESTMOD_NAK, &err, sizeof(err), NULL));
	EXPECT_EQ(-ENOTTY, xioctl(fd, TCGETS, &tio));
	close(fd);
}

/* ==== bad pointers ===================================================== */

TEST(bad_pointer_copyin_efault)
{
	struct testmod_xvec h;
	int fd, v[2] = { 1, 2 };
	void *none;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, push(fd, "testmod"));
	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	EXPECT_EQ(-EFAULT, xioctl(fd, TESTMOD_XCHG, NULL));
	EXPECT_EQ(-EFAULT, xioctl(fd, TESTMOD_XCHG, KERNEL_PTR));
	EXPECT_EQ(-EFAULT, xioctl(fd, TESTMOD_XCHG, none));
	EXPECT_EQ(-EFAULT, xioctl(fd, TESTMOD_XHOLD, none));
	/* The second copy in (the vector) fails. */
	h.n = 2;
	h.vec = none;
	EXPECT_EQ(-EFAULT, xioctl(fd, TESTMOD_XVEC, &h));
	h.vec = KERNEL_PTR;
	EXPECT_EQ(-EFAULT, xioctl(fd, TESTMOD_XVEC, &h));
	/* Everything keeps working. */
	EXPECT_EQ(0, xchg_ok(fd, 4, 5));
	h.vec = v;
	EXPECT_EQ(2, xioctl(fd, TESTMOD_XVEC, &h));
	EXPECT_EQ(2, v[0]);
	EXPECT_EQ(0, echo_ok(fd));
	EXPECT_EQ(0, reverse_ok(fd, ISTR_TIMEOUT));
	munmap(none, 4096);
	close(fd);
}

TEST(bad_pointer_copyout_efault)
{
	struct testmod_xvec *hro, h;
	struct testmod_xchg *ro;
	int fd, v[2] = { 1, 2 };
	char *page;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, push(fd, "testmod"));
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	ro = (struct testmod_xchg *)page;
	ro->a = 3;
	ro->b = 4;
	hro = (struct testmod_xvec *)(page + 64);
	hro->n = 2;
	hro->vec = v;
	memset(page + 128, 0, 8);
	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ));
	/* Read-only: the copy in works, the copy out fails. */
	EXPECT_EQ(-EFAULT, xioctl(fd, TESTMOD_XCHG, ro));
	EXPECT_EQ(3, ro->a);
	EXPECT_EQ(4, ro->b);
	/* The vector cannot be written back. */
	h.n = 2;
	h.sum = 0;
	h.vec = (int *)(page + 128);
	EXPECT_EQ(-EFAULT, xioctl(fd, TESTMOD_XVEC, &h));
	EXPECT_EQ(0, h.sum);
	/* The vector is written, the header (read-only) is not. */
	EXPECT_EQ(-EFAULT, xioctl(fd, TESTMOD_XVEC, hro));
	EXPECT_EQ(2, v[0]);
	EXPECT_EQ(1, v[1]);
	/* Everything keeps working. */
	EXPECT_EQ(0, xchg_ok(fd, 8, 9));
	EXPECT_EQ(0, echo_ok(fd));
	EXPECT_EQ(0, reverse_ok(fd, ISTR_TIMEOUT));
	munmap(page, 4096);
	close(fd);
}

/* ==== concurrency ====================================================== */

#define ROUNDS	300

struct worker {
	pthread_t t;
	int fd, kind, seed, bad;
	char what[96];
};

static void *worker_fn(void *p)
{
	struct worker *w = p;

	for (int i = 0; i < ROUNDS && !w->bad; i++) {
		int a = w->seed * 1000 + i, r;

		switch (w->kind) {
		case 0:
			r = xchg_ok(w->fd, a, i - 77);
			if (r)
				snprintf(w->what, sizeof(w->what), "XCHG %d: %d", i, r);
			w->bad = r != 0;
			break;
		case 1: {
			int v[5];
			struct testmod_xvec h = { .n = 5, .vec = v };

			for (int k = 0; k < 5; k++)
				v[k] = a + k;
			r = xioctl(w->fd, TESTMOD_XVEC, &h);
			w->bad = r != 5 || h.sum != 5 * a + 10 || v[0] != a + 4 || v[4] != a;
			if (w->bad)
				snprintf(w->what, sizeof(w->what), "XVEC %d: r %d sum %d", i, r, h.sum);
			break;
		}
		default:
			r = reverse_ok(w->fd, ISTR_TIMEOUT);
			if (r)
				snprintf(w->what, sizeof(w->what), "ECHO_REVERSE %d: %d", i, r);
			w->bad = r != 0;
			break;
		}
	}
	return NULL;
}

TEST(threads_each_get_their_answer)
{
	struct worker w[5];
	int fd;

	OPEN_ECHO(fd);
	/* 1,500 ioctls of three kinds: 3 s on the test kernel, 12-15 s on the
	 * KASAN kernel with another VM on the host; a hang still ends here. */
	watchdog(60);
	ASSERT_EQ(0, push(fd, "testmod"));
	ASSERT_EQ(0, push(fd, "nullmod"));
	for (int i = 0; i < 5; i++) {
		w[i].fd = fd;
		w[i].kind = i % 3;
		w[i].seed = i + 1;
		w[i].bad = 0;
		w[i].what[0] = 0;
		ASSERT_EQ(0, pthread_create(&w[i].t, NULL, worker_fn, &w[i]));
	}
	for (int i = 0; i < 5; i++) {
		pthread_join(w[i].t, NULL);
		EXPECT_EQ(0, w[i].bad) TH_LOG("thread %d: %s", i, w[i].what);
	}
	close(fd);
}

TEST(istr_waits_for_transparent_then_pop)
{
	struct strclone_devinfo di;
	struct call c;
	long long t0, dt;
	int fd, val = 5;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, getdev(fd, &di));
	ASSERT_EQ(0, push(fd, "testmod"));
	/* In flight: copied in, then held by testmod. */
	start_call(&c, fd, TESTMOD_XHOLD, &val);
	ASSERT_EQ(1, wait_held(&di, 1));
	EXPECT_FALSE(call_ended(&c, QUIET_MS));
	/* One ioctl at a time: an I_STR waits its timeout for the slot. */
	t0 = now_ms();
	EXPECT_EQ(-ETIME, reverse_ok(fd, 1));
	dt = now_ms() - t0;
	EXPECT_LE(900, dt);
	EXPECT_GT(WAIT_MS, dt);
	EXPECT_FALSE(call_ended(&c, 0));
	/*
	 * Pop testmod: its queued M_IOCDATA moves on to echo, which never
	 * asked for it and answers EPROTO; the ioctl ends with that.
	 */
	EXPECT_EQ(0, xioctl(fd, I_POP, NULL));
	EXPECT_TRUE(call_ended(&c, WAIT_MS));
	pthread_join(c.t, NULL);
	EXPECT_EQ(-EPROTO, c.r);
	/* Everything keeps working. */
	EXPECT_EQ(0, reverse_ok(fd, ISTR_TIMEOUT));
	EXPECT_EQ(0, echo_ok(fd));
	ASSERT_EQ(0, push(fd, "testmod"));
	EXPECT_EQ(0, xchg_ok(fd, 3, 3));
	close(fd);
}

static void on_usr1(int sig)
{
	(void)sig;
}

struct kicker {
	pthread_t t;
	pid_t tid;
	const struct strclone_devinfo *di;
	int held;
};

static void *kick_fn(void *p)
{
	struct kicker *k = p;

	k->held = wait_held(k->di, 1);
	syscall(SYS_tgkill, getpid(), k->tid, SIGUSR1);
	return NULL;
}

TEST(signal_ends_transparent_wait)
{
	struct strclone_devinfo di;
	struct sigaction sa;
	struct kicker k;
	int fd, val = 1;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, getdev(fd, &di));
	ASSERT_EQ(0, push(fd, "testmod"));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));	/* no SA_RESTART */
	k.tid = (pid_t)syscall(SYS_gettid);
	k.di = &di;
	ASSERT_EQ(0, pthread_create(&k.t, NULL, kick_fn, &k));
	/* Transparent ioctls have no timeout: a signal ends the wait. */
	EXPECT_EQ(-EINTR, xioctl(fd, TESTMOD_XHOLD, &val));
	pthread_join(k.t, NULL);
	EXPECT_EQ(1, k.held);
	/* The slot is free again; testmod still holds the first. */
	EXPECT_EQ(-EBUSY, xioctl(fd, TESTMOD_XHOLD, &val));
	EXPECT_EQ(0, xchg_ok(fd, 20, 22));
	EXPECT_EQ(0, reverse_ok(fd, ISTR_TIMEOUT));
	/* The given-up ioctl's M_IOCDATA goes down at the pop; its answer is stale. */
	EXPECT_EQ(0, xioctl(fd, I_POP, NULL));
	EXPECT_EQ(0, reverse_ok(fd, ISTR_TIMEOUT));
	EXPECT_EQ(0, echo_ok(fd));
	close(fd);
}

TEST(hangup_during_transparent)
{
	struct strclone_devinfo di;
	struct termios tio;
	struct call c;
	int m, s, val = 7;

	OPEN_PAIR(m, s);
	ASSERT_EQ(0, getdev(s, &di));
	ASSERT_EQ(0, push(s, "testmod"));
	start_call(&c, s, TESTMOD_XHOLD, &val);
	ASSERT_EQ(1, wait_held(&di, 1));
	EXPECT_FALSE(call_ended(&c, QUIET_MS));
	/* The master closes: the slave hangs up, the ioctl in flight fails. */
	close(m);
	EXPECT_TRUE(call_ended(&c, WAIT_MS));
	pthread_join(c.t, NULL);
	EXPECT_EQ(-ENXIO, c.r);
	/* Afterwards nothing is sent: every ioctl that would go down, I_STR
	 * included, fails ENXIO (SVR4, streamio.rst "Errors"). */
	EXPECT_EQ(-ENXIO, xioctl(s, TCGETS, &tio));
	EXPECT_EQ(-ENXIO, xioctl(s, TESTMOD_XCHG, &tio));
	EXPECT_EQ(-1, istr(s, TESTMOD_COUNTS, &tio, 0, NULL));
	EXPECT_EQ(ENXIO, errno);
	close(s);
}

TEST_HARNESS_MAIN
