// SPDX-License-Identifier: GPL-2.0
/*
 * Priority bands at the stream head (streamio(7I), getpmsg(2)/putpmsg(2)):
 * getpmsg()/putpmsg() from libstrclone (I_GETPMSG/I_PUTPMSG), I_FLUSHBAND,
 * I_CKBAND, I_GETBAND, I_CANPUT with a band, I_ATMARK and the band bits of
 * poll(2). Documentation/strclone/streams.rst, "Priority bands", is what is
 * checked; one case per rule, each with its exact errno or data.
 *
 * The streams are echo streams (/dev/clone-echo): what is written comes back
 * up the same stream in its band, so the stream head's read side can be
 * filled with messages of chosen bands. ECHO_STOP keeps messages on the
 * driver's write queue (flow control on the write side); ECHO_MARK marks the
 * next message echoed (MSGMARK), as a transport driver marks urgent data.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stropts.h>

#include "kselftest_harness.h"
#include "strclone_util.h"

#define OPEN_ECHO(fd) do {						\
	watchdog(WATCHDOG_S);						\
	fd = open(ECHO_NODE, O_RDWR);					\
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", ECHO_NODE, strerror(errno)); \
} while (0)

/* putpmsg of a data part only (the string), in @band. */
static int put_band(int fd, int band, const char *s)
{
	struct strbuf d = { .len = (int)strlen(s), .buf = (char *)s };

	return putpmsg(fd, NULL, &d, band, MSG_BAND);
}

/* A high-priority message with control part @s. */
static int put_hipri(int fd, const char *s)
{
	struct strbuf c = { .len = (int)strlen(s), .buf = (char *)s };

	return putpmsg(fd, &c, NULL, 0, MSG_HIPRI);
}

/*
 * getpmsg into @buf (data part; the control part goes to @cbuf if given):
 * returns what getpmsg returns; *band and *flags in and out.
 */
static int get_band(int fd, char *buf, int max, int *band, int *flags)
{
	char cbuf[64];
	struct strbuf c = { .maxlen = sizeof(cbuf), .buf = cbuf };
	struct strbuf d = { .maxlen = max, .buf = buf };
	int r = getpmsg(fd, &c, &d, band, flags);

	if (r >= 0 && d.len >= 0 && d.len < max)
		buf[d.len] = 0;
	if (r >= 0 && d.len < 0 && c.len >= 0 && c.len < max) {
		memcpy(buf, cbuf, c.len);
		buf[c.len] = 0;
	}
	return r;
}

static int ckband(int fd, long band)
{
	return ioctl(fd, I_CKBAND, band);
}

static int getband(int fd)
{
	int b = -12345;

	if (ioctl(fd, I_GETBAND, &b) < 0)
		return -errno;
	return b;
}

