// SPDX-License-Identifier: GPL-2.0
/*
 * libstrclone (tools/lib/strclone), the user library: isastream(),
 * getmsg()/putmsg(), getpmsg()/putpmsg() through <stropts.h>, and
 * grantpt()/unlockpt()/ptsname()/ptsname_r() on strclone masters and on
 * Linux's own /dev/ptmx masters. Documentation/strclone/library.rst.
 *
 * Built twice from this source: libstrclone_static (linked with
 * libstrclone.a, -static) and libstrclone_dynamic (linked with
 * libstrclone.so.1, found beside it through its $ORIGIN run path; the
 * C library's loader and libraries are copied into the guest by
 * tools/vm/run.sh). The dynamic one also checks that the functions it calls
 * are libstrclone.so's and that, on native ptys and other files, they give
 * exactly what the C library's own functions give.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <stropts.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#ifdef LIBSTRCLONE_DYNAMIC
#include <dlfcn.h>
#endif

#include "kselftest_harness.h"
#include "strclone_util.h"

/* Bare pts slaves: these tests predate the ptem/ldterm autopush default. */
STRCLONE_BARE_PTS()

#define SAD_USER_NODE	"/dev/sad/user"
#define NATIVE_PTMX	"/dev/ptmx"
#define ERRNO_SENTINEL	4242

static int open_echo(void)
{
	return open(ECHO_NODE, O_RDWR);
}

#define OPEN_ECHO(fd) do {						\
	watchdog(WATCHDOG_S);						\
	fd = open_echo();						\
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", ECHO_NODE, strerror(errno)); \
} while (0)

/* A descriptor that is certainly not open. */
static int closed_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	close(fd);
	return fd;
}

/* A regular file in /tmp (unlinked at once). */
static int regular_file(void)
{
	char path[] = "/tmp/libstrclone-XXXXXX";
	int fd = mkstemp(path);

	if (fd >= 0)
		unlink(path);
	return fd;
}

/* ---- isastream ------------------------------------------------------ */

TEST(isastream_strclone_streams)
{
	int e, m, s, lg;

	OPEN_ECHO(e);
	m = open(PTMX_NODE, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, m) TH_LOG("open %s: %s", PTMX_NODE, strerror(errno));
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	s = ioctl(m, PTMGETPEER, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s) TH_LOG("PTMGETPEER: %s", strerror(errno));
	lg = open("/dev/strlog", O_RDWR);
	ASSERT_LE(0, lg) TH_LOG("open /dev/strlog: %s", strerror(errno));

	errno = ERRNO_SENTINEL;
	EXPECT_EQ(1, isastream(e));
	EXPECT_EQ(1, isastream(m));
	EXPECT_EQ(1, isastream(s));
	EXPECT_EQ(1, isastream(lg));
	EXPECT_EQ(ERRNO_SENTINEL, errno) TH_LOG("isastream changed errno to %d", errno);

	/* A hung-up stream is still a stream. */
	close(m);
	EXPECT_EQ(POLLHUP, poll_fd(s, POLLOUT, WAIT_MS) & POLLHUP);
	EXPECT_EQ(1, isastream(s));
	close(s);
	close(e);
	close(lg);
}

