// SPDX-License-Identifier: GPL-2.0
/*
 * The log target: /dev/conslog (CONSWMIN), /dev/strlog (CLONEMIN, clones
 * itself), reader classes, trace filters, the loss policy and the
 * in-kernel strlog API. Documentation/strclone/log.rst is the contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/strclone.h>

#include "kselftest_harness.h"
#include "strclone_util.h"

#define MAXTEXT 1100

struct logmsg {
	struct log_ctl lc;
	char text[MAXTEXT];
};

static int reg(int fd, int cmd, struct trace_ids *ids, int n)
{
	struct strioctl s = {
		.ic_cmd = cmd,
		.ic_timout = 5,
		.ic_len = n * (int)sizeof(*ids),
		.ic_dp = (char *)ids,
	};

	return ioctl(fd, I_STR, &s);
}

/* Next message within timeout_ms; 1 on success, 0 on timeout, -1 on error. */
static int next_msg(int fd, struct logmsg *m, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct strbuf ctl = { .maxlen = sizeof(m->lc), .buf = (char *)&m->lc };
	struct strbuf dat = { .maxlen = MAXTEXT - 1, .buf = m->text };
	int flags = 0, r;

	r = poll(&p, 1, timeout_ms);
	if (r <= 0)
		return r;
	if (strclone_getmsg(fd, &ctl, &dat, &flags) < 0)
		return -1;
	if (ctl.len != (int)sizeof(m->lc))
		return -1;
	m->text[dat.len > 0 ? dat.len : 0] = '\0';
	return 1;
}

static int log_put(int fd, short mid, short sid, char level, short flags, const char *text)
{
	struct log_ctl lc = { .mid = mid, .sid = sid, .level = level, .flags = flags };
	struct strbuf ctl = { .len = sizeof(lc), .buf = (char *)&lc };
	struct strbuf dat = { .len = (int)strlen(text), .buf = (char *)text };

	return strclone_putmsg(fd, &ctl, &dat, 0);
}

TEST(conslog_is_write_only)
{
	int fd;

	fd = open("/dev/conslog", O_RDONLY);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EINVAL, errno);
	fd = open("/dev/conslog", O_RDWR);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EINVAL, errno);
	fd = open("/dev/conslog", O_WRONLY);
	ASSERT_LE(0, fd) TH_LOG("open O_WRONLY: %s", strerror(errno));
	EXPECT_EQ(0, close(fd));
}

TEST(conslog_opens_share_one_stream)
{
	struct strclone_devinfo a, b;
	int f1 = open("/dev/conslog", O_WRONLY), f2 = open("/dev/conslog", O_WRONLY);

	ASSERT_LE(0, f1);
	ASSERT_LE(0, f2);
	ASSERT_EQ(0, ioctl(f1, STRCLONE_GETDEV, &a));
	ASSERT_EQ(0, ioctl(f2, STRCLONE_GETDEV, &b));
	EXPECT_EQ(STRCLONE_LOG_MAJOR, a.major);
	EXPECT_EQ(CONSWMIN, a.minor);
	EXPECT_EQ(CONSWMIN, b.minor);
	close(f1);
	close(f2);
}

TEST(strlog_minors_distinct_above_clonemin)
{
	int fds[32];
	unsigned int seen[32];

	for (int i = 0; i < 32; i++) {
		struct strclone_devinfo d;

		fds[i] = open("/dev/strlog", O_RDWR);
		ASSERT_LE(0, fds[i]) TH_LOG("open #%d: %s", i, strerror(errno));
		ASSERT_EQ(0, ioctl(fds[i], STRCLONE_GETDEV, &d));
		EXPECT_EQ(STRCLONE_LOG_MAJOR, d.major);
		EXPECT_LT(CLONEMIN, d.minor);
		for (int j = 0; j < i; j++)
			EXPECT_NE(seen[j], d.minor);
		seen[i] = d.minor;
	}
	for (int i = 0; i < 32; i++)
		close(fds[i]);
}