/* putpmsg(2): messages are queued by band, highest first, FIFO within. */
TEST(putpmsg_bands_read_highest_first)
{
	static const struct { int band; const char *s; } in[] = {
		{ 0, "a0" }, { 2, "b2" }, { 1, "c1" }, { 2, "d2" }, { 255, "e255" }, { 0, "f0" },
	};
	static const struct { int band; const char *s; } out[] = {
		{ 255, "e255" }, { 2, "b2" }, { 2, "d2" }, { 1, "c1" }, { 0, "a0" }, { 0, "f0" },
	};
	char buf[16];
	int fd, band, flags;

	OPEN_ECHO(fd);
	for (unsigned int i = 0; i < ARRAY_SIZE(in); i++)
		ASSERT_EQ(0, put_band(fd, in[i].band, in[i].s)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(6, wait_nread(fd, 6, WAIT_MS, NULL));
	for (unsigned int i = 0; i < ARRAY_SIZE(out); i++) {
		band = 0;
		flags = MSG_ANY;
		ASSERT_EQ(0, get_band(fd, buf, sizeof(buf), &band, &flags));
		EXPECT_EQ(MSG_BAND, flags);
		EXPECT_EQ(out[i].band, band);
		EXPECT_STREQ(out[i].s, buf);
	}
	EXPECT_EQ(0, nread(fd, NULL));
	close(fd);
}

/* getpmsg(2) MSG_BAND: the first message only if its band is high enough. */
TEST(getpmsg_msg_band_takes_band_or_above_only)
{
	char buf[16];
	int fd, band, flags;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, put_band(fd, 5, "five"));
	ASSERT_EQ(0, put_band(fd, 1, "one"));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, NULL));
	ASSERT_EQ(0, set_nonblock(fd, 1));
	band = 3;
	flags = MSG_BAND;
	ASSERT_EQ(0, get_band(fd, buf, sizeof(buf), &band, &flags));
	EXPECT_EQ(5, band);
	EXPECT_EQ(MSG_BAND, flags);
	EXPECT_STREQ("five", buf);
	/* Band 1 is first now: band 3 or above is not there. */
	band = 3;
	flags = MSG_BAND;
	errno = 0;
	EXPECT_EQ(-1, get_band(fd, buf, sizeof(buf), &band, &flags));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(1, nread(fd, NULL));
	band = 1;
	flags = MSG_BAND;
	ASSERT_EQ(0, get_band(fd, buf, sizeof(buf), &band, &flags));
	EXPECT_EQ(1, band);
	EXPECT_STREQ("one", buf);
	close(fd);
}

/* getpmsg(2) MSG_BAND also takes a high-priority message (MSG_HIPRI, 0). */
TEST(getpmsg_msg_band_takes_hipri)
{
	char buf[16];
	int fd, band = 200, flags = MSG_BAND;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, put_band(fd, 9, "nine"));
	ASSERT_EQ(0, put_hipri(fd, "pc"));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, NULL));
	ASSERT_EQ(0, get_band(fd, buf, sizeof(buf), &band, &flags));
	EXPECT_EQ(MSG_HIPRI, flags);
	EXPECT_EQ(0, band);
	EXPECT_STREQ("pc", buf);
	/* MSG_HIPRI now: only band 9 is left, which does not qualify. */
	ASSERT_EQ(0, set_nonblock(fd, 1));
	band = 0;
	flags = MSG_HIPRI;
	errno = 0;
	EXPECT_EQ(-1, get_band(fd, buf, sizeof(buf), &band, &flags));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(9, getband(fd));
	close(fd);
}

/* The stream head checks flags and bands itself (raw I_PUTPMSG/I_GETPMSG). */
TEST(pmsg_ioctls_bad_band_or_flags_einval)
{
	static char cbuf[4] = "ctl";
	static const struct { int band, flags; } bad_put[] = {
		{ 256, MSG_BAND }, { -1, MSG_BAND }, { 1, MSG_HIPRI }, { 0, 0 }, { 0, MSG_ANY },
		{ 0, MSG_HIPRI | MSG_BAND }, { 0, RS_HIPRI | 0x100 },
	};
	static const struct { int band, flags; } bad_get[] = {
		{ 256, MSG_BAND }, { -7, MSG_BAND }, { 1, MSG_HIPRI }, { 0, 0 }, { 0, 8 },
		{ 0, MSG_ANY | MSG_BAND },
	};
	struct strpmsg m;
	int fd;

	OPEN_ECHO(fd);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad_put); i++) {
		memset(&m, 0, sizeof(m));
		m.ctlbuf.len = 3;
		m.ctlbuf.buf = cbuf;
		m.databuf.len = -1;
		m.band = bad_put[i].band;
		m.flags = bad_put[i].flags;
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, I_PUTPMSG, &m)) TH_LOG("put row %u", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("put row %u", i);
	}
	/* MSG_HIPRI needs a control part. */
	memset(&m, 0, sizeof(m));
	m.ctlbuf.len = -1;
	m.databuf.len = 3;
	m.databuf.buf = cbuf;
	m.flags = MSG_HIPRI;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, I_PUTPMSG, &m));
	EXPECT_EQ(EINVAL, errno);
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(0, nread(fd, NULL)) TH_LOG("a refused putpmsg sent something");

	ASSERT_EQ(0, put_band(fd, 4, "four"));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	for (unsigned int i = 0; i < ARRAY_SIZE(bad_get); i++) {
		memset(&m, 0, sizeof(m));
		m.ctlbuf.maxlen = 4;
		m.ctlbuf.buf = cbuf;
		m.databuf.maxlen = -1;
		m.band = bad_get[i].band;
		m.flags = bad_get[i].flags;
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, I_GETPMSG, &m)) TH_LOG("get row %u", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("get row %u", i);
	}
	EXPECT_EQ(1, nread(fd, NULL)) TH_LOG("a refused getpmsg took the message");
	close(fd);
}