TEST(isastream_other_files)
{
	int p[2], d, f, n, x, pathfd, sad;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, pipe(p));
	d = open("/tmp", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, d);
	f = regular_file();
	ASSERT_LE(0, f);
	n = open("/dev/null", O_RDWR);
	ASSERT_LE(0, n);
	x = posix_openpt(O_RDWR | O_NOCTTY);
	ASSERT_LE(0, x) TH_LOG("posix_openpt: %s", strerror(errno));
	/* An O_PATH descriptor of a stream node is open but no stream. */
	pathfd = open(ECHO_NODE, O_PATH);
	ASSERT_LE(0, pathfd) TH_LOG("open O_PATH: %s", strerror(errno));
	/* The sad driver's files are strclone's but ioctl-only, not streams. */
	sad = open(SAD_USER_NODE, O_RDWR);
	ASSERT_LE(0, sad) TH_LOG("open %s: %s", SAD_USER_NODE, strerror(errno));

	errno = ERRNO_SENTINEL;
	EXPECT_EQ(0, isastream(p[0]));
	EXPECT_EQ(0, isastream(p[1]));
	EXPECT_EQ(0, isastream(d));
	EXPECT_EQ(0, isastream(f));
	EXPECT_EQ(0, isastream(n));
	EXPECT_EQ(0, isastream(x));
	EXPECT_EQ(0, isastream(pathfd));
	EXPECT_EQ(0, isastream(sad));
	EXPECT_EQ(ERRNO_SENTINEL, errno) TH_LOG("isastream changed errno to %d", errno);
	close(p[0]);
	close(p[1]);
	close(d);
	close(f);
	close(n);
	close(x);
	close(pathfd);
	close(sad);
}

TEST(isastream_bad_fd)
{
	watchdog(WATCHDOG_S);
	errno = 0;
	EXPECT_EQ(-1, isastream(-1));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, isastream(closed_fd()));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, isastream(INT_MAX));
	EXPECT_EQ(EBADF, errno);
}

/* ---- getmsg / putmsg ------------------------------------------------ */

