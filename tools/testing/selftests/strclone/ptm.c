// SPDX-License-Identifier: GPL-2.0
/*
 * The ptm target (/dev/clone-ptmx, STREAMS major 23) and its slave side:
 * locking, PTMGETPEER, data and flow control in both directions, M_FLUSH
 * crossing over, hangup on either side's last close, and minor lifetime.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"

/* Bare pts slaves: these tests predate the ptem/ldterm autopush default. */
STRCLONE_BARE_PTS()

#define PTMAJOR_NODE	"/dev/ptmajor"
#define CHUNK		1024
#define MAX_WRITES	1000

static int open_master(void)
{
	return open(PTMX_NODE, O_RDWR | O_NOCTTY);
}

static int get_slave(int m)
{
	return ioctl(m, PTMGETPEER, O_RDWR | O_NOCTTY);
}

static unsigned int minor_of(int fd)
{
	struct strclone_devinfo di;

	if (getdev(fd, &di) < 0)
		return 0xffffffffu;
	return di.minor;
}

/* An unlocked master and its slave. */
#define OPEN_PAIR(m, s) do {						\
	watchdog(WATCHDOG_S);						\
	m = open_master();						\
	ASSERT_LE(0, m) TH_LOG("open %s: %s", PTMX_NODE, strerror(errno)); \
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0)) TH_LOG("UNLKPT: %s", strerror(errno)); \
	s = get_slave(m);						\
	ASSERT_LE(0, s) TH_LOG("PTMGETPEER: %s", strerror(errno));	\
} while (0)

TEST(ptmajor_node_open_einval)
{
	struct stat st;
	int fd;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, stat(PTMAJOR_NODE, &st)) TH_LOG("stat %s: %s", PTMAJOR_NODE, strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777) TH_LOG("mode %o", st.st_mode & 07777);
	fd = open(PTMAJOR_NODE, O_RDWR);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EINVAL, errno);
	if (fd >= 0)
		close(fd);
}

TEST(new_master_is_locked)
{
	int m, s;

	watchdog(WATCHDOG_S);
	m = open_master();
	ASSERT_LE(0, m) TH_LOG("open %s: %s", PTMX_NODE, strerror(errno));
	EXPECT_EQ(-1, get_slave(m));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	s = get_slave(m);
	ASSERT_LE(0, s) TH_LOG("PTMGETPEER: %s", strerror(errno));
	EXPECT_NE(m, s);
	EXPECT_EQ(O_RDWR, fcntl(s, F_GETFL) & O_ACCMODE);
	close(s);
	close(m);
}

TEST(getpeer_bad_flags_einval)
{
	int m, s;

	OPEN_PAIR(m, s);
	EXPECT_EQ(-1, ioctl(m, PTMGETPEER, O_RDWR | O_CREAT));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(m, PTMGETPEER, O_CREAT));
	EXPECT_EQ(EINVAL, errno);
	close(s);
	close(m);
}

TEST(isptm_master_only)
{
	int m, s;

	OPEN_PAIR(m, s);
	EXPECT_EQ(0, ioctl(m, ISPTM, 0));
	EXPECT_EQ(-1, ioctl(s, ISPTM, 0));
	EXPECT_EQ(ENOTTY, errno);
	close(s);
	close(m);
}

TEST(grantpt_succeeds)
{
	int m;

	watchdog(WATCHDOG_S);
	m = open_master();
	ASSERT_LE(0, m) TH_LOG("open %s: %s", PTMX_NODE, strerror(errno));
	EXPECT_EQ(0, ioctl(m, GRANTPT, 0)) TH_LOG("GRANTPT: %s", strerror(errno));
	EXPECT_EQ(0, ioctl(m, UNLKPT, 0));
	close(m);
}

TEST(slave_getdev_matches_master)
{
	struct strclone_devinfo dm, ds;
	int m, s;

	OPEN_PAIR(m, s);
	ASSERT_EQ(0, getdev(m, &dm));
	ASSERT_EQ(0, getdev(s, &ds));
	EXPECT_EQ(STRCLONE_PTM_MAJOR, dm.major);
	/* The slave is the pts driver's minor of the same number. */
	EXPECT_EQ(STRCLONE_PTS_MAJOR, ds.major);
	EXPECT_EQ(dm.minor, ds.minor);
	close(s);
	close(m);
}

