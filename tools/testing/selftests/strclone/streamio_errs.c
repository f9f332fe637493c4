// SPDX-License-Identifier: GPL-2.0
/*
 * SVR4's error conventions at the stream head (streamio(7I), write(2),
 * getmsg(2), putmsg(2); illumos streamio.c): after M_HANGUP and M_ERROR,
 * the access mode getmsg and putmsg need, ENOSTR from the library on files
 * that are no streams, flags and band validation, zero-length messages.
 * Documentation/strclone/streamio.rst, "Errors", is what is checked: one
 * case per rule, each with its exact errno or data, and each failure
 * checked to have lost or sent nothing.
 *
 * The streams are echo streams (/dev/clone-echo), which send back up
 * whatever is written down; ECHO_HANGUP and ECHO_ERROR make the driver
 * send M_HANGUP and M_ERROR (both sides' errno) up.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <stropts.h>	/* libstrclone: getmsg, putmsg, getpmsg, putpmsg, isastream */

#include "kselftest_harness.h"
#include "strclone_util.h"

#define OPEN_ECHO_MODE(fd, mode) do {					\
	watchdog(WATCHDOG_S);						\
	fd = open(ECHO_NODE, mode);					\
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", ECHO_NODE, strerror(errno)); \
} while (0)
#define OPEN_ECHO(fd) OPEN_ECHO_MODE(fd, O_RDWR)

/* ioctl(I_*) with a struct strpmsg: returns the ioctl's result or -errno. */
static int pmsg_ioctl(int fd, unsigned long cmd, const char *ctl, int clen, const char *data,
		      int dlen, int band, int flags)
{
	struct strpmsg m = {
		.ctlbuf = { .len = clen, .buf = (char *)ctl },
		.databuf = { .len = dlen, .buf = (char *)data },
		.band = band, .flags = flags,
	};

	return xioctl(fd, cmd, &m);
}

/* Takes the next message: ctl and data lengths (-1: absent) and flags. */
static int take(int fd, int *clen, int *dlen, char *cbuf, char *dbuf)
{
	struct strpmsg m = {
		.ctlbuf = { .maxlen = 64, .buf = cbuf },
		.databuf = { .maxlen = 64, .buf = dbuf },
		.flags = 0,
	};
	int r = ioctl(fd, I_GETMSG, &m);

	if (r < 0)
		return -errno;
	*clen = m.ctlbuf.len;
	*dlen = m.databuf.len;
	return r;
}

/* An echo stream that hung up with "queued" (M_DATA) and an M_PROTO "P"
 * still unread at its head. */
static int hung_echo(int *fdp)
{
	int fd = open(ECHO_NODE, O_RDWR);

	*fdp = fd;
	if (fd < 0 || write(fd, "queued", 6) != 6 || putmsg_parts(fd, "P", 1, NULL, -1, 0) ||
	    wait_nread(fd, 2, WAIT_MS, NULL) != 2)
		return -1;
	/* The hangup may overtake the ioctl's own answer (ENXIO then). */
	if (echo_cmd(fd, ECHO_HANGUP) < 0 && errno != ENXIO)
		return -1;
	return poll_fd(fd, POLLIN, WAIT_MS) & POLLHUP ? 0 : -1;
}

static int errored_echo(int *fdp)
{
	int fd = open(ECHO_NODE, O_RDWR);

	*fdp = fd;
	if (fd < 0 || echo_cmd_int(fd, ECHO_ERROR, EPROTO) < 0)
		return -1;
	return poll_fd(fd, POLLIN, WAIT_MS) & POLLERR ? 0 : -1;
}

/* ==== after M_HANGUP ==================================================== */

/* write(2) fails EIO, as illumos' strwrite (POSIX) and a Linux pty: the one
 * documented exception to SVR4's ENXIO. */
TEST(hangup_write_eio)
{
	int fd;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, hung_echo(&fd));
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(2, nread(fd, NULL));
	close(fd);
}

/* putmsg and putpmsg, normal or high priority, and a putmsg with nothing to
 * send: ENXIO. */
