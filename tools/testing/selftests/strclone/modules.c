// SPDX-License-Identifier: GPL-2.0
/*
 * Pushable modules: I_PUSH, I_POP, I_LOOK, I_FIND, I_LIST, I_ANCHOR, the
 * nstrpush limit, the reopen rule through a pushed module, and push/pop
 * while other threads write and read.
 *
 * The streams are echo streams (/dev/clone-echo) and the shared console
 * log stream (/dev/conslog, the one non-clone node whose second open is a
 * reopen). The modules are the built-in nullmod (pass-through with its own
 * queues) and testmod (counts, and refuses on request).
 * Documentation/strclone/modules.rst is the contract checked here.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"

#define CONSLOG_NODE	"/dev/conslog"

#define OPEN_ECHO(fd) do {						\
	watchdog(WATCHDOG_S);						\
	fd = open(ECHO_NODE, O_RDWR);					\
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", ECHO_NODE, strerror(errno)); \
} while (0)

/* I_STR with an int argument (or none); returns rval or -errno. */
static int istr_int(int fd, int cmd, int *val)
{
	struct strioctl s = {
		.ic_cmd = cmd, .ic_timout = ISTR_TIMEOUT,
		.ic_len = val ? (int)sizeof(*val) : 0, .ic_dp = (char *)val,
	};

	return xioctl(fd, I_STR, &s);
}

static int look(int fd, char name[FMNAMESZ + 1])
{
	memset(name, 'x', FMNAMESZ + 1);
	return xioctl(fd, I_LOOK, name);
}

/* The strclone-modules line of /proc/self/fdinfo/<fd>, without the newline. */
static int fdinfo_modules(int fd, char *out, size_t len)
{
	char path[64], line[256];
	FILE *f;
	int found = -1;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "strclone-modules:\t", 18))
			continue;
		line[strcspn(line, "\n")] = 0;
		n = strlen(line + 18);
		if (n >= len)
			n = len - 1;
		memcpy(out, line + 18, n);
		out[n] = 0;
		found = 0;
	}
	fclose(f);
	return found;
}

TEST(push_look_find_list_pop)
{
	struct str_mlist names[4];
	struct str_list list = { .sl_nmods = 4, .sl_modlist = names };
	char name[FMNAMESZ + 1], mods[128];
	long before = uses_of("nullmod");
	int fd;

	OPEN_ECHO(fd);
	ASSERT_LE(0, before) TH_LOG("no nullmod line in debugfs modules");
	/* Nothing pushed: I_LIST counts the driver alone. */
	EXPECT_EQ(1, nlist(fd));
	EXPECT_EQ(-EINVAL, look(fd, name));
	EXPECT_EQ(-EINVAL, pop(fd));

	ASSERT_EQ(0, push(fd, "nullmod"));
	EXPECT_EQ(before + 1, uses_of("nullmod"));
	ASSERT_EQ(0, look(fd, name));
	EXPECT_STREQ("nullmod", name);
	EXPECT_EQ(1, xioctl(fd, I_FIND, "nullmod"));
	EXPECT_EQ(0, xioctl(fd, I_FIND, "testmod"));
	EXPECT_EQ(2, nlist(fd));

	ASSERT_EQ(0, push(fd, "testmod"));
	ASSERT_EQ(0, look(fd, name));
	EXPECT_STREQ("testmod", name);
	EXPECT_EQ(3, nlist(fd));
	ASSERT_EQ(0, xioctl(fd, I_LIST, &list));
	EXPECT_EQ(3, list.sl_nmods);
	EXPECT_STREQ("testmod", names[0].l_name);
	EXPECT_STREQ("nullmod", names[1].l_name);
	EXPECT_STREQ("echo", names[2].l_name);
	ASSERT_EQ(0, fdinfo_modules(fd, mods, sizeof(mods)));
	EXPECT_STREQ("testmod,nullmod", mods);

	/* A short list gets the top entries. */
	list.sl_nmods = 1;
	ASSERT_EQ(0, xioctl(fd, I_LIST, &list));
	EXPECT_EQ(1, list.sl_nmods);
	EXPECT_STREQ("testmod", names[0].l_name);

	ASSERT_EQ(0, pop(fd));
	ASSERT_EQ(0, look(fd, name));
	EXPECT_STREQ("nullmod", name);
	ASSERT_EQ(0, pop(fd));
	EXPECT_EQ(-EINVAL, look(fd, name));
	EXPECT_EQ(1, nlist(fd));
	EXPECT_EQ(before, uses_of("nullmod"));
	close(fd);
}

