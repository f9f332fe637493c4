// SPDX-License-Identifier: GPL-2.0
/*
 * bounds: what a local user can make strclone hold.
 *
 * Started as root (debugfs, /proc/sys/vm/drop_caches, cgroups); every flood
 * runs in a child that dropped to uid 1000 and holds its streams open while
 * the parent measures, then exits so the parent can check that everything
 * was given back.
 *
 *  - Raising water marks is privileged: ECHO_SETQ and ECHO_SETOPTS fail
 *    EPERM for a user, and above STRCLONE_QHIWAT_MAX EINVAL for root.
 *  - High-priority floods: 20,000 putmsg(RS_HIPRI) never read leave one
 *    M_PCPROTO at the reading stream head (SVR4's STRPRI), on echo and in
 *    both directions of a ptm pair, and the first one is the one kept.
 *  - Writes never read (1-byte messages, the worst case for the per-block
 *    cost, and 4 KiB ones) on echo, ptm master to slave, slave to master,
 *    and console-log writes with a console reader that never reads: each
 *    queue stays within its water mark (debugfs `streams`: messages and
 *    bytes per queue), the slab memory in use grows by no more than
 *    FLOOD_KB_PER_STREAM per flooded stream
 *    (Documentation/strclone/streams.rst, "Bounds"), and all of it is given
 *    back when the flooder exits.
 *  - A memory cgroup limit holds: a user flooding inside a cgroup with
 *    memory.max = CG_MAX is stopped (ENOMEM, or the cgroup's OOM killer, as
 *    for pipes), the cgroup's peak never passes the limit, and everything is
 *    uncharged when the flooder is gone; strclone keeps working.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"
#include "rel_util.h"

/* Bare pts slaves: these tests predate the ptem/ldterm autopush default. */
STRCLONE_BARE_PTS()

#define USER_UID	1000
#define STRLOG_NODE	"/dev/strlog"
#define CONSLOG_NODE	"/dev/conslog"

/* Streams flooded at once per case. */
#define NFLOOD		2
/* High-priority messages sent per direction. */
#define HIPRI_FLOOD	20000
/*
 * The documented bound on the slab memory one flooded stream (or ptm pair)
 * pins on the debug test kernel: its queues hold at most their water marks
 * (8,192 + 5,120 one-byte messages in the worst case), and each 1-byte
 * message costs a message box and a minimal buffer (72 bytes), plus on this
 * kernel a kmemleak tracking object for each of the two: about 560 bytes a
 * message, 7.3 MiB measured. See streams.rst, "Bounds".
 */
#define FLOOD_KB_PER_STREAM	10240

/* On a KASAN kernel (`make check-kasan` sets STRCLONE_KASAN=1). */
static int kasan(void)
{
	const char *e = getenv("STRCLONE_KASAN");

	return e && !strcmp(e, "1");
}

/* KASAN's redzones make every object bigger: 10.3 MiB measured there. */
static long flood_kb_bound(void)
{
	return kasan() ? 14336 : FLOOD_KB_PER_STREAM;
}
/* A queue's ordinary content: at most hiwat plus one message. */
#define QMSGS_MAX	(8192 + 1)
#define QBYTES_MAX	(8192 + 4096)
/* A log reader's driver read queue is the one deeper queue (log.rst). */
#define LOG_QMSGS_MAX	(STRCLONE_LOG_QHIWAT + 1)
#define LOG_QBYTES_MAX	(STRCLONE_LOG_QHIWAT + 4096)

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_DIR		CG_ROOT "/strclone-bounds"
#define CG_MAX		(16 << 20)

enum kind { ECHO_1, ECHO_4K, PTM_M2S, PTM_S2M, CONSLOG };

static const char *const kind_name[] = {
	"echo, 1-byte writes", "echo, 4 KiB writes", "ptm master to slave",
	"ptm slave to master", "console log",
};

/*
 * Slab memory in use, in KiB: the sum over /proc/slabinfo of active objects
 * times object size. Unlike MemFree it does not count the empty slabs a
 * cache keeps, so it measures what is allocated, not what SLUB hoards.
 */
static long slab_in_use_kb(void)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512], name[64];
	long long sum = 0;
	long active, total, size;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld %ld %ld", name, &active, &total, &size) == 4)
			sum += (long long)active * size;
	fclose(f);
	return (long)(sum >> 10);
}

/*
 * Slab in use once it stops moving: frees deferred past an RCU grace
 * period (kmemleak's, kfree_rcu's) land within a few hundred milliseconds;
 * at most 5 s.
 */