TEST(hangup_putmsg_enxio)
{
	int fd;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, hung_echo(&fd));
	EXPECT_EQ(-ENXIO, pmsg_ioctl(fd, I_PUTMSG, "c", 1, "d", 1, 0, 0));
	EXPECT_EQ(-ENXIO, pmsg_ioctl(fd, I_PUTMSG, "c", 1, NULL, -1, 0, RS_HIPRI));
	EXPECT_EQ(-ENXIO, pmsg_ioctl(fd, I_PUTMSG, NULL, -1, NULL, -1, 0, 0));
	EXPECT_EQ(-ENXIO, pmsg_ioctl(fd, I_PUTPMSG, NULL, -1, "d", 1, 3, MSG_BAND));
	EXPECT_EQ(-ENXIO, pmsg_ioctl(fd, I_PUTPMSG, "c", 1, NULL, -1, 0, MSG_HIPRI));
	EXPECT_EQ(2, nread(fd, NULL));
	close(fd);
}

TEST(hangup_fdinsert_enxio)
{
	struct { char prim[8]; unsigned long long tok; } req = { "ACCEPT", 0 };
	struct strfdinsert f = {
		.ctlbuf = { .len = sizeof(req), .buf = (char *)&req },
		.databuf = { .len = -1 },
		.fildes = -1, .offset = 8,
	};
	int fd, other;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, hung_echo(&fd));
	other = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, other);
	f.fildes = other;
	EXPECT_EQ(-ENXIO, xioctl(fd, I_FDINSERT, &f));
	close(other);
	close(fd);
}

/* I_STR and a transparent ioctl send nothing and fail ENXIO. */
TEST(hangup_istr_and_transparent_enxio)
{
	struct termios t;
	char buf[4] = "ab";
	int fd;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, hung_echo(&fd));
	EXPECT_EQ(-1, istr(fd, ECHO_REVERSE, buf, 2, NULL));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-ENXIO, xioctl(fd, TCGETS, &t));
	EXPECT_EQ(-ENXIO, xioctl(fd, _IO('Z', 0x42), NULL));
	close(fd);
}

/* I_FLUSH and I_FLUSHBAND fail ENXIO and flush nothing, not even the head. */
TEST(hangup_flush_enxio_keeps_the_queue)
{
	struct bandinfo bi = { .bi_pri = 0, .bi_flag = FLUSHR };
	int fd;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, hung_echo(&fd));
	EXPECT_EQ(-ENXIO, xioctl(fd, I_FLUSH, (void *)(long)FLUSHR));
	EXPECT_EQ(-ENXIO, xioctl(fd, I_FLUSH, (void *)(long)FLUSHRW));
	EXPECT_EQ(-ENXIO, xioctl(fd, I_FLUSHBAND, &bi));
	EXPECT_EQ(2, nread(fd, NULL));
	close(fd);
}

TEST(hangup_canput_enxio)
{
	int fd;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, hung_echo(&fd));
	EXPECT_EQ(-ENXIO, xioctl(fd, I_CANPUT, (void *)0L));
	EXPECT_EQ(-ENXIO, xioctl(fd, I_CANPUT, (void *)7L));
	close(fd);
}

TEST(hangup_push_pop_enxio)
{
	int fd;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, hung_echo(&fd));
	EXPECT_EQ(-ENXIO, push(fd, "nullmod"));
	EXPECT_EQ(-ENXIO, pop(fd));
	EXPECT_EQ(1, nlist(fd));
	close(fd);
}

/* read and getmsg drain what was queued, then return 0 (getmsg: both
 * lengths 0); the ioctls that only look at the head still answer. */
TEST(hangup_read_getmsg_drain_then_0)
{
	char buf[64], cb[64], db[64];
	int fd, cl = 99, dl = 99, v = -1;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, hung_echo(&fd));
	EXPECT_EQ(0, xioctl(fd, I_GWROPT, &v));
	EXPECT_EQ(1, nlist(fd));
	EXPECT_EQ(6, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "queued", 6));
	/* The M_PROTO is getmsg's. */
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADMSG, errno);
	ASSERT_EQ(0, take(fd, &cl, &dl, cb, db));
	EXPECT_EQ(1, cl);
	EXPECT_EQ(-1, dl);
	EXPECT_EQ('P', cb[0]);
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	cl = dl = 99;
	EXPECT_EQ(0, take(fd, &cl, &dl, cb, db));
	EXPECT_EQ(0, cl);
	EXPECT_EQ(0, dl);
	close(fd);
}

