/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the strclone selftests. Nothing here asserts: the
 * helpers return what they saw and the tests decide.
 *
 * Streams answer asynchronously (a service procedure runs on strclone's
 * workqueue), so every helper that waits for something to arrive polls with
 * a bounded timeout instead of blocking: a broken module makes a test fail,
 * never hang.
 */
#ifndef STRCLONE_UTIL_H
#define STRCLONE_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <linux/strclone.h>

#define ECHO_NODE	"/dev/clone-echo"
#define PTMX_NODE	"/dev/clone-ptmx"

/*
 * Makes @path (mode 0666) a node of the clone major's minor @smajor, that
 * is a clone node for STREAMS major @smajor whether or not a clonable
 * driver is registered there (strclone makes /dev/clone-<name> only for
 * those). The clone major is read off ECHO_NODE. 0 or -errno.
 */
static inline int mk_clone_node(const char *path, unsigned int smajor)
{
	struct stat st;

	if (stat(ECHO_NODE, &st))
		return -errno;
	unlink(path);
	if (mknod(path, S_IFCHR | 0666, makedev(major(st.st_rdev), smajor)))
		return -errno;
	/* mknod() applies the umask. */
	if (chmod(path, 0666))
		return -errno;
	return 0;
}

/* How long anything may take to arrive before a test gives up. */
#define WAIT_MS		5000
/* How long to watch for something that must NOT arrive. */
#define QUIET_MS	300
/* Per-test watchdog (seconds): a hang ends as SIGALRM, i.e. a failure. */
#define WATCHDOG_S	15
/* I_STR timeout the tests use (seconds), shorter than the 15 s default. */
#define ISTR_TIMEOUT	5

/* A kernel address: must never be accepted as a user pointer. */
#define KERNEL_PTR	((void *)0xffffffff81000000UL)

static inline long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Arm the per-test watchdog: SIGALRM with its default action kills the test. */
static inline void watchdog(unsigned int seconds)
{
	signal(SIGALRM, SIG_DFL);
	alarm(seconds);
}

/*
 * poll() one fd; returns revents, 0 on timeout. A failing poll() returns
 * POLLNVAL, a bit no test ever expects, so "revents & POLLIN" stays false.
 */
static inline int poll_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return POLLNVAL;
	return r ? p.revents : 0;
}

/* I_NREAD: returns the message count (or -1) and stores the first one's bytes. */
static inline int nread(int fd, int *bytes)
{
	int b = -12345;
	int r = ioctl(fd, I_NREAD, &b);

	if (bytes)
		*bytes = b;
	return r;
}

/*
 * Wait until at least @want messages are on the head read queue (or the
 * timeout). Returns the last I_NREAD count, -1 if I_NREAD failed.
 */
static inline int wait_nread(int fd, int want, int timeout_ms, int *bytes)
{
	long long end = now_ms() + timeout_ms;
	int n;

	for (;;) {
		n = nread(fd, bytes);
		if (n < 0 || n >= want || now_ms() >= end)
			return n;
		usleep(1000);
	}
}

/* Wait until I_NREAD reports @want messages or fewer. */
static inline int wait_nread_atmost(int fd, int want, int timeout_ms, int *bytes)
{
	long long end = now_ms() + timeout_ms;
	int n;

	for (;;) {
		n = nread(fd, bytes);
		if (n < 0 || n <= want || now_ms() >= end)
			return n;
		usleep(1000);
	}
}

/*
 * Read exactly @len bytes, waiting with poll() before each read(). Returns
 * the bytes read (less than @len on timeout or end of file), or -1 with errno
 * set if a read failed before anything was read.
 */
static inline ssize_t read_exact(int fd, void *buf, size_t len, int timeout_ms)
{
	size_t got = 0;
	long long end = now_ms() + timeout_ms;

	while (got < len) {
		long long left = end - now_ms();
		int rev;
		ssize_t r;

		if (left <= 0)
			break;
		rev = poll_fd(fd, POLLIN, (int)left);
		if (!(rev & POLLIN))
			break;	/* POLLHUP/POLLERR without data */
		r = read(fd, (char *)buf + got, len - got);
		if (r < 0)
			return got ? (ssize_t)got : -1;
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

/* I_STR with the tests' short timeout. *outlen (if given) gets ic_len back. */
static inline int istr_t(int fd, int cmd, void *dp, int len, int timout, int *outlen)
{
	struct strioctl s = {
		.ic_cmd = cmd, .ic_timout = timout, .ic_len = len, .ic_dp = dp,
	};
	int r = ioctl(fd, I_STR, &s);

	if (outlen)
		*outlen = s.ic_len;
	return r;
}

static inline int istr(int fd, int cmd, void *dp, int len, int *outlen)
{
	return istr_t(fd, cmd, dp, len, ISTR_TIMEOUT, outlen);
}

/* An echo command without data (a scratch buffer stands in for ic_dp). */
static inline int echo_cmd(int fd, int cmd)
{
	char scratch[64];

	return istr(fd, cmd, scratch, 0, NULL);
}

static inline int echo_cmd_int(int fd, int cmd, int val)
{
	return istr(fd, cmd, &val, sizeof(val), NULL);
}

static inline int echo_setq(int fd, unsigned int hiwat, unsigned int lowat)
{
	struct echo_qopts q = { .hiwat = hiwat, .lowat = lowat };

	return istr(fd, ECHO_SETQ, &q, sizeof(q), NULL);
}

static inline int set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	return fcntl(fd, F_SETFL, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK));
}

