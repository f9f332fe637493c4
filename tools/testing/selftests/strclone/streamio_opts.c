// SPDX-License-Identifier: GPL-2.0
/*
 * The stream head's read and write options and the two ioctls that look at
 * or build messages (streamio(7I)): I_SRDOPT/I_GRDOPT (RNORM, RMSGD, RMSGN;
 * RPROTNORM, RPROTDAT, RPROTDIS), I_SWROPT/I_GWROPT (SNDZERO, SNDPIPE),
 * I_PEEK and I_FDINSERT. Documentation/strclone/streams.rst, "Read and
 * write options", "I_PEEK" and "I_FDINSERT", is what is checked; one case
 * per rule, each with its exact errno or data.
 *
 * The streams are echo streams (/dev/clone-echo), which send back up
 * whatever is written down, message by message.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"

#define OPEN_ECHO(fd) do {						\
	watchdog(WATCHDOG_S);						\
	fd = open(ECHO_NODE, O_RDWR);					\
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", ECHO_NODE, strerror(errno)); \
} while (0)

static int grdopt(int fd)
{
	int v = -12345;

	if (ioctl(fd, I_GRDOPT, &v) < 0)
		return -errno;
	return v;
}

static int gwropt(int fd)
{
	int v = -12345;

	if (ioctl(fd, I_GWROPT, &v) < 0)
		return -errno;
	return v;
}

/* Two messages, "hello" and "world", at the head. */
static int two_messages(int fd)
{
	if (write(fd, "hello", 5) != 5 || write(fd, "world", 5) != 5)
		return -1;
	return wait_nread(fd, 2, WAIT_MS, NULL) == 2 ? 0 : -1;
}

/* ---- I_SRDOPT / I_GRDOPT -------------------------------------------- */

TEST(grdopt_default_rnorm_rprotnorm)
{
	int fd;

	OPEN_ECHO(fd);
	EXPECT_EQ(RNORM | RPROTNORM, grdopt(fd));
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, I_GRDOPT, NULL));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

TEST(srdopt_bad_values_einval_and_unchanged)
{
	static const long bad[] = {
		RMSGD | RMSGN, RPROTDAT | RPROTDIS, RPROTNORM | RPROTDAT, RPROTNORM | RPROTDIS,
		0x20, 0x100, -1L, RMSGD | 0x40,
	};
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, ioctl(fd, I_SRDOPT, (long)(RMSGN | RPROTDAT)));
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, I_SRDOPT, bad[i])) TH_LOG("arg %#lx", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("arg %#lx", bad[i]);
	}
	EXPECT_EQ(RMSGN | RPROTDAT, grdopt(fd));
	close(fd);
}

/* A mode without a protocol option leaves the protocol option as it was. */
TEST(srdopt_mode_only_keeps_protocol_option)
{
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, ioctl(fd, I_SRDOPT, (long)RPROTDIS));
	EXPECT_EQ(RNORM | RPROTDIS, grdopt(fd));
	ASSERT_EQ(0, ioctl(fd, I_SRDOPT, (long)RMSGD));
	EXPECT_EQ(RMSGD | RPROTDIS, grdopt(fd));
	ASSERT_EQ(0, ioctl(fd, I_SRDOPT, (long)(RNORM | RPROTNORM)));
	EXPECT_EQ(RNORM | RPROTNORM, grdopt(fd));
	close(fd);
}

TEST(rnorm_reads_across_messages)
{
	char buf[16] = { 0 };
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, two_messages(fd));
	EXPECT_EQ(10, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("helloworld", buf);
	close(fd);
}

TEST(rmsgd_discards_rest_of_message)
{
	char buf[16] = { 0 };
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, ioctl(fd, I_SRDOPT, (long)RMSGD));
	EXPECT_EQ(RMSGD | RPROTNORM, grdopt(fd));
	ASSERT_EQ(0, two_messages(fd));
	EXPECT_EQ(3, read(fd, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "hel", 3));
	EXPECT_EQ(1, nread(fd, NULL)) TH_LOG("the rest of \"hello\" was not discarded");
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(5, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("world", buf);
	close(fd);
}