TEST(data_and_ioctls_pass_through_modules)
{
	struct testmod_counts c;
	char buf[64], rev[8] = "abcdefg";
	struct strioctl s = {
		.ic_cmd = ECHO_REVERSE, .ic_timout = ISTR_TIMEOUT,
		.ic_len = 7, .ic_dp = rev,
	};
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, push(fd, "nullmod"));
	ASSERT_EQ(0, push(fd, "testmod"));
	ASSERT_EQ(0, push(fd, "nullmod"));
	ASSERT_EQ(5, write(fd, "hello", 5));
	ASSERT_EQ(5, read_exact(fd, buf, 5, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	/* An I_STR the modules do not know reaches the driver and comes back
	 * (ECHO_REVERSE returns the length). */
	ASSERT_EQ(7, xioctl(fd, I_STR, &s));
	EXPECT_EQ(7, s.ic_len);
	EXPECT_EQ(0, memcmp(rev, "gfedcba", 7));
	/*
	 * testmod answers its own command; it saw the data both ways, the
	 * ioctl on its way down and its answer (M_IOCACK) on the way up.
	 */
	ASSERT_EQ(0, counts(fd, &c));
	EXPECT_EQ(1, c.opens);
	EXPECT_EQ(0, c.reopens);
	EXPECT_EQ(1, c.ioctls);
	EXPECT_EQ(3, c.msgs);
	/* I_FLUSH travels through the modules and back. */
	ASSERT_EQ(3, write(fd, "abc", 3));
	EXPECT_EQ(0, xioctl(fd, I_FLUSH, (void *)FLUSHRW));
	ASSERT_EQ(2, write(fd, "zz", 2));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	close(fd);
}

/* ---- bulk data through pushed modules -------------------------------------- */

#define BULK	(256 * 1024)

struct bulk {
	int fd;
	ssize_t sent;
};

static void *bulk_writer(void *arg)
{
	struct bulk *b = arg;
	static char buf[4096];

	for (b->sent = 0; b->sent < BULK; b->sent += sizeof(buf)) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (char)((b->sent + i) * 7);
		if (write(b->fd, buf, sizeof(buf)) != sizeof(buf))
			break;
	}
	return NULL;
}

/*
 * Far more than every queue's water marks together crosses the stream and
 * comes back intact: flow control and back-enabling work through the
 * modules' own queues in both directions (a reader that drains the head
 * must wake the module's read queue below it, not the driver's).
 */
static void bulk_through(struct __test_metadata *_metadata, int nmods)
{
	static char buf[4096];
	struct bulk b;
	pthread_t th;
	ssize_t got = 0;
	int bad = -1;

	b.fd = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, b.fd);
	for (int i = 0; i < nmods; i++)
		ASSERT_EQ(0, push(b.fd, "nullmod"));
	ASSERT_EQ(0, pthread_create(&th, NULL, bulk_writer, &b));
	while (got < BULK) {
		ssize_t n = read_exact(b.fd, buf, sizeof(buf), 4 * WAIT_MS);

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n && bad < 0; i++)
			if (buf[i] != (char)((got + i) * 7))
				bad = (int)(got + i);
		got += n;
	}
	pthread_join(th, NULL);
	EXPECT_EQ(BULK, b.sent);
	EXPECT_EQ(BULK, got) TH_LOG("%d nullmods: stalled after %zd bytes", nmods, got);
	EXPECT_EQ(-1, bad) TH_LOG("byte %d differs", bad);
	close(b.fd);
}