TEST(putmsg_getmsg_round_trip)
{
	char cbuf[32], dbuf[32];
	struct strbuf ctl = { .len = 5, .buf = "hello" };
	struct strbuf data = { .len = 6, .buf = "world!" };
	struct strbuf rc = { .maxlen = sizeof(cbuf), .buf = cbuf };
	struct strbuf rd = { .maxlen = sizeof(dbuf), .buf = dbuf };
	int fd, flags;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, putmsg(fd, &ctl, &data, 0)) TH_LOG("putmsg: %s", strerror(errno));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	flags = 0;
	rc.len = rd.len = -99;
	ASSERT_EQ(0, getmsg(fd, &rc, &rd, &flags)) TH_LOG("getmsg: %s", strerror(errno));
	EXPECT_EQ(0, flags);
	ASSERT_EQ(5, rc.len);
	ASSERT_EQ(6, rd.len);
	EXPECT_EQ(0, memcmp(cbuf, "hello", 5));
	EXPECT_EQ(0, memcmp(dbuf, "world!", 6));

	/* Data only: the control part comes back absent (-1). */
	ASSERT_EQ(0, putmsg(fd, NULL, &data, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	flags = 0;
	rc.len = rd.len = -99;
	ASSERT_EQ(0, getmsg(fd, &rc, &rd, &flags));
	EXPECT_EQ(-1, rc.len);
	EXPECT_EQ(6, rd.len);
	EXPECT_EQ(0, flags);
	close(fd);
}

TEST(getmsg_more_parts)
{
	char cbuf[4], dbuf[4];
	struct strbuf ctl = { .len = 6, .buf = "ABCDEF" };
	struct strbuf data = { .len = 7, .buf = "abcdefg" };
	struct strbuf rc = { .maxlen = 4, .buf = cbuf };
	struct strbuf rd = { .maxlen = 4, .buf = dbuf };
	int fd, flags = 0;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, putmsg(fd, &ctl, &data, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(MORECTL | MOREDATA, getmsg(fd, &rc, &rd, &flags));
	EXPECT_EQ(4, rc.len);
	EXPECT_EQ(4, rd.len);
	EXPECT_EQ(0, memcmp(cbuf, "ABCD", 4));
	EXPECT_EQ(0, memcmp(dbuf, "abcd", 4));
	flags = 0;
	EXPECT_EQ(0, getmsg(fd, &rc, &rd, &flags));
	EXPECT_EQ(2, rc.len);
	EXPECT_EQ(3, rd.len);
	EXPECT_EQ(0, memcmp(cbuf, "EF", 2));
	EXPECT_EQ(0, memcmp(dbuf, "efg", 3));
	close(fd);
}

TEST(putmsg_getmsg_high_priority)
{
	char cbuf[16];
	struct strbuf ctl = { .len = 3, .buf = "pri" };
	struct strbuf norm = { .len = 4, .buf = "norm" };
	struct strbuf rc = { .maxlen = sizeof(cbuf), .buf = cbuf };
	int fd, flags;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, putmsg(fd, &norm, NULL, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	ASSERT_EQ(0, putmsg(fd, &ctl, NULL, RS_HIPRI)) TH_LOG("putmsg RS_HIPRI: %s", strerror(errno));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, NULL));
	/* RS_HIPRI takes the high-priority message, ahead of the normal one. */
	flags = RS_HIPRI;
	ASSERT_EQ(0, getmsg(fd, &rc, NULL, &flags)) TH_LOG("getmsg: %s", strerror(errno));
	EXPECT_EQ(RS_HIPRI, flags);
	ASSERT_EQ(3, rc.len);
	EXPECT_EQ(0, memcmp(cbuf, "pri", 3));
	flags = 0;
	ASSERT_EQ(0, getmsg(fd, &rc, NULL, &flags));
	EXPECT_EQ(0, flags);
	ASSERT_EQ(4, rc.len);
	EXPECT_EQ(0, memcmp(cbuf, "norm", 4));
	close(fd);
}

TEST(putmsg_getmsg_bad_flags)
{
	struct strbuf ctl = { .len = 1, .buf = "x" };
	char buf[8];
	struct strbuf rc = { .maxlen = sizeof(buf), .buf = buf };
	int fd, flags;

	OPEN_ECHO(fd);
	errno = 0;
	EXPECT_EQ(-1, putmsg(fd, &ctl, NULL, MSG_ANY));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, putmsg(fd, &ctl, NULL, MSG_BAND));
	EXPECT_EQ(EINVAL, errno);
	/* High priority needs a control part (the stream head's own check). */
	errno = 0;
	EXPECT_EQ(-1, putmsg(fd, NULL, &ctl, RS_HIPRI));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing of the above was sent. */
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(0, nread(fd, NULL));

	ASSERT_EQ(0, putmsg(fd, &ctl, NULL, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	/* getmsg() takes 0 or RS_HIPRI only (SVR4); the message stays. */
	flags = MSG_ANY;
	errno = 0;
	EXPECT_EQ(-1, getmsg(fd, &rc, NULL, &flags));
	EXPECT_EQ(EINVAL, errno);
	flags = MSG_BAND;
	errno = 0;
	EXPECT_EQ(-1, getmsg(fd, &rc, NULL, &flags));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, getmsg(fd, &rc, NULL, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(1, nread(fd, NULL));
	close(fd);
}

TEST(getmsg_putmsg_not_a_stream)
{
	struct strbuf ctl = { .len = 1, .buf = "x" };
	char buf[8];
	struct strbuf rc = { .maxlen = sizeof(buf), .buf = buf };
	int p[2], f, flags, band;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, pipe(p));
	f = regular_file();
	ASSERT_LE(0, f);
	int fds[] = { p[0], p[1], f };

	for (unsigned int i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, putmsg(fds[i], &ctl, NULL, 0));
		EXPECT_EQ(ENOSTR, errno) TH_LOG("putmsg on fd %d: %s", i, strerror(errno));
		flags = 0;
		errno = 0;
		EXPECT_EQ(-1, getmsg(fds[i], &rc, NULL, &flags));
		EXPECT_EQ(ENOSTR, errno) TH_LOG("getmsg on fd %d: %s", i, strerror(errno));
		errno = 0;
		EXPECT_EQ(-1, putpmsg(fds[i], &ctl, NULL, 0, MSG_BAND));
		EXPECT_EQ(ENOSTR, errno);
		flags = MSG_ANY;
		band = 0;
		errno = 0;
		EXPECT_EQ(-1, getpmsg(fds[i], &rc, NULL, &band, &flags));
		EXPECT_EQ(ENOSTR, errno);
	}
	errno = 0;
	EXPECT_EQ(-1, putmsg(closed_fd(), &ctl, NULL, 0));
	EXPECT_EQ(EBADF, errno);
	flags = 0;
	errno = 0;
	EXPECT_EQ(-1, getmsg(closed_fd(), &rc, NULL, &flags));
	EXPECT_EQ(EBADF, errno);
	close(p[0]);
	close(p[1]);
	close(f);
}

/* ---- getpmsg / putpmsg ---------------------------------------------- */

TEST(putpmsg_getpmsg_band_zero_and_hipri)
{
	char cbuf[16], dbuf[16];
	struct strbuf ctl = { .len = 4, .buf = "band" };
	struct strbuf data = { .len = 4, .buf = "zero" };
	struct strbuf pri = { .len = 2, .buf = "hi" };
	struct strbuf rc = { .maxlen = sizeof(cbuf), .buf = cbuf };
	struct strbuf rd = { .maxlen = sizeof(dbuf), .buf = dbuf };
	int fd, band, flags;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, putpmsg(fd, &ctl, &data, 0, MSG_BAND)) TH_LOG("putpmsg: %s", strerror(errno));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	ASSERT_EQ(0, putpmsg(fd, &pri, NULL, 0, MSG_HIPRI)) TH_LOG("putpmsg hipri: %s", strerror(errno));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, NULL));

	/* MSG_HIPRI: the high-priority message only. */
	band = 0;
	flags = MSG_HIPRI;
	ASSERT_EQ(0, getpmsg(fd, &rc, &rd, &band, &flags)) TH_LOG("getpmsg: %s", strerror(errno));
	EXPECT_EQ(MSG_HIPRI, flags);
	EXPECT_EQ(0, band);
	ASSERT_EQ(2, rc.len);
	EXPECT_EQ(-1, rd.len);
	EXPECT_EQ(0, memcmp(cbuf, "hi", 2));

	/* MSG_BAND with band 0: band 0 or above, i.e. the normal message. */
	band = 0;
	flags = MSG_BAND;
	ASSERT_EQ(0, getpmsg(fd, &rc, &rd, &band, &flags)) TH_LOG("getpmsg: %s", strerror(errno));
	EXPECT_EQ(MSG_BAND, flags);
	EXPECT_EQ(0, band);
	ASSERT_EQ(4, rc.len);
	ASSERT_EQ(4, rd.len);
	EXPECT_EQ(0, memcmp(cbuf, "band", 4));
	EXPECT_EQ(0, memcmp(dbuf, "zero", 4));

	/* MSG_ANY reports a normal message as MSG_BAND in band 0. */
	ASSERT_EQ(0, putpmsg(fd, NULL, &data, 0, MSG_BAND));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	band = 77;
	flags = MSG_ANY;
	ASSERT_EQ(0, getpmsg(fd, &rc, &rd, &band, &flags));
	EXPECT_EQ(MSG_BAND, flags);
	EXPECT_EQ(0, band);
	EXPECT_EQ(-1, rc.len);
	EXPECT_EQ(4, rd.len);
	close(fd);
}

