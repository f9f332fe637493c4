// SPDX-License-Identifier: GPL-2.0
/*
 * ttcompat, the V7/4.3BSD sgtty module, above ldterm on a strclone pty
 * slave: every sgtty ioctl round trip through termios (what TCGETS shows
 * after it, and how input and output then behave: CBREAK and RAW deliver
 * bytes without a newline, ~ECHO echoes nothing, CRMOD maps \n to \r\n),
 * the I_STR forms, the Linux-numbered TIOCEXCL/TIOCNXCL/TIOCGETD/TIOCSETD,
 * bad pointers and bad values, and ttcompat without a terminal below it.
 * The slave gets ldterm and ttcompat pushed unless I_FIND finds them
 * (autopushed). Documentation/strclone/terminals.rst, "ttcompat", is what
 * this checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"

/* Linux's numbers: <sys/ioctl.h> names them, ttcompat answers them. */
#ifndef TIOCGEXCL
#define TIOCGEXCL	_IOR('T', 0x40, int)
#endif
#define K_TCGETS2	0x802c542aUL
#define K_TCSETS2	0x402c542bUL

struct kterm2 {
	unsigned int c_iflag, c_oflag, c_cflag, c_lflag;
	unsigned char c_line;
	unsigned char c_cc[19];
	unsigned int c_ispeed, c_ospeed;
};

/* The local mode word of Linux's default settings (ECHOE, ECHOKE, ECHOCTL, CS8, no IXANY). */
#define DEFAULT_LOCAL	(LCRTBS | LCRTERA | LCRTKIL | LCTLECH | LPASS8 | LDECCTQ)

struct pty {
	int m, s;
};

/* Pushes @name on @fd unless I_FIND finds it there (autopush); 0 or -errno. */
static int ensure(int fd, const char *name)
{
	int r = ioctl(fd, I_FIND, name);

	if (r < 0)
		return -errno;
	return r ? 0 : push(fd, name);
}

/* A strclone pair with ldterm and ttcompat on the slave; 0 or -errno. */
static int open_tty(struct pty *p)
{
	int r;

	p->s = -1;
	p->m = open(PTMX_NODE, O_RDWR | O_NOCTTY);
	if (p->m < 0)
		return -errno;
	if (ioctl(p->m, UNLKPT, 0) < 0)
		return -errno;
	p->s = ioctl(p->m, PTMGETPEER, O_RDWR | O_NOCTTY);
	if (p->s < 0)
		return -errno;
	r = ensure(p->s, "ldterm");
	return r ? r : ensure(p->s, "ttcompat");
}

static void close_pty(struct pty *p)
{
	if (p->s >= 0)
		close(p->s);
	if (p->m >= 0)
		close(p->m);
}

#define OPEN_TTY(p) do {						\
	watchdog(WATCHDOG_S);						\
	ASSERT_EQ(0, open_tty(&(p))) TH_LOG("pair with ldterm+ttcompat: %s", strerror(errno)); \
} while (0)

/* One read(2) after a poll; -2 if nothing arrives in WAIT_MS. */
static ssize_t read_one(int fd, char *buf, size_t n)
{
	if (!(poll_fd(fd, POLLIN, WAIT_MS) & POLLIN))
		return -2;
	return read(fd, buf, n);
}

/* I_STR; its result or -errno. */
static int xistr(int fd, int cmd, void *dp, int len, int *outlen)
{
	int r = istr(fd, cmd, dp, len, outlen);

	return r < 0 ? -errno : r;
}

static int put(int fd, const char *s)
{
	size_t n = strlen(s);

	return write(fd, s, n) == (ssize_t)n ? 0 : -1;
}

/* TIOCGETP, then TIOCSETN/TIOCSETP of @flags with the rest unchanged. */
static int set_flags(int s, unsigned long cmd, int flags)
{
	struct sgttyb sg;

	if (ioctl(s, TIOCGETP, &sg))
		return -errno;
	sg.sg_flags = flags;
	return ioctl(s, cmd, &sg) ? -errno : 0;
}