static long settled_slab_kb(void)
{
	long prev = -1, now = -1;

	write_text("/proc/sys/vm/drop_caches", "3");
	for (int i = 0; i < 25; i++) {
		usleep(200 * 1000);
		now = slab_in_use_kb();
		if (prev >= 0 && labs(now - prev) < 64)
			break;
		prev = now;
	}
	return now;
}

/*
 * Writes @len bytes until the stream says EAGAIN; with @settle, waits and
 * goes on while a service procedure makes room again. Bytes sent or -errno.
 */
static long flood_writes(int fd, size_t len, int settle)
{
	static char buf[4096];
	long sent = 0, before;

	memset(buf, 'x', sizeof(buf));
	do {
		before = sent;
		for (;;) {
			ssize_t r = write(fd, buf, len);

			if (r < 0)
				break;
			sent += r;
		}
		if (errno != EAGAIN)
			return -errno;
		if (!settle)
			break;
		/* A service procedure may still be moving data on. */
		usleep(20 * 1000);
	} while (sent != before);
	return sent;
}

static int ptm_pair(int *m, int *s)
{
	*m = open(PTMX_NODE, O_RDWR | O_NONBLOCK);
	if (*m < 0)
		return -1;
	if (ioctl(*m, UNLKPT, 0) < 0)
		return -1;
	*s = ioctl(*m, PTMGETPEER, O_RDWR | O_NONBLOCK);
	return *s < 0 ? -1 : 0;
}

/*
 * The child: drop to the user, make NFLOOD streams of @kind full, tell the
 * parent (one byte on @ready: 0 on success, else an errno), wait until the
 * parent closes @go, exit (closing everything: the descriptors stay open
 * until then).
 */