TEST(data_both_ways)
{
	char buf[64];
	int m, s;

	OPEN_PAIR(m, s);
	ASSERT_EQ(8, write(m, "to-slave", 8));
	ASSERT_EQ(8, read_exact(s, buf, 8, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "to-slave", 8));

	ASSERT_EQ(9, write(s, "to-master", 9));
	ASSERT_EQ(9, read_exact(m, buf, 9, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "to-master", 9));

	/* Several writes arrive in order and nothing else does. */
	ASSERT_EQ(3, write(m, "abc", 3));
	ASSERT_EQ(3, write(m, "def", 3));
	ASSERT_EQ(6, read_exact(s, buf, 6, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "abcdef", 6));
	EXPECT_EQ(0, poll_fd(m, POLLIN, 0) & POLLIN);
	EXPECT_EQ(0, poll_fd(s, POLLIN, QUIET_MS) & POLLIN);
	close(s);
	close(m);
}

/*
 * @w writes without blocking while @r does not read, until EAGAIN; then @r
 * reads everything and @w can write again.
 */
static void flow_one_way(struct __test_metadata *_metadata, int w, int r)
{
	unsigned char buf[CHUNK], *all;
	long total = 0;
	int writes = 0, eagains = 0, full = 0, rev;

	ASSERT_EQ(0, set_nonblock(w, 1));
	EXPECT_EQ(1, ioctl(w, I_CANPUT, 0));
	for (int iter = 0; iter < 2 * MAX_WRITES && writes < MAX_WRITES; iter++) {
		ssize_t n;

		fill_pat(buf, total, CHUNK);
		n = write(w, buf, CHUNK);
		if (n < 0) {
			ASSERT_EQ(EAGAIN, errno) TH_LOG("write #%d: %s", writes, strerror(errno));
			eagains++;
			/*
			 * Full for good, or did the service procedures just
			 * lag behind? Once the peer's read side is full too,
			 * nothing drains and POLLOUT stays off.
			 */
			rev = poll_fd(w, POLLOUT | POLLWRNORM, QUIET_MS);
			if (!(rev & (POLLOUT | POLLWRNORM))) {
				full = 1;
				break;
			}
			continue;
		}
		writes++;
		total += n;
	}
	ASSERT_TRUE(full) TH_LOG("still writable after %d writes of %d bytes (%d EAGAIN)",
				 writes, CHUNK, eagains);
	TH_LOG("full after %d writes, %ld bytes, %d EAGAIN", writes, total, eagains);
	EXPECT_EQ(-1, write(w, buf, CHUNK));
	EXPECT_EQ(EAGAIN, errno);
	rev = poll_fd(w, POLLOUT | POLLWRNORM, 0);
	EXPECT_EQ(0, rev & (POLLOUT | POLLWRNORM)) TH_LOG("revents 0x%x", rev);
	EXPECT_EQ(0, ioctl(w, I_CANPUT, 0));

	/* The peer reads everything: intact, in order. */
	all = malloc(total);
	ASSERT_NE(NULL, all);
	ASSERT_EQ(total, read_exact(r, all, total, 3 * WAIT_MS));
	EXPECT_EQ(-1, check_pat(all, 0, total));
	free(all);
	EXPECT_EQ(0, poll_fd(r, POLLIN, QUIET_MS) & POLLIN);

	/* The writer is released. */
	rev = poll_fd(w, POLLOUT | POLLWRNORM, WAIT_MS);
	EXPECT_EQ(POLLOUT | POLLWRNORM, rev & (POLLOUT | POLLWRNORM)) TH_LOG("revents 0x%x", rev);
	fill_pat(buf, 0, CHUNK);
	ASSERT_EQ(CHUNK, write(w, buf, CHUNK));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(CHUNK, read_exact(r, buf, CHUNK, WAIT_MS));
	EXPECT_EQ(-1, check_pat(buf, 0, CHUNK));
}

TEST(flow_control_master_to_slave)
{
	int m, s;

	OPEN_PAIR(m, s);
	flow_one_way(_metadata, m, s);
	close(s);
	close(m);
}

TEST(flow_control_slave_to_master)
{
	int m, s;

	OPEN_PAIR(m, s);
	flow_one_way(_metadata, s, m);
	close(s);
	close(m);
}

/* Data written on @w is pending at @r; I_FLUSH(FLUSHW) on @w flushes it at @r. */
static void flush_crosses(struct __test_metadata *_metadata, int w, int r)
{
	char buf[16];
	int b, n;

	ASSERT_EQ(7, write(w, "pending", 7));
	n = wait_nread(r, 1, WAIT_MS, &b);
	ASSERT_LE(1, n);
	ASSERT_LT(0, b);
	ASSERT_EQ(0, ioctl(w, I_FLUSH, FLUSHW));
	b = -1;
	EXPECT_EQ(0, wait_nread_atmost(r, 0, WAIT_MS, &b));
	EXPECT_EQ(0, b);
	EXPECT_EQ(0, poll_fd(r, POLLIN, 0) & POLLIN);

	/* Data written afterwards still gets through, and only that. */
	ASSERT_EQ(5, write(w, "fresh", 5));
	ASSERT_EQ(5, read_exact(r, buf, 5, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "fresh", 5));
}

