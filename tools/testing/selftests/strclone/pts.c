// SPDX-License-Identifier: GPL-2.0
/*
 * The pts driver (STREAMS major 24): the slave nodes /dev/strpts/N, their
 * lifetime (made by PTMGETPTN or GRANTPT, gone when the pair's minor is
 * freed), PTMGETPTN, GRANTPT's owner, group and mode (as root and as uid
 * 1000), the open errnos (illumos' ptsopen: ENXIO without a pair, EAGAIN
 * while locked or without a master; EIO once the slave closed), one slave
 * stream per pair whichever way it is opened, and autopush by the pts major.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"
#include "rel_util.h"

/* Bare pts slaves: these tests predate the ptem/ldterm autopush default. */
STRCLONE_BARE_PTS()

#define PTS_DIR		"/dev/strpts"
#define SAD_ADMIN	"/dev/sad/admin"
#define TTY_GID_PARAM	"/sys/module/strclone/parameters/tty_gid"
#define USER_UID	1000
#define NOBODY_UID	65534

static int open_master(void)
{
	return open(PTMX_NODE, O_RDWR | O_NOCTTY);
}

static unsigned int minor_of(int fd)
{
	struct strclone_devinfo di;

	if (getdev(fd, &di) < 0)
		return 0xffffffffu;
	return di.minor;
}

static unsigned int major_of(int fd)
{
	struct strclone_devinfo di;

	if (getdev(fd, &di) < 0)
		return 0xffffffffu;
	return di.major;
}

/* PTMGETPTN, and the node path it names, in @path. -errno on failure. */
static int ptsname_of(int m, char *path, size_t len)
{
	unsigned int n = 0xdeadbeef;

	if (ioctl(m, PTMGETPTN, &n) < 0)
		return -errno;
	snprintf(path, len, PTS_DIR "/%u", n);
	return (int)n;
}

static void path_of_minor(unsigned int n, char *path, size_t len)
{
	snprintf(path, len, PTS_DIR "/%u", n);
}