/*
 * Plumbing while output is backed up (the head full, the queues below it
 * full, the writer asleep), then a reader that drains everything: the queue
 * that now faces another must be woken to look at it, or the stream stalls
 * for good.
 *  - push: the driver's queue below the new module;
 *  - pop: the echo driver, which waited for room in nullmod's read queue and
 *    now faces the head.
 */
static void backed_up(struct __test_metadata *_metadata, int pop_it)
{
	static char buf[4096];
	struct bulk b;
	pthread_t th;
	ssize_t got = 0;
	int bytes = 0;

	watchdog(60);
	b.fd = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, b.fd);
	if (pop_it) {
		ASSERT_EQ(0, push(b.fd, "nullmod"));
	}
	ASSERT_EQ(0, pthread_create(&th, NULL, bulk_writer, &b));
	/*
	 * Wait for the head to fill (two 4 KiB messages pass its 5120-byte
	 * high water mark) and the writer to block behind the full queues.
	 */
	ASSERT_LE(2, wait_nread(b.fd, 2, WAIT_MS, &bytes));
	usleep(300 * 1000);
	if (pop_it) {
		ASSERT_EQ(0, pop(b.fd));
	} else {
		ASSERT_EQ(0, push(b.fd, "nullmod"));
	}
	while (got < BULK) {
		ssize_t n = read_exact(b.fd, buf, sizeof(buf), 4 * WAIT_MS);

		if (n <= 0)
			break;
		got += n;
	}
	pthread_join(th, NULL);
	EXPECT_EQ(BULK, got) TH_LOG("stalled after %zd bytes", got);
	close(b.fd);
}

TEST(push_while_output_is_backed_up)
{
	backed_up(_metadata, 0);
}

TEST(pop_while_output_is_backed_up)
{
	backed_up(_metadata, 1);
}

TEST(bulk_data_through_one_and_four_modules)
{
	watchdog(60);
	bulk_through(_metadata, 1);
	bulk_through(_metadata, 4);
}

/*
 * nullmod's maxpsz is INFPSZ, so a write above a page is one message of
 * several page blocks: write(2) must count all of them, and exactly that
 * data must come back once.
 */
TEST(write_above_a_page_through_nullmod)
{
	static char out[3 * 4096 + 100], in[sizeof(out) + 1];
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, push(fd, "nullmod"));
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 13 + 1);
	ASSERT_EQ((ssize_t)sizeof(out), write(fd, out, sizeof(out)));
	ASSERT_EQ((ssize_t)sizeof(out), read_exact(fd, in, sizeof(out), WAIT_MS));
	EXPECT_EQ(0, memcmp(in, out, sizeof(out)));
	/* Nothing more: no part of it was sent twice. */
	EXPECT_EQ(0, poll_fd(fd, POLLIN, QUIET_MS) & POLLIN);
	close(fd);
}

TEST(push_errnos)
{
	char name[FMNAMESZ + 1];
	int fd;

	OPEN_ECHO(fd);
	EXPECT_EQ(-EINVAL, push(fd, "nosuchmd"));
	EXPECT_EQ(-EINVAL, push(fd, ""));
	/* No NUL within FMNAMESZ + 1 bytes. */
	EXPECT_EQ(-EINVAL, push(fd, "nullmodxyz"));
	EXPECT_EQ(-EINVAL, push(fd, "nullmod12"));
	EXPECT_EQ(-EFAULT, push(fd, KERNEL_PTR));
	EXPECT_EQ(-EFAULT, push(fd, NULL));
	EXPECT_EQ(-EINVAL, xioctl(fd, I_FIND, "nosuchmd"));
	EXPECT_EQ(-EFAULT, xioctl(fd, I_FIND, KERNEL_PTR));
	EXPECT_EQ(1, nlist(fd));
	ASSERT_EQ(0, push(fd, "nullmod"));
	EXPECT_EQ(-EFAULT, xioctl(fd, I_LOOK, KERNEL_PTR));
	ASSERT_EQ(0, look(fd, name));
	EXPECT_STREQ("nullmod", name);
	close(fd);
}