/* ==== after M_ERROR ===================================================== */

/* Every ioctl that sends or flushes fails with the error's errno. */
TEST(m_error_fails_sending_ioctls)
{
	struct bandinfo bi = { .bi_pri = 1, .bi_flag = FLUSHW };
	struct termios t;
	char buf[4] = "ab";
	int fd;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, errored_echo(&fd));
	EXPECT_EQ(-1, istr(fd, ECHO_REVERSE, buf, 2, NULL));
	EXPECT_EQ(EPROTO, errno);
	EXPECT_EQ(-EPROTO, xioctl(fd, TCGETS, &t));
	EXPECT_EQ(-EPROTO, xioctl(fd, I_FLUSH, (void *)(long)FLUSHRW));
	EXPECT_EQ(-EPROTO, xioctl(fd, I_FLUSHBAND, &bi));
	EXPECT_EQ(-EPROTO, xioctl(fd, I_CANPUT, (void *)0L));
	EXPECT_EQ(-EPROTO, push(fd, "nullmod"));
	EXPECT_EQ(-EPROTO, pop(fd));
	EXPECT_EQ(-EPROTO, pmsg_ioctl(fd, I_PUTMSG, "c", 1, NULL, -1, 0, 0));
	EXPECT_EQ(-EPROTO, pmsg_ioctl(fd, I_PUTPMSG, NULL, -1, "d", 1, 2, MSG_BAND));
	EXPECT_EQ(-EPROTO, pmsg_ioctl(fd, I_GETMSG, NULL, -1, NULL, -1, 0, 0));
	close(fd);
}

/* ==== access mode ======================================================= */

/* getmsg and getpmsg need a descriptor open for reading: EBADF, and the
 * message stays. */
TEST(getmsg_write_only_ebadf)
{
	char cb[8], db[8];
	struct strpmsg m = {
		.ctlbuf = { .maxlen = 8, .buf = cb }, .databuf = { .maxlen = 8, .buf = db },
	};
	int fd;

	OPEN_ECHO_MODE(fd, O_WRONLY);
	ASSERT_EQ(2, write(fd, "hi", 2));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(-EBADF, xioctl(fd, I_GETMSG, &m));
	m.flags = MSG_ANY;
	EXPECT_EQ(-EBADF, xioctl(fd, I_GETPMSG, &m));
	EXPECT_EQ(1, nread(fd, NULL));
	close(fd);
}

/* putmsg, putpmsg and I_FDINSERT need one open for writing: EBADF, nothing
 * sent. */
TEST(putmsg_read_only_ebadf)
{
	struct { char prim[8]; unsigned long long tok; } req = { "ACCEPT", 0 };
	struct strfdinsert f = {
		.ctlbuf = { .len = sizeof(req), .buf = (char *)&req },
		.databuf = { .len = -1 }, .offset = 8,
	};
	int fd;

	OPEN_ECHO_MODE(fd, O_RDONLY);
	f.fildes = fd;
	EXPECT_EQ(-EBADF, pmsg_ioctl(fd, I_PUTMSG, "c", 1, "d", 1, 0, 0));
	EXPECT_EQ(-EBADF, pmsg_ioctl(fd, I_PUTPMSG, NULL, -1, "d", 1, 1, MSG_BAND));
	EXPECT_EQ(-EBADF, xioctl(fd, I_FDINSERT, &f));
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(0, nread(fd, NULL));
	close(fd);
}

/* ==== not a stream ====================================================== */

/* The library: getmsg/putmsg/getpmsg/putpmsg give ENOSTR, isastream 0 with
 * errno untouched, on a pipe, /dev/null, a regular file and a Linux pty
 * master (the test kernel has no sockets). */