/*
 * getpmsg(2) with a negative maxlen leaves that part (as getmsg(2)), and
 * what is left keeps its band.
 */
TEST(getpmsg_negative_maxlen_leaves_part_in_band)
{
	char cbuf[8], dbuf[8];
	struct strbuf c = { .len = 3, .buf = "CTL" };
	struct strbuf d = { .len = 4, .buf = "DATA" };
	struct strbuf rc = { .maxlen = -1, .buf = cbuf };
	struct strbuf rd = { .maxlen = sizeof(dbuf), .buf = dbuf };
	int fd, band = 0, flags = MSG_ANY;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, putpmsg(fd, &c, &d, 7, MSG_BAND));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(MORECTL, getpmsg(fd, &rc, &rd, &band, &flags));
	EXPECT_EQ(-1, rc.len);
	ASSERT_EQ(4, rd.len);
	EXPECT_EQ(0, memcmp(dbuf, "DATA", 4));
	EXPECT_EQ(7, band);
	EXPECT_EQ(MSG_BAND, flags);
	/* The control part is still there, in band 7. */
	EXPECT_EQ(7, getband(fd));
	EXPECT_EQ(1, ckband(fd, 7));
	rc.maxlen = sizeof(cbuf);
	rd.maxlen = -1;
	band = 7;
	flags = MSG_BAND;
	EXPECT_EQ(0, getpmsg(fd, &rc, &rd, &band, &flags));
	ASSERT_EQ(3, rc.len);
	EXPECT_EQ(0, memcmp(cbuf, "CTL", 3));
	EXPECT_EQ(-1, rd.len);
	EXPECT_EQ(7, band);
	EXPECT_EQ(0, nread(fd, NULL));
	close(fd);
}

/* A partly read message (MOREDATA) stays first in its band. */
TEST(getpmsg_moredata_keeps_band)
{
	char buf[8];
	int fd, band = 0, flags = MSG_ANY;
	struct strbuf rd = { .maxlen = 4, .buf = buf };

	OPEN_ECHO(fd);
	ASSERT_EQ(0, put_band(fd, 9, "0123456789"));
	ASSERT_EQ(0, put_band(fd, 3, "low"));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, NULL));
	EXPECT_EQ(MOREDATA, getpmsg(fd, NULL, &rd, &band, &flags));
	EXPECT_EQ(4, rd.len);
	EXPECT_EQ(0, memcmp(buf, "0123", 4));
	EXPECT_EQ(9, band);
	EXPECT_EQ(9, getband(fd));
	band = 9;
	flags = MSG_BAND;
	rd.maxlen = sizeof(buf);
	EXPECT_EQ(0, getpmsg(fd, NULL, &rd, &band, &flags));
	EXPECT_EQ(6, rd.len);
	EXPECT_EQ(0, memcmp(buf, "456789", 6));
	EXPECT_EQ(3, getband(fd));
	close(fd);
}