TEST(flush_crosses_master_to_slave)
{
	int m, s;

	OPEN_PAIR(m, s);
	flush_crosses(_metadata, m, s);
	close(s);
	close(m);
}

TEST(flush_crosses_slave_to_master)
{
	int m, s;

	OPEN_PAIR(m, s);
	flush_crosses(_metadata, s, m);
	close(s);
	close(m);
}

/* @fd's peer went away after sending "last words": drain, EOF, EIO. */
static void check_hung_up(struct __test_metadata *_metadata, int fd)
{
	char buf[64];
	int rev;

	rev = poll_fd(fd, POLLPRI, WAIT_MS);
	ASSERT_TRUE(rev & POLLHUP) TH_LOG("revents 0x%x", rev);
	rev = poll_fd(fd, POLLIN | POLLOUT | POLLWRNORM, 0);
	EXPECT_TRUE(rev & POLLHUP) TH_LOG("revents 0x%x", rev);
	EXPECT_EQ(0, rev & (POLLOUT | POLLWRNORM)) TH_LOG("revents 0x%x", rev);
	/* What was queued before the hangup is read first... */
	EXPECT_EQ(10, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "last words", 10));
	/* ...then end of file. */
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EIO, errno);
}

TEST(master_close_hangs_up_slave)
{
	int m, s;

	OPEN_PAIR(m, s);
	ASSERT_EQ(10, write(m, "last words", 10));
	ASSERT_LE(1, wait_nread(s, 1, WAIT_MS, NULL));
	ASSERT_EQ(0, close(m));
	check_hung_up(_metadata, s);
	close(s);
}

TEST(slave_close_hangs_up_master)
{
	int m, s;

	OPEN_PAIR(m, s);
	ASSERT_EQ(10, write(s, "last words", 10));
	ASSERT_LE(1, wait_nread(m, 1, WAIT_MS, NULL));
	ASSERT_EQ(0, close(s));
	check_hung_up(_metadata, m);
	/* No slave to get any more. */
	EXPECT_EQ(-1, get_slave(m));
	EXPECT_EQ(EIO, errno);
	close(m);
}

TEST(master_hangup_waits_for_last_slave)
{
	char buf[16];
	int m, s1, s2;

	OPEN_PAIR(m, s1);
	s2 = get_slave(m);
	ASSERT_LE(0, s2) TH_LOG("second PTMGETPEER: %s", strerror(errno));
	ASSERT_EQ(0, close(s1));
	/* One slave is still open: no hangup, data still flows. */
	EXPECT_EQ(0, poll_fd(m, POLLPRI, QUIET_MS) & POLLHUP);
	ASSERT_EQ(2, write(m, "hi", 2));
	ASSERT_EQ(2, read_exact(s2, buf, 2, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "hi", 2));
	ASSERT_EQ(10, write(s2, "last words", 10));
	ASSERT_LE(1, wait_nread(m, 1, WAIT_MS, NULL));
	/* The last one goes. */
	ASSERT_EQ(0, close(s2));
	check_hung_up(_metadata, m);
	EXPECT_EQ(-1, get_slave(m));
	EXPECT_EQ(EIO, errno);
	close(m);
}

TEST(minor_not_reused_while_a_side_is_open)
{
	unsigned int a, b, c;
	int ma, mb, mc, s;

	OPEN_PAIR(ma, s);
	a = minor_of(ma);
	ASSERT_NE(0xffffffffu, a);
	EXPECT_EQ(a, minor_of(s));
	ASSERT_EQ(0, close(ma));

	/* The slave still holds minor a. */
	mb = open_master();
	ASSERT_LE(0, mb) TH_LOG("open: %s", strerror(errno));
	b = minor_of(mb);
	EXPECT_NE(a, b);
	EXPECT_NE(0xffffffffu, b);

	/* Both sides of a are closed now: a is the lowest free minor again. */
	ASSERT_EQ(0, close(s));
	mc = open_master();
	ASSERT_LE(0, mc) TH_LOG("open: %s", strerror(errno));
	c = minor_of(mc);
	EXPECT_EQ(a, c);
	close(mc);
	close(mb);
}

static int open_unlocked(int *m)
{
	*m = open(PTMX_NODE, O_RDWR);
	if (*m < 0)
		return -1;
	return ioctl(*m, UNLKPT, 0);
}