TEST(library_enostr_and_isastream)
{
	struct strbuf d = { .maxlen = 8, .len = 1, .buf = "x" };
	char path[] = "/tmp/streamio_errs.XXXXXX";
	int p[2], fds[4], band, flags, fd;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, pipe(p));
	fds[0] = p[0];
	fds[1] = open("/dev/null", O_RDWR);
	fds[2] = mkstemp(path);
	fds[3] = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	unlink(path);
	for (int i = 0; i < 4; i++) {
		ASSERT_LE(0, fds[i]);
		errno = 0;
		EXPECT_EQ(-1, putmsg(fds[i], NULL, &d, 0)) TH_LOG("fd kind %d", i);
		EXPECT_EQ(ENOSTR, errno) TH_LOG("fd kind %d: putmsg %s", i, strerror(errno));
		flags = 0;
		errno = 0;
		EXPECT_EQ(-1, getmsg(fds[i], NULL, &d, &flags));
		EXPECT_EQ(ENOSTR, errno) TH_LOG("fd kind %d: getmsg %s", i, strerror(errno));
		errno = 0;
		EXPECT_EQ(-1, putpmsg(fds[i], NULL, &d, 0, MSG_BAND));
		EXPECT_EQ(ENOSTR, errno);
		band = 0;
		flags = MSG_ANY;
		errno = 0;
		EXPECT_EQ(-1, getpmsg(fds[i], NULL, &d, &band, &flags));
		EXPECT_EQ(ENOSTR, errno);
		errno = 1234;
		EXPECT_EQ(0, isastream(fds[i]));
		EXPECT_EQ(1234, errno);
	}
	OPEN_ECHO(fd);
	EXPECT_EQ(1, isastream(fd));
	close(fd);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	close(p[1]);
}

/* ==== flags and bands =================================================== */

/* Every flags and band argument is checked: EINVAL, and nothing sent or
 * taken. */
TEST(flags_and_bands_einval)
{
	struct bandinfo bi = { .bi_pri = 1, .bi_flag = FLUSHBAND };
	struct strpeek pk = { .ctlbuf = { .maxlen = -1 }, .databuf = { .maxlen = -1 }, .flags = 2 };
	static const int putmsg_flags[] = { 2, 4, 8, -1 };
	static const int getmsg_flags[] = { MSG_BAND, 8, -1 };
	int fd;

	OPEN_ECHO(fd);
	for (unsigned int i = 0; i < ARRAY_SIZE(putmsg_flags); i++) {
		EXPECT_EQ(-EINVAL, pmsg_ioctl(fd, I_PUTMSG, "c", 1, "d", 1, 0, putmsg_flags[i]))
			TH_LOG("I_PUTMSG flags %d", putmsg_flags[i]);
	}
	/* putmsg(2) has no band: I_PUTMSG's must be 0. */
	EXPECT_EQ(-EINVAL, pmsg_ioctl(fd, I_PUTMSG, "c", 1, "d", 1, 1, 0));
	EXPECT_EQ(-EINVAL, pmsg_ioctl(fd, I_PUTPMSG, NULL, -1, "d", 1, 256, MSG_BAND));
	EXPECT_EQ(-EINVAL, pmsg_ioctl(fd, I_PUTPMSG, NULL, -1, "d", 1, -1, MSG_BAND));
	EXPECT_EQ(-EINVAL, pmsg_ioctl(fd, I_PUTPMSG, "c", 1, NULL, -1, 1, MSG_HIPRI));
	EXPECT_EQ(-EINVAL, pmsg_ioctl(fd, I_PUTPMSG, NULL, -1, "d", 1, 0, 0));
	EXPECT_EQ(-EINVAL, pmsg_ioctl(fd, I_PUTPMSG, NULL, -1, "d", 1, 0, MSG_ANY));
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(0, nread(fd, NULL));
	ASSERT_EQ(2, write(fd, "hi", 2));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	for (unsigned int i = 0; i < ARRAY_SIZE(getmsg_flags); i++) {
		EXPECT_EQ(-EINVAL, pmsg_ioctl(fd, I_GETMSG, NULL, 0, NULL, 0, 0, getmsg_flags[i]))
			TH_LOG("I_GETMSG flags %d", getmsg_flags[i]);
	}
	EXPECT_EQ(-EINVAL, pmsg_ioctl(fd, I_GETPMSG, NULL, 0, NULL, 0, 256, MSG_BAND));
	EXPECT_EQ(-EINVAL, pmsg_ioctl(fd, I_GETPMSG, NULL, 0, NULL, 0, 1, MSG_HIPRI));
	EXPECT_EQ(-EINVAL, pmsg_ioctl(fd, I_GETPMSG, NULL, 0, NULL, 0, 0, 0));
	EXPECT_EQ(-EINVAL, xioctl(fd, I_FLUSH, (void *)0L));
	EXPECT_EQ(-EINVAL, xioctl(fd, I_FLUSH, (void *)(long)FLUSHBAND));
	EXPECT_EQ(-EINVAL, xioctl(fd, I_FLUSHBAND, &bi));
	EXPECT_EQ(-EINVAL, xioctl(fd, I_CANPUT, (void *)256L));
	EXPECT_EQ(-EINVAL, xioctl(fd, I_CANPUT, (void *)-1L));
	EXPECT_EQ(-EINVAL, xioctl(fd, I_CKBAND, (void *)256L));
	EXPECT_EQ(-EINVAL, xioctl(fd, I_ATMARK, (void *)0L));
	EXPECT_EQ(-EINVAL, xioctl(fd, I_ATMARK, (void *)4L));
	EXPECT_EQ(-EINVAL, xioctl(fd, I_PEEK, &pk));
	EXPECT_EQ(1, nread(fd, NULL));
	close(fd);
}