/* I_CANPUT: each band has its own flow control; bands above 255 EINVAL. */
TEST(canput_band_flow_control)
{
	char big[1024];
	int fd, n = 0, rev;

	OPEN_ECHO(fd);
	memset(big, 'x', sizeof(big));
	ASSERT_EQ(0, echo_cmd(fd, ECHO_STOP));
	ASSERT_EQ(1, ioctl(fd, I_CANPUT, 0L));
	ASSERT_EQ(1, ioctl(fd, I_CANPUT, 1L));
	ASSERT_EQ(1, ioctl(fd, I_CANPUT, 255L));
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, I_CANPUT, 256L));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, I_CANPUT, -1L));
	EXPECT_EQ(EINVAL, errno);
	/* A fresh stream: every band writable, POLLWRBAND with POLLWRNORM. */
	rev = poll_fd(fd, POLLOUT | POLLWRNORM | POLLWRBAND, 0);
	EXPECT_EQ(POLLOUT | POLLWRNORM | POLLWRBAND, rev);

	/* Fill band 1 on the stopped driver's write queue. */
	ASSERT_EQ(0, set_nonblock(fd, 1));
	struct strbuf d = { .len = sizeof(big), .buf = big };

	while (n < 64 && putpmsg(fd, NULL, &d, 1, MSG_BAND) == 0)
		n++;
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_LE(1, n);
	EXPECT_GT(64, n);
	EXPECT_EQ(0, ioctl(fd, I_CANPUT, 1L));
	EXPECT_EQ(1, ioctl(fd, I_CANPUT, 0L)) TH_LOG("band 1 full stopped band 0");
	EXPECT_EQ(1, ioctl(fd, I_CANPUT, 2L)) TH_LOG("band 1 full stopped band 2");
	/* The only band above 0 written is full: no POLLWRBAND. */
	rev = poll_fd(fd, POLLOUT | POLLWRNORM | POLLWRBAND, 0);
	EXPECT_EQ(POLLOUT | POLLWRNORM, rev);
	/* Band 0 still goes down. */
	EXPECT_EQ(0, put_band(fd, 0, "zero"));

	/* Drain: the echo restarts; everything comes back, band 1 first. */
	ASSERT_EQ(0, echo_cmd(fd, ECHO_START));
	ASSERT_EQ(0, set_nonblock(fd, 0));
	for (int i = 0; i < n; i++) {
		char buf[sizeof(big)];
		int band = 0, flags = MSG_ANY;
		struct strbuf rd = { .maxlen = sizeof(buf), .buf = buf };

		ASSERT_EQ(0, getpmsg(fd, NULL, &rd, &band, &flags)) TH_LOG("message %d", i);
		EXPECT_EQ(1, band);
		EXPECT_EQ((int)sizeof(big), rd.len);
	}
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(0, getband(fd));
	EXPECT_EQ(1, ioctl(fd, I_CANPUT, 1L));
	rev = poll_fd(fd, POLLWRBAND, WAIT_MS);
	EXPECT_EQ(POLLWRBAND, rev);
	close(fd);
}

/* I_CKBAND: is a normal message of that band queued at the head? */
TEST(ckband_reports_queued_band)
{
	int fd;

	OPEN_ECHO(fd);
	EXPECT_EQ(0, ckband(fd, 0));
	ASSERT_EQ(0, put_hipri(fd, "pc"));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	/* A high-priority message is in no band. */
	EXPECT_EQ(0, ckband(fd, 0));
	ASSERT_EQ(0, put_band(fd, 3, "three"));
	ASSERT_EQ(0, put_band(fd, 0, "zero"));
	ASSERT_EQ(3, wait_nread(fd, 3, WAIT_MS, NULL));
	EXPECT_EQ(1, ckband(fd, 3));
	EXPECT_EQ(1, ckband(fd, 0));
	EXPECT_EQ(0, ckband(fd, 4));
	EXPECT_EQ(0, ckband(fd, 255));
	errno = 0;
	EXPECT_EQ(-1, ckband(fd, 256));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ckband(fd, -1));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* I_GETBAND: the first message's band; ENODATA when there is none. */