TEST(getpmsg_hipri_leaves_normal_messages)
{
	char buf[16];
	struct strbuf ctl = { .len = 4, .buf = "norm" };
	struct strbuf rc = { .maxlen = sizeof(buf), .buf = buf };
	int fd, band = 0, flags = MSG_HIPRI;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, putpmsg(fd, &ctl, NULL, 0, MSG_BAND));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	ASSERT_EQ(0, set_nonblock(fd, 1));
	errno = 0;
	EXPECT_EQ(-1, getpmsg(fd, &rc, NULL, &band, &flags));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(1, nread(fd, NULL));
	close(fd);
}

/* Bands 1..255 through the library: highest band first, band reported. */
TEST(putpmsg_getpmsg_bands)
{
	char cbuf[16], dbuf[16];
	struct strbuf c1 = { .len = 2, .buf = "b1" };
	struct strbuf d200 = { .len = 4, .buf = "b200" };
	struct strbuf d255 = { .len = 4, .buf = "b255" };
	struct strbuf rc = { .maxlen = sizeof(cbuf), .buf = cbuf };
	struct strbuf rd = { .maxlen = sizeof(dbuf), .buf = dbuf };
	int fd, band, flags;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, putpmsg(fd, &c1, NULL, 1, MSG_BAND)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, putpmsg(fd, NULL, &d200, 200, MSG_BAND)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, putpmsg(fd, NULL, &d255, 255, MSG_BAND)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(3, wait_nread(fd, 3, WAIT_MS, NULL));

	/* MSG_BAND 201: band 255 is first and qualifies. */
	band = 201;
	flags = MSG_BAND;
	ASSERT_EQ(0, getpmsg(fd, &rc, &rd, &band, &flags)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(MSG_BAND, flags);
	EXPECT_EQ(255, band);
	ASSERT_EQ(4, rd.len);
	EXPECT_EQ(0, memcmp(dbuf, "b255", 4));
	/* MSG_BAND 201 again: band 200 is first now, below it: EAGAIN. */
	ASSERT_EQ(0, set_nonblock(fd, 1));
	band = 201;
	flags = MSG_BAND;
	errno = 0;
	EXPECT_EQ(-1, getpmsg(fd, &rc, &rd, &band, &flags));
	EXPECT_EQ(EAGAIN, errno);
	/* MSG_ANY: band 200, then band 1. */
	band = 0;
	flags = MSG_ANY;
	ASSERT_EQ(0, getpmsg(fd, &rc, &rd, &band, &flags));
	EXPECT_EQ(MSG_BAND, flags);
	EXPECT_EQ(200, band);
	flags = MSG_ANY;
	ASSERT_EQ(0, getpmsg(fd, &rc, &rd, &band, &flags));
	EXPECT_EQ(MSG_BAND, flags);
	EXPECT_EQ(1, band);
	ASSERT_EQ(2, rc.len);
	EXPECT_EQ(0, memcmp(cbuf, "b1", 2));
	EXPECT_EQ(0, nread(fd, NULL));
	close(fd);
}

/* Bands outside 0..255 and bad flags: EINVAL, nothing sent or taken. */
TEST(putpmsg_getpmsg_bad_bands_and_flags)
{
	char buf[16];
	struct strbuf ctl = { .len = 4, .buf = "band" };
	struct strbuf rc = { .maxlen = sizeof(buf), .buf = buf };
	static const struct { int band, flags; } bad_put[] = {
		{ 256, MSG_BAND }, { -1, MSG_BAND }, { 1000, MSG_BAND },
		{ 1, MSG_HIPRI }, { 0, 0 }, { 0, MSG_ANY }, { 0, MSG_BAND | MSG_HIPRI },
	};
	static const struct { int band, flags; } bad_get[] = {
		{ 256, MSG_BAND }, { -1, MSG_BAND },
		{ 3, MSG_HIPRI }, { 0, 0 }, { 0, MSG_ANY | MSG_HIPRI }, { 0, 8 },
	};
	int fd, band, flags;

	OPEN_ECHO(fd);
	for (unsigned int i = 0; i < sizeof(bad_put) / sizeof(bad_put[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, putpmsg(fd, &ctl, NULL, bad_put[i].band, bad_put[i].flags))
			TH_LOG("putpmsg band %d flags %#x", bad_put[i].band, bad_put[i].flags);
		EXPECT_EQ(EINVAL, errno);
	}
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(0, nread(fd, NULL)) TH_LOG("a refused putpmsg sent a message");

	ASSERT_EQ(0, putpmsg(fd, &ctl, NULL, 0, MSG_BAND));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	for (unsigned int i = 0; i < sizeof(bad_get) / sizeof(bad_get[0]); i++) {
		band = bad_get[i].band;
		flags = bad_get[i].flags;
		errno = 0;
		EXPECT_EQ(-1, getpmsg(fd, &rc, NULL, &band, &flags))
			TH_LOG("getpmsg band %d flags %#x", bad_get[i].band, bad_get[i].flags);
		EXPECT_EQ(EINVAL, errno);
	}
	band = 0;
	errno = 0;
	EXPECT_EQ(-1, getpmsg(fd, &rc, NULL, &band, NULL));
	EXPECT_EQ(EFAULT, errno);
	flags = MSG_ANY;
	errno = 0;
	EXPECT_EQ(-1, getpmsg(fd, &rc, NULL, NULL, &flags));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(1, nread(fd, NULL)) TH_LOG("a refused getpmsg took the message");
	close(fd);
}

/* ---- grantpt / unlockpt / ptsname ----------------------------------- */

TEST(strclone_master_grantpt_unlockpt)
{
	int m, s;

	watchdog(WATCHDOG_S);
	m = open(PTMX_NODE, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, m) TH_LOG("open %s: %s", PTMX_NODE, strerror(errno));
	/* Locked: no slave yet. */
	EXPECT_EQ(-1, ioctl(m, PTMGETPEER, O_RDWR));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(0, grantpt(m)) TH_LOG("grantpt: %s", strerror(errno));
	/* grantpt() does not unlock. */
	EXPECT_EQ(-1, ioctl(m, PTMGETPEER, O_RDWR));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(0, unlockpt(m)) TH_LOG("unlockpt: %s", strerror(errno));
	s = ioctl(m, PTMGETPEER, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s) TH_LOG("PTMGETPEER after unlockpt(): %s", strerror(errno));
	/* Unlocking again is harmless, as UNLKPT is. */
	EXPECT_EQ(0, unlockpt(m));
	EXPECT_EQ(2, write(m, "hi", 2));
	char buf[2];
	EXPECT_EQ(2, read_exact(s, buf, 2, WAIT_MS));

	/* Neither the slave nor another stream is a master: EINVAL. */
	int e = open_echo();

	ASSERT_LE(0, e);
	int others[] = { s, e };

	for (unsigned int i = 0; i < 2; i++) {
		errno = 0;
		EXPECT_EQ(-1, grantpt(others[i]));
		EXPECT_EQ(EINVAL, errno);
		errno = 0;
		EXPECT_EQ(-1, unlockpt(others[i]));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(ENOTTY, ptsname_r(others[i], buf, sizeof(buf)));
	}
	close(e);
	close(s);
	close(m);
}

/*
 * ptsname() on a strclone master: "/dev/strpts/<N>", N from PTMGETPTN. A
 * kernel without strclone's slave nodes answers PTMGETPTN with an error;
 * the library must then fail with exactly that errno and leave the buffer
 * alone (no made-up name). The second half runs once the kernel has them.
 */
TEST(strclone_master_ptsname)
{
	char buf[64], small[8];
	char *volatile nullbuf = NULL;	/* <stdlib.h> says nonnull */
	unsigned int n = 0xdeadbeef;
	int m, r, kerr;

	watchdog(WATCHDOG_S);
	m = open(PTMX_NODE, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, m) TH_LOG("open %s: %s", PTMX_NODE, strerror(errno));
	ASSERT_EQ(0, grantpt(m));
	ASSERT_EQ(0, unlockpt(m));
	r = ioctl(m, PTMGETPTN, &n);
	kerr = r < 0 ? errno : 0;
	if (r < 0) {
		ksft_print_msg("PTMGETPTN: %s: the kernel has no slave nodes; checking the error path\n",
			       strerror(kerr));
		EXPECT_TRUE(kerr == ENOTTY || kerr == EINVAL) TH_LOG("PTMGETPTN: %s", strerror(kerr));
		memset(buf, 'Z', sizeof(buf) - 1);
		buf[sizeof(buf) - 1] = 0;
		errno = 0;
		EXPECT_EQ(kerr, ptsname_r(m, buf, sizeof(buf)));
		EXPECT_EQ(kerr, errno);
		EXPECT_EQ(sizeof(buf) - 1, strspn(buf, "Z")) TH_LOG("ptsname_r wrote into the buffer");
		errno = 0;
		EXPECT_EQ(NULL, ptsname(m));
		EXPECT_EQ(kerr, errno);
	} else {
		char want[64];
		struct stat st;
		char *p;

		ksft_print_msg("PTMGETPTN: slave %u\n", n);
		snprintf(want, sizeof(want), "/dev/strpts/%u", n);
		ASSERT_EQ(0, ptsname_r(m, buf, sizeof(buf))) TH_LOG("ptsname_r: %s", strerror(errno));
		EXPECT_STREQ(want, buf);
		p = ptsname(m);
		ASSERT_NE(NULL, p) TH_LOG("ptsname: %s", strerror(errno));
		EXPECT_STREQ(want, p);
		ASSERT_EQ(0, stat(buf, &st)) TH_LOG("stat %s: %s", buf, strerror(errno));
		EXPECT_TRUE(S_ISCHR(st.st_mode));
		EXPECT_EQ(ERANGE, ptsname_r(m, small, sizeof(small)));
	}
	EXPECT_EQ(EINVAL, ptsname_r(m, nullbuf, 64));
	close(m);
}

#ifdef LIBSTRCLONE_DYNAMIC
#define DYNAMIC 1
/* The C library's own function of this name (libc.so.6, not libstrclone). */
static void *libc_fn(const char *name)
{
	void *h = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);

	return h ? dlsym(h, name) : NULL;
}
#else
/* A static program cannot reach the C library's functions of these names. */
#define DYNAMIC 0
static void *libc_fn(const char *name)
{
	(void)name;
	return NULL;
}
#endif

/* On a Linux /dev/ptmx master everything is what the C library does. */
TEST(native_master_passthrough)
{
	char buf[64], want[64], small[sizeof(buf)];
	unsigned int n;
	int m, s, lock;

	watchdog(WATCHDOG_S);
	m = posix_openpt(O_RDWR | O_NOCTTY);
	ASSERT_LE(0, m) TH_LOG("posix_openpt: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(m, TIOCGPTN, &n));
	snprintf(want, sizeof(want), "/dev/pts/%u", n);

	EXPECT_EQ(0, grantpt(m)) TH_LOG("grantpt: %s", strerror(errno));
	/* Still locked after grantpt(): the slave cannot be opened. */
	ASSERT_EQ(0, ioctl(m, TIOCGPTLCK, &lock));
	EXPECT_EQ(1, lock);
	ASSERT_EQ(0, unlockpt(m)) TH_LOG("unlockpt: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(m, TIOCGPTLCK, &lock));
	EXPECT_EQ(0, lock);

	ASSERT_EQ(0, ptsname_r(m, buf, sizeof(buf))) TH_LOG("ptsname_r: %s", strerror(errno));
	EXPECT_STREQ(want, buf);
	char *p = ptsname(m);

	ASSERT_NE(NULL, p) TH_LOG("ptsname: %s", strerror(errno));
	EXPECT_STREQ(want, p);
	/* One byte short of the name and its NUL. */
	EXPECT_EQ(ERANGE, ptsname_r(m, small, strlen(want)));
	s = open(buf, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s) TH_LOG("open %s: %s", buf, strerror(errno));
	EXPECT_EQ(1, isatty(s));
	EXPECT_EQ(3, write(m, "ab\n", 3));
	char in[3];

	EXPECT_EQ(3, read_exact(s, in, 3, WAIT_MS));
	EXPECT_EQ(0, memcmp(in, "ab\n", 3));

	if (DYNAMIC) {
		int (*c_ptsname_r)(int, char *, size_t) = libc_fn("ptsname_r");
		int (*c_grantpt)(int) = libc_fn("grantpt");
		int (*c_unlockpt)(int) = libc_fn("unlockpt");
		char cbuf[64];

		ASSERT_NE(NULL, c_ptsname_r);
		ASSERT_NE(NULL, c_grantpt);
		ASSERT_NE(NULL, c_unlockpt);
		ASSERT_NE((void *)c_ptsname_r, (void *)ptsname_r);
		ASSERT_EQ(0, c_ptsname_r(m, cbuf, sizeof(cbuf)));
		EXPECT_STREQ(cbuf, buf);
		EXPECT_EQ(0, c_grantpt(m));
		EXPECT_EQ(0, c_unlockpt(m));
	}
	close(s);
	close(m);
}

/* Files that are no pty master, and bad descriptors. */
TEST(not_a_master)
{
	char buf[64];
	int n, f, bad;

	watchdog(WATCHDOG_S);
	n = open("/dev/null", O_RDWR);
	ASSERT_LE(0, n);
	f = regular_file();
	ASSERT_LE(0, f);
	bad = closed_fd();
	static const struct { int grant, unlock, ptsname; } want[] = {
		{ EINVAL, EINVAL, ENOTTY },	/* /dev/null */
		{ EINVAL, EINVAL, ENOTTY },	/* regular file */
		{ EBADF, EBADF, EBADF },	/* closed */
	};
	int fds[] = { n, f, bad };

	for (unsigned int i = 0; i < 3; i++) {
		errno = 0;
		EXPECT_EQ(-1, grantpt(fds[i])) TH_LOG("case %u", i);
		EXPECT_EQ(want[i].grant, errno) TH_LOG("case %u: grantpt: %s", i, strerror(errno));
		errno = 0;
		EXPECT_EQ(-1, unlockpt(fds[i])) TH_LOG("case %u", i);
		EXPECT_EQ(want[i].unlock, errno) TH_LOG("case %u: unlockpt: %s", i, strerror(errno));
		errno = 0;
		EXPECT_EQ(want[i].ptsname, ptsname_r(fds[i], buf, sizeof(buf))) TH_LOG("case %u", i);
		EXPECT_EQ(want[i].ptsname, errno);
		errno = 0;
		EXPECT_EQ(NULL, ptsname(fds[i]));
		EXPECT_EQ(want[i].ptsname, errno);
		if (DYNAMIC) {
			int (*c_grantpt)(int) = libc_fn("grantpt");
			int (*c_unlockpt)(int) = libc_fn("unlockpt");
			int (*c_ptsname_r)(int, char *, size_t) = libc_fn("ptsname_r");
			int r;

			ASSERT_NE(NULL, c_grantpt);
			errno = 0;
			r = c_grantpt(fds[i]);
			EXPECT_EQ(-1, r);
			EXPECT_EQ(want[i].grant, errno) TH_LOG("case %u: C library grantpt", i);
			errno = 0;
			r = c_unlockpt(fds[i]);
			EXPECT_EQ(-1, r);
			EXPECT_EQ(want[i].unlock, errno) TH_LOG("case %u: C library unlockpt", i);
			EXPECT_EQ(want[i].ptsname, c_ptsname_r(fds[i], buf, sizeof(buf)))
				TH_LOG("case %u: C library ptsname_r", i);
		}
	}
	close(n);
	close(f);
}

#ifdef LIBSTRCLONE_DYNAMIC
/* This binary really calls libstrclone.so.1's functions. */
TEST(functions_come_from_libstrclone_so)
{
	static const struct { const char *name; void *fn; } fns[] = {
		{ "grantpt", (void *)grantpt }, { "unlockpt", (void *)unlockpt },
		{ "ptsname", (void *)ptsname }, { "ptsname_r", (void *)ptsname_r },
		{ "isastream", (void *)isastream }, { "getmsg", (void *)getmsg },
		{ "putmsg", (void *)putmsg }, { "getpmsg", (void *)getpmsg },
		{ "putpmsg", (void *)putpmsg },
	};

	for (unsigned int i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		Dl_info info;

		ASSERT_NE(0, dladdr(fns[i].fn, &info)) TH_LOG("dladdr %s", fns[i].name);
		EXPECT_NE(NULL, strstr(info.dli_fname, "libstrclone.so.1"))
			TH_LOG("%s is from %s", fns[i].name, info.dli_fname);
		/* And it is what the C library's lookup finds first. */
		EXPECT_EQ(fns[i].fn, dlsym(RTLD_DEFAULT, fns[i].name)) TH_LOG("%s", fns[i].name);
	}
}
#endif

TEST_HARNESS_MAIN