TEST(get_defaults)
{
	struct sgttyb sg;
	struct tchars tc;
	struct ltchars ltc;
	struct termios t;
	struct pty p;
	int lw = -1;

	OPEN_TTY(p);
	memset(&sg, 0xa5, sizeof(sg));
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg)) TH_LOG("TIOCGETP: %s", strerror(errno));
	EXPECT_EQ(15, sg.sg_ispeed);		/* B38400 */
	EXPECT_EQ(15, sg.sg_ospeed);
	EXPECT_EQ(0x7f, sg.sg_erase);
	EXPECT_EQ(0x15, sg.sg_kill);
	EXPECT_EQ(O_ECHO | O_CRMOD, sg.sg_flags & 0xffff);
	EXPECT_EQ(DEFAULT_LOCAL, (unsigned int)sg.sg_flags >> 16);
	ASSERT_EQ(0, ioctl(p.s, TIOCLGET, &lw));
	EXPECT_EQ(DEFAULT_LOCAL, lw);
	memset(&tc, 0xa5, sizeof(tc));
	ASSERT_EQ(0, ioctl(p.s, TIOCGETC, &tc));
	EXPECT_EQ(3, tc.t_intrc);
	EXPECT_EQ(0x1c, tc.t_quitc);
	EXPECT_EQ(0x11, tc.t_startc);
	EXPECT_EQ(0x13, tc.t_stopc);
	EXPECT_EQ(4, tc.t_eofc);
	EXPECT_EQ(-1, tc.t_brkc);		/* VEOL 0: disabled */
	memset(&ltc, 0xa5, sizeof(ltc));
	ASSERT_EQ(0, ioctl(p.s, TIOCGLTC, &ltc));
	EXPECT_EQ(0x1a, ltc.t_suspc);
	EXPECT_EQ(-1, ltc.t_dsuspc);		/* Linux has none */
	EXPECT_EQ(0x12, ltc.t_rprntc);
	EXPECT_EQ(0x0f, ltc.t_flushc);
	EXPECT_EQ(0x17, ltc.t_werasc);
	EXPECT_EQ(0x16, ltc.t_lnextc);
	/* Reading changed nothing; the terminal ioctls still pass ttcompat. */
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ((tcflag_t)(ICRNL | IXON), t.c_iflag);
	EXPECT_EQ((tcflag_t)(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN),
		  t.c_lflag);
	EXPECT_EQ(1, isatty(p.s));
	close_pty(&p);
}

TEST(cbreak_delivers_bytes_without_newline)
{
	struct termios t;
	struct sgttyb sg;
	struct pty p;
	char b[64];
	ssize_t r;

	OPEN_TTY(p);
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	ASSERT_EQ(0, set_flags(p.s, TIOCSETN, sg.sg_flags | O_CBREAK));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(0, t.c_lflag & ICANON);
	EXPECT_EQ((tcflag_t)(ISIG | ECHO), t.c_lflag & (ISIG | ECHO));
	EXPECT_EQ(1, t.c_cc[VMIN]);
	EXPECT_EQ(0, t.c_cc[VTIME]);
	ASSERT_EQ(0, put(p.m, "ab"));
	r = read_one(p.s, b, sizeof(b));
	ASSERT_LT(0, r) TH_LOG("no byte without a newline: %zd", r);
	if (r == 1) {
		ASSERT_EQ(1, read_one(p.s, b + 1, sizeof(b) - 1));
	}
	EXPECT_EQ(0, memcmp(b, "ab", 2));
	EXPECT_EQ(2, read_quiet(p.m, b, sizeof(b), QUIET_MS));	/* echo */
	EXPECT_EQ(0, memcmp(b, "ab", 2));
	/* TIOCGETP shows it; clearing it restores canonical mode. */
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	EXPECT_EQ(O_CBREAK, sg.sg_flags & O_CBREAK);
	ASSERT_EQ(0, set_flags(p.s, TIOCSETN, sg.sg_flags & ~O_CBREAK));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(ICANON, t.c_lflag & ICANON);
	close_pty(&p);
}