TEST(strlog_exhaustion_is_enxio_and_recovers)
{
	/* Default log_cnt is 256: minors 6..255. */
	int fds[300], n = 0, fd;
	struct strclone_devinfo d;

	while (n < 300) {
		fd = open("/dev/strlog", O_RDWR);
		if (fd < 0)
			break;
		fds[n++] = fd;
	}
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(256 - CLONEMIN - 1, n);
	ASSERT_LT(10, n);
	ASSERT_EQ(0, ioctl(fds[10], STRCLONE_GETDEV, &d));
	close(fds[10]);
	fd = open("/dev/strlog", O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("open after a close: %s", strerror(errno));
	struct strclone_devinfo d2;
	ASSERT_EQ(0, ioctl(fd, STRCLONE_GETDEV, &d2));
	EXPECT_EQ(d.minor, d2.minor);
	fds[10] = fd;
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

TEST(clone_node_of_log_is_enxio)
{
	static const char node[] = "/tmp/log-clone-21";
	int fd;

	/* The log driver is not clonable: no /dev/clone-strlog, and its
	 * clone minor, made by hand, refuses the open. */
	EXPECT_NE(0, access("/dev/clone-strlog", F_OK));
	ASSERT_EQ(0, mk_clone_node(node, STRCLONE_LOG_MAJOR));
	fd = open(node, O_RDWR);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENXIO, errno);
	unlink(node);
}

TEST(console_reader_gets_conslog_writes_in_order)
{
	int r = open("/dev/strlog", O_RDWR), w = open("/dev/conslog", O_WRONLY);
	struct logmsg m;
	int last = 0;

	ASSERT_LE(0, r);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, reg(r, I_CONSLOG, NULL, 0)) TH_LOG("I_CONSLOG: %s", strerror(errno));
	for (int i = 0; i < 5; i++) {
		char buf[32];

		snprintf(buf, sizeof(buf), "console %d", i);
		ASSERT_EQ((ssize_t)strlen(buf), write(w, buf, strlen(buf)));
	}
	for (int i = 0; i < 5; i++) {
		char want[32];

		ASSERT_EQ(1, next_msg(r, &m, 5000));
		snprintf(want, sizeof(want), "console %d", i);
		EXPECT_STREQ(want, m.text);
		EXPECT_TRUE(m.lc.flags & SL_CONSOLE);
		EXPECT_EQ(0, m.lc.mid);
		EXPECT_EQ(0, m.lc.sid);
		EXPECT_LT(0, m.lc.ttime);
		EXPECT_LT(last, m.lc.seq_no);
		last = m.lc.seq_no;
	}
	close(w);
	close(r);
}

TEST(second_reader_of_a_class_is_ebusy_until_first_closes)
{
	int a = open("/dev/strlog", O_RDWR), b = open("/dev/strlog", O_RDWR);
	struct strclone_devinfo da, dn;

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, reg(a, I_ERRLOG, NULL, 0));
	EXPECT_EQ(-1, reg(b, I_ERRLOG, NULL, 0));
	EXPECT_EQ(EBUSY, errno);
	/* The same stream may register again. */
	EXPECT_EQ(0, reg(a, I_ERRLOG, NULL, 0));
	/* Another class is free. */
	EXPECT_EQ(0, reg(b, I_CONSLOG, NULL, 0));
	ASSERT_EQ(0, ioctl(a, STRCLONE_GETDEV, &da));
	close(a);
	/* Closing released both the registration and the minor. */
	EXPECT_EQ(0, reg(b, I_ERRLOG, NULL, 0));
	int c = open("/dev/strlog", O_RDWR);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, ioctl(c, STRCLONE_GETDEV, &dn));
	EXPECT_EQ(da.minor, dn.minor);
	close(c);
	close(b);
}

