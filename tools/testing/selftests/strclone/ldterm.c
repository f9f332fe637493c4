// SPDX-License-Identifier: GPL-2.0
/*
 * ldterm, the line discipline module, on a strclone pty pair: open
 * /dev/clone-ptmx, UNLKPT, PTMGETPEER for the slave, I_PUSH "ldterm" on the
 * slave. Then the termios interface (tcgetattr/tcsetattr through
 * transparent ioctls, TCGETS2, the I_STR forms), canonical editing and echo,
 * the input and output flags, raw mode with VMIN, flushes, FIONREAD,
 * TIOCOUTQ, flow control, the line limit, bad input, and the pair after
 * ldterm was popped. Where a native Linux pty (/dev/ptmx, n_tty) answers
 * the same question, the test asks it too and compares the bytes.
 * Documentation/strclone/terminals.rst is what this checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"

/* Bare pts slaves: these tests predate the ptem/ldterm autopush default. */
STRCLONE_BARE_PTS()

/* Linux's kernel structures (asm-generic/termbits.h), not glibc's. */
struct kterm2 {
	unsigned int c_iflag, c_oflag, c_cflag, c_lflag;
	unsigned char c_line;
	unsigned char c_cc[19];
	unsigned int c_ispeed, c_ospeed;
};
#define K_TCGETS	0x5401
#define K_TCSETS	0x5402
#define K_TCGETS2	0x802c542aUL
#define K_TCSETS2	0x402c542bUL
#define K_TERMIOS_SIZE	36

#ifndef BOTHER
#define BOTHER		0010000
#endif
#define LINE_LIMIT	4096	/* a canonical line: 4095 characters and its terminator */

struct pty {
	int m, s;
	int native;
};

/* A strclone pair with ldterm pushed on the slave; 0 or -errno. */
static int open_strclone(struct pty *p)
{
	p->native = 0;
	p->s = -1;
	p->m = open(PTMX_NODE, O_RDWR | O_NOCTTY);
	if (p->m < 0)
		return -errno;
	if (ioctl(p->m, UNLKPT, 0) < 0)
		return -errno;
	p->s = ioctl(p->m, PTMGETPEER, O_RDWR | O_NOCTTY);
	if (p->s < 0)
		return -errno;
	return push(p->s, "ldterm");
}

/* A native Linux pty pair; 0 or -errno. */
static int open_native(struct pty *p)
{
	p->native = 1;
	return open_native_pty(&p->m, &p->s);
}

static void close_pty(struct pty *p)
{
	if (p->s >= 0)
		close(p->s);
	if (p->m >= 0)
		close(p->m);
}

static int write_all(int fd, const void *b, size_t n)
{
	return write(fd, b, n) == (ssize_t)n ? 0 : -1;
}

/* One read(2) of the slave with a poll first; returns its result. */
static ssize_t read_one(int fd, char *buf, size_t n)
{
	if (!(poll_fd(fd, POLLIN, WAIT_MS) & POLLIN))
		return -2;
	return read(fd, buf, n);
}

#define OPEN_TTY(p) do {						\
	watchdog(WATCHDOG_S);						\
	ASSERT_EQ(0, open_strclone(&(p))) TH_LOG("strclone pair: %s", strerror(errno)); \
} while (0)

#define OPEN_NATIVE(p) do {						\
	ASSERT_EQ(0, open_native(&(p))) TH_LOG("/dev/ptmx pair: %s", strerror(errno)); \
} while (0)

/*
 * The transcript of one exchange on a pair: @mode (if given) applied to the
 * slave, @in written to the master, then what the slave reads (one read of
 * up to 256 bytes per line, lines joined with '|') and what the master
 * reads back (echo). Same function for both kinds of pty.
 */
struct transcript {
	char slave[1024];
	char echo[1024];
	size_t echo_len;
};

static int exchange(struct pty *p, void (*mode)(struct termios *), const char *in, size_t inlen,
		    int lines, struct transcript *t)
{
	struct termios tio;
	size_t off = 0;
	int i;

	memset(t, 0, sizeof(*t));
	if (mode) {
		if (tcgetattr(p->s, &tio))
			return -1;
		mode(&tio);
		if (tcsetattr(p->s, TCSANOW, &tio))
			return -1;
	}
	if (write_all(p->m, in, inlen))
		return -1;
	for (i = 0; i < lines; i++) {
		char b[256];
		ssize_t r = read_one(p->s, b, sizeof(b));

		if (r < 0 || off + r + 1 >= sizeof(t->slave))
			return -1;
		memcpy(t->slave + off, b, r);
		off += r;
		t->slave[off++] = '|';
	}
	t->echo_len = read_quiet(p->m, t->echo, sizeof(t->echo), QUIET_MS);
	return 0;
}