TEST(list_errnos)
{
	struct str_mlist names[2];
	struct str_list list = { .sl_nmods = 0, .sl_modlist = names };
	int fd;

	OPEN_ECHO(fd);
	EXPECT_EQ(-EINVAL, xioctl(fd, I_LIST, &list));
	list.sl_nmods = -5;
	EXPECT_EQ(-EINVAL, xioctl(fd, I_LIST, &list));
	list.sl_nmods = 2;
	list.sl_modlist = KERNEL_PTR;
	EXPECT_EQ(-EFAULT, xioctl(fd, I_LIST, &list));
	EXPECT_EQ(-EFAULT, xioctl(fd, I_LIST, KERNEL_PTR));
	/* More room than entries: only the driver is filled in. */
	list.sl_modlist = names;
	ASSERT_EQ(0, xioctl(fd, I_LIST, &list));
	EXPECT_EQ(1, list.sl_nmods);
	EXPECT_STREQ("echo", names[0].l_name);
	close(fd);
}

TEST(nstrpush_limit)
{
	FILE *f = fopen("/sys/module/strclone/parameters/nstrpush", "r");
	int limit = -1, fd, i;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%d", &limit));
	fclose(f);
	ASSERT_EQ(9, limit) TH_LOG("SVR4's default is 9");
	OPEN_ECHO(fd);
	for (i = 0; i < limit; i++)
		ASSERT_EQ(0, push(fd, i % 2 ? "testmod" : "nullmod")) TH_LOG("push %d", i);
	EXPECT_EQ(-EINVAL, push(fd, "nullmod"));
	EXPECT_EQ(limit + 1, nlist(fd));
	/* Still a working stream through nine modules. */
	ASSERT_EQ(4, write(fd, "deep", 4));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	ASSERT_EQ(0, pop(fd));
	EXPECT_EQ(0, push(fd, "testmod"));
	/* Close with nine modules pushed: each is popped and closed. */
	close(fd);
}

TEST(module_refuses_push)
{
	struct testmod_counts c;
	int fd, err = EACCES;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, push(fd, "testmod"));
	ASSERT_EQ(0, istr_int(fd, TESTMOD_REFUSE_PUSH, &err));
	EXPECT_EQ(-EACCES, push(fd, "testmod"));
	/* Nothing is left of the refused instance. */
	EXPECT_EQ(2, nlist(fd));
	ASSERT_EQ(0, counts(fd, &c));
	EXPECT_EQ(1, c.opens);
	/* One-shot: the next push works. */
	EXPECT_EQ(0, push(fd, "testmod"));
	EXPECT_EQ(3, nlist(fd));
	/* Out-of-range errno values are refused. */
	err = -1;
	EXPECT_EQ(-EINVAL, istr_int(fd, TESTMOD_REFUSE_PUSH, &err));
	close(fd);
}

TEST(ioctl_nak_from_module)
{
	char rev[4] = "abc";
	struct strioctl s = {
		.ic_cmd = ECHO_REVERSE, .ic_timout = ISTR_TIMEOUT,
		.ic_len = 3, .ic_dp = rev,
	};
	int fd, err = EPROTO;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, push(fd, "testmod"));
	ASSERT_EQ(0, istr_int(fd, TESTMOD_NAK, &err));
	EXPECT_EQ(-EPROTO, xioctl(fd, I_STR, &s));
	EXPECT_EQ(0, memcmp(rev, "abc", 3));
	err = 0;
	ASSERT_EQ(0, istr_int(fd, TESTMOD_NAK, &err));
	EXPECT_EQ(3, xioctl(fd, I_STR, &s));
	EXPECT_EQ(0, memcmp(rev, "cba", 3));
	close(fd);
}

