// SPDX-License-Identifier: GPL-2.0
/*
 * 32-bit programs (compat_ioctl): built with -m32 and run on the test
 * kernel's IA32 emulation. Every ioctl whose argument holds a pointer
 * (struct strbuf in strpmsg, strpeek and strfdinsert; struct strioctl;
 * struct str_list of I_LIST and SAD_VML) is used with the i386 layouts of
 * the header, each with its exact data or errno; so are the ioctls with
 * plain arguments, a transparent one carrying a pointer (tcgetattr on a
 * pts slave), bad 32-bit pointers and the error rules of streamio_errs.
 * Documentation/strclone/streamio.rst, "32-bit programs".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"

/* The i386 layouts strclone's compat code converts (rust/streams/compat.rs). */
_Static_assert(sizeof(void *) == 4, "compat32 is built with -m32");
_Static_assert(sizeof(struct strbuf) == 12, "struct strbuf");
_Static_assert(sizeof(struct strpmsg) == 32, "struct strpmsg");
_Static_assert(offsetof(struct strpmsg, band) == 24, "strpmsg.band");
_Static_assert(sizeof(struct strpeek) == 28, "struct strpeek");
_Static_assert(sizeof(struct strfdinsert) == 36, "struct strfdinsert");
_Static_assert(offsetof(struct strfdinsert, offset) == 32, "strfdinsert.offset");
_Static_assert(sizeof(struct strioctl) == 16, "struct strioctl");
_Static_assert(offsetof(struct strioctl, ic_dp) == 12, "strioctl.ic_dp");
_Static_assert(sizeof(struct str_list) == 8, "struct str_list");

#define SAD_USER_NODE	"/dev/sad/user"
/* An address no 32-bit program has mapped: the last page below 4 GiB. */
#define BAD32		((char *)0xfffff000u)

#define OPEN_ECHO(fd) do {						\
	watchdog(WATCHDOG_S);						\
	fd = open(ECHO_NODE, O_RDWR);					\
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", ECHO_NODE, strerror(errno)); \
} while (0)

TEST(putmsg_getmsg)
{
	char cb[16], db[16];
	struct strbuf c = { .maxlen = sizeof(cb), .buf = cb };
	struct strbuf d = { .maxlen = sizeof(db), .buf = db };
	int fd, flags = 0;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, putmsg_parts(fd, "CTL", 3, "data!", 5, 0));
	ASSERT_EQ(0, putmsg_parts(fd, "HI", 2, NULL, -1, RS_HIPRI));
	ASSERT_EQ(0, putmsg_parts(fd, NULL, -1, "0123456789", 10, 0));
	ASSERT_EQ(3, wait_nread(fd, 3, WAIT_MS, NULL));
	/* The high-priority one first. */
	EXPECT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(RS_HIPRI, flags);
	EXPECT_EQ(2, c.len);
	EXPECT_EQ(-1, d.len);
	EXPECT_EQ(0, memcmp(cb, "HI", 2));
	flags = 0;
	EXPECT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(0, flags);
	EXPECT_EQ(3, c.len);
	EXPECT_EQ(5, d.len);
	EXPECT_EQ(0, memcmp(cb, "CTL", 3));
	EXPECT_EQ(0, memcmp(db, "data!", 5));
	/* A short buffer: MOREDATA, the rest stays. */
	d.maxlen = 4;
	EXPECT_EQ(MOREDATA, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(-1, c.len);
	EXPECT_EQ(4, d.len);
	EXPECT_EQ(0, memcmp(db, "0123", 4));
	d.maxlen = sizeof(db);
	EXPECT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(6, d.len);
	EXPECT_EQ(0, memcmp(db, "456789", 6));
	close(fd);
}

TEST(putpmsg_getpmsg_band)
{
	char db[16];
	struct strpmsg m = {
		.ctlbuf = { .len = -1 },
		.databuf = { .len = 4, .buf = "band" },
		.band = 7, .flags = MSG_BAND,
	};
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, ioctl(fd, I_PUTPMSG, &m));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	m = (struct strpmsg){
		.ctlbuf = { .maxlen = -1 },
		.databuf = { .maxlen = sizeof(db), .buf = db },
		.band = 1, .flags = MSG_BAND,
	};
	EXPECT_EQ(0, ioctl(fd, I_GETPMSG, &m));
	EXPECT_EQ(MSG_BAND, m.flags);
	EXPECT_EQ(7, m.band);
	EXPECT_EQ(-1, m.ctlbuf.len);
	EXPECT_EQ(4, m.databuf.len);
	EXPECT_EQ(0, memcmp(db, "band", 4));
	close(fd);
}