/* Runs @in through a strclone pty and a native one; both transcripts equal. */
#define SAME_AS_NATIVE(mode, in, lines) do {				\
	struct pty a, b;						\
	struct transcript ta, tb;					\
	OPEN_TTY(a);							\
	OPEN_NATIVE(b);							\
	ASSERT_EQ(0, exchange(&a, mode, in, sizeof(in) - 1, lines, &ta)) TH_LOG("strclone: %s", strerror(errno)); \
	ASSERT_EQ(0, exchange(&b, mode, in, sizeof(in) - 1, lines, &tb)) TH_LOG("native: %s", strerror(errno)); \
	EXPECT_STREQ(tb.slave, ta.slave);				\
	EXPECT_EQ(tb.echo_len, ta.echo_len);				\
	EXPECT_EQ(0, memcmp(ta.echo, tb.echo, ta.echo_len < tb.echo_len ? ta.echo_len : tb.echo_len)) \
		TH_LOG("echo differs: strclone %.*s native %.*s", (int)ta.echo_len, ta.echo, \
		       (int)tb.echo_len, tb.echo);			\
	close_pty(&a);							\
	close_pty(&b);							\
} while (0)

TEST(defaults_like_linux)
{
	static const unsigned char cc[17] = {
		3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0,
	};
	struct termios t, n;
	struct kterm2 k2;
	struct pty p, q;
	unsigned char raw[64];
	int len = 0;

	OPEN_TTY(p);
	EXPECT_EQ(1, isatty(p.s));
	EXPECT_EQ(0, isatty(p.m));
	ASSERT_EQ(0, tcgetattr(p.s, &t)) TH_LOG("tcgetattr: %s", strerror(errno));
	EXPECT_EQ((tcflag_t)(ICRNL | IXON), t.c_iflag);
	EXPECT_EQ((tcflag_t)(OPOST | ONLCR), t.c_oflag);
	EXPECT_EQ((tcflag_t)(B38400 | CS8 | CREAD | HUPCL), t.c_cflag);
	EXPECT_EQ((tcflag_t)(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN),
		  t.c_lflag);
	EXPECT_EQ(0, memcmp(cc, t.c_cc, sizeof(cc)));
	EXPECT_EQ(B38400, cfgetospeed(&t));
	/* The native slave has the same modes (its c_cflag lacks HUPCL). */
	OPEN_NATIVE(q);
	ASSERT_EQ(0, tcgetattr(q.s, &n));
	EXPECT_EQ(n.c_iflag, t.c_iflag);
	EXPECT_EQ(n.c_oflag, t.c_oflag);
	EXPECT_EQ(n.c_lflag, t.c_lflag);
	EXPECT_EQ(n.c_cflag | HUPCL, t.c_cflag);
	EXPECT_EQ(0, memcmp(n.c_cc, t.c_cc, 17));
	/* TCGETS2 has the speeds. */
	memset(&k2, 0xa5, sizeof(k2));
	ASSERT_EQ(0, ioctl(p.s, K_TCGETS2, &k2)) TH_LOG("TCGETS2: %s", strerror(errno));
	EXPECT_EQ(38400u, k2.c_ispeed);
	EXPECT_EQ(38400u, k2.c_ospeed);
	EXPECT_EQ(t.c_lflag, k2.c_lflag);
	EXPECT_EQ(0, k2.c_line);
	/* The I_STR form: the structure comes back as the data. */
	memset(raw, 0xa5, sizeof(raw));
	ASSERT_EQ(0, istr(p.s, K_TCGETS, raw, 0, &len)) TH_LOG("I_STR TCGETS: %s", strerror(errno));
	EXPECT_EQ(K_TERMIOS_SIZE, len);
	EXPECT_EQ(0, memcmp(raw, &k2, K_TERMIOS_SIZE));
	close_pty(&p);
	close_pty(&q);
}