TEST(raw_without_echo)
{
	struct termios t;
	struct sgttyb sg;
	struct pty p;
	char b[64];
	size_t n;

	OPEN_TTY(p);
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	ASSERT_EQ(0, set_flags(p.s, TIOCSETP, (sg.sg_flags | O_RAW) & ~O_ECHO));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(0, t.c_lflag & (ICANON | ISIG | IEXTEN | ECHO));
	EXPECT_EQ(0, t.c_iflag & (ICRNL | IXON | ISTRIP | BRKINT));
	EXPECT_EQ(0, t.c_oflag & OPOST);
	EXPECT_EQ((tcflag_t)CS8, t.c_cflag & (CSIZE | PARENB));
	/* ^C and CR are data; nothing echoes. */
	ASSERT_EQ(0, put(p.m, "x\003\r"));
	n = read_quiet(p.s, b, sizeof(b), QUIET_MS);
	ASSERT_EQ(3, n);
	EXPECT_EQ(0, memcmp(b, "x\003\r", 3));
	EXPECT_EQ(0, read_quiet(p.m, b, sizeof(b), QUIET_MS));
	/* No output processing. */
	ASSERT_EQ(0, put(p.s, "a\nb"));
	n = read_quiet(p.m, b, sizeof(b), QUIET_MS);
	ASSERT_EQ(3, n);
	EXPECT_EQ(0, memcmp(b, "a\nb", 3));
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	EXPECT_EQ(O_RAW, sg.sg_flags & (O_RAW | O_ECHO));
	/* cfmakeraw reads back as RAW too. */
	ASSERT_EQ(0, set_flags(p.s, TIOCSETN, (sg.sg_flags & ~O_RAW) | O_ECHO));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(ICANON | ECHO, t.c_lflag & (ICANON | ECHO));
	cfmakeraw(&t);
	ASSERT_EQ(0, tcsetattr(p.s, TCSANOW, &t));
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	EXPECT_EQ(O_RAW, sg.sg_flags & O_RAW);
	close_pty(&p);
}