TEST(getband_reports_first_band)
{
	char buf[16];
	int fd, band = 0, flags = MSG_ANY;

	OPEN_ECHO(fd);
	EXPECT_EQ(-ENODATA, getband(fd));
	ASSERT_EQ(0, put_band(fd, 4, "four"));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(4, getband(fd));
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, I_GETBAND, NULL));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, put_hipri(fd, "pc"));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, NULL));
	EXPECT_EQ(0, getband(fd));
	ASSERT_EQ(0, get_band(fd, buf, sizeof(buf), &band, &flags));
	EXPECT_EQ(MSG_HIPRI, flags);
	EXPECT_EQ(4, getband(fd));
	close(fd);
}

/* I_FLUSHBAND FLUSHR: only that band's messages at the head go. */
TEST(flushband_read_side)
{
	struct bandinfo bi = { .bi_pri = 2, .bi_flag = FLUSHR };
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, put_band(fd, 2, "two"));
	ASSERT_EQ(0, put_band(fd, 3, "three"));
	ASSERT_EQ(0, put_band(fd, 2, "two again"));
	ASSERT_EQ(0, put_band(fd, 0, "zero"));
	ASSERT_EQ(4, wait_nread(fd, 4, WAIT_MS, NULL));
	ASSERT_EQ(0, ioctl(fd, I_FLUSHBAND, &bi));
	EXPECT_EQ(2, nread(fd, NULL));
	EXPECT_EQ(0, ckband(fd, 2));
	EXPECT_EQ(1, ckband(fd, 3));
	EXPECT_EQ(1, ckband(fd, 0));
	close(fd);
}

/* I_FLUSHBAND FLUSHW: the band goes from the driver's write queue too. */
TEST(flushband_write_side)
{
	struct bandinfo bi = { .bi_pri = 2, .bi_flag = FLUSHW };
	char buf[16];
	int fd, band, flags;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, echo_cmd(fd, ECHO_STOP));
	ASSERT_EQ(0, put_band(fd, 2, "two"));
	ASSERT_EQ(0, put_band(fd, 5, "five"));
	ASSERT_EQ(0, ioctl(fd, I_FLUSHBAND, &bi));
	ASSERT_EQ(0, echo_cmd(fd, ECHO_START));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(1, nread(fd, NULL));
	band = 0;
	flags = MSG_ANY;
	ASSERT_EQ(0, get_band(fd, buf, sizeof(buf), &band, &flags));
	EXPECT_EQ(5, band);
	EXPECT_STREQ("five", buf);
	close(fd);
}

/* I_FLUSHBAND: bi_flag must be FLUSHR, FLUSHW or FLUSHRW. */
TEST(flushband_bad_flag_einval)
{
	static const int bad[] = { 0, FLUSHBAND, FLUSHBAND | FLUSHR, 8, -1 };
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, put_band(fd, 1, "one"));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		struct bandinfo bi = { .bi_pri = 1, .bi_flag = bad[i] };

		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, I_FLUSHBAND, &bi)) TH_LOG("bi_flag %d", bad[i]);
		EXPECT_EQ(EINVAL, errno);
	}
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, I_FLUSHBAND, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(1, nread(fd, NULL));
	close(fd);
}