TEST(rmsgn_keeps_rest_of_message)
{
	char buf[16] = { 0 };
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, ioctl(fd, I_SRDOPT, (long)RMSGN));
	ASSERT_EQ(0, two_messages(fd));
	EXPECT_EQ(3, read(fd, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "hel", 3));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(2, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("lo", buf);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(5, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("world", buf);
	close(fd);
}

TEST(rprotnorm_read_of_control_part_ebadmsg)
{
	char buf[16];
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, putmsg_parts(fd, "CC", 2, "dd", 2, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	errno = 0;
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADMSG, errno);
	EXPECT_EQ(1, nread(fd, NULL));
	close(fd);
}

TEST(rprotdat_control_part_read_as_data)
{
	char buf[16] = { 0 };
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, ioctl(fd, I_SRDOPT, (long)RPROTDAT));
	EXPECT_EQ(RNORM | RPROTDAT, grdopt(fd));
	ASSERT_EQ(0, putmsg_parts(fd, "CC", 2, "dd", 2, 0));
	ASSERT_EQ(0, putmsg_parts(fd, "PP", 2, "hh", 2, RS_HIPRI));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, NULL));
	/* The high-priority one first, then (byte stream) the other. */
	EXPECT_EQ(8, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("PPhhCCdd", buf);
	EXPECT_EQ(0, nread(fd, NULL));
	close(fd);
}

TEST(rprotdis_control_part_discarded)
{
	char buf[16] = { 0 };
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, ioctl(fd, I_SRDOPT, (long)(RMSGN | RPROTDIS)));
	EXPECT_EQ(RMSGN | RPROTDIS, grdopt(fd));
	ASSERT_EQ(0, putmsg_parts(fd, "CC", 2, "dd", 2, 0));
	ASSERT_EQ(0, putmsg_parts(fd, "XX", 2, NULL, -1, 0));
	ASSERT_EQ(2, write(fd, "ok", 2));
	ASSERT_EQ(3, wait_nread(fd, 3, WAIT_MS, NULL));
	EXPECT_EQ(2, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("dd", buf);
	/* A control part alone is thrown away and the read goes on. */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(2, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("ok", buf);
	EXPECT_EQ(0, nread(fd, NULL));
	close(fd);
}

/* ---- I_SWROPT / I_GWROPT -------------------------------------------- */

TEST(swropt_values)
{
	static const long bad[] = { 4, 8, 0x100, -1L, SNDZERO | 4 };
	int fd;

	OPEN_ECHO(fd);
	/* A new stream sends zero-length writes (SVR4 write(2), streamio.rst). */
	EXPECT_EQ(SNDZERO, gwropt(fd));
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, I_SWROPT, bad[i])) TH_LOG("arg %#lx", bad[i]);
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(SNDZERO, gwropt(fd));
	ASSERT_EQ(0, ioctl(fd, I_SWROPT, (long)(SNDZERO | SNDPIPE)));
	EXPECT_EQ(SNDZERO | SNDPIPE, gwropt(fd));
	ASSERT_EQ(0, ioctl(fd, I_SWROPT, 0L));
	EXPECT_EQ(0, gwropt(fd));
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, I_GWROPT, NULL));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

TEST(zero_length_write_without_sndzero_sends_nothing)
{
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, ioctl(fd, I_SWROPT, 0L));
	EXPECT_EQ(0, write(fd, "", 0));
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(0, nread(fd, NULL));
	close(fd);
}

TEST(zero_length_write_with_sndzero_sends_empty_message)
{
	char buf[8];
	int fd, bytes;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, ioctl(fd, I_SWROPT, (long)SNDZERO));
	EXPECT_EQ(0, write(fd, "", 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, &bytes));
	EXPECT_EQ(0, bytes);
	ASSERT_EQ(2, write(fd, "hi", 2));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, NULL));
	/* The empty message ends a read at 0 and is consumed by it. */
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(1, nread(fd, NULL));
	EXPECT_EQ(2, read(fd, buf, sizeof(buf)));
	close(fd);
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

/*
 * SNDPIPE: a write that fails with EPIPE (here from an M_ERROR carrying
 * EPIPE; the widowed STREAMS pipe is pipes.c's) also raises SIGPIPE.
 */