/* open() that returns the errno (0 on success, closing the fd). */
static int open_errno(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* open=<n> of the pts target in debugfs targets; -1 if absent. */
static long pts_open_count(void)
{
	char buf[4096], *p;
	long n = read_text(DBG_TARGETS, buf, sizeof(buf));

	if (n < 0)
		return -1;
	p = strstr(buf, "24 pts not-clonable open=");
	return p ? strtol(p + strlen("24 pts not-clonable open="), NULL, 10) : -1;
}

/* Writes @msg on @w and reads it back, whole, on @r. */
static int crosses(int w, int r, const char *msg)
{
	char buf[64];
	size_t len = strlen(msg);

	if (write(w, msg, len) != (ssize_t)len)
		return 0;
	if (read_exact(r, buf, len, WAIT_MS) != (ssize_t)len)
		return 0;
	return memcmp(buf, msg, len) == 0;
}

/* ---- the node and PTMGETPTN ------------------------------------------------ */

TEST(ptmgetptn_names_the_node_it_makes)
{
	char path[64];
	struct stat st;
	int m, n;

	watchdog(WATCHDOG_S);
	m = open_master();
	ASSERT_LE(0, m);
	path_of_minor(minor_of(m), path, sizeof(path));
	/* Made lazily: a pair nobody asked the name of has no node. */
	EXPECT_EQ(-1, stat(path, &st));
	EXPECT_EQ(ENOENT, errno);
	n = ptsname_of(m, path, sizeof(path));
	ASSERT_LE(0, n) TH_LOG("PTMGETPTN: %s", strerror(-n));
	EXPECT_EQ(minor_of(m), (unsigned int)n);
	ASSERT_EQ(0, stat(path, &st)) TH_LOG("stat %s: %s", path, strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ((unsigned int)n, minor(st.st_rdev));
	/* Before GRANTPT: the opener's, 0600. */
	EXPECT_EQ(0600, st.st_mode & 07777) TH_LOG("mode %o", st.st_mode & 07777);
	EXPECT_EQ(geteuid(), st.st_uid);
	EXPECT_EQ(getegid(), st.st_gid);
	/* Asking again changes nothing. */
	EXPECT_EQ(n, ptsname_of(m, path, sizeof(path)));
	close(m);
	EXPECT_EQ(-1, stat(path, &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST(ptmgetptn_errnos)
{
	char path[64];
	int m, s;

	watchdog(WATCHDOG_S);
	m = open_master();
	ASSERT_LE(0, m);
	EXPECT_EQ(-1, ioctl(m, PTMGETPTN, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(m, PTMGETPTN, KERNEL_PTR));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, ioctl(m, ISPTM, 0));
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	ASSERT_LE(0, ptsname_of(m, path, sizeof(path)));
	s = open(path, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s) TH_LOG("open %s: %s", path, strerror(errno));
	/* The master's commands are not a slave's. */
	EXPECT_EQ(-ENOTTY, ptsname_of(s, path, sizeof(path)));
	EXPECT_EQ(-1, ioctl(s, ISPTM, 0));
	EXPECT_EQ(ENOTTY, errno);
	close(s);
	close(m);
}

TEST(node_open_errnos_follow_the_pair)
{
	char path[64];
	struct stat st;
	int m, s, s2;

	watchdog(WATCHDOG_S);
	m = open_master();
	ASSERT_LE(0, m);
	ASSERT_LE(0, ptsname_of(m, path, sizeof(path)));
	/* Locked: EAGAIN (illumos ptsopen). */
	EXPECT_EQ(EAGAIN, open_errno(path, O_RDWR | O_NOCTTY));
	EXPECT_EQ(EAGAIN, open_errno(path, O_RDWR | O_NONBLOCK));
	/* The failed opens left the pair as it was: it still opens. */
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	s = open(path, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s) TH_LOG("open %s: %s", path, strerror(errno));
	EXPECT_EQ(STRCLONE_PTS_MAJOR, major_of(s));
	EXPECT_EQ(minor_of(m), minor_of(s));
	ASSERT_EQ(0, fstat(s, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_TRUE(crosses(m, s, "down"));
	EXPECT_TRUE(crosses(s, m, "up"));
	/* O_DIRECT is refused before anything is made. */
	EXPECT_EQ(EINVAL, open_errno(path, O_RDWR | O_DIRECT));
	EXPECT_TRUE(crosses(m, s, "still"));
	/* The master closes: the slave hangs up, the node stays (the minor is
	 * held by the slave), and opening it fails EAGAIN (no master). */
	close(m);
	EXPECT_EQ(0, stat(path, &st));
	EXPECT_EQ(EAGAIN, open_errno(path, O_RDWR | O_NOCTTY));
	s2 = open(path, O_RDONLY);
	EXPECT_EQ(-1, s2);
	if (s2 >= 0)
		close(s2);
	EXPECT_EQ(-1, write(s, "x", 1));
	EXPECT_EQ(EIO, errno);
	close(s);
	/* Both closed: the node is gone with the minor. */
	EXPECT_EQ(-1, stat(path, &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST(node_open_after_slave_closed_eio)
{
	char path[64];
	int m, s;

	watchdog(WATCHDOG_S);
	m = open_master();
	ASSERT_LE(0, m);
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	ASSERT_LE(0, ptsname_of(m, path, sizeof(path)));
	s = open(path, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s);
	close(s);
	/* The pair is finished: neither path gives a slave again. */
	EXPECT_EQ(EIO, open_errno(path, O_RDWR | O_NOCTTY));
	EXPECT_EQ(-1, ioctl(m, PTMGETPEER, O_RDWR));
	EXPECT_EQ(EIO, errno);
	close(m);
	EXPECT_EQ(ENOENT, open_errno(path, O_RDWR));
}

TEST(unnamed_or_freed_pair_enxio)
{
	char node[] = "/tmp/pts-enxio.XXXXXX";
	char path[64];
	struct stat st;
	unsigned int maj;
	int m1, m2, fd, s;

	watchdog(WATCHDOG_S);
	m1 = open_master();
	ASSERT_LE(0, m1);
	ASSERT_LE(0, ptsname_of(m1, path, sizeof(path)));
	ASSERT_EQ(0, stat(path, &st));
	maj = major(st.st_rdev);
	/* A second pair, whose name nobody asked for: no node, and a node of
	 * its own made by hand does not reach it. */
	m2 = open_master();
	ASSERT_LE(0, m2);
	ASSERT_EQ(0, ioctl(m2, UNLKPT, 0));
	fd = mkstemp(node);
	ASSERT_LE(0, fd);
	close(fd);
	unlink(node);
	ASSERT_EQ(0, mknod(node, S_IFCHR | 0600, makedev(maj, minor_of(m2))))
		TH_LOG("mknod: %s", strerror(errno));
	EXPECT_EQ(ENXIO, open_errno(node, O_RDWR));
	/* Named: the same device, wherever its node is. */
	ASSERT_LE(0, ptsname_of(m2, path, sizeof(path)));
	s = open(node, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s) TH_LOG("open %s: %s", node, strerror(errno));
	EXPECT_EQ(minor_of(m2), minor_of(s));
	EXPECT_TRUE(crosses(m2, s, "by hand"));
	close(s);
	close(m2);
	/* Freed: ENXIO again. */
	EXPECT_EQ(ENXIO, open_errno(node, O_RDWR));
	unlink(node);
	close(m1);
}

TEST(node_gone_before_the_minor_is_reused)
{
	char path[64], path2[64];
	struct stat st;
	int m, m2, s;

	watchdog(WATCHDOG_S);
	m = open_master();
	ASSERT_LE(0, m);
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	ASSERT_EQ(0, ioctl(m, GRANTPT, 0));
	ASSERT_LE(0, ptsname_of(m, path, sizeof(path)));
	s = ioctl(m, PTMGETPEER, O_RDWR);
	ASSERT_LE(0, s);
	close(s);
	close(m);
	/* The next pair gets the same (lowest free) minor, and no node until
	 * its name is asked for: nothing stale leads to it. */
	m2 = open_master();
	ASSERT_LE(0, m2);
	path_of_minor(minor_of(m2), path2, sizeof(path2));
	EXPECT_STREQ(path, path2);
	EXPECT_EQ(-1, stat(path2, &st));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_LE(0, ptsname_of(m2, path2, sizeof(path2)));
	ASSERT_EQ(0, stat(path2, &st));
	/* Not granted: the opener's mode again, not the last pair's 0620. */
	EXPECT_EQ(0600, st.st_mode & 07777);
	close(m2);
}

/* ---- one slave stream per pair ---------------------------------------------- */

TEST(second_open_and_ptmgetpeer_share_the_stream)
{
	char path[64], buf[16];
	long before;
	int m, a, b, c, n;

	watchdog(WATCHDOG_S);
	before = pts_open_count();
	ASSERT_LE(0, before);
	m = open_master();
	ASSERT_LE(0, m);
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	ASSERT_LE(0, ptsname_of(m, path, sizeof(path)));
	a = open(path, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, a);
	b = open(path, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, b);
	c = ioctl(m, PTMGETPEER, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, c);
	/* One slave stream, three files. */
	EXPECT_EQ(before + 1, pts_open_count());
	EXPECT_EQ(STRCLONE_PTS_MAJOR, major_of(c));
	/* One head: what the master wrote is seen by all three, once. */
	ASSERT_EQ(6, write(m, "abcdef", 6));
	ASSERT_EQ(1, wait_nread(b, 6, WAIT_MS, &n));
	EXPECT_EQ(6, n);
	EXPECT_EQ(2, read(a, buf, 2));
	ASSERT_EQ(1, wait_nread(c, 4, WAIT_MS, &n));
	EXPECT_EQ(4, n);
	EXPECT_EQ(4, read(b, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "cdef", 4));
	EXPECT_EQ(0, nread(c, &n));
	/* And each writes to the one master. */
	EXPECT_TRUE(crosses(a, m, "a"));
	EXPECT_TRUE(crosses(b, m, "b"));
	EXPECT_TRUE(crosses(c, m, "c"));
	/* The stream lives until its last file closes. */
	close(a);
	close(c);
	EXPECT_TRUE(crosses(m, b, "alive"));
	close(b);
	EXPECT_EQ(before, pts_open_count());
	close(m);
}

TEST(ptmgetpeer_first_then_node)
{
	char path[64], buf[8];
	int m, s, t, n;

	watchdog(WATCHDOG_S);
	m = open_master();
	ASSERT_LE(0, m);
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	/* Written before any slave: waits, then reaches the one made. */
	ASSERT_EQ(3, write(m, "pre", 3));
	s = ioctl(m, PTMGETPEER, O_RDWR);
	ASSERT_LE(0, s);
	ASSERT_LE(0, ptsname_of(m, path, sizeof(path)));
	t = open(path, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, t);
	ASSERT_EQ(1, wait_nread(t, 3, WAIT_MS, &n));
	EXPECT_EQ(3, n);
	EXPECT_EQ(1, nread(s, &n));
	EXPECT_EQ(3, n);
	EXPECT_EQ(3, read_exact(s, buf, 3, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "pre", 3));
	close(s);
	EXPECT_TRUE(crosses(m, t, "x"));
	close(t);
	close(m);
}

/* ---- GRANTPT ---------------------------------------------------------------- */

static int set_tty_gid(int gid)
{
	return write_textf(TTY_GID_PARAM, "%d", gid);
}

TEST(grantpt_as_root)
{
	char path[64];
	struct stat st;
	int m, s;

	watchdog(WATCHDOG_S);
	ASSERT_LE(0, set_tty_gid(-1));
	m = open_master();
	ASSERT_LE(0, m);
	/* GRANTPT first: it makes the node, already granted. */
	ASSERT_EQ(0, ioctl(m, GRANTPT, 0));
	path_of_minor(minor_of(m), path, sizeof(path));
	ASSERT_EQ(0, stat(path, &st)) TH_LOG("stat %s: %s", path, strerror(errno));
	EXPECT_EQ(0620, st.st_mode & 07777) TH_LOG("mode %o", st.st_mode & 07777);
	EXPECT_EQ(0u, st.st_uid);
	EXPECT_EQ(getgid(), st.st_gid);
	/* With the tty group named, GRANTPT gives it (the node is remade). */
	ASSERT_LE(0, set_tty_gid(5));
	ASSERT_EQ(0, ioctl(m, GRANTPT, 0));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(5u, st.st_gid);
	EXPECT_EQ(0620, st.st_mode & 07777);
	ASSERT_LE(0, set_tty_gid(-1));
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	s = open(path, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s);
	EXPECT_TRUE(crosses(m, s, "granted"));
	close(s);
	close(m);
}

/* Child bodies: return 0 when every check passed. */
#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# uid %d: ", getuid());		\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		return 1;						\
	}								\
} while (0)

struct grant_arg {
	int m;
	char path[64];
};

static int as_user(uid_t uid, int (*fn)(struct grant_arg *), struct grant_arg *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		alarm(30);
		if (drop_to(uid)) {
			fprintf(stderr, "# cannot drop to uid %d: %s\n", uid, strerror(errno));
			_exit(100);
		}
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int refused(struct grant_arg *a)
{
	CHECK(open_errno(a->path, O_RDWR | O_NOCTTY) == EACCES, "open %s not EACCES", a->path);
	return 0;
}

static int user_grants_and_opens(struct grant_arg *a)
{
	struct stat st;
	int s;

	CHECK(ioctl(a->m, GRANTPT, 0) == 0, "GRANTPT: %s", strerror(errno));
	CHECK(stat(a->path, &st) == 0, "stat %s: %s", a->path, strerror(errno));
	CHECK(st.st_uid == USER_UID, "owner %u", st.st_uid);
	CHECK(st.st_gid == USER_UID, "group %u", st.st_gid);
	CHECK((st.st_mode & 07777) == 0620, "mode %o", st.st_mode & 07777);
	s = open(a->path, O_RDWR | O_NOCTTY);
	CHECK(s >= 0, "open %s: %s", a->path, strerror(errno));
	CHECK(write(s, "u", 1) == 1, "write: %s", strerror(errno));
	close(s);
	return 0;
}

static int user_opens_own_pair(struct grant_arg *a)
{
	char path[64];
	struct stat st;
	unsigned int n;
	int m, s;

	(void)a;
	m = open_master();
	CHECK(m >= 0, "open master: %s", strerror(errno));
	CHECK(ioctl(m, PTMGETPTN, &n) == 0, "PTMGETPTN: %s", strerror(errno));
	path_of_minor(n, path, sizeof(path));
	/* Before GRANTPT the node is already the opener's (0600). */
	CHECK(stat(path, &st) == 0 && st.st_uid == USER_UID && (st.st_mode & 07777) == 0600,
	      "node %s: uid %u mode %o", path, st.st_uid, st.st_mode & 07777);
	CHECK(ioctl(m, GRANTPT, 0) == 0, "GRANTPT: %s", strerror(errno));
	CHECK(ioctl(m, UNLKPT, 0) == 0, "UNLKPT: %s", strerror(errno));
	s = open(path, O_RDWR | O_NOCTTY);
	CHECK(s >= 0, "open %s: %s", path, strerror(errno));
	CHECK(write(m, "hi", 2) == 2, "write master");
	CHECK(read_exact(s, path, 2, WAIT_MS) == 2, "read slave");
	close(s);
	close(m);
	CHECK(stat(path, &st) == -1 && errno == ENOENT, "node left behind");
	return 0;
}

TEST(grantpt_as_user)
{
	struct grant_arg a;
	struct stat st;
	int rc;

	watchdog(30);
	ASSERT_LE(0, set_tty_gid(-1));
	a.m = open_master();
	ASSERT_LE(0, a.m);
	ASSERT_EQ(0, ioctl(a.m, UNLKPT, 0));
	ASSERT_LE(0, ptsname_of(a.m, a.path, sizeof(a.path)));
	/* Root's until granted: uid 1000 cannot open it. */
	EXPECT_EQ(0, as_user(USER_UID, refused, &a));
	/* uid 1000, holding the master, grants it to itself and opens it. */
	EXPECT_EQ(0, as_user(USER_UID, user_grants_and_opens, &a));
	/* Group write only: nobody else may read it. */
	EXPECT_EQ(0, as_user(NOBODY_UID, refused, &a));
	ASSERT_EQ(0, stat(a.path, &st));
	EXPECT_EQ((uid_t)USER_UID, st.st_uid);
	close(a.m);
	/* A pair uid 1000 opens itself. */
	rc = as_user(USER_UID, user_opens_own_pair, &a);
	EXPECT_EQ(0, rc);
}

TEST(grantpt_takes_the_real_uid)
{
	char path[64];
	struct stat st;
	int m, status;
	pid_t pid;

	watchdog(WATCHDOG_S);
	m = open_master();
	ASSERT_LE(0, m);
	path_of_minor(minor_of(m), path, sizeof(path));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Real uid 1000, effective root (a set-uid program). */
		if (setresuid(USER_UID, 0, 0))
			_exit(2);
		_exit(ioctl(m, GRANTPT, 0) ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ((uid_t)USER_UID, st.st_uid);
	close(m);
}

/* ---- autopush by the pts major ----------------------------------------------- */

static int sad_sap(int fd, unsigned int cmd, unsigned int major, const char *mod)
{
	struct strapush s;

	memset(&s, 0, sizeof(s));
	s.sap_cmd = cmd;
	s.sap_major = major;
	if (mod) {
		strncpy(s.sap_list[0], mod, FMNAMESZ);
		s.sap_npush = 1;
	}
	return xioctl(fd, SAD_SAP, &s);
}

TEST(autopush_applies_to_slave_opens)
{
	char path[64], name[FMNAMESZ + 1];
	int ad, m, s, t, u, h, n;

	watchdog(WATCHDOG_S);
	ad = open(SAD_ADMIN, O_RDWR);
	ASSERT_LE(0, ad);
	sad_sap(ad, SAP_CLEAR, STRCLONE_PTS_MAJOR, NULL);
	ASSERT_EQ(0, sad_sap(ad, SAP_ALL, STRCLONE_PTS_MAJOR, "testmod"));
	m = open_master();
	ASSERT_LE(0, m);
	/* The master (major 23) is not configured. */
	EXPECT_EQ(1, nlist(m));
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	ASSERT_LE(0, ptsname_of(m, path, sizeof(path)));
	s = open(path, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s);
	EXPECT_EQ(2, nlist(s));
	EXPECT_EQ(1, ioctl(s, I_FIND, "testmod"));
	ASSERT_EQ(0, ioctl(s, I_LOOK, name));
	EXPECT_STREQ("testmod", name);
	/* The second open joins it: nothing pushed twice. */
	t = open(path, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, t);
	EXPECT_EQ(2, nlist(t));
	u = ioctl(m, PTMGETPEER, O_RDWR);
	ASSERT_LE(0, u);
	EXPECT_EQ(2, nlist(u));
	EXPECT_TRUE(crosses(m, t, "through testmod"));
	close(s);
	close(t);
	close(u);
	close(m);

	/* PTMGETPEER's new slave gets the modules as well. */
	m = open_master();
	ASSERT_LE(0, m);
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	u = ioctl(m, PTMGETPEER, O_RDWR);
	ASSERT_LE(0, u);
	EXPECT_EQ(2, nlist(u));
	close(u);
	close(m);

	/* A refused push fails the open and leaves the pair as it was. */
	h = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, xioctl(h, I_PUSH, "testmod"));
	m = open_master();
	ASSERT_LE(0, m);
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	ASSERT_LE(0, ptsname_of(m, path, sizeof(path)));
	n = ENOLINK;
	ASSERT_EQ(0, istr(h, TESTMOD_REFUSE_PUSH, &n, sizeof(n), NULL));
	EXPECT_EQ(ENOLINK, open_errno(path, O_RDWR | O_NOCTTY));
	s = open(path, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s) TH_LOG("the pair did not survive: %s", strerror(errno));
	EXPECT_EQ(2, nlist(s));
	EXPECT_TRUE(crosses(m, s, "intact"));
	close(s);
	close(m);
	close(h);
	EXPECT_EQ(0, sad_sap(ad, SAP_CLEAR, STRCLONE_PTS_MAJOR, NULL));
	close(ad);
}

TEST_HARNESS_MAIN
