// SPDX-License-Identifier: GPL-2.0
/*
 * A STREAMS module from another kernel module, through the DDI's C ABI
 * (include/linux/strclone_ddi.h): samples/kmod/upcase.ko, loaded here.
 *
 * - It registers at load: I_PUSH finds it, on an echo stream and on a ptm
 *   master; its write side upper-cases data; its read side passes it.
 * - Its put and service procedures see flow control: with echo stopped,
 *   the data queues in the module until a non-blocking write gets EAGAIN,
 *   and after ECHO_START every byte comes back, in order, converted.
 * - Its own I_STR ioctl (UPCASE_COUNT) is answered by the C module with
 *   qreply(); one it does not know goes on to the driver.
 * - Its provider cannot be unloaded while it is pushed anywhere
 *   (delete_module: EWOULDBLOCK); once popped it can, and then I_PUSH of
 *   its name fails EINVAL.
 *
 * - The registration rules (tools/testing/selftests/strclone/kmod/ddireg.c,
 *   a test provider): each wrong registration's exact errno, and
 *   strclone_unregister_module() refused with EBUSY while the module is
 *   pushed, accepted once it is popped.
 *
 * Each test loads the module itself and unloads it at the end, so no later
 * program finds it loaded (strclone is reloaded by later tests).
 */
#include <fcntl.h>
#include <sched.h>
#include <pthread.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "strclone_util.h"
#include "kmod_util.h"
#include "upcase.h"

STRCLONE_BARE_PTS()

#define DDIREG_PARAMS	"/sys/module/ddireg/parameters/"

static int load_upcase(void)
{
	return load_kmod(KMOD_DIR "upcase.ko");
}

static int unload_upcase(void)
{
	return unload_kmod_settled("upcase");
}

/* ddireg's "unregister" command, then what it returned ("unregistered"). */
static int ddireg_cmd(const char *cmd)
{
	char buf[32];

	if (write_param(DDIREG_PARAMS "unregister", cmd) || read_param(DDIREG_PARAMS "unregistered", buf, sizeof(buf)))
		return 1000;
	return atoi(buf);
}

FIXTURE(upcase) {
	int fd;
};

