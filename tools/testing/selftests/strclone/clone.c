// SPDX-License-Identifier: GPL-2.0
/*
 * The clone driver: every open of /dev/clone-<name> is routed through the
 * major-indexed clone table to a registered target, which hands out a fresh
 * minor (the lowest free one).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"

#define STRLOG_CLONE_NODE	"/dev/clone-strlog"
#define DBG_DIR			"/sys/kernel/debug/strclone"
#define DBG_REGISTER		DBG_DIR "/register"
#define DBG_UNREGISTER		DBG_DIR "/unregister"

/* Write @val to a debugfs control file: 0 on a complete write, else -errno. */
static int dbg_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t r;
	int fd, e;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	r = write(fd, val, len);
	e = errno;
	close(fd);
	if (r < 0)
		return -e;
	return (size_t)r == len ? 0 : -EMSGSIZE;
}

#define PT_CNT_PARAM	"/sys/module/strclone/parameters/pt_cnt"

/* pt_cnt of the loaded module (1 or more), or -1 if it cannot be read. */
static int module_pt_cnt(void)
{
	FILE *f = fopen(PT_CNT_PARAM, "r");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v > 0 ? v : -1;
}

TEST(ptmx_node_is_char_device_0666)
{
	struct stat st;

	ASSERT_EQ(0, stat(PTMX_NODE, &st)) TH_LOG("stat %s: %s", PTMX_NODE, strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777) TH_LOG("mode %o", st.st_mode & 07777);
}

TEST(opens_get_distinct_minors)
{
	int n = 64, pt_cnt = module_pt_cnt();
	int fd[64];
	unsigned int minor[64];
	struct strclone_devinfo di;

	watchdog(WATCHDOG_S);
	/* strclone always has the parameter: not finding it is a failure. */
	ASSERT_LT(0, pt_cnt) TH_LOG("cannot read %s", PT_CNT_PARAM);
	if (pt_cnt < n) {
		TH_LOG("pt_cnt=%d: opening only %d masters", pt_cnt, pt_cnt);
		n = pt_cnt;
	}
	for (int i = 0; i < n; i++) {
		fd[i] = open(PTMX_NODE, O_RDWR | O_NOCTTY);
		ASSERT_LE(0, fd[i]) TH_LOG("open #%d: %s", i, strerror(errno));
		ASSERT_EQ(0, getdev(fd[i], &di));
		EXPECT_EQ(STRCLONE_PTM_MAJOR, di.major);
		minor[i] = di.minor;
		for (int j = 0; j < i; j++) {
			EXPECT_NE(minor[j], minor[i])
				TH_LOG("opens %d and %d both got minor %u", j, i, minor[i]);
		}
	}
	for (int i = 0; i < n; i++) {
		EXPECT_EQ(0, close(fd[i]));
	}
}

TEST(lowest_free_minor_is_reused)
{
	struct strclone_devinfo di;
	unsigned int minor[8];
	int fd[8], again;

	watchdog(WATCHDOG_S);
	for (int i = 0; i < 8; i++) {
		fd[i] = open(PTMX_NODE, O_RDWR | O_NOCTTY);
		ASSERT_LE(0, fd[i]) TH_LOG("open #%d: %s", i, strerror(errno));
		ASSERT_EQ(0, getdev(fd[i], &di));
		minor[i] = di.minor;
		/* Each open takes the lowest free minor: they go up. */
		if (i > 0) {
			EXPECT_LT(minor[i - 1], minor[i]);
		}
	}
	/* Free one in the middle: it is now the lowest free minor. */
	ASSERT_EQ(0, close(fd[3]));
	again = open(PTMX_NODE, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, again) TH_LOG("open: %s", strerror(errno));
	ASSERT_EQ(0, getdev(again, &di));
	EXPECT_EQ(minor[3], di.minor);
	fd[3] = again;

	/* And the next open goes past the highest one in use. */
	again = open(PTMX_NODE, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, again) TH_LOG("open: %s", strerror(errno));
	ASSERT_EQ(0, getdev(again, &di));
	EXPECT_LT(minor[7], di.minor);
	close(again);
	for (int i = 0; i < 8; i++)
		close(fd[i]);
}

/* Does /proc/self/fdinfo/<fd> contain the line @line (with its newline)? */
static int fdinfo_has(int fd, const char *line, char *dump, size_t dumpsz)
{
	char path[64], buf[4096];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY);
	if (f < 0)
		return -errno;
	/* Leading newline so the first line matches like the others. */
	buf[0] = '\n';
	n = read(f, buf + 1, sizeof(buf) - 2);
	close(f);
	if (n < 0)
		return -EIO;
	buf[n + 1] = 0;
	snprintf(dump, dumpsz, "%s", buf + 1);
	return strstr(buf, line) != NULL;
}