TEST(anchor_needs_privilege_to_pop)
{
	int fd, status;
	pid_t pid;

	OPEN_ECHO(fd);
	/* Nothing pushed: I_ANCHOR clears the anchor and succeeds (illumos). */
	EXPECT_EQ(0, xioctl(fd, I_ANCHOR, NULL));
	ASSERT_EQ(0, push(fd, "nullmod"));
	ASSERT_EQ(0, xioctl(fd, I_ANCHOR, NULL));
	ASSERT_EQ(0, push(fd, "testmod"));
	/* Above the anchor: anyone may pop. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setuid(1000))
			_exit(2);
		if (pop(fd))
			_exit(3);
		/* At the anchor: EPERM without privilege, nothing popped. */
		_exit(pop(fd) == -EPERM && nlist(fd) == 2 ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* Root pops through the anchor. */
	EXPECT_EQ(0, pop(fd));
	EXPECT_EQ(1, nlist(fd));
	close(fd);
}

TEST(hung_up_stream_refuses_plumbing)
{
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, push(fd, "nullmod"));
	ASSERT_EQ(0, istr_int(fd, ECHO_HANGUP, NULL));
	ASSERT_TRUE(poll_fd(fd, POLLIN, WAIT_MS) & POLLHUP);
	EXPECT_EQ(-ENXIO, push(fd, "testmod"));
	EXPECT_EQ(-ENXIO, pop(fd));
	EXPECT_EQ(2, nlist(fd));
	close(fd);
}

TEST(reopen_calls_pushed_modules)
{
	struct testmod_counts c;
	int a, b, err = EACCES;

	watchdog(WATCHDOG_S);
	a = open(CONSLOG_NODE, O_WRONLY);
	ASSERT_LE(0, a) TH_LOG("open %s: %s", CONSLOG_NODE, strerror(errno));
	ASSERT_EQ(0, push(a, "testmod"));
	b = open(CONSLOG_NODE, O_WRONLY);
	ASSERT_LE(0, b) TH_LOG("reopen: %s", strerror(errno));
	/* The second open is the same stream: testmod was reopened once. */
	ASSERT_EQ(0, counts(b, &c));
	EXPECT_EQ(1, c.opens);
	EXPECT_EQ(1, c.reopens);
	close(b);
	/* A module that refuses fails the open with its errno, changes nothing. */
	ASSERT_EQ(0, istr_int(a, TESTMOD_REFUSE_REOPEN, &err));
	EXPECT_EQ(-1, open(CONSLOG_NODE, O_WRONLY));
	EXPECT_EQ(EACCES, errno);
	ASSERT_EQ(0, counts(a, &c));
	EXPECT_EQ(1, c.reopens);
	EXPECT_EQ(2, nlist(a));
	err = 0;
	ASSERT_EQ(0, istr_int(a, TESTMOD_REFUSE_REOPEN, &err));
	b = open(CONSLOG_NODE, O_WRONLY);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, counts(a, &c));
	EXPECT_EQ(2, c.reopens);
	close(b);
	/* The last close pops testmod: a fresh conslog stream has nothing pushed. */
	close(a);
	a = open(CONSLOG_NODE, O_WRONLY);
	ASSERT_LE(0, a);
	EXPECT_EQ(1, nlist(a));
	close(a);
}

TEST(pipemod_exchanges_flush_sides)
{
	char buf[8];
	int fd;

	OPEN_ECHO(fd);
	/* Without pipemod a read flush leaves the driver's write queue alone. */
	ASSERT_EQ(0, istr_int(fd, ECHO_STOP, NULL));
	ASSERT_EQ(3, write(fd, "abc", 3));
	ASSERT_EQ(0, xioctl(fd, I_FLUSH, (void *)FLUSHR));
	ASSERT_EQ(0, istr_int(fd, ECHO_START, NULL));
	ASSERT_EQ(3, read_exact(fd, buf, 3, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));

	/* Through pipemod the same flush arrives as FLUSHW and empties it. */
	ASSERT_EQ(0, push(fd, "pipemod"));
	ASSERT_EQ(0, istr_int(fd, ECHO_STOP, NULL));
	ASSERT_EQ(3, write(fd, "xyz", 3));
	ASSERT_EQ(0, xioctl(fd, I_FLUSH, (void *)FLUSHR));
	ASSERT_EQ(0, istr_int(fd, ECHO_START, NULL));
	EXPECT_EQ(0, poll_fd(fd, POLLIN, QUIET_MS) & POLLIN);

	/*
	 * A write flush bounces: pipemod turns it into FLUSHR, the driver
	 * sends it back up, pipemod makes it FLUSHW again, the head turns it
	 * down once (MSGNOLOOP) and no more. The stream still works after.
	 */
	EXPECT_EQ(0, xioctl(fd, I_FLUSH, (void *)FLUSHW));
	EXPECT_EQ(0, xioctl(fd, I_FLUSH, (void *)FLUSHRW));
	ASSERT_EQ(2, write(fd, "ok", 2));
	ASSERT_EQ(2, read_exact(fd, buf, 2, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "ok", 2));
	close(fd);
}