TEST(i_str)
{
	char buf[8] = "abcdef";
	int fd, olen = -1;

	OPEN_ECHO(fd);
	EXPECT_EQ(6, istr(fd, ECHO_REVERSE, buf, 6, &olen));
	EXPECT_EQ(6, olen);
	EXPECT_EQ(0, memcmp(buf, "fedcba", 6));
	close(fd);
}

TEST(i_peek)
{
	char db[16];
	struct strpeek p = {
		.ctlbuf = { .maxlen = 8, .buf = db + 8 },
		.databuf = { .maxlen = 8, .buf = db },
		.flags = 0,
	};
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(6, write(fd, "peekme", 6));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(1, ioctl(fd, I_PEEK, &p));
	EXPECT_EQ(-1, p.ctlbuf.len);
	EXPECT_EQ(6, p.databuf.len);
	EXPECT_EQ(0u, p.flags);
	EXPECT_EQ(0, memcmp(db, "peekme", 6));
	EXPECT_EQ(1, nread(fd, NULL));
	close(fd);
}

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

TEST(i_fdinsert)
{
	struct { char prim[8]; uint64_t tok; } req = { "ACCEPT", 0 }, got;
	struct strfdinsert f = {
		.ctlbuf = { .len = sizeof(req), .buf = (char *)&req },
		.databuf = { .len = 2, .buf = "dd" },
		.flags = 0, .offset = 8,
	};
	char db[8];
	struct strbuf c = { .maxlen = sizeof(got), .buf = (char *)&got };
	struct strbuf d = { .maxlen = sizeof(db), .buf = db };
	int fd, other, flags = 0;

	OPEN_ECHO(fd);
	other = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, other);
	f.fildes = other;
	ASSERT_EQ(0, ioctl(fd, I_FDINSERT, &f)) TH_LOG("I_FDINSERT: %s", strerror(errno));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(0, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ((int)sizeof(got), c.len);
	EXPECT_EQ(2, d.len);
	EXPECT_STREQ("ACCEPT", got.prim);
	EXPECT_NE(0u, got.tok);
	EXPECT_EQ(token_of(other), got.tok);
	close(other);
	close(fd);
}

TEST(i_list)
{
	struct str_mlist names[4];
	struct str_list list = { .sl_nmods = 4, .sl_modlist = names };
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, push(fd, "nullmod"));
	EXPECT_EQ(2, ioctl(fd, I_LIST, NULL));
	memset(names, 0, sizeof(names));
	ASSERT_EQ(0, ioctl(fd, I_LIST, &list));
	EXPECT_EQ(2, list.sl_nmods);
	EXPECT_STREQ("nullmod", names[0].l_name);
	EXPECT_STREQ("echo", names[1].l_name);
	close(fd);
}