TEST(fdinfo_shows_major_and_minor)
{
	struct strclone_devinfo di;
	char line[64], dump[4096];
	int fd;

	watchdog(WATCHDOG_S);
	fd = open(PTMX_NODE, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, fd) TH_LOG("open: %s", strerror(errno));
	ASSERT_EQ(0, getdev(fd, &di));
	ASSERT_EQ(STRCLONE_PTM_MAJOR, di.major);

	snprintf(line, sizeof(line), "\nstrclone-major:\t%d\n", STRCLONE_PTM_MAJOR);
	EXPECT_EQ(1, fdinfo_has(fd, line, dump, sizeof(dump))) TH_LOG("fdinfo:\n%s", dump);
	snprintf(line, sizeof(line), "\nstrclone-minor:\t%u\n", di.minor);
	EXPECT_EQ(1, fdinfo_has(fd, line, dump, sizeof(dump))) TH_LOG("fdinfo:\n%s", dump);
	close(fd);
}

TEST(strlog_is_not_clonable)
{
	static const char node[] = "/tmp/clone-21";
	struct stat st;
	int fd;

	watchdog(WATCHDOG_S);
	/* Only a clonable driver gets its clone node... */
	EXPECT_EQ(-1, stat(STRLOG_CLONE_NODE, &st));
	EXPECT_EQ(ENOENT, errno);
	/* ...and an open of the clone minor of a driver that is not fails. */
	ASSERT_EQ(0, mk_clone_node(node, STRCLONE_LOG_MAJOR));
	fd = open(node, O_RDWR);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENXIO, errno);
	if (fd >= 0)
		close(fd);
	/* So does one of an empty slot. */
	ASSERT_EQ(0, mk_clone_node(node, 99));
	fd = open(node, O_RDWR);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENXIO, errno);
	if (fd >= 0)
		close(fd);
	unlink(node);
}

/*
 * Tests that unregister the echo target put it back from the parent, even
 * when the test died half-way.
 */
FIXTURE(table) {
	int unused;
};

FIXTURE_SETUP(table)
{
	struct stat st;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, stat(DBG_REGISTER, &st)) TH_LOG("%s: %s", DBG_REGISTER, strerror(errno));
	ASSERT_EQ(0, stat(DBG_UNREGISTER, &st)) TH_LOG("%s: %s", DBG_UNREGISTER, strerror(errno));
}

FIXTURE_TEARDOWN_PARENT(table)
{
	/* EBUSY when it is registered already: that is fine. */
	dbg_write(DBG_REGISTER, "72");
}

TEST_F(table, nodes_follow_registration)
{
	struct strclone_devinfo di;
	struct stat st, ptmx;
	char buf[16], via[64];
	int old, fd, path;

	/* One clone major; the minor is the target's STREAMS major. */
	ASSERT_EQ(0, stat(ECHO_NODE, &st)) TH_LOG("%s: %s", ECHO_NODE, strerror(errno));
	ASSERT_EQ(0, stat(PTMX_NODE, &ptmx)) TH_LOG("%s: %s", PTMX_NODE, strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(STRCLONE_ECHO_MAJOR, minor(st.st_rdev));
	EXPECT_EQ(STRCLONE_PTM_MAJOR, minor(ptmx.st_rdev));
	EXPECT_EQ(major(st.st_rdev), major(ptmx.st_rdev));

	old = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, old) TH_LOG("open %s: %s", ECHO_NODE, strerror(errno));
	/* A handle on the node itself, to open it after it is gone. */
	path = open(ECHO_NODE, O_PATH);
	ASSERT_LE(0, path) TH_LOG("O_PATH %s: %s", ECHO_NODE, strerror(errno));
	snprintf(via, sizeof(via), "/proc/self/fd/%d", path);

	ASSERT_EQ(0, dbg_write(DBG_UNREGISTER, "72"));
	/* The node went with the registration... */
	fd = open(ECHO_NODE, O_RDWR);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENOENT, errno);
	if (fd >= 0)
		close(fd);
	/* ...and an open that reached the device anyway finds no target. */
	fd = open(via, O_RDWR);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENXIO, errno);
	if (fd >= 0)
		close(fd);
	close(path);

	/* The stream opened before keeps working. */
	ASSERT_EQ(5, write(old, "still", 5));
	ASSERT_EQ(5, read_exact(old, buf, 5, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "still", 5));
	memcpy(buf, "ab", 2);
	EXPECT_EQ(2, istr(old, ECHO_REVERSE, buf, 2, NULL));
	EXPECT_EQ(0, memcmp(buf, "ba", 2));
	ASSERT_EQ(0, getdev(old, &di));
	EXPECT_EQ(STRCLONE_ECHO_MAJOR, di.major);

	/* Registered again, the clone node opens again. */
	ASSERT_EQ(0, dbg_write(DBG_REGISTER, "72"));
	fd = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("open after register: %s", strerror(errno));
	ASSERT_EQ(0, getdev(fd, &di));
	EXPECT_EQ(STRCLONE_ECHO_MAJOR, di.major);
	ASSERT_EQ(3, write(fd, "new", 3));
	ASSERT_EQ(3, read_exact(fd, buf, 3, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "new", 3));
	close(fd);

	/* The old stream survived all of that. */
	ASSERT_EQ(3, write(old, "old", 3));
	ASSERT_EQ(3, read_exact(old, buf, 3, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "old", 3));
	close(old);
}