static void flood_child(enum kind kind, int ready, int go)
{
	int err = 0;
	char c;

	if (drop_to(USER_UID))
		err = errno ? errno : EPERM;
	for (int i = 0; !err && i < NFLOOD; i++) {
		int m, s, fd;

		switch (kind) {
		case ECHO_1:
		case ECHO_4K:
			fd = open(ECHO_NODE, O_RDWR | O_NONBLOCK);
			if (fd < 0 || flood_writes(fd, kind == ECHO_1 ? 1 : 4096, 1) <= 0)
				err = fd < 0 ? errno : EIO;
			break;
		case PTM_M2S:
		case PTM_S2M:
			if (ptm_pair(&m, &s)) {
				err = errno;
				break;
			}
			if (flood_writes(kind == PTM_M2S ? m : s, 1, 1) <= 0)
				err = EIO;
			break;
		case CONSLOG:
			/* Every open shares the one conslog stream: flood it once. */
			fd = open(CONSLOG_NODE, O_WRONLY | O_NONBLOCK);
			if (fd < 0) {
				err = errno;
				break;
			}
			/* 3,000 messages are ten times what the reader's queues hold. */
			for (int n = 0; n < 3000 && !err; n++)
				if (write(fd, "x", 1) != 1)
					err = errno;
			i = NFLOOD;
			break;
		}
	}
	c = (char)err;
	if (write(ready, &c, 1) != 1)
		_exit(1);
	/* Hold everything until the parent has measured. */
	while (read(go, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

struct qstat {
	long msgs[4], bytes[4];
};

/* The queue occupancy of each debugfs `streams` line opened by @pid. */
static int streams_of(pid_t pid, struct qstat *st, int max)
{
	static char buf[1 << 16];
	char key[32], *p;
	int n = 0;

	if (read_text(DBG_STREAMS, buf, sizeof(buf)) < 0)
		return -1;
	snprintf(key, sizeof(key), " pid=%d ", pid);
	for (p = buf; p && *p && n < max; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char *eol = strchr(p, '\n'), *k = strstr(p, key);

		if (!k || (eol && k > eol))
			continue;
		if (sscanf(strstr(p, "hr="), "hr=%ld/%ld hw=%ld/%ld dr=%ld/%ld dw=%ld/%ld",
			   &st[n].msgs[0], &st[n].bytes[0], &st[n].msgs[1], &st[n].bytes[1],
			   &st[n].msgs[2], &st[n].bytes[2], &st[n].msgs[3], &st[n].bytes[3]) != 8)
			return -1;
		n++;
	}
	return n;
}

static int start_child(enum kind kind, int *go_w, pid_t *pid)
{
	int ready[2], go[2];
	char c = 0;

	if (pipe(ready) || pipe(go))
		return -1;
	*pid = fork();
	if (*pid < 0)
		return -1;
	if (*pid == 0) {
		close(ready[0]);
		close(go[1]);
		flood_child(kind, ready[1], go[0]);
	}
	close(ready[1]);
	close(go[0]);
	*go_w = go[1];
	if (read(ready[0], &c, 1) != 1)
		c = EPIPE;
	close(ready[0]);
	return c;
}

static int finish_child(int go_w, pid_t pid)
{
	int status;

	close(go_w);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

FIXTURE(flood) {
	int reader;	/* the console-log reader that never reads */
};

FIXTURE_SETUP(flood)
{
	int one = 1;

	watchdog(120);
	ASSERT_EQ(0, access(DBG_STREAMS, R_OK)) TH_LOG("%s: %s", DBG_STREAMS, strerror(errno));
	self->reader = open(STRLOG_NODE, O_RDWR);
	ASSERT_LE(0, self->reader) TH_LOG("open %s: %s", STRLOG_NODE, strerror(errno));
	ASSERT_EQ(0, istr(self->reader, I_CONSLOG, &one, 0, NULL))
		TH_LOG("I_CONSLOG: %s", strerror(errno));
}

FIXTURE_TEARDOWN(flood)
{
	if (self->reader >= 0)
		close(self->reader);
}

FIXTURE_VARIANT(flood) {
	enum kind kind;
};

FIXTURE_VARIANT_ADD(flood, echo_1) { .kind = ECHO_1 };
FIXTURE_VARIANT_ADD(flood, echo_4k) { .kind = ECHO_4K };
FIXTURE_VARIANT_ADD(flood, ptm_m2s) { .kind = PTM_M2S };
FIXTURE_VARIANT_ADD(flood, ptm_s2m) { .kind = PTM_S2M };
FIXTURE_VARIANT_ADD(flood, conslog) { .kind = CONSLOG };

/* Writes never read stay within the water marks and the documented memory. */
TEST_F_TIMEOUT(flood, writes_never_read_are_bounded, 120)
{
	struct qstat st[2 * NFLOOD + 1];
	long before, during, after, per;
	int go, n, streams, err;
	pid_t pid;

	before = settled_slab_kb();
	ASSERT_LT(0, before) TH_LOG("/proc/slabinfo: %s", strerror(errno));
	err = start_child(variant->kind, &go, &pid);
	ASSERT_EQ(0, err) TH_LOG("%s: the flood failed: %s", kind_name[variant->kind], strerror(err));
	during = settled_slab_kb();
	n = streams_of(variant->kind == CONSLOG ? getpid() : pid, st, 2 * NFLOOD + 1);
	/* The console log's stream that fills is the reader's (ours). */
	streams = variant->kind == CONSLOG ? 1 : NFLOOD;
	EXPECT_LE(streams, n) TH_LOG("debugfs lists %d streams of the flood", n);
	for (int i = 0; i < n; i++) {
		ksft_print_msg("stream %d: hr=%ld/%ld dr=%ld/%ld dw=%ld/%ld\n", i, st[i].msgs[0],
			       st[i].bytes[0], st[i].msgs[2], st[i].bytes[2], st[i].msgs[3],
			       st[i].bytes[3]);
		for (int q = 0; q < 4; q++) {
			int logq = variant->kind == CONSLOG && q == 2;

			EXPECT_GE(logq ? LOG_QMSGS_MAX : QMSGS_MAX, st[i].msgs[q])
				TH_LOG("stream %d queue %d holds %ld messages", i, q, st[i].msgs[q]);
			EXPECT_GE(logq ? LOG_QBYTES_MAX : QBYTES_MAX, st[i].bytes[q])
				TH_LOG("stream %d queue %d holds %ld bytes", i, q, st[i].bytes[q]);
		}
	}
	per = (during - before) / streams;
	ksft_print_msg("%s: %ld KiB of kernel memory per flooded stream (bound %ld KiB)\n",
		       kind_name[variant->kind], per, flood_kb_bound());
	EXPECT_GE(flood_kb_bound(), per);
	EXPECT_EQ(0, finish_child(go, pid));
	/* Given back when the streams close: no stream of the flooder is left,
	 * and the slab shrinks back (RCU-deferred frees may take a few
	 * seconds; kmemleak.sh checks for leaks at the end of the run). */
	EXPECT_EQ(0, streams_of(pid, st, 2 * NFLOOD + 1));
	if (variant->kind == CONSLOG) {
		/* The console log's flooded stream is our reader's: what it
		 * holds is given back when the reader closes. */
		close(self->reader);
		self->reader = -1;
	}
	if (kasan()) {
		/* KASAN's quarantine holds freed objects back from the slab:
		 * there only the listing above and kmemleak.sh can tell. */
		ksft_print_msg("slab given back not measured under KASAN (quarantine)\n");
		return;
	}
	for (int i = 0; i < 100; i++) {
		after = slab_in_use_kb();
		if (after - before <= 512)
			break;
		usleep(100 * 1000);
	}
	EXPECT_GE(512, after - before) TH_LOG("%ld KiB of slab still in use after the flood ended",
					      after - before);
}

/* Reads one message with getmsg(2) flags @flags into @ctl; returns its length. */
static int get_hipri(int fd, char *ctl, int size)
{
	struct strpmsg m = {
		.ctlbuf = { .maxlen = size, .len = 0, .buf = ctl },
		.databuf = { .maxlen = -1, .len = 0, .buf = NULL },
		.flags = RS_HIPRI,
	};

	if (ioctl(fd, I_GETMSG, &m) < 0)
		return -1;
	return m.ctlbuf.len;
}

/*
 * @n putmsg(RS_HIPRI) on @w, numbered; @r then holds exactly one M_PCPROTO,
 * the first, and nothing else.
 */
static void hipri_flood(struct __test_metadata *_metadata, int w, int r, int n)
{
	char ctl[16];
	int bytes = -1, sent = 0, len;

	for (int i = 0; i < n; i++) {
		snprintf(ctl, sizeof(ctl), "pc%06d", i);
		if (putmsg_parts(w, ctl, 8, NULL, -1, RS_HIPRI) == 0)
			sent++;
	}
	EXPECT_EQ(n, sent) TH_LOG("putmsg(RS_HIPRI) failed: %s", strerror(errno));
	EXPECT_EQ(1, wait_nread(r, 1, WAIT_MS, &bytes));
	usleep(QUIET_MS * 1000);
	EXPECT_EQ(1, nread(r, &bytes)) TH_LOG("more than one M_PCPROTO at the head");
	len = get_hipri(r, ctl, sizeof(ctl));
	ASSERT_EQ(8, len) TH_LOG("getmsg(RS_HIPRI): %s", strerror(errno));
	EXPECT_EQ(0, memcmp(ctl, "pc000000", 8)) TH_LOG("kept %.8s, not the first", ctl);
	ASSERT_EQ(0, set_nonblock(r, 1));
	EXPECT_EQ(-1, get_hipri(r, ctl, sizeof(ctl)));
	EXPECT_EQ(EAGAIN, errno);
}

/* Each case runs as the user: the stream head holds one M_PCPROTO. */
FIXTURE(user) {
	int unused;
};

FIXTURE_SETUP(user)
{
}

FIXTURE_TEARDOWN(user)
{
}

/* 20,000 system calls each way: more than the default 30 s on KASAN. */
TEST_F_TIMEOUT(user, hipri_flood_echo, 120)
{
	int fd;

	watchdog(120);
	ASSERT_EQ(0, drop_to(USER_UID));
	fd = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, fd);
	hipri_flood(_metadata, fd, fd, HIPRI_FLOOD);
	close(fd);
}

TEST_F_TIMEOUT(user, hipri_flood_ptm_both_ways, 120)
{
	int m, s;

	watchdog(120);
	ASSERT_EQ(0, drop_to(USER_UID));
	ASSERT_EQ(0, ptm_pair(&m, &s)) TH_LOG("ptm pair: %s", strerror(errno));
	ASSERT_EQ(0, set_nonblock(m, 0));
	ASSERT_EQ(0, set_nonblock(s, 0));
	hipri_flood(_metadata, m, s, HIPRI_FLOOD);
	hipri_flood(_metadata, s, m, HIPRI_FLOOD);
	close(s);
	close(m);
}

/* Water marks are the administrator's: EPERM for users, capped for root. */
TEST(water_marks_need_privilege)
{
	struct echo_qopts q = { .hiwat = STRCLONE_QHIWAT_MAX, .lowat = 1024 };
	int fd, status;
	pid_t pid;

	watchdog(30);
	fd = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The user, on a stream root opened and on its own. */
		int own;

		if (drop_to(USER_UID))
			_exit(10);
		own = open(ECHO_NODE, O_RDWR);
		if (own < 0)
			_exit(11);
		if (istr(own, ECHO_SETQ, &q, sizeof(q), NULL) != -1 || errno != EPERM)
			_exit(12);
		if (istr(own, ECHO_SETOPTS, &q, sizeof(q), NULL) != -1 || errno != EPERM)
			_exit(13);
		if (istr(fd, ECHO_SETQ, &q, sizeof(q), NULL) != -1 || errno != EPERM)
			_exit(14);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("user step %d failed", WEXITSTATUS(status));
	EXPECT_EQ(0, istr(fd, ECHO_SETQ, &q, sizeof(q), NULL)) TH_LOG("root: %s", strerror(errno));
	EXPECT_EQ(0, istr(fd, ECHO_SETOPTS, &q, sizeof(q), NULL)) TH_LOG("root: %s", strerror(errno));
	q.hiwat = STRCLONE_QHIWAT_MAX + 1;
	EXPECT_EQ(-1, istr(fd, ECHO_SETQ, &q, sizeof(q), NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, istr(fd, ECHO_SETOPTS, &q, sizeof(q), NULL));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

static long cg_read(const char *file, const char *key)
{
	char path[128], buf[4096], *p;

	snprintf(path, sizeof(path), CG_DIR "/%s", file);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return -1;
	if (!key)
		return strtol(buf, NULL, 10);
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, strlen(key)) && p[strlen(key)] == ' ')
			return strtol(p + strlen(key) + 1, NULL, 10);
	return -1;
}

/*
 * The cgroup flooder: as the user, opens echo streams and fills each with
 * page-sized writes (the most memory per system call) until something
 * refuses. Exit status: the errno that stopped it, or 0 if it ran out of
 * descriptors first.
 */
static void cg_flooder(void)
{
	if (drop_to(USER_UID))
		_exit(100);
	for (;;) {
		int fd = open(ECHO_NODE, O_RDWR | O_NONBLOCK);
		long r;

		if (fd < 0)
			_exit(errno == EMFILE ? 0 : errno);
		r = flood_writes(fd, 4096, 0);
		if (r < 0)
			_exit(-r);
	}
}

/* A memory cgroup limit stops a flood, and the rest of the system is fine. */
TEST(memcg_limit_holds)
{
	char buf[64];
	long peak, current, oom_kills;
	int status, fd;
	pid_t pid;

	watchdog(300);
	if (access(CG_ROOT "/cgroup.controllers", F_OK))
		ASSERT_EQ(0, mount("none", CG_ROOT, "cgroup2", 0, NULL))
			TH_LOG("mount cgroup2: %s", strerror(errno));
	ASSERT_EQ(0, write_text(CG_ROOT "/cgroup.subtree_control", "+memory"))
		TH_LOG("cannot enable the memory controller");
	rmdir(CG_DIR);
	ASSERT_EQ(0, mkdir(CG_DIR, 0755)) TH_LOG("mkdir %s: %s", CG_DIR, strerror(errno));
	snprintf(buf, sizeof(buf), "%d", CG_MAX);
	ASSERT_EQ(0, write_text(CG_DIR "/memory.max", buf));

	/* The kernel's OOM report for this cgroup is expected: say so on the
	 * console, where tools/vm/results.py reads it. */
	write_text("/dev/kmsg", "strclone-bounds: expect memcg OOM begin");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct rlimit nofile = { 65536, 65536 };
		char me[16];

		setrlimit(RLIMIT_NOFILE, &nofile);
		snprintf(me, sizeof(me), "%d", getpid());
		if (write_text(CG_DIR "/cgroup.procs", me))
			_exit(101);
		cg_flooder();
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	write_text("/dev/kmsg", "strclone-bounds: expect memcg OOM end");

	peak = cg_read("memory.peak", NULL);
	current = cg_read("memory.current", NULL);
	oom_kills = cg_read("memory.events", "oom_kill");
	ksft_print_msg("flooder: %s %d; cgroup peak %ld KiB of %d KiB, oom_kill %ld\n",
		       WIFEXITED(status) ? "exit" : "signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		       peak >> 10, CG_MAX >> 10, oom_kills);
	/* Stopped by the limit: ENOMEM, or killed by the cgroup's OOM killer. */
	EXPECT_TRUE((WIFEXITED(status) && WEXITSTATUS(status) == ENOMEM) ||
		    (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && oom_kills > 0))
		TH_LOG("the flood was not stopped by the cgroup limit");
	EXPECT_GE(CG_MAX, peak);
	/*
	 * Everything the flooder held is uncharged once it is gone (up to the
	 * per-CPU charge caches: 64 pages per CPU).
	 */
	for (int i = 0; i < 50 && cg_read("memory.current", NULL) > (1 << 20); i++)
		usleep(100 * 1000);
	current = cg_read("memory.current", NULL);
	EXPECT_GE(1 << 20, current) TH_LOG("%ld bytes still charged", current);
	EXPECT_EQ(0, rmdir(CG_DIR)) TH_LOG("rmdir: %s", strerror(errno));

	/* strclone still works outside the cgroup. */
	fd = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, write(fd, "ping", 4));
	ASSERT_EQ(4, read_exact(fd, buf, 4, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	close(fd);
}

TEST_HARNESS_MAIN