/* I_ATMARK with ANYMARK and LASTMARK; read(2) stops at a mark. */
TEST(atmark_and_read_stops_at_mark)
{
	char buf[16];
	int fd;

	OPEN_ECHO(fd);
	EXPECT_EQ(0, ioctl(fd, I_ATMARK, (long)ANYMARK));
	ASSERT_EQ(0, echo_cmd(fd, ECHO_MARK));
	ASSERT_EQ(1, write(fd, "a", 1));
	ASSERT_EQ(1, write(fd, "b", 1));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, NULL));
	EXPECT_EQ(1, ioctl(fd, I_ATMARK, (long)ANYMARK));
	EXPECT_EQ(1, ioctl(fd, I_ATMARK, (long)LASTMARK));
	ASSERT_EQ(0, echo_cmd(fd, ECHO_MARK));
	ASSERT_EQ(1, write(fd, "c", 1));
	ASSERT_EQ(3, wait_nread(fd, 3, WAIT_MS, NULL));
	/* "c" is marked too: "a" is marked but not the last mark. */
	EXPECT_EQ(1, ioctl(fd, I_ATMARK, (long)ANYMARK));
	EXPECT_EQ(0, ioctl(fd, I_ATMARK, (long)LASTMARK));
	EXPECT_EQ(0, ioctl(fd, I_ATMARK, (long)(ANYMARK | LASTMARK)));
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, I_ATMARK, 0L));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, I_ATMARK, 4L));
	EXPECT_EQ(EINVAL, errno);
	/* A read ends after a marked message... */
	EXPECT_EQ(1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ('a', buf[0]);
	EXPECT_EQ(0, ioctl(fd, I_ATMARK, (long)ANYMARK));
	/* ... and does not read on into one. */
	EXPECT_EQ(1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ('b', buf[0]);
	EXPECT_EQ(1, ioctl(fd, I_ATMARK, (long)(ANYMARK | LASTMARK)));
	EXPECT_EQ(1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ('c', buf[0]);
	EXPECT_EQ(0, ioctl(fd, I_ATMARK, (long)ANYMARK));
	close(fd);
}

/* A marked message read in part keeps its mark. */
TEST(partial_read_keeps_mark)
{
	char buf[4];
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, echo_cmd(fd, ECHO_MARK));
	ASSERT_EQ(6, write(fd, "marked", 6));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(2, read(fd, buf, 2));
	EXPECT_EQ(1, ioctl(fd, I_ATMARK, (long)ANYMARK));
	EXPECT_EQ(4, read(fd, buf, 4));
	EXPECT_EQ(0, memcmp(buf, "rked", 4));
	close(fd);
}

/* poll(2): POLLRDNORM for band 0, POLLRDBAND above it, POLLPRI for hipri. */
TEST(poll_read_bands)
{
	const short ev = POLLIN | POLLRDNORM | POLLRDBAND | POLLPRI;
	char buf[16];
	int fd, band, flags;

	OPEN_ECHO(fd);
	EXPECT_EQ(0, poll_fd(fd, ev, 0));
	ASSERT_EQ(0, put_band(fd, 3, "three"));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(POLLIN | POLLRDBAND, poll_fd(fd, ev, 0));
	ASSERT_EQ(0, put_band(fd, 0, "zero"));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, NULL));
	EXPECT_EQ(POLLIN | POLLRDNORM | POLLRDBAND, poll_fd(fd, ev, 0));
	ASSERT_EQ(0, put_hipri(fd, "pc"));
	ASSERT_EQ(3, wait_nread(fd, 3, WAIT_MS, NULL));
	EXPECT_EQ(POLLIN | POLLRDNORM | POLLRDBAND | POLLPRI, poll_fd(fd, ev, 0));
	for (int i = 0; i < 2; i++) {
		band = 0;
		flags = MSG_ANY;
		ASSERT_EQ(0, get_band(fd, buf, sizeof(buf), &band, &flags));
	}
	EXPECT_EQ(POLLIN | POLLRDNORM, poll_fd(fd, ev, 0));
	band = 0;
	flags = MSG_ANY;
	ASSERT_EQ(0, get_band(fd, buf, sizeof(buf), &band, &flags));
	EXPECT_STREQ("zero", buf);
	ASSERT_EQ(0, put_hipri(fd, "p2"));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(POLLPRI, poll_fd(fd, ev, 0));
	close(fd);
}

/* A poller waiting for POLLRDBAND wakes when a banded message arrives. */
TEST(poll_rdband_wakes)
{
	int fd, rev;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, put_band(fd, 0, "zero"));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(0, poll_fd(fd, POLLRDBAND, 0));
	if (fork() == 0) {
		usleep(200 * 1000);
		_exit(put_band(fd, 6, "six") ? 1 : 0);
	}
	rev = poll_fd(fd, POLLRDBAND, WAIT_MS);
	EXPECT_EQ(POLLRDBAND, rev);
	EXPECT_EQ(1, ckband(fd, 6));
	wait(NULL);
	close(fd);
}

TEST_HARNESS_MAIN