TEST_F(table, bad_register_values)
{
	static const char *const bad[] = { "abc", "999", "256", "-1" };
	int fd;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, dbg_write(DBG_REGISTER, bad[i])) TH_LOG("register '%s'", bad[i]);
		EXPECT_EQ(-EINVAL, dbg_write(DBG_UNREGISTER, bad[i])) TH_LOG("unregister '%s'", bad[i]);
	}
	/* Registering a major that is registered already. */
	EXPECT_EQ(-EBUSY, dbg_write(DBG_REGISTER, "72"));
	EXPECT_EQ(-EBUSY, dbg_write(DBG_REGISTER, "23"));
	EXPECT_EQ(-EBUSY, dbg_write(DBG_REGISTER, "72\n"));

	/* Nothing of that disturbed the table. */
	fd = open(ECHO_NODE, O_RDWR);
	EXPECT_LE(0, fd) TH_LOG("open %s: %s", ECHO_NODE, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* ---- concurrency ------------------------------------------------------ */

#define THREADS		4
/*
 * 4 x 10,000 by default: about 14 s on a 2-vCPU TCG guest of a quiet host,
 * but each cycle waits for wakeups on both vCPUs, so another VM on the
 * host's two cores makes it several times as slow (111 s seen).
 * STRCLONE_HAMMER_ITERATIONS lowers it for kernels where every lock and
 * allocation is many times slower (make check-kasan).
 */
static int hammer_iterations(void)
{
	const char *e = getenv("STRCLONE_HAMMER_ITERATIONS");
	int n = e ? atoi(e) : 0;

	return n > 0 ? n : 10000;
}

#define ITERATIONS	hammer_iterations()
#define MAX_MINOR	65536	/* echo's minors: 0 .. 65535 */
/* Safety valve for a slow emulated machine: stop early, but say so. */
#define TIME_BUDGET_MS	150000

/*
 * Who holds each echo minor: 0 for nobody, else the holding thread's index
 * + 1. A thread writes itself into the entry right after its open (the
 * entry must have been 0) and takes itself out right before its close(2)
 * (the entry must still be its own), and in between does a write and a
 * read on the stream: an entry is held across real work on the stream (a
 * round trip through the echo driver's queues), not for an instant. Two
 * streams holding one minor at once are seen at both ends: by the later
 * opener at its open, and by the earlier one at its close.
 */
static atomic_int holder[MAX_MINOR];

struct hammer {
	pthread_t thr;
	int idx;
	long long deadline;
	int done;		/* iterations completed */
	int failed_opens;
	int first_open_errno;
	int bad_getdev;
	int bad_major;
	int out_of_range;
	int collisions;		/* minor held by another thread at open or at close */
	char first_collision[128];
	int io_errors;		/* the write/read round trip failed or came back wrong */
	char first_io_error[128];
	int close_errors;
};

static void *hammer_fn(void *p)
{
	struct hammer *h = p;
	int me = h->idx + 1;

	for (int i = 0; i < ITERATIONS; i++) {
		struct strclone_devinfo di = { 0 };
		char msg[32], got[32];
		int fd, len, held = 0, other;
		ssize_t n;

		if ((i & 63) == 0 && now_ms() > h->deadline)
			break;
		fd = open(ECHO_NODE, O_RDWR);
		if (fd < 0) {
			if (!h->failed_opens++)
				h->first_open_errno = errno;
			continue;
		}
		if (getdev(fd, &di) < 0) {
			h->bad_getdev++;
		} else if (di.major != STRCLONE_ECHO_MAJOR) {
			h->bad_major++;
		} else if (di.minor >= MAX_MINOR) {
			h->out_of_range++;
		} else {
			/* At open: nobody else may hold this minor now. */
			held = 1;
			other = atomic_exchange(&holder[di.minor], me);
			if (other && !h->collisions++)
				snprintf(h->first_collision, sizeof(h->first_collision),
					 "iteration %d: opened minor %u while thread %d held it",
					 i, di.minor, other - 1);
		}

		/* Real work on the stream while the minor is held. */
		len = snprintf(msg, sizeof(msg), "t%d i%d m%u", h->idx, i, di.minor);
		n = write(fd, msg, len);
		if (n != len) {
			if (!h->io_errors++)
				snprintf(h->first_io_error, sizeof(h->first_io_error),
					 "iteration %d: write of %d bytes returned %zd (%s)", i, len, n,
					 n < 0 ? strerror(errno) : "short");
		} else {
			n = read_exact(fd, got, len, WAIT_MS);
			if (n != len || memcmp(got, msg, len)) {
				if (!h->io_errors++)
					snprintf(h->first_io_error, sizeof(h->first_io_error),
						 "iteration %d: read back %zd of %d bytes%s", i, n, len,
						 n == len ? ", different data" : "");
			}
		}

		if (held) {
			/* At close: the entry is still ours; cleared before close(2). */
			other = atomic_exchange(&holder[di.minor], 0);
			if (other != me && !h->collisions++)
				snprintf(h->first_collision, sizeof(h->first_collision),
					 "iteration %d: minor %u was %s while this thread held it",
					 i, di.minor, other ? "taken by another thread" : "cleared");
		}
		if (close(fd) < 0)
			h->close_errors++;
		h->done++;
	}
	return NULL;
}

/* A fixture only to get a longer harness timeout than TEST()'s 30 s. */
FIXTURE(hammer) {
	int unused;
};

FIXTURE_SETUP(hammer)
{
	watchdog(TIME_BUDGET_MS / 1000 + 15);
}

FIXTURE_TEARDOWN(hammer)
{
}

/*
 * 4 threads open echo streams concurrently; no two may ever hold the same
 * minor at once. Each holds its minor across a write and a read on the
 * stream, and checks the shared table at open and again before close.
 */
TEST_F_TIMEOUT(hammer, concurrent_open_close_no_collisions, TIME_BUDGET_MS / 1000 + 20)
{
	struct hammer h[THREADS];
	long long t0 = now_ms();
	int total = 0, still_held = 0;

	memset(h, 0, sizeof(h));
	for (int t = 0; t < THREADS; t++) {
		h[t].idx = t;
		h[t].deadline = t0 + TIME_BUDGET_MS;
		ASSERT_EQ(0, pthread_create(&h[t].thr, NULL, hammer_fn, &h[t]));
	}
	for (int t = 0; t < THREADS; t++) {
		ASSERT_EQ(0, pthread_join(h[t].thr, NULL));
	}

	for (int t = 0; t < THREADS; t++) {
		EXPECT_EQ(0, h[t].failed_opens)
			TH_LOG("thread %d: %d failed opens, first: %s", t, h[t].failed_opens,
			       strerror(h[t].first_open_errno));
		EXPECT_EQ(0, h[t].collisions)
			TH_LOG("thread %d: %d collisions, first: %s", t, h[t].collisions,
			       h[t].first_collision);
		EXPECT_EQ(0, h[t].io_errors)
			TH_LOG("thread %d: %d failed round trips, first: %s", t, h[t].io_errors,
			       h[t].first_io_error);
		EXPECT_EQ(0, h[t].bad_getdev) TH_LOG("thread %d", t);
		EXPECT_EQ(0, h[t].bad_major) TH_LOG("thread %d", t);
		EXPECT_EQ(0, h[t].out_of_range) TH_LOG("thread %d", t);
		EXPECT_EQ(0, h[t].close_errors) TH_LOG("thread %d", t);
		/* The budget only guards against a hang: all the work must finish. */
		EXPECT_EQ(ITERATIONS, h[t].done) TH_LOG("thread %d did %d", t, h[t].done);
		total += h[t].done;
	}
	for (int m = 0; m < MAX_MINOR; m++)
		still_held += atomic_load(&holder[m]) != 0;
	EXPECT_EQ(0, still_held) TH_LOG("%d minors still marked held after every close", still_held);
	if (total < THREADS * ITERATIONS)
		TH_LOG("time budget hit: %d of %d open/use/close cycles done", total,
		       THREADS * ITERATIONS);
	TH_LOG("%d open/write/read/close cycles on echo in %lld ms", total, now_ms() - t0);
}

TEST_HARNESS_MAIN