/* ==== zero-length messages ============================================= */

/* A zero-length write sends a zero-length message on a new stream
 * (SNDZERO is the default); I_SWROPT without SNDZERO stops that. */
TEST(zero_length_write_sends_message_by_default)
{
	int fd, v = 0, bytes = -1;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, ioctl(fd, I_GWROPT, &v));
	EXPECT_EQ(SNDZERO, v);
	EXPECT_EQ(0, write(fd, "", 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &bytes));
	EXPECT_EQ(0, bytes);
	ASSERT_EQ(0, ioctl(fd, I_SWROPT, 0L));
	EXPECT_EQ(0, write(fd, "", 0));
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(1, nread(fd, NULL));
	close(fd);
}

/* A zero-length M_DATA makes read return 0 once, and only the read that
 * meets it first: a read that already copied data stops before it. */
TEST(zero_length_message_read_alone)
{
	char buf[16];
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(2, write(fd, "ab", 2));
	ASSERT_EQ(0, write(fd, "", 0));
	ASSERT_EQ(2, write(fd, "cd", 2));
	ASSERT_EQ(3, wait_nread(fd, 3, WAIT_MS, NULL));
	EXPECT_EQ(2, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ab", 2));
	EXPECT_EQ(2, nread(fd, NULL));
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(1, nread(fd, NULL));
	EXPECT_EQ(2, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "cd", 2));
	close(fd);
}

/* A zero-length part given to putmsg arrives as a zero-length part (len 0),
 * an absent one as absent (len -1). */
TEST(putmsg_zero_length_parts_arrive)
{
	char cb[64], db[64];
	int fd, cl = 99, dl = 99;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, pmsg_ioctl(fd, I_PUTMSG, "c", 1, "", 0, 0, 0));
	ASSERT_EQ(0, pmsg_ioctl(fd, I_PUTMSG, NULL, -1, "", 0, 0, 0));
	ASSERT_EQ(0, pmsg_ioctl(fd, I_PUTMSG, "", 0, NULL, -1, 0, 0));
	ASSERT_EQ(3, wait_nread(fd, 3, WAIT_MS, NULL));
	ASSERT_EQ(0, take(fd, &cl, &dl, cb, db));
	EXPECT_EQ(1, cl);
	EXPECT_EQ(0, dl);
	ASSERT_EQ(0, take(fd, &cl, &dl, cb, db));
	EXPECT_EQ(-1, cl);
	EXPECT_EQ(0, dl);
	ASSERT_EQ(0, take(fd, &cl, &dl, cb, db));
	EXPECT_EQ(0, cl);
	EXPECT_EQ(-1, dl);
	EXPECT_EQ(0, nread(fd, NULL));
	close(fd);
}

TEST_HARNESS_MAIN