TEST(sndpipe_sigpipe_with_epipe)
{
	struct sigaction sa = { .sa_handler = on_sigpipe };
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, sigaction(SIGPIPE, &sa, NULL));
	ASSERT_EQ(0, echo_cmd_int(fd, ECHO_ERROR, EPIPE));
	ASSERT_TRUE(poll_fd(fd, POLLIN, WAIT_MS) & POLLERR);
	sigpipes = 0;
	errno = 0;
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(0, sigpipes) TH_LOG("SIGPIPE without SNDPIPE");
	ASSERT_EQ(0, ioctl(fd, I_SWROPT, (long)SNDPIPE));
	errno = 0;
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sigpipes);
	errno = 0;
	EXPECT_EQ(-1, putmsg_parts(fd, "c", 1, NULL, -1, 0));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(2, sigpipes);
	/* Another errno does not raise it. */
	close(fd);
	OPEN_ECHO(fd);
	ASSERT_EQ(0, ioctl(fd, I_SWROPT, (long)SNDPIPE));
	ASSERT_EQ(0, echo_cmd_int(fd, ECHO_ERROR, EPROTO));
	ASSERT_TRUE(poll_fd(fd, POLLIN, WAIT_MS) & POLLERR);
	errno = 0;
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EPROTO, errno);
	EXPECT_EQ(2, sigpipes);
	signal(SIGPIPE, SIG_DFL);
	close(fd);
}

/* ---- I_PEEK ------------------------------------------------------------ */

static int peek(int fd, struct strpeek *p, char *cbuf, int cmax, char *dbuf, int dmax,
		unsigned int flags)
{
	memset(p, 0, sizeof(*p));
	p->ctlbuf.maxlen = cmax;
	p->ctlbuf.len = -99;
	p->ctlbuf.buf = cbuf;
	p->databuf.maxlen = dmax;
	p->databuf.len = -99;
	p->databuf.buf = dbuf;
	p->flags = flags;
	return ioctl(fd, I_PEEK, p);
}

TEST(peek_empty_returns_0)
{
	char c[8], d[8];
	struct strpeek p;
	int fd;

	OPEN_ECHO(fd);
	EXPECT_EQ(0, peek(fd, &p, c, sizeof(c), d, sizeof(d), 0));
	EXPECT_EQ(-99, p.ctlbuf.len) TH_LOG("I_PEEK wrote with nothing to peek at");
	close(fd);
}

TEST(peek_copies_and_leaves_message)
{
	char c[8] = { 0 }, d[8] = { 0 };
	struct strbuf rc = { .maxlen = sizeof(c), .buf = c };
	struct strbuf rd = { .maxlen = sizeof(d), .buf = d };
	struct strpeek p;
	int fd, flags = 0;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, putmsg_parts(fd, "CTL", 3, "DATA", 4, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	ASSERT_EQ(1, peek(fd, &p, c, sizeof(c), d, sizeof(d), 0));
	EXPECT_EQ(3, p.ctlbuf.len);
	EXPECT_EQ(4, p.databuf.len);
	EXPECT_EQ(0u, p.flags);
	EXPECT_EQ(0, memcmp(c, "CTL", 3));
	EXPECT_EQ(0, memcmp(d, "DATA", 4));
	/* Still there, whole. */
	EXPECT_EQ(1, nread(fd, NULL));
	memset(c, 0, sizeof(c));
	memset(d, 0, sizeof(d));
	ASSERT_EQ(0, strclone_getmsg(fd, &rc, &rd, &flags));
	EXPECT_EQ(3, rc.len);
	EXPECT_EQ(4, rd.len);
	EXPECT_EQ(0, memcmp(c, "CTL", 3));
	EXPECT_EQ(0, memcmp(d, "DATA", 4));
	close(fd);
}

TEST(peek_lengths_follow_maxlen)
{
	char c[8], d[8];
	struct strpeek p;
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, putmsg_parts(fd, "CTL", 3, "DATA", 4, 0));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	ASSERT_EQ(1, peek(fd, &p, c, 2, d, 1, 0));
	EXPECT_EQ(2, p.ctlbuf.len);
	EXPECT_EQ(1, p.databuf.len);
	ASSERT_EQ(1, peek(fd, &p, c, -1, d, -1, 0));
	EXPECT_EQ(-1, p.ctlbuf.len);
	EXPECT_EQ(-1, p.databuf.len);
	ASSERT_EQ(1, peek(fd, &p, c, 0, d, 0, 0));
	EXPECT_EQ(0, p.ctlbuf.len);
	EXPECT_EQ(0, p.databuf.len);
	close(fd);

	/* M_DATA: no control part. */
	OPEN_ECHO(fd);
	ASSERT_EQ(4, write(fd, "data", 4));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	ASSERT_EQ(1, peek(fd, &p, c, sizeof(c), d, sizeof(d), 0));
	EXPECT_EQ(-1, p.ctlbuf.len);
	EXPECT_EQ(4, p.databuf.len);
	close(fd);
}