TEST(canonical_line_edited)
{
	struct pty p;
	char b[64];
	ssize_t r;

	OPEN_TTY(p);
	/* junk, kill; "helx", erase, "lo", CR (ICRNL makes it NL). */
	ASSERT_EQ(0, write_all(p.m, "junk\025helx\177lo\r", 14));
	r = read_one(p.s, b, sizeof(b));
	ASSERT_EQ(6, r) TH_LOG("read %zd: %s", r, strerror(errno));
	EXPECT_EQ(0, memcmp(b, "hello\n", 6));
	close_pty(&p);
}

TEST(echo_same_as_native)
{
	SAME_AS_NATIVE(NULL, "junk\025helx\177lo\r", 1);
	SAME_AS_NATIVE(NULL, "one two  \027x\026\003y\022\n", 1);
	SAME_AS_NATIVE(NULL, "a\tb\177\177c\n", 1);
	SAME_AS_NATIVE(NULL, "\001\002\177\n", 1);
}

static void eol_semicolon(struct termios *t)
{
	t->c_cc[VEOL] = ';';
	t->c_cc[VEOL2] = '#';
}

static void echonl_only(struct termios *t)
{
	t->c_lflag &= ~ECHO;
	t->c_lflag |= ECHONL;
}

static void kill_no_echoke(struct termios *t)
{
	t->c_lflag &= ~ECHOKE;
}

static void no_echoe_noctl(struct termios *t)
{
	t->c_lflag &= ~(ECHOE | ECHOCTL);
}

static void igncr_istrip(struct termios *t)
{
	t->c_iflag |= IGNCR | ISTRIP;
}

static void inlcr_noicrnl(struct termios *t)
{
	t->c_iflag |= INLCR;
	t->c_iflag &= ~ICRNL;
}

TEST(input_flags_same_as_native)
{
	SAME_AS_NATIVE(NULL, "a\nb\n", 2);		/* one line per read */
	SAME_AS_NATIVE(eol_semicolon, "ab;cd#", 2);
	SAME_AS_NATIVE(NULL, "ab\004", 1);		/* VEOF ends a line without itself */
	SAME_AS_NATIVE(echonl_only, "abc\n", 1);
	SAME_AS_NATIVE(kill_no_echoke, "abc\025d\n", 1);
	SAME_AS_NATIVE(no_echoe_noctl, "abc\177\n", 1);
	SAME_AS_NATIVE(igncr_istrip, "a\r\342\n", 1);
	SAME_AS_NATIVE(inlcr_noicrnl, "q\r\n\r", 0);	/* no terminator: nothing to read */
}

TEST(eof_at_line_start_reads_zero)
{
	struct pty p;
	char b[16];

	OPEN_TTY(p);
	ASSERT_EQ(0, write_all(p.m, "\004", 1));
	EXPECT_EQ(0, read_one(p.s, b, sizeof(b)));
	ASSERT_EQ(0, write_all(p.m, "x\n", 2));
	EXPECT_EQ(2, read_one(p.s, b, sizeof(b)));
	close_pty(&p);
}

/* Output processing: what the slave writes, as the master reads it. */
static int out_transcript(struct pty *p, tcflag_t oflag, const char *out, size_t n, char *got,
			  size_t *gotlen)
{
	struct termios t;

	if (tcgetattr(p->s, &t))
		return -1;
	t.c_oflag = oflag;
	if (tcsetattr(p->s, TCSANOW, &t))
		return -1;
	if (write_all(p->s, out, n))
		return -1;
	*gotlen = read_quiet(p->m, got, 256, QUIET_MS);
	return 0;
}

TEST(output_flags_same_as_native)
{
	static const tcflag_t modes[] = {
		OPOST | ONLCR, 0, OPOST, OPOST | OCRNL, OPOST | OCRNL | ONLRET, OPOST | ONOCR,
		OPOST | ONLCR | TAB3, OPOST | TAB3 | ONOCR, ONLCR | TAB3,
	};
	static const char out[] = "x\ny\r\rab\tc\r\td\b\te\n";
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct pty a, b;
		char ga[256], gb[256];
		size_t la = 0, lb = 0;

		OPEN_TTY(a);
		OPEN_NATIVE(b);
		ASSERT_EQ(0, out_transcript(&a, modes[i], out, sizeof(out) - 1, ga, &la));
		ASSERT_EQ(0, out_transcript(&b, modes[i], out, sizeof(out) - 1, gb, &lb));
		EXPECT_EQ(lb, la) TH_LOG("oflag %o", modes[i]);
		EXPECT_EQ(0, memcmp(ga, gb, la < lb ? la : lb)) TH_LOG("oflag %o", modes[i]);
		close_pty(&a);
		close_pty(&b);
	}
}