TEST(getpeer_honours_access_mode)
{
	int m, ro, wo;
	char c;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, open_unlocked(&m));
	ro = ioctl(m, PTMGETPEER, O_RDONLY);
	ASSERT_LE(0, ro) TH_LOG("PTMGETPEER O_RDONLY: %s", strerror(errno));
	wo = ioctl(m, PTMGETPEER, O_WRONLY);
	ASSERT_LE(0, wo) TH_LOG("PTMGETPEER O_WRONLY: %s", strerror(errno));
	EXPECT_EQ(O_RDONLY, fcntl(ro, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(O_WRONLY, fcntl(wo, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(-1, write(ro, "x", 1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, read(wo, &c, 1));
	EXPECT_EQ(EBADF, errno);
	/* Both are the same slave stream: written on wo, read on the master. */
	ASSERT_EQ(1, write(wo, "s", 1));
	ASSERT_EQ(1, read_exact(m, &c, 1, WAIT_MS));
	EXPECT_EQ('s', c);
	ASSERT_EQ(1, write(m, "m", 1));
	ASSERT_EQ(1, read_exact(ro, &c, 1, WAIT_MS));
	EXPECT_EQ('m', c);
	close(ro);
	close(wo);
	close(m);
}

TEST(getpeer_emfile_leaves_pair_intact)
{
	struct rlimit old, tight;
	int m, s;
	char c;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, open_unlocked(&m));
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	/* No descriptor above m may be allocated. */
	tight.rlim_cur = m + 1;
	tight.rlim_max = old.rlim_max;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &tight));
	EXPECT_EQ(-1, ioctl(m, PTMGETPEER, O_RDWR));
	EXPECT_EQ(EMFILE, errno);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	/* The failure hung nothing up: the slave opens and data flows. */
	EXPECT_EQ(0, poll_fd(m, POLLHUP, 0) & POLLHUP);
	s = ioctl(m, PTMGETPEER, O_RDWR);
	ASSERT_LE(0, s) TH_LOG("PTMGETPEER after EMFILE: %s", strerror(errno));
	ASSERT_EQ(1, write(m, "a", 1));
	ASSERT_EQ(1, read_exact(s, &c, 1, WAIT_MS));
	EXPECT_EQ('a', c);
	close(s);
	close(m);
}

TEST(grant_decides_who_gets_the_slave)
{
	int m, status;
	pid_t pid;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, open_unlocked(&m));
	/* Root may always open the slave; hold it so the pair stays up. */
	int held = ioctl(m, PTMGETPEER, O_RDWR);

	ASSERT_LE(0, held);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* An unprivileged holder of the master is not the owner... */
		if (setgid(1000) || setuid(1000))
			_exit(10);
		if (ioctl(m, PTMGETPEER, O_RDWR) != -1 || errno != EACCES)
			_exit(11);
		/* ...until it is granted the slave. */
		if (ioctl(m, GRANTPT, 0) != 0)
			_exit(12);
		if (ioctl(m, PTMGETPEER, O_RDWR) < 0)
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child step %d failed", WEXITSTATUS(status));
	/* The owner is now uid 1000, and root may still open it. */
	int s = ioctl(m, PTMGETPEER, O_RDWR);

	EXPECT_LE(0, s) TH_LOG("root PTMGETPEER: %s", strerror(errno));
	close(s);
	close(held);
	close(m);
}

struct peer_race {
	int m;
	int fd;
	int err;
};

static void *getpeer_thread(void *arg)
{
	struct peer_race *r = arg;

	r->fd = ioctl(r->m, PTMGETPEER, O_RDWR);
	r->err = r->fd < 0 ? errno : 0;
	return NULL;
}

TEST(concurrent_first_getpeer_shares_one_slave)
{
	for (int round = 0; round < 50; round++) {
		struct peer_race r[2];
		pthread_t t[2];
		int m;
		char c;

		watchdog(WATCHDOG_S);
		ASSERT_EQ(0, open_unlocked(&m));
		for (int i = 0; i < 2; i++) {
			r[i].m = m;
			ASSERT_EQ(0, pthread_create(&t[i], NULL, getpeer_thread, &r[i]));
		}
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		ASSERT_LE(0, r[0].fd) TH_LOG("round %d: %s", round, strerror(r[0].err));
		ASSERT_LE(0, r[1].fd) TH_LOG("round %d: %s", round, strerror(r[1].err));
		/* One slave stream: what the master writes is read once, on either fd. */
		ASSERT_EQ(1, write(m, "q", 1));
		ASSERT_EQ(1, read_exact(r[round & 1].fd, &c, 1, WAIT_MS));
		EXPECT_EQ(0, poll_fd(m, POLLHUP, 0) & POLLHUP);
		close(r[0].fd);
		close(r[1].fd);
		close(m);
	}
}

TEST_HARNESS_MAIN