TEST(peek_rs_hipri_only_high_priority)
{
	char c[8], d[8];
	struct strpeek p;
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(4, write(fd, "data", 4));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(0, peek(fd, &p, c, sizeof(c), d, sizeof(d), RS_HIPRI));
	EXPECT_EQ(-99, p.ctlbuf.len);
	ASSERT_EQ(0, putmsg_parts(fd, "PC", 2, NULL, -1, RS_HIPRI));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, NULL));
	ASSERT_EQ(1, peek(fd, &p, c, sizeof(c), d, sizeof(d), RS_HIPRI));
	EXPECT_EQ((unsigned int)RS_HIPRI, p.flags);
	EXPECT_EQ(2, p.ctlbuf.len);
	EXPECT_EQ(-1, p.databuf.len);
	EXPECT_EQ(0, memcmp(c, "PC", 2));
	EXPECT_EQ(2, nread(fd, NULL));
	close(fd);
}

TEST(peek_bad_input)
{
	char c[8];
	struct strpeek p;
	int fd;
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, none);
	OPEN_ECHO(fd);
	ASSERT_EQ(4, write(fd, "data", 4));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	errno = 0;
	EXPECT_EQ(-1, peek(fd, &p, c, sizeof(c), c, sizeof(c), 2));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, peek(fd, &p, c, sizeof(c), c, sizeof(c), RS_HIPRI | 4));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, I_PEEK, NULL));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, peek(fd, &p, c, sizeof(c), none, 8, 0));
	EXPECT_EQ(EFAULT, errno);
	/* Nothing was taken. */
	EXPECT_EQ(1, nread(fd, NULL));
	close(fd);
	munmap(none, 4096);
}

TEST(peek_after_m_error_fails)
{
	char c[8];
	struct strpeek p;
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, echo_cmd_int(fd, ECHO_ERROR, EPROTO));
	ASSERT_TRUE(poll_fd(fd, POLLIN, WAIT_MS) & POLLERR);
	errno = 0;
	EXPECT_EQ(-1, peek(fd, &p, c, sizeof(c), c, sizeof(c), 0));
	EXPECT_EQ(EPROTO, errno);
	close(fd);
}

/* ---- I_FDINSERT ---------------------------------------------------- */

/* The strclone-token line of @fd's fdinfo. */
static uint64_t token_of(int fd)
{
	char path[64], line[128];
	unsigned long long t = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "strclone-token: %llx", &t) == 1)
			break;
	fclose(f);
	return t;
}

static int fdinsert(int fd, char *ctl, int clen, const char *data, int dlen, int fildes,
		    int offset, unsigned int flags)
{
	struct strfdinsert s = {
		.ctlbuf = { .len = clen, .buf = ctl },
		.databuf = { .len = dlen, .buf = (char *)data },
		.flags = flags,
		.fildes = fildes,
		.offset = offset,
	};

	return ioctl(fd, I_FDINSERT, &s);
}