TEST(raw_mode_vmin1_passes_bytes_at_once)
{
	struct termios t;
	struct pty p;
	char b[16];

	OPEN_TTY(p);
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	ASSERT_EQ(0, tcsetattr(p.s, TCSANOW, &t));
	ASSERT_EQ(0, write_all(p.m, "a", 1));
	EXPECT_EQ(1, read_one(p.s, b, sizeof(b)));
	EXPECT_EQ('a', b[0]);
	/* No ICRNL, no echo, bytes across writes in one read (byte stream). */
	ASSERT_EQ(0, write_all(p.m, "\r\003", 2));
	ASSERT_EQ(0, write_all(p.m, "z", 1));
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(3, read_one(p.s, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(b, "\r\003z", 3));
	EXPECT_EQ(0, poll_fd(p.m, POLLIN, QUIET_MS));
	/* No OPOST: NL goes out as it is. */
	ASSERT_EQ(0, write_all(p.s, "\n", 1));
	EXPECT_EQ(1, read_one(p.m, b, sizeof(b)));
	EXPECT_EQ('\n', b[0]);
	/* Back to canonical: one line per read again. */
	t.c_lflag |= ICANON;
	ASSERT_EQ(0, tcsetattr(p.s, TCSANOW, &t));
	ASSERT_EQ(0, write_all(p.m, "1\n2\n", 4));
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(2, read_one(p.s, b, sizeof(b)));
	close_pty(&p);
}

TEST(raw_vmin0_reads_zero_at_once)
{
	struct termios t;
	struct pty p, q;
	struct pty *both[2] = { &p, &q };
	char b[16];
	int i;

	OPEN_TTY(p);
	OPEN_NATIVE(q);
	for (i = 0; i < 2; i++) {
		long long t0;

		ASSERT_EQ(0, tcgetattr(both[i]->s, &t));
		t.c_lflag &= ~ICANON;
		t.c_cc[VMIN] = 0;
		t.c_cc[VTIME] = 0;
		ASSERT_EQ(0, tcsetattr(both[i]->s, TCSANOW, &t));
		t0 = now_ms();
		EXPECT_EQ(0, read(both[i]->s, b, sizeof(b))) TH_LOG("native %d", i);
		EXPECT_GT(1000, now_ms() - t0);
		ASSERT_EQ(0, write_all(both[i]->m, "k", 1));
		usleep(QUIET_MS * 1000);
		EXPECT_EQ(1, read(both[i]->s, b, sizeof(b)));
	}
	close_pty(&p);
	close_pty(&q);
}

TEST(huge_vmin_same_as_native)
{
	struct termios t;
	struct pty p, q;
	struct pty *both[2] = { &p, &q };
	char b[300];
	int i, n;

	OPEN_TTY(p);
	OPEN_NATIVE(q);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, tcgetattr(both[i]->s, &t));
		t.c_lflag &= ~(ICANON | ECHO);
		t.c_cc[VMIN] = 255;
		t.c_cc[VTIME] = 0;
		ASSERT_EQ(0, tcsetattr(both[i]->s, TCSANOW, &t));
		ASSERT_EQ(0, write_all(both[i]->m, "0123456789", 10));
		usleep(QUIET_MS * 1000);
		n = -1;
		EXPECT_EQ(0, ioctl(both[i]->s, FIONREAD, &n));
		EXPECT_EQ(10, n) TH_LOG("native %d", i);
		/* min(VMIN, asked) = 4 bytes are there: the read returns them. */
		EXPECT_EQ(4, read(both[i]->s, b, 4)) TH_LOG("native %d", i);
		EXPECT_EQ(0, memcmp(b, "0123", 4));
		EXPECT_EQ(6, read(both[i]->s, b, 6));
		EXPECT_EQ(0, memcmp(b, "456789", 6));
	}
	close_pty(&p);
	close_pty(&q);
}

