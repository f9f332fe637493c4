// SPDX-License-Identifier: GPL-2.0
/*
 * Permissions and isolation. Started as root; the parts that matter run in
 * child processes that have dropped every privilege (setgroups(0),
 * setresgid/setresuid to 1000 "user" or 65534 "nobody"):
 *
 *  - /dev/ptmajor and /dev/strlog (0600) cannot be opened by other users;
 *  - /dev/conslog (0222) is write-only: users may write to it, nobody may
 *    open it for reading;
 *  - the clone nodes (0666) work for any user;
 *  - a slave belongs to the owner of its pair: only the owner, or root, gets
 *    it with PTMGETPEER; GRANTPT makes the caller the owner;
 *  - one stream's data never reaches another stream, also between users;
 *  - debugfs (and so strclone's control files) is root-only, module
 *    parameters are read-only.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"
#include "rel_util.h"

/* Bare pts slaves: these tests predate the ptem/ldterm autopush default. */
STRCLONE_BARE_PTS()

#define PTMAJOR_NODE	"/dev/ptmajor"
#define STRLOG_NODE	"/dev/strlog"
#define CONSLOG_NODE	"/dev/conslog"
#define CLONE_STRLOG	"/tmp/perms-clone-21"	/* mk_clone_node() */
#define USER_UID	1000
#define NOBODY_UID	65534

#define DROP_TO(uid) ASSERT_EQ(0, drop_to(uid)) TH_LOG("cannot drop to uid %d: %s", uid, strerror(errno))

/* open() that returns the errno (0 on success, closing the fd). */
static int open_errno(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/*
 * Runs @fn(@arg) in a child process with uid @uid; returns its exit status
 * (0: every check in it passed). The child reports what failed on stderr.
 */
static int as_user(uid_t uid, int (*fn)(void *), void *arg)
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

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# uid %d: ", getuid());		\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		return 1;						\
	}								\
} while (0)