FIXTURE_SETUP(upcase)
{
	watchdog(WATCHDOG_S);
	self->fd = -1;
	ASSERT_EQ(0, load_upcase());
	self->fd = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(upcase)
{
	if (self->fd >= 0)
		close(self->fd);
	/* The close popped it; a provider that cannot go is a failure. */
	EXPECT_EQ(0, unload_upcase());
}

TEST_F(upcase, pushed_on_echo_converts_writes)
{
	char buf[64] = "";
	char name[FMNAMESZ + 1] = "";

	ASSERT_EQ(0, push(self->fd, "upcase"));
	EXPECT_EQ(1, ioctl(self->fd, I_FIND, "upcase"));
	ASSERT_EQ(0, ioctl(self->fd, I_LOOK, name));
	EXPECT_STREQ("upcase", name);
	EXPECT_EQ(2, ioctl(self->fd, I_LIST, NULL));
	ASSERT_EQ(11, write(self->fd, "hello, w0rd", 11));
	ASSERT_EQ(11, read_exact(self->fd, buf, 11, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "HELLO, W0RD", 11));
	/* Popped, the stream echoes unchanged again. */
	ASSERT_EQ(0, ioctl(self->fd, I_POP, 0));
	ASSERT_EQ(3, write(self->fd, "abc", 3));
	ASSERT_EQ(3, read_exact(self->fd, buf, 3, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
}

TEST_F(upcase, its_ioctl_answered_others_passed_on)
{
	struct upcase_count c = { 99, 99 };
	char rev[4] = "abc";
	char buf[32];
	int len = -1;

	ASSERT_EQ(0, push(self->fd, "upcase"));
	ASSERT_EQ(0, istr(self->fd, UPCASE_COUNT, &c, sizeof(c), &len));
	EXPECT_EQ((int)sizeof(c), len);
	EXPECT_EQ(0, c.msgs);
	EXPECT_EQ(0, c.bytes);
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(5, write(self->fd, "abcde", 5));
	ASSERT_EQ(15, read_exact(self->fd, buf, 15, WAIT_MS));
	ASSERT_EQ(0, istr(self->fd, UPCASE_COUNT, &c, sizeof(c), &len));
	EXPECT_EQ(3, c.msgs);
	EXPECT_EQ(15, c.bytes);
	/* Not the module's: echo answers it through the module. */
	ASSERT_EQ(3, istr(self->fd, ECHO_REVERSE, rev, 3, &len));
	EXPECT_EQ(0, memcmp(rev, "cba", 3));
}

TEST_F(upcase, flow_control_through_its_service_procedure)
{
	static char chunk[512], back[64 * 1024], want[64 * 1024];
	int fl = fcntl(self->fd, F_GETFL);
	size_t sent = 0;
	ssize_t r;

	ASSERT_EQ(0, push(self->fd, "upcase"));
	ASSERT_EQ(0, echo_cmd(self->fd, ECHO_STOP));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	for (;;) {
		for (size_t i = 0; i < sizeof(chunk); i++)
			chunk[i] = 'a' + (sent + i) % 26;
		r = write(self->fd, chunk, sizeof(chunk));
		if (r < 0)
			break;
		ASSERT_EQ((ssize_t)sizeof(chunk), r);
		memcpy(want + sent, chunk, sizeof(chunk));
		sent += sizeof(chunk);
		ASSERT_GT(sizeof(want), sent) TH_LOG("no flow control after %zu bytes", sent);
	}
	EXPECT_EQ(EAGAIN, errno);
	/* The module's queue (2048) and echo's (8192) hold it, nothing more. */
	EXPECT_LE(2048 + 8192, sent);
	EXPECT_GE(2048 + 8192 + 2 * 512 + 4096, sent);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl));
	ASSERT_EQ(0, echo_cmd(self->fd, ECHO_START));
	ASSERT_EQ((ssize_t)sent, read_exact(self->fd, back, sent, WAIT_MS));
	for (size_t i = 0; i < sent; i++)
		want[i] = want[i] - 'a' + 'A';
	EXPECT_EQ(0, memcmp(want, back, sent));
}

TEST_F(upcase, provider_pinned_while_pushed)
{
	int other = open(ECHO_NODE, O_RDWR);

	ASSERT_LE(0, other);
	ASSERT_EQ(0, push(self->fd, "upcase"));
	ASSERT_EQ(0, push(other, "upcase"));
	EXPECT_EQ(-EWOULDBLOCK, unload_kmod("upcase"));
	ASSERT_EQ(0, ioctl(self->fd, I_POP, 0));
	EXPECT_EQ(-EWOULDBLOCK, unload_kmod("upcase"));
	close(other);	/* the last instance goes with the stream */
	ASSERT_EQ(0, unload_upcase());
	/* Gone from the module switch with its provider. */
	EXPECT_EQ(-EINVAL, push(self->fd, "upcase"));
	ASSERT_EQ(0, load_upcase());	/* for the teardown */
}

TEST_F(upcase, pushed_on_a_ptm_master)
{
	char buf[32] = "";
	int m = open(PTMX_NODE, O_RDWR), s;

	ASSERT_LE(0, m);
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	s = ioctl(m, PTMGETPEER, O_RDWR);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, push(m, "upcase"));
	ASSERT_EQ(6, write(m, "ls -l\n", 6));
	ASSERT_EQ(6, read_exact(s, buf, 6, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "LS -L\n", 6));
	/* The other way passes unchanged. */
	ASSERT_EQ(2, write(s, "ok", 2));
	ASSERT_EQ(2, read_exact(m, buf, 2, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "ok", 2));
	close(s);
	close(m);
}

TEST(registration_rules)
{
	char res[512], buf[8];
	int fd;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, load_kmod(KMOD_DIR "ddireg.ko"));
	ASSERT_EQ(0, read_param(DDIREG_PARAMS "results", res, sizeof(res)));
	EXPECT_STREQ("version=-22 noname=-22 empty=-22 long=-22 nostr=-22 nowr=-22 noput=-22 "
		     "nominfo=-22 builtin=-17 noowner=-22 twice=-17 unknown=-2 otherstr=-2 "
		     "version_call=1", res);
	fd = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, push(fd, "ddireg"));
	EXPECT_EQ(-EBUSY, ddireg_cmd("1"));
	ASSERT_EQ(5, write(fd, "hello", 5));
	ASSERT_EQ(5, read_exact(fd, buf, 5, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	ASSERT_EQ(0, ioctl(fd, I_POP, 0));
	/* The popped instance may wait for a work item a moment. */
	for (int i = 0; i < 200 && ddireg_cmd("1") == -EBUSY; i++)
		usleep(10000);
	EXPECT_EQ(-ENOENT, ddireg_cmd("1"));
	EXPECT_EQ(0, ddireg_cmd("2"));
	EXPECT_EQ(0, ddireg_cmd("1"));
	EXPECT_EQ(-ENOENT, ddireg_cmd("1"));
	EXPECT_EQ(-EINVAL, push(fd, "ddireg"));
	EXPECT_EQ(0, ddireg_cmd("2"));
	EXPECT_EQ(0, push(fd, "ddireg"));
	EXPECT_EQ(-EWOULDBLOCK, unload_kmod("ddireg"));
	close(fd);
	EXPECT_EQ(0, unload_kmod_settled("ddireg"));
}

/* Every message routine, called by ddireg on messages it builds. */
TEST(message_routines)
{
	char buf[32];

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, load_kmod(KMOD_DIR "ddireg.ko"));
	ASSERT_EQ(0, read_param(DDIREG_PARAMS "msgchecked", buf, sizeof(buf)));
	EXPECT_STREQ("-1", buf);
	ASSERT_EQ(0, write_param(DDIREG_PARAMS "msgcheck", "1"));
	ASSERT_EQ(0, read_param(DDIREG_PARAMS "msgchecked", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf) TH_LOG("message-routine check %s failed (ddireg.c)", buf);
	EXPECT_EQ(0, unload_kmod_settled("ddireg"));
}

/* Every queue routine, called by ddireg's put procedure on its own queue. */
TEST(queue_routines)
{
	char scratch[8];
	int fd, r;

	watchdog(WATCHDOG_S);
	ASSERT_EQ(0, load_kmod(KMOD_DIR "ddireg.ko"));
	fd = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, push(fd, "ddireg"));
	r = istr(fd, ('D' << 8) | 1, scratch, 0, NULL);
	EXPECT_EQ(0, r) TH_LOG("queue-routine check %d failed (ddireg.c): %s", r, r < 0 ? strerror(errno) : "");
	/* The stream still echoes. */
	ASSERT_EQ(2, write(fd, "ok", 2));
	EXPECT_EQ(2, read_exact(fd, scratch, 2, WAIT_MS));
	close(fd);
	EXPECT_EQ(0, unload_kmod_settled("ddireg"));
}