TEST(registration_errors)
{
	int r = open("/dev/strlog", O_RDWR), w = open("/dev/conslog", O_WRONLY);
	struct trace_ids ids[2] = { { .ti_mid = -1, .ti_sid = -1, .ti_level = 1 } };

	ASSERT_LE(0, r);
	ASSERT_LE(0, w);
	/* I_TRCLOG needs at least one whole trace_ids. */
	EXPECT_EQ(-1, reg(r, I_TRCLOG, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	struct strioctl s = { .ic_cmd = I_TRCLOG, .ic_len = 3, .ic_dp = (char *)ids };
	EXPECT_EQ(-1, ioctl(r, I_STR, &s));
	EXPECT_EQ(EINVAL, errno);
	/* conslog cannot be a reader. */
	EXPECT_EQ(-1, reg(w, I_CONSLOG, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Unknown log command. */
	s.ic_cmd = LOGCTL | 9;
	s.ic_len = 0;
	EXPECT_EQ(-1, ioctl(r, I_STR, &s));
	EXPECT_EQ(EINVAL, errno);
	close(w);
	close(r);
}

TEST(trace_filters_select_exactly)
{
	int r = open("/dev/strlog", O_RDWR), w = open("/dev/strlog", O_RDWR);
	struct trace_ids ids[2] = {
		{ .ti_mid = 100, .ti_sid = -1, .ti_level = 2 },
		{ .ti_mid = 200, .ti_sid = 7, .ti_level = 0 },
	};
	struct logmsg m;

	ASSERT_LE(0, r);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, reg(r, I_TRCLOG, ids, 2));
	/* Matching: mid 100 any sid level <= 2; mid 200 sid 7 level 0. */
	ASSERT_EQ(0, log_put(w, 100, 1, 2, SL_TRACE, "yes-1"));
	ASSERT_EQ(0, log_put(w, 100, 1, 3, SL_TRACE, "no-level"));
	ASSERT_EQ(0, log_put(w, 101, 1, 0, SL_TRACE, "no-mid"));
	ASSERT_EQ(0, log_put(w, 200, 7, 0, SL_TRACE, "yes-2"));
	ASSERT_EQ(0, log_put(w, 200, 8, 0, SL_TRACE, "no-sid"));
	ASSERT_EQ(0, log_put(w, 100, 9, 0, SL_ERROR, "no-not-trace"));
	ASSERT_EQ(0, log_put(w, 100, 42, 0, SL_TRACE, "yes-3"));
	const char *want[] = { "yes-1", "yes-2", "yes-3" };
	int last = 0;

	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(1, next_msg(r, &m, 5000));
		EXPECT_STREQ(want[i], m.text);
		EXPECT_TRUE(m.lc.flags & SL_TRACE);
		EXPECT_LT(last, m.lc.seq_no);
		last = m.lc.seq_no;
	}
	EXPECT_EQ(0, next_msg(r, &m, 300)) TH_LOG("unexpected extra message: %s", m.text);
	close(w);
	close(r);
}

/*
 * More messages than a reader's driver queue (512 KiB) and stream head hold:
 * about 57 bytes each (32 of header, the text), so 16,000 are 1.7 times the room.
 */
#define FLOOD 16000

/*
 * A fixture only to get a longer harness timeout than TEST()'s 30 s: 16,000
 * writes and their reads took longer than that under KASAN on a slow host.
 */
FIXTURE(flood) {
	int unused;
};

FIXTURE_SETUP(flood)
{
}

FIXTURE_TEARDOWN(flood)
{
}

TEST_F_TIMEOUT(flood, overflow_drops_oldest_and_reports_loss, 180)
{
	int r = open("/dev/strlog", O_RDWR), w = open("/dev/conslog", O_WRONLY);
	struct logmsg m;
	__u64 lost = 0;
	int got = 0, notices = 0, prev = 0, first = 0, holes = 0;
	long gaps = 0, noticed = 0;
	char first_text[MAXTEXT] = "", last_text[MAXTEXT] = "", want[64];

	ASSERT_LE(0, r);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, reg(r, I_CONSLOG, NULL, 0));
	for (int i = 0; i < FLOOD; i++) {
		char buf[64];

		snprintf(buf, sizeof(buf), "flood message number %d", i);
		ASSERT_EQ((ssize_t)strlen(buf), write(w, buf, strlen(buf)));
	}
	ASSERT_EQ(0, ioctl(r, LOG_GETLOST, &lost));
	EXPECT_LT(0, lost) TH_LOG("%d unread messages should not all fit", FLOOD);
	for (;;) {
		int n = next_msg(r, &m, 1000);

		ASSERT_LE(0, n);
		if (n == 0)
			break;
		if (m.lc.flags & SL_NOTE) {
			unsigned long long k;

			ASSERT_EQ(1, sscanf(m.text, "strlog: %llu messages lost", &k))
				TH_LOG("notice text: %s", m.text);
			noticed += (long)k;
			notices++;
			continue;
		}
		snprintf(last_text, sizeof(last_text), "%s", m.text);
		if (!first) {
			first = m.lc.seq_no;
			snprintf(first_text, sizeof(first_text), "%s", m.text);
		} else if (m.lc.seq_no != prev + 1) {
			gaps += m.lc.seq_no - prev - 1;
			holes++;
		}
		EXPECT_LT(prev, m.lc.seq_no);
		prev = m.lc.seq_no;
		got++;
	}
	/*
	 * What reached the reader's stream head before it filled stays; of the
	 * rest the oldest went and the newest were kept. So the kept messages
	 * are at most two runs, the hole between them is exactly the loss, and
	 * the last message written is the last one read.
	 */
	EXPECT_GE(1, holes);
	EXPECT_EQ((long)lost, gaps);
	EXPECT_EQ(first + FLOOD - 1, prev);
	snprintf(want, sizeof(want), "flood message number %d", FLOOD - 1);
	EXPECT_STREQ(want, last_text);
	EXPECT_STREQ("flood message number 0", first_text);
	EXPECT_EQ(FLOOD, got + (long)lost);
	EXPECT_LE(1, notices);
	EXPECT_EQ((long)lost, noticed);
	close(w);
	close(r);
}

TEST(in_kernel_strlog_reaches_trace_reader)
{
	/* ptm logs every open at trace level 1 under mid 23, sid = minor. */
	int r = open("/dev/strlog", O_RDWR);
	struct trace_ids ids[1] = { { .ti_mid = 23, .ti_sid = -1, .ti_level = 1 } };
	struct strclone_devinfo d;
	struct logmsg m;
	char want[64];

	ASSERT_LE(0, r);
	ASSERT_EQ(0, reg(r, I_TRCLOG, ids, 1));
	int p = open("/dev/clone-ptmx", O_RDWR);

	ASSERT_LE(0, p);
	ASSERT_EQ(0, ioctl(p, STRCLONE_GETDEV, &d));
	ASSERT_EQ(1, next_msg(r, &m, 5000));
	snprintf(want, sizeof(want), "ptm: minor %u opened", d.minor);
	EXPECT_STREQ(want, m.text);
	EXPECT_EQ(23, m.lc.mid);
	EXPECT_EQ((int)d.minor, m.lc.sid);
	EXPECT_TRUE(m.lc.flags & SL_TRACE);
	close(p);
	close(r);
}

/*
 * strlog from a hard interrupt handler: debugfs strlog_irq makes a timer
 * call it 100 times in one handler run (100 of these messages fit in a
 * reader's driver queue, so none may be lost however slowly we read).
 * Every message arrives, in order, with its sequence number, sub-id and
 * text; the locks strlog takes in task context are not IRQ-safe, so
 * lockdep (in the test kernel) would report a handler taking them.
 */
TEST(in_kernel_strlog_from_hardirq)
{
	const short mid = 4242;
	const int count = 100;
	struct trace_ids ids[1] = { { .ti_mid = mid, .ti_sid = -1, .ti_level = 0 } };
	int r = open("/dev/strlog", O_RDWR), fd;
	struct logmsg m;
	char want[64], cmd[32];
	int last_seq = 0;
	__u64 lost = 1;

	ASSERT_LE(0, r);
	ASSERT_EQ(0, reg(r, I_TRCLOG, ids, 1));
	fd = open("/sys/kernel/debug/strclone/strlog_irq", O_WRONLY);
	ASSERT_LE(0, fd) TH_LOG("strlog_irq: %s", strerror(errno));
	snprintf(cmd, sizeof(cmd), "%d %d", mid, count);
	ASSERT_EQ((ssize_t)strlen(cmd), write(fd, cmd, strlen(cmd))) TH_LOG("%s", strerror(errno));
	/* Out of range: EINVAL. */
	EXPECT_EQ(-1, write(fd, "1 0", 3));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(fd, "1 257", 5));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	for (int i = 0; i < count; i++) {
		ASSERT_EQ(1, next_msg(r, &m, 5000)) TH_LOG("message %d of %d missing", i, count);
		snprintf(want, sizeof(want), "strlog from a hardirq timer, message %d", i);
		EXPECT_STREQ(want, m.text);
		EXPECT_EQ(mid, m.lc.mid);
		EXPECT_EQ(i, m.lc.sid);
		EXPECT_TRUE(m.lc.flags & SL_TRACE);
		if (i)
			EXPECT_LT(last_seq, m.lc.seq_no);
		last_seq = m.lc.seq_no;
	}
	ASSERT_EQ(0, ioctl(r, LOG_GETLOST, &lost));
	EXPECT_EQ(0, lost);
	close(r);
}

TEST(strlog_write_is_console_message)
{
	int r = open("/dev/strlog", O_RDWR), w = open("/dev/strlog", O_RDWR);
	struct logmsg m;

	ASSERT_LE(0, r);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, reg(r, I_CONSLOG, NULL, 0));
	ASSERT_EQ(5, write(w, "plain", 5));
	ASSERT_EQ(1, next_msg(r, &m, 5000));
	EXPECT_STREQ("plain", m.text);
	EXPECT_TRUE(m.lc.flags & SL_CONSOLE);
	close(w);
	close(r);
}

TEST_HARNESS_MAIN