static inline int getdev(int fd, struct strclone_devinfo *di)
{
	di->major = 0xdeadbeef;
	di->minor = 0xdeadbeef;
	return ioctl(fd, STRCLONE_GETDEV, di);
}

/* Byte @i of the test pattern: not periodic in any power of two. */
static inline unsigned char pat(size_t i)
{
	return (unsigned char)((i % 251) ^ (i / 251));
}

static inline void fill_pat(unsigned char *buf, size_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pat(off + i);
}

/* Index of the first byte that differs from the pattern, or -1. */
static inline long check_pat(const unsigned char *buf, size_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pat(off + i))
			return (long)i;
	return -1;
}

/* Tiny putmsg helpers: -1 length means "part absent". */
static inline int putmsg_parts(int fd, const void *ctl, int ctllen,
			       const void *data, int datalen, int flags)
{
	struct strbuf c = { .maxlen = 0, .len = ctllen, .buf = (char *)ctl };
	struct strbuf d = { .maxlen = 0, .len = datalen, .buf = (char *)data };

	return strclone_putmsg(fd, &c, &d, flags);
}

/* ---- module ioctls (modules.c, transparent.c, autopush.c) ------------ */

/* ioctl(); returns its result or -errno. */
static inline int xioctl(int fd, unsigned long cmd, void *arg)
{
	int r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

/* I_PUSH @name; 0 or -errno. */
static inline int push(int fd, const char *name)
{
	return xioctl(fd, I_PUSH, (void *)name);
}

/* I_POP; 0 or -errno. */
static inline int pop(int fd)
{
	return xioctl(fd, I_POP, NULL);
}

/* I_LIST with NULL: modules pushed plus the driver, or -errno. */
static inline int nlist(int fd)
{
	return xioctl(fd, I_LIST, NULL);
}

/* TESTMOD_COUNTS of the testmod instance nearest the head; 0 or -errno. */
static inline int counts(int fd, struct testmod_counts *c)
{
	struct strioctl s = {
		.ic_cmd = TESTMOD_COUNTS, .ic_timout = ISTR_TIMEOUT,
		.ic_len = 0, .ic_dp = (char *)c,
	};

	memset(c, 0xa5, sizeof(*c));
	return xioctl(fd, I_STR, &s);
}

/* "name uses=N" in /sys/kernel/debug/strclone/modules; -1 if absent. */
static inline long uses_of(const char *name)
{
	FILE *f = fopen("/sys/kernel/debug/strclone/modules", "r");
	char line[128], n[32];
	long uses, found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s uses=%ld", n, &uses) == 2 && !strcmp(n, name))
			found = uses;
	fclose(f);
	return found;
}


/*
 * The pts_autopush parameter (Documentation/strclone/terminals.rst,
 * "Autopush default"): while it is on, every new pts slave stream gets
 * ptem, ldterm and ttcompat pushed. Sets it (1 on, 0 off); returns its old value, or
 * -errno if the parameter cannot be read or written (not root, no module).
 */
#define PTS_AUTOPUSH_PARAM STRCLONE_PTS_AUTOPUSH_PARAM

static inline int set_pts_autopush(int on)
{
	char c = 0;
	int fd = open(PTS_AUTOPUSH_PARAM, O_RDWR);
	int old;

	if (fd < 0)
		return -errno;
	if (read(fd, &c, 1) != 1) {
		close(fd);
		return -EIO;
	}
	old = c == 'Y' || c == '1';
	if (pwrite(fd, on ? "Y\n" : "N\n", 2, 0) != 2) {
		old = -errno;
		close(fd);
		return old;
	}
	close(fd);
	return old;
}

/*
 * For a test program whose pts slaves must be bare streams, as they were
 * before the autopush default (its tests push and count modules, and read
 * the master's bytes unprocessed): switches pts_autopush off before any of
 * its tests runs, or exits with status 1 (a broken setup is a failure,
 * testing.rst). It stays off after the program (the next program that
 * cares sets it); ptem.c tests the default itself.
 */
#define STRCLONE_BARE_PTS()						\
static void __attribute__((constructor)) strclone_bare_pts(void)	\
{									\
	int r = set_pts_autopush(0);					\
									\
	if (r < 0) {							\
		printf("# cannot switch pts_autopush off: %s\n",	\
		       strerror(-r));					\
		exit(1);						\
	}								\
}

/*
 * A native Linux pty pair (/dev/ptmx, n_tty), both ends O_NOCTTY, for the
 * terminal tests' side-by-side comparisons: 0 with *m and *s open, or
 * -errno (*s is -1 then; *m may be open).
 */
static inline int open_native_pty(int *m, int *s)
{
	char name[64];

	*s = -1;
	*m = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (*m < 0)
		return -errno;
	if (grantpt(*m) || unlockpt(*m) || ptsname_r(*m, name, sizeof(name)))
		return -errno;
	*s = open(name, O_RDWR | O_NOCTTY);
	return *s < 0 ? -errno : 0;
}

/*
 * Everything @fd has to read until it stays quiet for @quiet_ms (at most
 * @max bytes, at most WAIT_MS in all); returns the bytes read.
 */
static inline size_t read_quiet(int fd, char *buf, size_t max, int quiet_ms)
{
	size_t got = 0;
	long long end = now_ms() + WAIT_MS;

	while (got < max && now_ms() < end) {
		ssize_t r;

		if (!(poll_fd(fd, POLLIN, quiet_ms) & POLLIN))
			break;
		r = read(fd, buf + got, max - got);
		if (r <= 0)
			break;
		got += r;
	}
	return got;
}

#endif /* STRCLONE_UTIL_H */