/*
 * Pushes and lookups racing the provider's load and unload: two threads
 * push and pop ddireg (and ask I_FIND for it) on their own echo streams
 * while the main thread loads and unloads it 30 times. Every push works,
 * or fails EINVAL (not registered) or ENXIO (registered, but its provider
 * is unloading: driver-api.rst, "Lifetimes"); every unload succeeds once the
 * threads' instances are popped; the console scan catches any use of a
 * provider that is gone.
 */
struct racer {
	volatile int stop;
	int bad;		/* an errno that is not EINVAL or ENXIO */
	long pushes;
};

static void *race_push(void *arg)
{
	struct racer *r = arg;
	int fd = open(ECHO_NODE, O_RDWR);

	if (fd < 0) {
		r->bad = errno;
		return NULL;
	}
	while (!r->stop) {
		int p = push(fd, "ddireg");

		if (p == 0) {
			r->pushes++;
			if (ioctl(fd, I_POP, 0) < 0)
				r->bad = errno;
		} else if (p != -EINVAL && p != -ENXIO) {
			r->bad = -p;
		}
		if (ioctl(fd, I_FIND, "ddireg") < 0 && errno != EINVAL)
			r->bad = errno;
		/* A yield between pushes: two threads pushing back to back
		 * on a loaded 2-vCPU guest can hold the provider for seconds
		 * on end, and the unload (O_NONBLOCK) would only race them. */
		sched_yield();
	}
	close(fd);
	return NULL;
}

/* The unload of a provider that pushes race with: retried for up to 20 s. */
static int unload_racing(const char *name)
{
	long long end = now_ms() + 20000;
	int r;

	while ((r = unload_kmod(name)) == -EWOULDBLOCK && now_ms() < end)
		usleep(1000);
	return r;
}

FIXTURE(race) {
	int unused;
};

FIXTURE_SETUP(race)
{
}

FIXTURE_TEARDOWN(race)
{
	unload_racing("ddireg");
}

/* 30 rounds take a few seconds on a quiet guest; the harness's 30 s
 * default is too short for a loaded host or KASAN. */
TEST_F_TIMEOUT(race, unload_races_pushes, 300)
{
	struct racer r[2] = { 0 };
	pthread_t th[2];
	int loaded = 0;

	watchdog(290);
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, race_push, &r[i]));
	for (int round = 0; round < 30; round++) {
		int l = load_kmod(KMOD_DIR "ddireg.ko");

		EXPECT_EQ(0, l);
		if (l)
			break;
		usleep(2000 + round * 100);
		EXPECT_EQ(0, unload_racing("ddireg"));
		loaded++;
	}
	for (int i = 0; i < 2; i++) {
		r[i].stop = 1;
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, r[i].bad) TH_LOG("thread %d: %s", i, strerror(r[i].bad));
	}
	EXPECT_EQ(30, loaded);
	TH_LOG("%ld and %ld pushes of ddireg made it", r[0].pushes, r[1].pushes);
}

TEST(unknown_before_load)
{
	int fd = open(ECHO_NODE, O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, push(fd, "upcase"));
	close(fd);
}

TEST_HARNESS_MAIN
