// SPDX-License-Identifier: GPL-2.0
/*
 * The DDI's utility routines for C modules (include/linux/strclone_ddi.h,
 * "Utility routines"), through the test provider
 * tools/testing/selftests/strclone/kmod/ddiutil.c pushed on an echo stream:
 *
 * - qtimeout: a timeout fires, from process context; quntimeout cancels
 *   one (the time it had left, then -1 for a second cancel) and it never
 *   fires; a timeout and a qbufcall left pending at the close are
 *   cancelled by it (they never run) and the provider can be unloaded at
 *   once; so can it after an open that armed a timeout and failed;
 * - qbufcall runs, from process context; qunbufcall cancels one that
 *   cannot be satisfied; bufcall without a queue runs; unbufcall cancels
 *   one, after which the provider unloads;
 * - strlog reaches a /dev/strlog trace reader, formatted (a text longer
 *   than the stack buffer too), and from a hard interrupt handler;
 * - insq/rmvq: the order they make, and each refusal (out of order, a
 *   message that is not on the queue);
 * - miocack/miocnak/mcopyin/mcopyout through a transparent ioctl from user
 *   space, and a copy-out to a bad address (EFAULT);
 * - fault injection: every slab allocation qtimeout makes fails in turn
 *   (/proc/thread-self/fail-nth): the ioctl fails ENOMEM, nothing is left
 *   pending, and the provider unloads.
 *
 * Each test loads the provider and unloads it at the end.
 */
#include <fcntl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "strclone_util.h"
#include "kmod/ddiutil.h"

STRCLONE_BARE_PTS()

#define KMOD		"/opt/strclone/kmod/ddiutil.ko"
#define PARAMS		"/sys/module/ddiutil/parameters/"

static int load_kmod(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, "", 0);
	r = r < 0 ? -errno : 0;
	close(fd);
	return r;
}

/*
 * Unloads the provider; a popped instance is freed once strclone's
 * workqueue has run its last work item, so EWOULDBLOCK is retried for up
 * to 2 s (driver-api.rst, "Lifetimes").
 */
static int unload_ddiutil(void)
{
	long long end = now_ms() + 2000;
	int r;

	for (;;) {
		r = syscall(SYS_delete_module, "ddiutil", O_NONBLOCK) < 0 ? -errno : 0;
		if (r != -EWOULDBLOCK || now_ms() >= end)
			return r;
		usleep(10000);
	}
}

static int read_int_param(const char *name)
{
	char path[128], b[32] = "";
	int fd, n;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1000;
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	return n > 0 ? atoi(b) : -1000;
}

/* An I_STR command with a struct du_arg both ways; rval or -1. */
static int du(int fd, int cmd, long a, struct du_arg *out)
{
	struct du_arg arg = { .a = a };
	int len = -1, r;

	r = istr(fd, cmd, &arg, sizeof(arg), &len);
	if (out)
		*out = arg;
	return r;
}

/* The next message from fd within ms, as text; its length or -1. */
static int read_report(int fd, char *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) != 1)
		return -1;
	n = read(fd, buf, len - 1);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

FIXTURE(du) {
	int fd;
};

FIXTURE_SETUP(du)
{
	watchdog(WATCHDOG_S);
	self->fd = -1;
	ASSERT_EQ(0, load_kmod(KMOD));
	self->fd = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioctl(self->fd, I_PUSH, "ddiutil")) TH_LOG("%s", strerror(errno));
	/* One message per read(), so each report comes alone. */
	ASSERT_EQ(0, ioctl(self->fd, I_SRDOPT, RMSGD));
}

FIXTURE_TEARDOWN(du)
{
	if (self->fd >= 0)
		close(self->fd);
	/* Whatever a test left pending went with the close. */
	EXPECT_EQ(0, unload_ddiutil());
}

TEST_F(du, timeout_fires_in_process_context)
{
	char buf[64];
	int before = read_int_param("timeouts");

	ASSERT_EQ(0, du(self->fd, DU_TIMEOUT, 50, NULL));
	ASSERT_LT(0, read_report(self->fd, buf, sizeof(buf), WAIT_MS));
	EXPECT_STREQ("tmo ctx=1", buf);
	EXPECT_EQ(before + 1, read_int_param("timeouts"));
}

TEST_F(du, quntimeout_returns_time_left_and_it_never_fires)
{
	struct du_arg r;
	char buf[64];
	int before = read_int_param("timeouts");

	ASSERT_EQ(0, du(self->fd, DU_TIMEOUT, 5000, NULL));
	usleep(100000);
	ASSERT_EQ(0, du(self->fd, DU_UNTIMEOUT, 0, &r));
	/* About 4900 ms left (TCG is slow: only bounds are checked). */
	EXPECT_LT(0, r.a);
	EXPECT_GE(5000, r.a);
	/* A second cancel of the same id: -1. */
	EXPECT_EQ(-1, r.b);
	EXPECT_EQ(-1, read_report(self->fd, buf, sizeof(buf), QUIET_MS));
	EXPECT_EQ(before, read_int_param("timeouts"));
}