/* ---- push and pop under traffic ------------------------------------------ */

#define NRECORDS	20000

struct traffic {
	int fd;
	atomic_int done;
	atomic_int pushes, pops;
	int bad_seq;	/* first wrong sequence number seen, or -1 */
	int got;
};

static void *writer(void *arg)
{
	struct traffic *t = arg;

	for (uint32_t i = 0; i < NRECORDS; i++) {
		uint32_t rec[2] = { i, ~i };

		if (write(t->fd, rec, sizeof(rec)) != sizeof(rec))
			break;
	}
	return NULL;
}

static void *reader(void *arg)
{
	struct traffic *t = arg;

	t->bad_seq = -1;
	while (t->got < NRECORDS) {
		uint32_t rec[2];

		if (read_exact(t->fd, rec, sizeof(rec), 4 * WAIT_MS) != sizeof(rec))
			break;
		if (rec[0] != (uint32_t)t->got || rec[1] != ~rec[0]) {
			t->bad_seq = t->got;
			break;
		}
		t->got++;
	}
	atomic_store(&t->done, 1);
	return NULL;
}

static void *plumber(void *arg)
{
	struct traffic *t = arg;
	unsigned int seed = (unsigned int)(uintptr_t)pthread_self();

	while (!atomic_load(&t->done)) {
		if (push(t->fd, rand_r(&seed) & 1 ? "testmod" : "nullmod") == 0)
			atomic_fetch_add(&t->pushes, 1);
		usleep(rand_r(&seed) % 500);
		if (pop(t->fd) == 0)
			atomic_fetch_add(&t->pops, 1);
	}
	return NULL;
}

/* The harness's 30 s default is too short on a busy TCG host. */
FIXTURE(traffic) {
	int unused;
};

FIXTURE_SETUP(traffic)
{
}

FIXTURE_TEARDOWN(traffic)
{
}

TEST_F_TIMEOUT(traffic, push_pop_under_traffic_loses_nothing, 120)
{
	struct traffic t = { .bad_seq = -1 };
	pthread_t th[4];

	watchdog(120);
	t.fd = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, t.fd);
	ASSERT_EQ(0, pthread_create(&th[0], NULL, writer, &t));
	ASSERT_EQ(0, pthread_create(&th[1], NULL, reader, &t));
	ASSERT_EQ(0, pthread_create(&th[2], NULL, plumber, &t));
	ASSERT_EQ(0, pthread_create(&th[3], NULL, plumber, &t));
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	ksft_print_msg("%d records, %d pushes, %d pops\n", t.got,
		       atomic_load(&t.pushes), atomic_load(&t.pops));
	EXPECT_EQ(-1, t.bad_seq) TH_LOG("record %d out of sequence", t.bad_seq);
	EXPECT_EQ(NRECORDS, t.got);
	EXPECT_LT(0, atomic_load(&t.pushes));
	/* Nothing else arrives: no record was duplicated. */
	EXPECT_EQ(0, poll_fd(t.fd, POLLIN, QUIET_MS) & POLLIN);
	EXPECT_EQ(1 + atomic_load(&t.pushes) - atomic_load(&t.pops), nlist(t.fd));
	close(t.fd);
}

TEST_HARNESS_MAIN