TEST(crmod_maps_newlines)
{
	struct sgttyb sg;
	struct pty p;
	char b[64];
	size_t n;

	OPEN_TTY(p);
	ASSERT_EQ(0, put(p.s, "a\nb\n"));
	n = read_quiet(p.m, b, sizeof(b), QUIET_MS);
	ASSERT_EQ(6, n);
	EXPECT_EQ(0, memcmp(b, "a\r\nb\r\n", 6));
	ASSERT_EQ(0, put(p.m, "hi\r"));
	ASSERT_EQ(3, read_one(p.s, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(b, "hi\n", 3));
	read_quiet(p.m, b, sizeof(b), QUIET_MS);
	/* Without CRMOD: \n stays \n out, \r stays \r in. */
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	ASSERT_EQ(0, set_flags(p.s, TIOCSETN, sg.sg_flags & ~O_CRMOD));
	ASSERT_EQ(0, put(p.s, "a\nb\n"));
	n = read_quiet(p.m, b, sizeof(b), QUIET_MS);
	ASSERT_EQ(4, n);
	EXPECT_EQ(0, memcmp(b, "a\nb\n", 4));
	ASSERT_EQ(0, put(p.m, "hi\r\n"));
	ASSERT_EQ(4, read_one(p.s, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(b, "hi\r\n", 4));
	close_pty(&p);
}

TEST(setp_flushes_input_setn_does_not)
{
	struct sgttyb sg;
	struct pty p;
	char b[64];

	OPEN_TTY(p);
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	ASSERT_EQ(0, put(p.m, "lost"));
	read_quiet(p.m, b, sizeof(b), QUIET_MS);
	ASSERT_EQ(0, ioctl(p.s, TIOCSETP, &sg));
	ASSERT_EQ(0, put(p.m, "x\n"));
	ASSERT_EQ(2, read_one(p.s, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(b, "x\n", 2));
	ASSERT_EQ(0, put(p.m, "kept"));
	read_quiet(p.m, b, sizeof(b), QUIET_MS);
	ASSERT_EQ(0, ioctl(p.s, TIOCSETN, &sg));
	ASSERT_EQ(0, put(p.m, "\n"));
	ASSERT_EQ(5, read_one(p.s, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(b, "kept\n", 5));
	close_pty(&p);
}

TEST(special_characters)
{
	struct tchars tc = { .t_intrc = 1, .t_quitc = 2, .t_startc = -1, .t_stopc = -1,
			     .t_eofc = 5, .t_brkc = ';' };
	struct ltchars ltc = { .t_suspc = 7, .t_dsuspc = 8, .t_rprntc = 9, .t_flushc = 10,
			       .t_werasc = 0x0b, .t_lnextc = -1 };
	struct tchars tc2;
	struct ltchars ltc2;
	struct termios t;
	struct pty p;
	char b[64];

	OPEN_TTY(p);
	ASSERT_EQ(0, ioctl(p.s, TIOCSETC, &tc)) TH_LOG("TIOCSETC: %s", strerror(errno));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(1, t.c_cc[VINTR]);
	EXPECT_EQ(2, t.c_cc[VQUIT]);
	EXPECT_EQ(0, t.c_cc[VSTART]);
	EXPECT_EQ(0, t.c_cc[VSTOP]);
	EXPECT_EQ(5, t.c_cc[VEOF]);
	EXPECT_EQ(';', t.c_cc[VEOL]);
	EXPECT_EQ(0, t.c_iflag & IXON);		/* no start/stop character */
	ASSERT_EQ(0, ioctl(p.s, TIOCGETC, &tc2));
	EXPECT_EQ(0, memcmp(&tc, &tc2, sizeof(tc)));
	ASSERT_EQ(0, ioctl(p.s, TIOCSLTC, &ltc)) TH_LOG("TIOCSLTC: %s", strerror(errno));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(7, t.c_cc[VSUSP]);
	EXPECT_EQ(9, t.c_cc[VREPRINT]);
	EXPECT_EQ(10, t.c_cc[VDISCARD]);
	EXPECT_EQ(0x0b, t.c_cc[VWERASE]);
	EXPECT_EQ(0, t.c_cc[VLNEXT]);
	ASSERT_EQ(0, ioctl(p.s, TIOCGLTC, &ltc2));
	ltc.t_dsuspc = -1;			/* not kept: Linux has none */
	EXPECT_EQ(0, memcmp(&ltc, &ltc2, sizeof(ltc)));
	/* The new characters act: word erase ^K, and ';' ends a line. */
	ASSERT_EQ(0, put(p.m, "one two\013x;"));
	ASSERT_EQ(6, read_one(p.s, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(b, "one x;", 6));
	close_pty(&p);
}

TEST(local_mode_word)
{
	struct termios t;
	struct pty p;
	char b[64];
	int w;

	OPEN_TTY(p);
	w = LCRTERA;
	ASSERT_EQ(0, ioctl(p.s, TIOCLBIC, &w)) TH_LOG("TIOCLBIC: %s", strerror(errno));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(0, t.c_lflag & ECHOE);
	ASSERT_EQ(0, ioctl(p.s, TIOCLBIS, &w));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(ECHOE, t.c_lflag & ECHOE);
	w = DEFAULT_LOCAL & ~LCTLECH;
	w |= LTOSTOP | LNOFLSH;
	ASSERT_EQ(0, ioctl(p.s, TIOCLSET, &w));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(0, t.c_lflag & ECHOCTL);
	EXPECT_EQ((tcflag_t)(TOSTOP | NOFLSH), t.c_lflag & (TOSTOP | NOFLSH));
	w = -1;
	ASSERT_EQ(0, ioctl(p.s, TIOCLGET, &w));
	EXPECT_EQ(DEFAULT_LOCAL & ~LCTLECH, w & ~(LTOSTOP | LNOFLSH));
	EXPECT_EQ(LTOSTOP | LNOFLSH, w & (LTOSTOP | LNOFLSH));
	/* LITOUT: output passes unprocessed. */
	w = LLITOUT;
	ASSERT_EQ(0, ioctl(p.s, TIOCLBIS, &w));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(0, t.c_oflag & OPOST);
	ASSERT_EQ(0, put(p.s, "a\n"));
	ASSERT_EQ(2, read_quiet(p.m, b, sizeof(b), QUIET_MS));
	EXPECT_EQ(0, memcmp(b, "a\n", 2));
	ASSERT_EQ(0, ioctl(p.s, TIOCLBIC, &w));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(OPOST, t.c_oflag & OPOST);
	close_pty(&p);
}

TEST(hpcl_flush_stop_start)
{
	struct termios t;
	struct pty p;
	char b[64];
	int f;

	OPEN_TTY(p);
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	t.c_cflag &= ~HUPCL;
	ASSERT_EQ(0, tcsetattr(p.s, TCSANOW, &t));
	ASSERT_EQ(0, ioctl(p.s, TIOCHPCL, 0)) TH_LOG("TIOCHPCL: %s", strerror(errno));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(HUPCL, t.c_cflag & HUPCL);
	/* TIOCFLUSH FREAD drops the partial line; 0 means both. */
	ASSERT_EQ(0, put(p.m, "gone"));
	read_quiet(p.m, b, sizeof(b), QUIET_MS);
	f = FREAD;
	ASSERT_EQ(0, ioctl(p.s, TIOCFLUSH, &f)) TH_LOG("TIOCFLUSH: %s", strerror(errno));
	ASSERT_EQ(0, put(p.m, "y\n"));
	ASSERT_EQ(2, read_one(p.s, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(b, "y\n", 2));
	read_quiet(p.m, b, sizeof(b), QUIET_MS);
	ASSERT_EQ(0, put(p.m, "gone too"));
	read_quiet(p.m, b, sizeof(b), QUIET_MS);
	f = 0;
	ASSERT_EQ(0, ioctl(p.s, TIOCFLUSH, &f));
	ASSERT_EQ(0, put(p.m, "z\n"));
	ASSERT_EQ(2, read_one(p.s, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(b, "z\n", 2));
	read_quiet(p.m, b, sizeof(b), QUIET_MS);
	/* TIOCSTOP holds output until TIOCSTART. */
	ASSERT_EQ(0, ioctl(p.s, TIOCSTOP, 0)) TH_LOG("TIOCSTOP: %s", strerror(errno));
	ASSERT_EQ(0, put(p.s, "held"));
	EXPECT_EQ(0, read_quiet(p.m, b, sizeof(b), QUIET_MS));
	ASSERT_EQ(0, ioctl(p.s, TIOCSTART, 0));
	ASSERT_EQ(4, read_quiet(p.m, b, sizeof(b), QUIET_MS));
	EXPECT_EQ(0, memcmp(b, "held", 4));
	close_pty(&p);
}

TEST(speeds)
{
	struct kterm2 k;
	struct sgttyb sg;
	struct termios t;
	struct pty p;

	OPEN_TTY(p);
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	sg.sg_ispeed = 11;			/* B2400 */
	sg.sg_ospeed = 13;			/* B9600 */
	ASSERT_EQ(0, ioctl(p.s, TIOCSETN, &sg));
	ASSERT_EQ(0, ioctl(p.s, K_TCGETS2, &k));
	EXPECT_EQ(2400u, k.c_ispeed);
	EXPECT_EQ(9600u, k.c_ospeed);
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	EXPECT_EQ(11, sg.sg_ispeed);
	EXPECT_EQ(13, sg.sg_ospeed);
	/* Faster than sgtty can say: reads as B38400, which then keeps it. */
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	t.c_cflag &= ~CIBAUD;			/* input speed: the output's */
	cfsetspeed(&t, B115200);
	ASSERT_EQ(0, tcsetattr(p.s, TCSANOW, &t));
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	EXPECT_EQ(15, sg.sg_ispeed);
	EXPECT_EQ(15, sg.sg_ospeed);
	ASSERT_EQ(0, ioctl(p.s, TIOCSETN, &sg));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(B115200, cfgetospeed(&t));
	close_pty(&p);
}

TEST(istr_forms)
{
	struct sgttyb sg, sg2;
	unsigned char raw[16];
	struct termios t;
	struct pty p;
	int len = -1, w;

	OPEN_TTY(p);
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	memset(raw, 0xa5, sizeof(raw));
	ASSERT_EQ(0, istr(p.s, TIOCGETP, raw, 0, &len)) TH_LOG("I_STR TIOCGETP: %s", strerror(errno));
	EXPECT_EQ(8, len);
	EXPECT_EQ(0, memcmp(raw, &sg, sizeof(sg)));
	ASSERT_EQ(0, istr(p.s, TIOCGETC, raw, 0, &len));
	EXPECT_EQ(6, len);
	ASSERT_EQ(0, istr(p.s, TIOCGLTC, raw, 0, &len));
	EXPECT_EQ(6, len);
	ASSERT_EQ(0, istr(p.s, TIOCLGET, raw, 0, &len));
	EXPECT_EQ(4, len);
	memcpy(&w, raw, 4);
	EXPECT_EQ(DEFAULT_LOCAL, w);
	sg2 = sg;
	sg2.sg_flags &= ~O_ECHO;
	ASSERT_EQ(0, istr(p.s, TIOCSETN, &sg2, sizeof(sg2), &len)) TH_LOG("I_STR TIOCSETN: %s", strerror(errno));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(0, t.c_lflag & ECHO);
	/* The wrong size is EINVAL and changes nothing. */
	EXPECT_EQ(-EINVAL, xistr(p.s, TIOCSETN, &sg, sizeof(sg) - 1, &len));
	EXPECT_EQ(-EINVAL, xistr(p.s, TIOCSETN, &sg, 0, &len));
	EXPECT_EQ(-EINVAL, xistr(p.s, TIOCSETC, raw, 5, &len));
	EXPECT_EQ(-EINVAL, xistr(p.s, TIOCLBIS, raw, 2, &len));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(0, t.c_lflag & ECHO);
	w = LCRTERA;
	ASSERT_EQ(0, istr(p.s, TIOCLBIC, &w, 4, &len));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(0, t.c_lflag & ECHOE);
	close_pty(&p);
}

/*
 * Another PTMGETPEER on the master @m (a reopen of its slave stream) from a
 * child that dropped CAP_SYS_ADMIN; its errno, 0 on success, -1 if the
 * child could not run.
 */
static int peer_without_admin(int m)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int s;

		if (syscall(SYS_capget, &h, d))
			_exit(100);
		d[0].effective &= ~(1u << CAP_SYS_ADMIN);
		if (syscall(SYS_capset, &h, d))
			_exit(101);
		s = ioctl(m, PTMGETPEER, O_RDWR | O_NOCTTY);
		_exit(s < 0 ? (errno & 0x7f) : 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST(exclusive_and_line_discipline)
{
	struct pty p;
	int v = -1, s2;

	OPEN_TTY(p);
	ASSERT_EQ(0, ioctl(p.s, TIOCGEXCL, &v)) TH_LOG("TIOCGEXCL: %s", strerror(errno));
	EXPECT_EQ(0, v);
	ASSERT_EQ(0, ioctl(p.s, TIOCEXCL)) TH_LOG("TIOCEXCL: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(p.s, TIOCGEXCL, &v));
	EXPECT_EQ(1, v);
	/* Another open of the slave: CAP_SYS_ADMIN only, as Linux's. */
	s2 = ioctl(p.m, PTMGETPEER, O_RDWR | O_NOCTTY);
	EXPECT_LE(0, s2) TH_LOG("reopen as root: %s", strerror(errno));
	if (s2 >= 0)
		close(s2);
	EXPECT_EQ(EBUSY, peer_without_admin(p.m));
	ASSERT_EQ(0, ioctl(p.s, TIOCNXCL));
	ASSERT_EQ(0, ioctl(p.s, TIOCGEXCL, &v));
	EXPECT_EQ(0, v);
	EXPECT_EQ(0, peer_without_admin(p.m));
	/* One line discipline: N_TTY (0). */
	v = -1;
	ASSERT_EQ(0, ioctl(p.s, TIOCGETD, &v)) TH_LOG("TIOCGETD: %s", strerror(errno));
	EXPECT_EQ(0, v);
	v = 0;
	EXPECT_EQ(0, ioctl(p.s, TIOCSETD, &v));
	v = 1;
	EXPECT_EQ(-EINVAL, xioctl(p.s, TIOCSETD, &v));
	v = -1;
	EXPECT_EQ(-EINVAL, xioctl(p.s, TIOCSETD, &v));
	EXPECT_EQ(-EFAULT, xioctl(p.s, TIOCSETD, NULL));
	EXPECT_EQ(-EFAULT, xioctl(p.s, TIOCGETD, KERNEL_PTR));
	EXPECT_EQ(-EFAULT, xioctl(p.s, TIOCGEXCL, NULL));
	close_pty(&p);
}

TEST(bad_pointers_change_nothing)
{
	static const unsigned long cmds[] = {
		TIOCGETP, TIOCSETP, TIOCSETN, TIOCGETC, TIOCSETC, TIOCGLTC, TIOCSLTC,
		TIOCLGET, TIOCLSET, TIOCLBIS, TIOCLBIC, TIOCFLUSH,
	};
	struct termios before, after;
	struct pty p;
	unsigned int i;

	OPEN_TTY(p);
	/* glibc's struct termios has padding tcgetattr does not write. */
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	ASSERT_EQ(0, tcgetattr(p.s, &before));
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(-EFAULT, xioctl(p.s, cmds[i], NULL)) TH_LOG("cmd %#lx NULL", cmds[i]);
		EXPECT_EQ(-EFAULT, xioctl(p.s, cmds[i], KERNEL_PTR)) TH_LOG("cmd %#lx kernel", cmds[i]);
	}
	ASSERT_EQ(0, tcgetattr(p.s, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	/* The stream still answers. */
	EXPECT_EQ(0, ioctl(p.s, TIOCGETP, &(struct sgttyb){ 0 }));
	close_pty(&p);
}

TEST(bad_speeds_are_einval)
{
	struct termios before, after;
	struct sgttyb sg;
	struct pty p;

	OPEN_TTY(p);
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	ASSERT_EQ(0, tcgetattr(p.s, &before));
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	sg.sg_ospeed = 16;
	EXPECT_EQ(-EINVAL, xioctl(p.s, TIOCSETP, &sg));
	sg.sg_ospeed = 13;
	sg.sg_ispeed = -1;
	EXPECT_EQ(-EINVAL, xioctl(p.s, TIOCSETN, &sg));
	ASSERT_EQ(0, tcgetattr(p.s, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	close_pty(&p);
}

TEST(without_a_terminal_below)
{
	struct sgttyb sg;
	unsigned char raw[16];
	char b[8];
	int e, len;

	watchdog(WATCHDOG_S);
	e = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, e) TH_LOG("%s: %s", ECHO_NODE, strerror(errno));
	ASSERT_EQ(0, push(e, "ttcompat"));
	EXPECT_EQ(-ENOTTY, xioctl(e, TIOCGETP, &sg));
	EXPECT_EQ(-ENOTTY, xioctl(e, TIOCGETC, raw));
	EXPECT_EQ(-ENOTTY, xioctl(e, TIOCHPCL, NULL));
	memset(&sg, 0, sizeof(sg));
	EXPECT_EQ(-ENOTTY, xioctl(e, TIOCSETP, &sg));
	EXPECT_EQ(-EINVAL, xistr(e, TIOCGETP, raw, 0, &len));
	EXPECT_EQ(0, isatty(e));
	/* Everything else passes: data both ways and other I_STR commands. */
	ASSERT_EQ(0, put(e, "abc"));
	ASSERT_EQ(3, read_one(e, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(b, "abc", 3));
	memcpy(raw, "xyz", 3);
	ASSERT_LE(0, istr(e, ECHO_REVERSE, raw, 3, &len)) TH_LOG("ECHO_REVERSE: %s", strerror(errno));
	EXPECT_EQ(3, len);
	EXPECT_EQ(0, memcmp(raw, "zyx", 3));
	close(e);
}

TEST(popped_and_pushed_again)
{
	struct sgttyb sg;
	struct pty p;

	OPEN_TTY(p);
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	/* ttcompat is the topmost module here (pushed last, or autopushed last). */
	ASSERT_EQ(0, pop(p.s));
	EXPECT_EQ(0, ioctl(p.s, I_FIND, "ttcompat"));
	EXPECT_EQ(-ENOTTY, xioctl(p.s, TIOCGETP, &sg));
	ASSERT_EQ(0, push(p.s, "ttcompat"));
	EXPECT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	EXPECT_EQ(O_ECHO | O_CRMOD, sg.sg_flags & 0xffff);
	close_pty(&p);
}

static void on_usr1(int sig)
{
	(void)sig;
}

TEST(setp_waits_for_the_drain_interruptibly)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct termios t;
	struct sgttyb sg;
	struct pty p;
	char b[64];
	pid_t pid;
	int st;

	OPEN_TTY(p);
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	ASSERT_EQ(0, ioctl(p.s, TIOCSTOP, 0));
	ASSERT_EQ(0, put(p.s, "waiting"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sgttyb n = sg;

		sigaction(SIGUSR1, &sa, NULL);
		n.sg_flags |= O_CBREAK;
		/* Output is stopped: TIOCSETP (TCSETSF) waits until a signal. */
		_exit(ioctl(p.s, TIOCSETP, &n) == -1 && errno == EINTR ? 0 : 1);
	}
	usleep(300 * 1000);
	EXPECT_EQ(0, waitpid(pid, &st, WNOHANG)) TH_LOG("TIOCSETP returned before the drain");
	kill(pid, SIGUSR1);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("no EINTR");
	/* Accepted already: the settings come with the drain, after TIOCSTART. */
	ASSERT_EQ(0, ioctl(p.s, TIOCSTART, 0));
	ASSERT_EQ(7, read_quiet(p.m, b, sizeof(b), QUIET_MS));
	EXPECT_EQ(0, memcmp(b, "waiting", 7));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(0, t.c_lflag & ICANON);
	/* The stream answers the next command normally. */
	EXPECT_EQ(0, ioctl(p.s, TIOCGETP, &sg));
	EXPECT_EQ(O_CBREAK, sg.sg_flags & O_CBREAK);
	close_pty(&p);
}

/*
 * ldterm and ttcompat autopushed on pts opens (sad, major 24, every minor),
 * unless an autopush configuration for pts exists already (then the test
 * runs on what it pushes): the program's I_FIND pushes nothing twice.
 */
#define ADMIN_NODE	"/dev/sad/admin"

FIXTURE(autopushed) {
	int set;	/* this test configured pts autopush: the teardown clears it */
};

FIXTURE_SETUP(autopushed)
{
	struct strapush s;
	int fd, r;

	watchdog(WATCHDOG_S);
	self->set = 0;
	fd = open(ADMIN_NODE, O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", ADMIN_NODE, strerror(errno));
	memset(&s, 0, sizeof(s));
	s.sap_major = STRCLONE_PTS_MAJOR;
	s.sap_minor = 0;
	r = xioctl(fd, SAD_GAP, &s);
	if (r == -ENODEV) {
		memset(&s, 0, sizeof(s));
		s.sap_cmd = SAP_ALL;
		s.sap_major = STRCLONE_PTS_MAJOR;
		s.sap_npush = 2;
		strcpy(s.sap_list[0], "ldterm");
		strcpy(s.sap_list[1], "ttcompat");
		ASSERT_EQ(0, xioctl(fd, SAD_SAP, &s)) TH_LOG("SAD_SAP: %s", strerror(errno));
		self->set = 1;
	} else {
		ASSERT_EQ(0, r) TH_LOG("SAD_GAP: %s", strerror(-r));
	}
	close(fd);
}

FIXTURE_TEARDOWN_PARENT(autopushed)
{
	struct strapush s;
	int fd;

	if (!self->set)
		return;
	fd = open(ADMIN_NODE, O_RDWR);
	memset(&s, 0, sizeof(s));
	s.sap_cmd = SAP_CLEAR;
	s.sap_major = STRCLONE_PTS_MAJOR;
	s.sap_minor = 0;
	EXPECT_EQ(0, xioctl(fd, SAD_SAP, &s));
	close(fd);
}

TEST_F(autopushed, find_pushes_nothing_twice)
{
	struct termios t;
	struct sgttyb sg;
	struct pty p;
	char b[8];
	int n;

	p.s = -1;
	p.m = open(PTMX_NODE, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, p.m);
	ASSERT_EQ(0, ioctl(p.m, UNLKPT, 0));
	p.s = ioctl(p.m, PTMGETPEER, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, p.s) TH_LOG("PTMGETPEER: %s", strerror(errno));
	EXPECT_EQ(1, ioctl(p.s, I_FIND, "ldterm"));
	EXPECT_EQ(1, ioctl(p.s, I_FIND, "ttcompat"));
	n = nlist(p.s);
	ASSERT_LE(3, n);
	ASSERT_EQ(0, ensure(p.s, "ldterm"));
	ASSERT_EQ(0, ensure(p.s, "ttcompat"));
	EXPECT_EQ(n, nlist(p.s));
	ASSERT_EQ(0, ioctl(p.s, TIOCGETP, &sg)) TH_LOG("TIOCGETP: %s", strerror(errno));
	EXPECT_EQ(O_ECHO | O_CRMOD, sg.sg_flags & 0xffff);
	ASSERT_EQ(0, set_flags(p.s, TIOCSETN, sg.sg_flags | O_CBREAK));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	EXPECT_EQ(0, t.c_lflag & ICANON);
	ASSERT_EQ(0, put(p.m, "k"));
	ASSERT_EQ(1, read_one(p.s, b, sizeof(b)));
	EXPECT_EQ('k', b[0]);
	close_pty(&p);
}

TEST_HARNESS_MAIN