TEST_F(du, quntimeout_after_it_fired_is_minus_one)
{
	struct du_arg r;
	char buf[64];

	ASSERT_EQ(0, du(self->fd, DU_TIMEOUT, 10, NULL));
	ASSERT_LT(0, read_report(self->fd, buf, sizeof(buf), WAIT_MS));
	ASSERT_EQ(0, du(self->fd, DU_UNTIMEOUT, 0, &r));
	EXPECT_EQ(-1, r.a);
}

TEST_F(du, close_cancels_what_the_instance_left_pending)
{
	int before = read_int_param("timeouts");

	/* A timeout due in 10 s and a bufcall that can never be satisfied;
	 * ddiutil's close cancels neither: strclone must. Either one still
	 * pending would hold the provider past the 2 s the unload waits. */
	ASSERT_EQ(0, du(self->fd, DU_TIMEOUT, 10000, NULL));
	ASSERT_EQ(0, du(self->fd, DU_BUFCALL, 1L << 40, NULL));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	usleep(100000);
	EXPECT_EQ(before, read_int_param("timeouts"));
	EXPECT_EQ(0, unload_ddiutil());
	/* Loaded again for the teardown's unload. */
	ASSERT_EQ(0, load_kmod(KMOD));
}

static int write_param(const char *name, const char *val)
{
	char path[128];
	int fd, n;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

TEST_F(du, failed_open_leaves_nothing_pending)
{
	int fd = open(ECHO_NODE, O_RDWR);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write_param("fail_open", "1"));
	/* The open arms a 10 s timeout and fails: the instance is freed
	 * without a close, and its timeout with it. */
	EXPECT_EQ(-1, ioctl(fd, I_PUSH, "ddiutil"));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(0, write_param("fail_open", "0"));
	close(fd);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, unload_ddiutil());
	ASSERT_EQ(0, load_kmod(KMOD));
}

TEST_F(du, qbufcall_runs_and_qunbufcall_cancels)
{
	char buf[64];

	ASSERT_EQ(0, du(self->fd, DU_BUFCALL, 4096, NULL));
	ASSERT_LT(0, read_report(self->fd, buf, sizeof(buf), WAIT_MS));
	EXPECT_STREQ("buf ctx=1", buf);
	/* 1 TiB: never; cancelled, nothing arrives. */
	ASSERT_EQ(0, du(self->fd, DU_BUFCALL, 1L << 40, NULL));
	ASSERT_EQ(0, du(self->fd, DU_UNBUFCALL, 0, NULL));
	EXPECT_EQ(-1, read_report(self->fd, buf, sizeof(buf), QUIET_MS));
}

TEST_F(du, bufcall_without_queue_runs_and_unbufcall_cancels)
{
	long long end = now_ms() + WAIT_MS;

	ASSERT_EQ(0, read_int_param("bufcalls"));
	ASSERT_EQ(0, du(self->fd, DU_NBUFCALL, 100, NULL));
	while (read_int_param("bufcalls") == 0 && now_ms() < end)
		usleep(10000);
	EXPECT_EQ(1, read_int_param("bufcalls"));
	/* Pending forever unless cancelled: it would hold the provider. */
	ASSERT_EQ(0, du(self->fd, DU_NBUFCALL, 1L << 40, NULL));
	ASSERT_EQ(0, du(self->fd, DU_NUNBUFCALL, 0, NULL));
	usleep(100000);
	EXPECT_EQ(1, read_int_param("bufcalls"));
}

struct logmsg {
	struct log_ctl lc;
	char text[1100];
};

static int next_log(int fd, struct logmsg *m, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct strbuf ctl = { .maxlen = sizeof(m->lc), .buf = (char *)&m->lc };
	struct strbuf dat = { .maxlen = sizeof(m->text) - 1, .buf = m->text };
	int flags = 0;

	if (poll(&p, 1, ms) != 1)
		return -1;
	if (strclone_getmsg(fd, &ctl, &dat, &flags) < 0 || ctl.len != (int)sizeof(m->lc))
		return -1;
	m->text[dat.len > 0 ? dat.len : 0] = 0;
	return dat.len;
}

static int trace_reader(short mid)
{
	struct trace_ids ids[1] = { { .ti_mid = mid, .ti_sid = -1, .ti_level = 1 } };
	int r = open("/dev/strlog", O_RDWR);

	if (r < 0)
		return -1;
	if (istr(r, I_TRCLOG, ids, sizeof(ids), NULL) < 0) {
		close(r);
		return -1;
	}
	return r;
}