TEST(fionread_counts_complete_lines)
{
	struct pty p, q;
	struct pty *both[2] = { &p, &q };
	int i, n;

	OPEN_TTY(p);
	OPEN_NATIVE(q);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, write_all(both[i]->m, "abc\nde", 6));
		usleep(QUIET_MS * 1000);
		n = -1;
		ASSERT_EQ(0, ioctl(both[i]->s, FIONREAD, &n)) TH_LOG("%s", strerror(errno));
		EXPECT_EQ(4, n) TH_LOG("native %d", i);
	}
	/* A bad pointer: EFAULT. */
	EXPECT_EQ(-EFAULT, xioctl(p.s, FIONREAD, KERNEL_PTR));
	EXPECT_EQ(-EFAULT, xioctl(p.s, TIOCOUTQ, NULL));
	close_pty(&p);
	close_pty(&q);
}

TEST(tcsetsf_and_tcflush_flush_input)
{
	struct termios t;
	struct pty p;
	char b[16];
	int n;

	OPEN_TTY(p);
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	ASSERT_EQ(0, write_all(p.m, "pending\npart", 12));
	usleep(QUIET_MS * 1000);
	n = -1;
	ASSERT_EQ(0, ioctl(p.s, FIONREAD, &n));
	ASSERT_EQ(8, n);
	ASSERT_EQ(0, tcsetattr(p.s, TCSAFLUSH, &t)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, ioctl(p.s, FIONREAD, &n));
	EXPECT_EQ(0, n);
	/* The partial line went too. */
	ASSERT_EQ(0, write_all(p.m, "x\n", 2));
	EXPECT_EQ(2, read_one(p.s, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(b, "x\n", 2));
	/* tcflush: input, output, both; anything else EINVAL. */
	ASSERT_EQ(0, write_all(p.m, "again\n", 6));
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(0, tcflush(p.s, TCIFLUSH));
	EXPECT_EQ(0, ioctl(p.s, FIONREAD, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, tcflush(p.s, TCOFLUSH));
	EXPECT_EQ(0, tcflush(p.s, TCIOFLUSH));
	EXPECT_EQ(-EINVAL, xioctl(p.s, TCFLSH, (void *)7L));
	EXPECT_EQ(-EINVAL, xioctl(p.s, TCXONC, (void *)9L));
	close_pty(&p);
}

TEST(ixon_stops_output_and_tcsetsw_waits)
{
	struct termios t;
	struct pty p;
	char b[16];
	pid_t pid;
	int n, st;

	OPEN_TTY(p);
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	ASSERT_EQ(0, write_all(p.m, "\023", 1));	/* ^S */
	usleep(QUIET_MS * 1000);
	ASSERT_EQ(0, write_all(p.s, "out", 3));
	EXPECT_EQ(0, poll_fd(p.m, POLLIN, QUIET_MS));
	n = -1;
	EXPECT_EQ(0, ioctl(p.s, TIOCOUTQ, &n));
	EXPECT_EQ(3, n);
	/* TCSETSW waits for the output to drain: a child asks, ^Q lets it go. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(tcsetattr(p.s, TCSADRAIN, &t) ? 1 : 0);
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(0, waitpid(pid, &st, WNOHANG)) TH_LOG("TCSETSW returned before the drain");
	ASSERT_EQ(0, write_all(p.m, "\021", 1));	/* ^Q */
	EXPECT_EQ(3, read_quiet(p.m, b, sizeof(b), QUIET_MS));
	EXPECT_EQ(0, memcmp(b, "out", 3));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* tcflow: TCOOFF/TCOON as ^S/^Q; TCIOFF sends VSTOP to the terminal. */
	EXPECT_EQ(0, tcflow(p.s, TCOOFF));
	ASSERT_EQ(0, write_all(p.s, "o", 1));
	EXPECT_EQ(0, poll_fd(p.m, POLLIN, QUIET_MS));
	EXPECT_EQ(0, tcflow(p.s, TCOON));
	EXPECT_EQ(1, read_quiet(p.m, b, sizeof(b), QUIET_MS));
	EXPECT_EQ(0, tcflow(p.s, TCIOFF));
	EXPECT_EQ(1, read_quiet(p.m, b, sizeof(b), QUIET_MS));
	EXPECT_EQ('\023', b[0]);
	/* tcdrain with nothing queued, a break. */
	EXPECT_EQ(0, tcdrain(p.s));
	EXPECT_EQ(0, tcsendbreak(p.s, 0));
	close_pty(&p);
}

TEST(isig_flushes_and_echoes)
{
	struct pty p;
	char b[16];

	/* Same echo as native: "abc^C"; the test is not in either pty's session. */
	SAME_AS_NATIVE(NULL, "abc\003x\n", 1);
	OPEN_TTY(p);
	ASSERT_EQ(0, write_all(p.m, "abc\003", 4));
	EXPECT_EQ(0, poll_fd(p.s, POLLIN, QUIET_MS));
	ASSERT_EQ(0, write_all(p.m, "\034\032ok\n", 5));
	EXPECT_EQ(3, read_one(p.s, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(b, "ok\n", 3));
	close_pty(&p);
}

/* Waits for a byte on @fd (a child saying it is ready); 0 or -1. */
static int wait_ready(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -1;
}

TEST(isig_signals_the_foreground_group)
{
	struct pty p;
	int ready[2], pg, st, nr;
	pid_t child, other;

	OPEN_TTY(p);
	ASSERT_EQ(0, pipe(ready));
	/* A process group of this session, and one of another session. */
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		setpgid(0, 0);
		(void)!write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	other = fork();
	ASSERT_LE(0, other);
	if (other == 0) {
		setsid();
		(void)!write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	ASSERT_EQ(0, wait_ready(ready[0]));
	ASSERT_EQ(0, wait_ready(ready[0]));
	pg = -1;
	EXPECT_EQ(0, ioctl(p.s, TIOCGPGRP, &pg));
	EXPECT_EQ(0, pg);
	nr = -5;
	EXPECT_EQ(-EINVAL, xioctl(p.s, TIOCSPGRP, &nr));
	nr = 0x3ffffff0;
	EXPECT_EQ(-ESRCH, xioctl(p.s, TIOCSPGRP, &nr));
	EXPECT_EQ(-EPERM, xioctl(p.s, TIOCSPGRP, &other));
	EXPECT_EQ(-EFAULT, xioctl(p.s, TIOCSPGRP, NULL));
	/* The master is no terminal. */
	EXPECT_EQ(-ENOTTY, xioctl(p.m, TIOCSPGRP, &child));
	ASSERT_EQ(0, ioctl(p.s, TIOCSPGRP, &child)) TH_LOG("TIOCSPGRP: %s", strerror(errno));
	EXPECT_EQ(0, ioctl(p.s, TIOCGPGRP, &pg));
	EXPECT_EQ(child, pg);
	/* ^C on the terminal interrupts the group; the other is left alone. */
	ASSERT_EQ(0, write_all(p.m, "\003", 1));
	ASSERT_EQ(child, waitpid(child, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT) TH_LOG("status %#x", st);
	EXPECT_EQ(0, waitpid(other, &st, WNOHANG));
	kill(other, SIGKILL);
	waitpid(other, &st, 0);
	/* The group is gone: ^C now signals nobody, and no error shows. */
	ASSERT_EQ(0, write_all(p.m, "\003ok\n", 4));
	EXPECT_EQ(3, read_one(p.s, (char *)&st, sizeof(st)));
	close(ready[0]);
	close(ready[1]);
	close_pty(&p);
}

TEST(long_line_read_one_byte_at_a_time)
{
	enum { N = 64 * 1024 };
	struct termios t;
	struct pty p;
	char *in = malloc(N + 1);
	size_t got = 0;
	int n;

	ASSERT_NE(NULL, in);
	OPEN_TTY(p);
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	t.c_lflag &= ~ECHO;
	ASSERT_EQ(0, tcsetattr(p.s, TCSANOW, &t));
	for (n = 0; n < N; n++)
		in[n] = 'a' + n % 26;
	in[N] = '\n';
	ASSERT_EQ(0, write_all(p.m, in, N + 1));
	for (;;) {
		char c;
		ssize_t r = read_one(p.s, &c, 1);

		ASSERT_EQ(1, r) TH_LOG("after %zu bytes: %zd", got, r);
		if (c == '\n')
			break;
		ASSERT_EQ(in[got], c) TH_LOG("byte %zu", got);
		got++;
	}
	EXPECT_EQ(LINE_LIMIT - 1, got);
	/* Nothing left, nothing duplicated. */
	EXPECT_EQ(0, ioctl(p.s, FIONREAD, &n));
	EXPECT_EQ(0, n);
	free(in);
	close_pty(&p);
}

TEST(garbage_settings)
{
	struct termios t, g;
	struct kterm2 k;
	struct pty p;
	char b[16];
	int i;

	OPEN_TTY(p);
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	g = t;
	for (i = 0; i < NCCS; i++)
		g.c_cc[i] = 0xff;
	g.c_iflag = g.c_oflag = g.c_lflag = 0xffffffff;
	g.c_lflag &= ~ICANON;
	ASSERT_EQ(0, tcsetattr(p.s, TCSANOW, &g));
	ASSERT_EQ(0, tcgetattr(p.s, &g));
	EXPECT_EQ(0xff, g.c_cc[VMIN]);
	EXPECT_EQ(0xff, g.c_cc[VINTR]);
	EXPECT_EQ(0xffffffffu & ~ICANON, g.c_lflag);
	ASSERT_EQ(0, write_all(p.m, "\377\376\003\r\n", 5));
	usleep(QUIET_MS * 1000);
	ASSERT_EQ(0, tcsetattr(p.s, TCSAFLUSH, &t));
	ASSERT_EQ(0, write_all(p.m, "y\n", 2));
	EXPECT_EQ(2, read_one(p.s, b, sizeof(b)));
	/* Bad pointers: EFAULT, and nothing changed. */
	EXPECT_EQ(-EFAULT, xioctl(p.s, K_TCSETS, KERNEL_PTR));
	EXPECT_EQ(-EFAULT, xioctl(p.s, K_TCGETS, NULL));
	EXPECT_EQ(-EFAULT, xioctl(p.s, K_TCSETS2, (void *)8));
	ASSERT_EQ(0, tcgetattr(p.s, &g));
	EXPECT_EQ(t.c_lflag, g.c_lflag);
	/* I_STR TCSETS with a wrong length: EINVAL; the right one works. */
	memset(&k, 0, sizeof(k));
	EXPECT_EQ(-1, istr(p.s, K_TCSETS, &k, 20, NULL));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ioctl(p.s, K_TCGETS2, &k));
	k.c_lflag &= ~ECHO;
	EXPECT_EQ(0, istr(p.s, K_TCSETS, &k, K_TERMIOS_SIZE, NULL));
	ASSERT_EQ(0, tcgetattr(p.s, &g));
	EXPECT_EQ(t.c_lflag & ~ECHO, g.c_lflag);
	/* TCSETS2 with BOTHER keeps the speed given. */
	k.c_cflag = (k.c_cflag & ~CBAUD) | BOTHER;
	k.c_ispeed = k.c_ospeed = 12345;
	EXPECT_EQ(0, ioctl(p.s, K_TCSETS2, &k));
	memset(&k, 0, sizeof(k));
	EXPECT_EQ(0, ioctl(p.s, K_TCGETS2, &k));
	EXPECT_EQ(12345u, k.c_ospeed);
	close_pty(&p);
}

TEST(after_pop)
{
	struct termios t;
	struct pty p;
	char b[16];

	OPEN_TTY(p);
	ASSERT_EQ(0, pop(p.s));
	EXPECT_EQ(-1, tcgetattr(p.s, &t));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(0, isatty(p.s));
	EXPECT_EQ(-ENOTTY, xioctl(p.s, TCFLSH, (void *)0L));
	EXPECT_EQ(-ENOTTY, xioctl(p.s, FIONREAD, b));
	EXPECT_EQ(-ENOTTY, xioctl(p.s, TIOCGPGRP, b));
	EXPECT_EQ(-1, istr(p.s, K_TCGETS, b, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	/* Bytes pass untouched again, and reads are a byte stream. */
	ASSERT_EQ(0, write_all(p.m, "a\r", 2));
	ASSERT_EQ(0, write_all(p.m, "b\n", 2));
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(4, read_one(p.s, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(b, "a\rb\n", 4));
	ASSERT_EQ(0, write_all(p.s, "\n", 1));
	EXPECT_EQ(1, read_quiet(p.m, b, sizeof(b), QUIET_MS));
	/* Pushed again: a terminal again, with fresh settings. */
	ASSERT_EQ(0, push(p.s, "ldterm"));
	EXPECT_EQ(0, tcgetattr(p.s, &t));
	close_pty(&p);
}

TEST_HARNESS_MAIN