TEST(fdinsert_places_other_streams_token)
{
	char ctl[24], c[32] = { 0 }, d[8] = { 0 };
	struct strbuf rc = { .maxlen = sizeof(c), .buf = c };
	struct strbuf rd = { .maxlen = sizeof(d), .buf = d };
	uint64_t tb, got;
	int a, b, flags = 0;

	OPEN_ECHO(a);
	b = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, b);
	tb = token_of(b);
	ASSERT_NE(0, tb);
	ASSERT_NE(tb, token_of(a));
	memset(ctl, 'c', sizeof(ctl));
	ASSERT_EQ(0, fdinsert(a, ctl, sizeof(ctl), "xy", 2, b, 8, 0));
	ASSERT_EQ(1, wait_nread(a, 1, WAIT_MS, NULL));
	ASSERT_EQ(0, strclone_getmsg(a, &rc, &rd, &flags));
	EXPECT_EQ(0, flags);
	ASSERT_EQ((int)sizeof(ctl), rc.len);
	memcpy(&got, c + 8, 8);
	EXPECT_EQ(tb, got);
	EXPECT_EQ(0, memcmp(c, "cccccccc", 8));
	EXPECT_EQ(0, memcmp(c + 16, "cccccccc", 8));
	ASSERT_EQ(2, rd.len);
	EXPECT_EQ(0, memcmp(d, "xy", 2));
	/* The stream's own descriptor, RS_HIPRI, no data part. */
	ASSERT_EQ(0, fdinsert(a, ctl, 8, NULL, -1, a, 0, RS_HIPRI));
	ASSERT_EQ(1, wait_nread(a, 1, WAIT_MS, NULL));
	flags = 0;
	ASSERT_EQ(0, strclone_getmsg(a, &rc, &rd, &flags));
	EXPECT_EQ(RS_HIPRI, flags);
	ASSERT_EQ(8, rc.len);
	memcpy(&got, c, 8);
	EXPECT_EQ(token_of(a), got);
	EXPECT_EQ(-1, rd.len);
	close(b);
	close(a);
}

TEST(fdinsert_bad_input_sends_nothing)
{
	char ctl[2048];
	int fd, other, p[2], null, sad;
	struct { const char *what; int clen, fildes, offset; unsigned int flags; int err; } rows[6 + 6];
	int n = 0;

	OPEN_ECHO(fd);
	other = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, pipe(p));
	null = open("/dev/null", O_RDWR);
	ASSERT_LE(0, null);
	sad = open("/dev/sad/user", O_RDWR);
	ASSERT_LE(0, sad);
	memset(ctl, 0, sizeof(ctl));
#define ROW(w, cl, f, o, fl, e) rows[n++] = (typeof(rows[0])){ w, cl, f, o, fl, e }
	ROW("fildes -1", 16, -1, 0, 0, EINVAL);
	ROW("fildes closed", 16, 999, 0, 0, EINVAL);
	ROW("fildes a pipe", 16, p[0], 0, 0, EINVAL);
	ROW("fildes /dev/null", 16, null, 0, 0, EINVAL);
	ROW("fildes /dev/sad/user", 16, sad, 0, 0, EINVAL);
	ROW("offset 4", 16, other, 4, 0, EINVAL);
	ROW("offset at the end", 16, other, 16, 0, EINVAL);
	ROW("offset -8", 16, other, -8, 0, EINVAL);
	ROW("control part of 7", 7, other, 0, 0, EINVAL);
	ROW("no control part", -1, other, 0, 0, EINVAL);
	ROW("flags 2", 16, other, 0, 2, EINVAL);
	ROW("control part above STRCTLSZ", STRCLONE_STRCTLSZ + 8, other, 0, 0, ERANGE);
#undef ROW
	for (int i = 0; i < n; i++) {
		errno = 0;
		EXPECT_EQ(-1, fdinsert(fd, ctl, rows[i].clen, "d", 1, rows[i].fildes,
				       rows[i].offset, rows[i].flags)) TH_LOG("%s", rows[i].what);
		EXPECT_EQ(rows[i].err, errno) TH_LOG("%s: %s", rows[i].what, strerror(errno));
	}
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, I_FDINSERT, NULL));
	EXPECT_EQ(EFAULT, errno);
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(0, nread(fd, NULL)) TH_LOG("a refused I_FDINSERT sent something");
	close(sad);
	close(null);
	close(p[0]);
	close(p[1]);
	close(other);
	close(fd);
}

TEST_HARNESS_MAIN