TEST(sad_vml)
{
	struct str_mlist names[2] = { { "nullmod" }, { "testmod" } };
	struct str_list sl = { .sl_nmods = 2, .sl_modlist = names };
	int fd;

	watchdog(WATCHDOG_S);
	fd = open(SAD_USER_NODE, O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", SAD_USER_NODE, strerror(errno));
	EXPECT_EQ(0, ioctl(fd, SAD_VML, &sl));
	strcpy(names[1].l_name, "nosuch");
	EXPECT_EQ(1, ioctl(fd, SAD_VML, &sl));
	sl.sl_nmods = 0;
	EXPECT_EQ(-EINVAL, xioctl(fd, SAD_VML, &sl));
	close(fd);
}

/* ioctls with an int or a pointer to a fixed layout: unchanged. */
TEST(plain_ioctls)
{
	struct strclone_devinfo di = { 0, 0 };
	int fd, v = -1, bytes = -1;

	OPEN_ECHO(fd);
	EXPECT_EQ(0, ioctl(fd, STRCLONE_GETDEV, &di));
	EXPECT_EQ((unsigned int)STRCLONE_ECHO_MAJOR, di.major);
	EXPECT_EQ(1, ioctl(fd, I_CANPUT, 0));
	EXPECT_EQ(-EINVAL, xioctl(fd, I_CANPUT, (void *)-1));
	EXPECT_EQ(0, ioctl(fd, I_GWROPT, &v));
	EXPECT_EQ(SNDZERO, v);
	ASSERT_EQ(3, write(fd, "abc", 3));
	EXPECT_EQ(1, wait_nread(fd, 1, WAIT_MS, &bytes));
	EXPECT_EQ(3, bytes);
	EXPECT_EQ(0, ioctl(fd, I_FLUSH, FLUSHR));
	EXPECT_EQ(0, nread(fd, NULL));
	close(fd);
}

/* A transparent ioctl whose argument is a pointer: tcgetattr on a pts
 * slave (ldterm answers through M_COPYOUT at the 32-bit address). */
TEST(transparent_tcgetattr)
{
	struct termios t;
	struct winsize w = { .ws_row = 24, .ws_col = 80 };
	int m, s, old;

	watchdog(WATCHDOG_S);
	/* An earlier program may have left pts_autopush off (strclone_util.h). */
	old = set_pts_autopush(1);
	ASSERT_LE(0, old) TH_LOG("pts_autopush: %s", strerror(-old));
	m = open(PTMX_NODE, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, m) TH_LOG("open %s: %s", PTMX_NODE, strerror(errno));
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	s = ioctl(m, PTMGETPEER, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s) TH_LOG("PTMGETPEER: %s", strerror(errno));
	memset(&t, 0xa5, sizeof(t));
	EXPECT_EQ(0, tcgetattr(s, &t)) TH_LOG("tcgetattr: %s", strerror(errno));
	EXPECT_NE(0u, t.c_lflag & ICANON);
	EXPECT_EQ(1, isatty(s));
	EXPECT_EQ(0, ioctl(s, TIOCSWINSZ, &w));
	memset(&w, 0, sizeof(w));
	EXPECT_EQ(0, ioctl(s, TIOCGWINSZ, &w));
	EXPECT_EQ(24, w.ws_row);
	EXPECT_EQ(80, w.ws_col);
	close(s);
	close(m);
	set_pts_autopush(old);
}

/* Bad 32-bit pointers: EFAULT, and the message stays whole. */
TEST(bad_pointers_efault)
{
	struct strbuf c = { .maxlen = -1 };
	struct strbuf d = { .maxlen = 8, .buf = BAD32 };
	int fd, flags = 0;

	OPEN_ECHO(fd);
	ASSERT_EQ(2, write(fd, "hi", 2));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(-1, strclone_getmsg(fd, &c, &d, &flags));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-EFAULT, xioctl(fd, I_GETMSG, BAD32));
	EXPECT_EQ(-EFAULT, xioctl(fd, I_PEEK, BAD32));
	EXPECT_EQ(1, nread(fd, NULL));
	EXPECT_EQ(-1, istr(fd, ECHO_REVERSE, BAD32, 4, NULL));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

/* The error rules through the 32-bit entry: EBADF, ENXIO after hangup. */
TEST(error_rules)
{
	char db[8];
	struct strbuf d = { .maxlen = sizeof(db), .buf = db };
	int fd, flags = 0;

	watchdog(WATCHDOG_S);
	fd = open(ECHO_NODE, O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, strclone_getmsg(fd, NULL, &d, &flags));
	EXPECT_EQ(EBADF, errno);
	close(fd);
	OPEN_ECHO(fd);
	if (echo_cmd(fd, ECHO_HANGUP) < 0)
		ASSERT_EQ(ENXIO, errno);
	ASSERT_TRUE(poll_fd(fd, POLLIN, WAIT_MS) & POLLHUP);
	EXPECT_EQ(-1, putmsg_parts(fd, NULL, -1, "x", 1, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-ENXIO, xioctl(fd, I_FLUSH, (void *)FLUSHRW));
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EIO, errno);
	close(fd);
}

TEST_HARNESS_MAIN