TEST_F(du, strlog_reaches_a_trace_reader)
{
	int r = trace_reader(777);
	struct du_arg res;
	struct logmsg m;
	char want[400];

	ASSERT_LE(0, r);
	ASSERT_EQ(0, du(self->fd, DU_STRLOG, 777, &res));
	EXPECT_EQ(1, res.b);
	/* "%s %ld %*s": longer than the 192-byte stack buffer. */
	snprintf(want, sizeof(want), "ddiutil text 777 %300s", "long");
	ASSERT_EQ((int)strlen(want), next_log(r, &m, WAIT_MS));
	EXPECT_STREQ(want, m.text);
	EXPECT_EQ(777, m.lc.mid);
	EXPECT_EQ(3, m.lc.sid);
	EXPECT_TRUE(m.lc.flags & SL_TRACE);
	close(r);
}

TEST_F(du, strlog_from_a_hard_interrupt)
{
	int r = trace_reader(778);
	struct logmsg m;

	ASSERT_LE(0, r);
	ASSERT_EQ(0, du(self->fd, DU_STRLOG_IRQ, 778, NULL));
	ASSERT_LT(0, next_log(r, &m, WAIT_MS));
	EXPECT_STREQ("ddiutil irq hard 99", m.text);
	EXPECT_EQ(778, m.lc.mid);
	EXPECT_EQ(7, m.lc.sid);
	close(r);
}

TEST_F(du, insq_and_rmvq_order_and_refusals)
{
	char out[32] = "";
	int len = -1;

	ASSERT_EQ(0, istr(self->fd, DU_INSQ, out, sizeof(out), &len));
	/* Refused: band 5 behind band 0, before an unqueued message, rmvq
	 * of an unqueued message, a normal one before M_PCPROTO; then what
	 * getq finds: P first (high priority), then B C D (A removed). */
	EXPECT_STREQ("1111|PBCD", out);
	EXPECT_EQ((int)strlen("1111|PBCD") + 1, len);
}

TEST_F(du, miocack_cuts_count_to_the_data)
{
	struct du_arg arg = { .a = 10 };
	int len = -1;

	/* DU_UNTIMEOUT without a timeout answers 16 bytes with count 116. */
	ASSERT_EQ(0, istr(self->fd, DU_UNTIMEOUT, &arg, sizeof(arg), &len));
	EXPECT_EQ((int)sizeof(arg), len);
	EXPECT_EQ(-1, arg.a);
}

TEST_F(du, transparent_ioctl_copyin_copyout_ack)
{
	int v = 20;

	EXPECT_EQ(7, ioctl(self->fd, DU_TRANS, &v)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(41, v);
	v = -3;
	EXPECT_EQ(7, ioctl(self->fd, DU_TRANS, &v));
	EXPECT_EQ(-5, v);
	/* miocnak's errno. */
	EXPECT_EQ(-1, ioctl(self->fd, DU_TRANS_NAK, &v));
	EXPECT_EQ(EPERM, errno);
	/* The copy-in from a bad address fails at the head: EFAULT. */
	EXPECT_EQ(-1, ioctl(self->fd, DU_TRANS, KERNEL_PTR));
	EXPECT_EQ(EFAULT, errno);
	/* The stream is fine afterwards. */
	v = 1;
	EXPECT_EQ(7, ioctl(self->fd, DU_TRANS, &v));
	EXPECT_EQ(3, v);
}

static int fail_nth(int fd, int nth)
{
	char b[16];
	int l = snprintf(b, sizeof(b), "%d", nth);

	return pwrite(fd, b, l, 0) == l ? 0 : -1;
}

static int fail_nth_left(int fd)
{
	char b[16] = "";

	return pread(fd, b, sizeof(b) - 1, 0) > 0 ? atoi(b) : -1;
}

TEST_F(du, qtimeout_allocation_failures)
{
	int nfd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	int injected = 0, nth, r, e, left;
	struct du_arg res;

	ASSERT_LE(0, nfd) TH_LOG("no fail-nth (CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB)");
	for (nth = 1; nth < 50; nth++) {
		ASSERT_EQ(0, fail_nth(nfd, nth));
		r = du(self->fd, DU_TIMEOUT, 10000, NULL);
		e = errno;
		left = fail_nth_left(nfd);
		ASSERT_EQ(0, fail_nth(nfd, 0));
		if (left != 0) {
			/* Nothing failed: the call made fewer allocations. */
			ASSERT_EQ(0, r);
			ASSERT_EQ(0, du(self->fd, DU_UNTIMEOUT, 0, &res));
			EXPECT_LT(0, res.a);
			break;
		}
		injected++;
		if (r == 0) {
			/* An allocation on the way that copes (none here yet):
			 * the timeout must be there to cancel. */
			ASSERT_EQ(0, du(self->fd, DU_UNTIMEOUT, 0, &res));
			EXPECT_LT(0, res.a);
		} else {
			EXPECT_EQ(ENOMEM, e) TH_LOG("allocation %d: %s", nth, strerror(e));
			/* Nothing left pending. */
			ASSERT_EQ(0, du(self->fd, DU_UNTIMEOUT, 0, &res));
			EXPECT_EQ(-1, res.a);
		}
	}
	EXPECT_LT(0, injected);
	EXPECT_GT(50, nth);
	TH_LOG("%d allocations failed in turn", injected);
	close(nfd);
}

TEST_HARNESS_MAIN