static void expect_mode(struct __test_metadata *_metadata, const char *path, mode_t mode)
{
	struct stat st;

	ASSERT_EQ(0, stat(path, &st)) TH_LOG("stat %s: %s", path, strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(mode, st.st_mode & 07777) TH_LOG("%s: mode %o", path, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
}

/* ---- nodes -------------------------------------------------------------- */

TEST(ptmajor_is_root_only)
{
	watchdog(WATCHDOG_S);
	expect_mode(_metadata, PTMAJOR_NODE, 0600);
	/* root passes the permission check and ptm refuses the plain open. */
	EXPECT_EQ(EINVAL, open_errno(PTMAJOR_NODE, O_RDWR));
	DROP_TO(USER_UID);
	EXPECT_EQ(EACCES, open_errno(PTMAJOR_NODE, O_RDWR));
	EXPECT_EQ(EACCES, open_errno(PTMAJOR_NODE, O_RDONLY));
	EXPECT_EQ(EACCES, open_errno(PTMAJOR_NODE, O_WRONLY));
}

TEST(strlog_is_root_only)
{
	watchdog(WATCHDOG_S);
	expect_mode(_metadata, STRLOG_NODE, 0600);
	EXPECT_EQ(0, open_errno(STRLOG_NODE, O_RDWR));
	DROP_TO(NOBODY_UID);
	/* So no user can register as a log reader and read other users' logs. */
	EXPECT_EQ(EACCES, open_errno(STRLOG_NODE, O_RDWR));
	EXPECT_EQ(EACCES, open_errno(STRLOG_NODE, O_RDONLY));
}

TEST(conslog_is_write_only)
{
	int fd;

	watchdog(WATCHDOG_S);
	expect_mode(_metadata, CONSLOG_NODE, 0222);
	/* Even root cannot read it: the log refuses read access. */
	EXPECT_EQ(EINVAL, open_errno(CONSLOG_NODE, O_RDONLY));
	EXPECT_EQ(EINVAL, open_errno(CONSLOG_NODE, O_RDWR));
	DROP_TO(USER_UID);
	EXPECT_EQ(EACCES, open_errno(CONSLOG_NODE, O_RDONLY));
	EXPECT_EQ(EACCES, open_errno(CONSLOG_NODE, O_RDWR));
	fd = open(CONSLOG_NODE, O_WRONLY);
	ASSERT_LE(0, fd) TH_LOG("user open of conslog for writing: %s", strerror(errno));
	EXPECT_EQ(13, write(fd, "from uid 1000", 13));
	EXPECT_EQ(-1, read(fd, &fd, 1));
	EXPECT_EQ(EBADF, errno);
	close(fd);
}

static int user_clone_nodes(void *arg)
{
	char buf[32];
	int m, s, e;

	(void)arg;
	m = open(PTMX_NODE, O_RDWR);
	CHECK(m >= 0, "open %s: %s", PTMX_NODE, strerror(errno));
	CHECK(ioctl(m, UNLKPT, 0) == 0, "UNLKPT: %s", strerror(errno));
	/* The opener owns the pair: no GRANTPT needed for its own slave. */
	s = ioctl(m, PTMGETPEER, O_RDWR);
	CHECK(s >= 0, "PTMGETPEER on its own master: %s", strerror(errno));
	CHECK(write(m, "ping", 4) == 4 && read_exact(s, buf, 4, WAIT_MS) == 4 &&
	      !memcmp(buf, "ping", 4), "master to slave");
	CHECK(write(s, "pong", 4) == 4 && read_exact(m, buf, 4, WAIT_MS) == 4 &&
	      !memcmp(buf, "pong", 4), "slave to master");
	close(s);
	close(m);
	e = open(ECHO_NODE, O_RDWR);
	CHECK(e >= 0, "open %s: %s", ECHO_NODE, strerror(errno));
	CHECK(write(e, "echo", 4) == 4 && read_exact(e, buf, 4, WAIT_MS) == 4 &&
	      !memcmp(buf, "echo", 4), "echo");
	close(e);
	CHECK(open_errno(CLONE_STRLOG, O_RDWR) == ENXIO, "open %s is not ENXIO", CLONE_STRLOG);
	return 0;
}

TEST(clone_nodes_work_for_any_user)
{
	watchdog(WATCHDOG_S);
	expect_mode(_metadata, PTMX_NODE, 0666);
	expect_mode(_metadata, ECHO_NODE, 0666);
	ASSERT_EQ(0, mk_clone_node(CLONE_STRLOG, STRCLONE_LOG_MAJOR));
	EXPECT_EQ(0, as_user(USER_UID, user_clone_nodes, NULL));
	EXPECT_EQ(0, as_user(NOBODY_UID, user_clone_nodes, NULL));
}

/* ---- the slave belongs to its owner --------------------------------------- */

struct pair_arg {
	int m;
	int expect;	/* errno expected from PTMGETPEER, 0 for success */
	int grant;	/* GRANTPT first */
};

static int user_getpeer(void *p)
{
	struct pair_arg *a = p;
	char buf[8];
	int s;

	if (a->grant)
		CHECK(ioctl(a->m, GRANTPT, 0) == 0, "GRANTPT: %s", strerror(errno));
	s = ioctl(a->m, PTMGETPEER, O_RDWR);
	if (a->expect) {
		CHECK(s < 0 && errno == a->expect, "PTMGETPEER gave %d (%s), expected %s", s,
		      s < 0 ? strerror(errno) : "a slave", errname(a->expect));
		return 0;
	}
	CHECK(s >= 0, "PTMGETPEER: %s", strerror(errno));
	CHECK(write(s, "mine", 4) == 4, "slave write: %s", strerror(errno));
	CHECK(read_exact(a->m, buf, 4, WAIT_MS) == 4 && !memcmp(buf, "mine", 4),
	      "data from the granted slave");
	close(s);
	return 0;
}

TEST(slave_belongs_to_its_owner)
{
	struct pair_arg a;
	int s;

	watchdog(WATCHDOG_S * 2);
	/* The pair's owner is the opener's effective uid: 1000. */
	ASSERT_EQ(0, setresuid(-1, USER_UID, 0));
	a.m = open(PTMX_NODE, O_RDWR);
	ASSERT_EQ(0, setresuid(0, 0, 0));
	ASSERT_LE(0, a.m) TH_LOG("open as euid 1000: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(a.m, UNLKPT, 0));
	/*
	 * Root always may; its slave fd stays open throughout, so that the
	 * pair does not hang up when a child's slave fd closes: each further
	 * PTMGETPEER is one more fd on this slave stream.
	 */
	s = ioctl(a.m, PTMGETPEER, O_RDWR);
	ASSERT_LE(0, s) TH_LOG("root PTMGETPEER: %s", strerror(errno));

	/* The owner gets the slave... */
	a.expect = 0;
	a.grant = 0;
	EXPECT_EQ(0, as_user(USER_UID, user_getpeer, &a)) TH_LOG("owner 1000 was refused its slave");
	/* ...another user holding the master fd does not... */
	a.expect = EACCES;
	EXPECT_EQ(0, as_user(NOBODY_UID, user_getpeer, &a)) TH_LOG("uid 65534 got 1000's slave");
	/* ...until GRANTPT makes it the owner... */
	a.expect = 0;
	a.grant = 1;
	EXPECT_EQ(0, as_user(NOBODY_UID, user_getpeer, &a)) TH_LOG("GRANTPT did not give the slave");
	/* ...and then the former owner is refused. */
	a.expect = EACCES;
	a.grant = 0;
	EXPECT_EQ(0, as_user(USER_UID, user_getpeer, &a)) TH_LOG("former owner still got the slave");
	/* Root still may, whoever the owner is. */
	a.expect = 0;
	ASSERT_EQ(0, user_getpeer(&a));
	/* Once every slave fd is closed the pair is finished for everyone. */
	close(s);
	s = ioctl(a.m, PTMGETPEER, O_RDWR);
	EXPECT_EQ(-1, s) TH_LOG("PTMGETPEER after the last slave fd closed");
	EXPECT_EQ(EIO, errno);
	close(a.m);
}

/* ---- isolation -------------------------------------------------------------- */

#define ISO_STREAMS	6	/* 3 echo streams and 3 ptm pairs per user */
#define ISO_ROUNDS	60

/* Writes tagged messages on every stream and reads back exactly its own. */
static int user_isolated(void *arg)
{
	int tag = (int)(long)arg;
	int wfd[ISO_STREAMS], rfd[ISO_STREAMS];
	char out[64], in[64];

	for (int i = 0; i < ISO_STREAMS; i++) {
		if (i < ISO_STREAMS / 2) {
			wfd[i] = rfd[i] = open(ECHO_NODE, O_RDWR);
			CHECK(wfd[i] >= 0, "open echo: %s", strerror(errno));
		} else {
			wfd[i] = open(PTMX_NODE, O_RDWR);
			CHECK(wfd[i] >= 0 && !ioctl(wfd[i], UNLKPT, 0), "open ptmx: %s",
			      strerror(errno));
			rfd[i] = ioctl(wfd[i], PTMGETPEER, O_RDWR);
			CHECK(rfd[i] >= 0, "PTMGETPEER: %s", strerror(errno));
		}
	}
	for (int r = 0; r < ISO_ROUNDS; r++) {
		for (int i = 0; i < ISO_STREAMS; i++) {
			int n = snprintf(out, sizeof(out), "<uid %d stream %d round %04d>", tag, i, r);

			CHECK(write(wfd[i], out, n) == n, "write: %s", strerror(errno));
		}
		for (int i = 0; i < ISO_STREAMS; i++) {
			int n = snprintf(out, sizeof(out), "<uid %d stream %d round %04d>", tag, i, r);

			CHECK(read_exact(rfd[i], in, n, WAIT_MS) == n && !memcmp(in, out, n),
			      "stream %d round %d: expected \"%s\", got \"%.*s\"", i, r, out, n, in);
		}
	}
	/* Nothing else arrived anywhere. */
	for (int i = 0; i < ISO_STREAMS; i++) {
		CHECK(!(poll_fd(rfd[i], POLLIN, 50) & POLLIN), "stream %d has foreign data", i);
		if (i >= ISO_STREAMS / 2)
			CHECK(!(poll_fd(wfd[i], POLLIN, 0) & POLLIN), "master %d has foreign data", i);
	}
	return 0;
}

TEST(streams_are_isolated_between_users)
{
	pid_t pids[3];
	const uid_t uids[3] = { USER_UID, NOBODY_UID, 0 };

	watchdog(60);
	/* Three users at once, interleaving on the same targets. */
	for (int i = 0; i < 3; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			alarm(50);
			if (uids[i] && drop_to(uids[i]))
				_exit(100);
			_exit(user_isolated((void *)(long)uids[i]));
		}
	}
	for (int i = 0; i < 3; i++) {
		int status = -1;

		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("uid %d: status %#x", uids[i], status);
	}
}

/* ---- control files ------------------------------------------------------------ */

TEST(debugfs_is_root_only)
{
	char buf[256];

	watchdog(WATCHDOG_S);
	ASSERT_LE(0, read_text(DBG_TARGETS, buf, sizeof(buf))) TH_LOG("root cannot read targets");
	DROP_TO(USER_UID);
	EXPECT_EQ(EACCES, open_errno(DBG_STREAMS, O_RDONLY));
	EXPECT_EQ(EACCES, open_errno(DBG_TARGETS, O_RDONLY));
	EXPECT_EQ(EACCES, open_errno(DBG_REGISTER, O_WRONLY));
	EXPECT_EQ(EACCES, open_errno(DBG_UNREGISTER, O_WRONLY));
	/* Not even the directory can be looked at. */
	EXPECT_EQ(-1, access(DBG_DIR, F_OK));
	EXPECT_EQ(EACCES, errno);
}

TEST(module_parameters_are_read_only)
{
	static const char *const params[] = {
		"/sys/module/strclone/parameters/pt_cnt",
		"/sys/module/strclone/parameters/log_cnt",
	};
	struct stat st;
	char buf[32];

	watchdog(WATCHDOG_S);
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, stat(params[i], &st)) TH_LOG("%s: %s", params[i], strerror(errno));
		EXPECT_EQ(0444, st.st_mode & 07777) TH_LOG("%s: mode %o", params[i], st.st_mode & 07777);
	}
	DROP_TO(USER_UID);
	for (int i = 0; i < 2; i++) {
		EXPECT_LT(0, read_text(params[i], buf, sizeof(buf)));
		EXPECT_EQ(EACCES, open_errno(params[i], O_WRONLY));
	}
}

TEST_HARNESS_MAIN
