// SPDX-License-Identifier: GPL-2.0
/*
 * Asynchronous notification and close at the stream head
 * (Documentation/strclone/streams.rst, "Asynchronous notification" and
 * "Close"):
 *
 * - I_SETSIG/I_GETSIG: registration per process, each event that can be
 *   made from user space (S_INPUT, S_RDNORM, S_HIPRI, S_OUTPUT/S_WRNORM,
 *   S_ERROR, S_HANGUP) sends SIGPOLL, the others do not, the "first
 *   message" rule, every errno, removal at close and at exit, a process
 *   that died without closing (a CLONE_FILES child) dropped;
 * - O_ASYNC with F_SETOWN/F_SETSIG: SIGIO (or the F_SETSIG signal) with
 *   POLL_IN, POLL_PRI, POLL_OUT, POLL_ERR, POLL_HUP;
 * - I_SETCLTIME/I_GETCLTIME, and the last close waiting for the write side
 *   to drain: up to the close time, not at all with O_NONBLOCK or a close
 *   time of 0, ended by a signal, and ended early when the output drains
 *   (a ptm master's output read by its slave: nothing lost).
 *
 * Signals are taken with sigtimedwait() with SIGPOLL (SIGIO) and SIGURG
 * blocked, so a test sees exactly the signals the stream sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"

/* Bare pts slaves: the drain test reads the master's bytes unprocessed. */
STRCLONE_BARE_PTS()

#ifndef SIGPOLL
#define SIGPOLL SIGIO
#endif

/* Echo's driver write queue limits for the flow-control tests. */
#define SMALL_HI	1024
#define SMALL_LO	256

static int open_echo(void)
{
	return open(ECHO_NODE, O_RDWR);
}

#define OPEN_ECHO(fd) do {						\
	watchdog(WATCHDOG_S);						\
	fd = open_echo();						\
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", ECHO_NODE, strerror(errno)); \
} while (0)

/* Blocks SIGPOLL, SIGURG and @extra (0: none) for sigtimedwait(). */
static void block_sigs(int extra)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGPOLL);
	sigaddset(&s, SIGURG);
	if (extra)
		sigaddset(&s, extra);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

/* Throws away pending SIGPOLL/SIGURG/@extra. */
static void drain_sigs(int extra)
{
	struct timespec zero = { 0, 0 };
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGPOLL);
	sigaddset(&s, SIGURG);
	if (extra)
		sigaddset(&s, extra);
	while (sigtimedwait(&s, NULL, &zero) > 0)
		;
}

/*
 * Waits up to @ms for one of SIGPOLL, SIGURG or @extra; returns its number
 * (and its siginfo in *si), 0 if none came.
 */
static int wait_sig(int extra, int ms, siginfo_t *si)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	siginfo_t dummy;
	sigset_t s;
	int r;

	sigemptyset(&s);
	sigaddset(&s, SIGPOLL);
	sigaddset(&s, SIGURG);
	if (extra)
		sigaddset(&s, extra);
	r = sigtimedwait(&s, si ? si : &dummy, &ts);
	return r < 0 ? 0 : r;
}

static int setsig(int fd, int events)
{
	return ioctl(fd, I_SETSIG, events);
}

static int getsig(int fd)
{
	int ev = -1;

	if (ioctl(fd, I_GETSIG, &ev))
		return -errno;
	return ev;
}

/* The strclone-sigs line of /proc/self/fdinfo/<fd>; -1 if absent. */
static int fdinfo_sigs(int fd)
{
	char path[64], buf[1024];
	ssize_t n;
	char *p;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY);
	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, "strclone-sigs:\t");
	return p ? atoi(p + 15) : -1;
}

/* Reads whatever the head holds (non-blocking), so the next arrival is the first. */
static void empty_head(int fd)
{
	char buf[8192];
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	fcntl(fd, F_SETFL, fl);
}

/* ---- I_SETSIG / I_GETSIG: registration and errnos -------------------- */

TEST(setsig_getsig_round_trip)
{
	int fd;

	OPEN_ECHO(fd);
	EXPECT_EQ(-EINVAL, getsig(fd));
	EXPECT_EQ(-1, setsig(fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, fdinfo_sigs(fd));

	ASSERT_EQ(0, setsig(fd, S_INPUT | S_HIPRI));
	EXPECT_EQ(S_INPUT | S_HIPRI, getsig(fd));
	EXPECT_EQ(1, fdinfo_sigs(fd));
	/* A second I_SETSIG replaces the events, it adds no entry. */
	ASSERT_EQ(0, setsig(fd, S_RDBAND | S_BANDURG | S_WRBAND));
	EXPECT_EQ(S_RDBAND | S_BANDURG | S_WRBAND, getsig(fd));
	EXPECT_EQ(1, fdinfo_sigs(fd));
	/* Every event at once. */
	ASSERT_EQ(0, setsig(fd, S_INPUT | S_HIPRI | S_OUTPUT | S_MSG | S_ERROR | S_HANGUP |
			    S_RDNORM | S_WRNORM | S_RDBAND | S_WRBAND | S_BANDURG));
	EXPECT_EQ(0x3ff, getsig(fd));

	ASSERT_EQ(0, setsig(fd, 0));
	EXPECT_EQ(-EINVAL, getsig(fd));
	EXPECT_EQ(0, fdinfo_sigs(fd));
	close(fd);
}

TEST(setsig_bad_events)
{
	int fd;

	OPEN_ECHO(fd);
	ASSERT_EQ(0, setsig(fd, S_HANGUP));
	EXPECT_EQ(-1, setsig(fd, S_INPUT | 0x400));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsig(fd, 0x10000));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsig(fd, -1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsig(fd, S_BANDURG));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsig(fd, S_BANDURG | S_INPUT));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing lost: the registration is unchanged. */
	EXPECT_EQ(S_HANGUP, getsig(fd));
	EXPECT_EQ(-1, ioctl(fd, I_GETSIG, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(S_HANGUP, getsig(fd));
	close(fd);
}

/* ---- each event ------------------------------------------------------ */

TEST(s_input_first_message_only)
{
	siginfo_t si;
	int fd;

	block_sigs(0);
	drain_sigs(0);
	OPEN_ECHO(fd);
	ASSERT_EQ(0, setsig(fd, S_INPUT));
	ASSERT_EQ(1, write(fd, "a", 1));
	EXPECT_EQ(SIGPOLL, wait_sig(0, WAIT_MS, &si));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	/* The head is not empty: a second message sends nothing. */
	ASSERT_EQ(1, write(fd, "b", 1));
	ASSERT_EQ(2, wait_nread(fd, 2, WAIT_MS, NULL));
	EXPECT_EQ(0, wait_sig(0, QUIET_MS, NULL));
	/* Emptied, the next one does again. */
	empty_head(fd);
	ASSERT_EQ(1, write(fd, "c", 1));
	EXPECT_EQ(SIGPOLL, wait_sig(0, WAIT_MS, NULL));
	close(fd);
}

TEST(s_rdnorm)
{
	int fd;

	block_sigs(0);
	drain_sigs(0);
	OPEN_ECHO(fd);
	ASSERT_EQ(0, setsig(fd, S_RDNORM));
	ASSERT_EQ(3, write(fd, "abc", 3));
	EXPECT_EQ(SIGPOLL, wait_sig(0, WAIT_MS, NULL));
	close(fd);
}

TEST(s_hipri)
{
	int fd;

	block_sigs(0);
	drain_sigs(0);
	OPEN_ECHO(fd);
	ASSERT_EQ(0, setsig(fd, S_HIPRI));
	/* A normal message: not this event. */
	ASSERT_EQ(3, write(fd, "abc", 3));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(0, wait_sig(0, QUIET_MS, NULL));
	/* An M_PCPROTO (echoed straight back): S_HIPRI, even behind data. */
	ASSERT_EQ(0, putmsg_parts(fd, "pc", 2, NULL, -1, RS_HIPRI));
	EXPECT_EQ(SIGPOLL, wait_sig(0, WAIT_MS, NULL));
	close(fd);
}

TEST(rdband_and_bandurg_not_for_band_0)
{
	int fd;

	block_sigs(0);
	drain_sigs(0);
	OPEN_ECHO(fd);
	/* Band 0 data is neither S_RDBAND's nor (so) S_BANDURG's. */
	ASSERT_EQ(0, setsig(fd, S_RDBAND | S_BANDURG | S_HANGUP));
	ASSERT_EQ(3, write(fd, "abc", 3));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(0, wait_sig(0, QUIET_MS, NULL));
	/* The registration works (the test can fail): a hangup signals. */
	ASSERT_EQ(0, echo_cmd(fd, ECHO_HANGUP));
	EXPECT_EQ(SIGPOLL, wait_sig(0, WAIT_MS, NULL));
	close(fd);
}

/* Fills echo's stopped write queue until EAGAIN; leaves the fd blocking. */
static long fill_stopped(int fd)
{
	char buf[256];
	long total = 0;

	memset(buf, 'f', sizeof(buf));
	if (echo_setq(fd, SMALL_HI, SMALL_LO) || echo_cmd(fd, ECHO_STOP) || set_nonblock(fd, 1))
		return -1;
	for (int i = 0; i < 1000; i++) {
		ssize_t r = write(fd, buf, sizeof(buf));

		if (r < 0) {
			if (errno != EAGAIN)
				return -1;
			set_nonblock(fd, 0);
			return total;
		}
		total += r;
	}
	return -1;
}

TEST(s_output_when_writable_again)
{
	long total;
	int fd;

	block_sigs(0);
	drain_sigs(0);
	OPEN_ECHO(fd);
	total = fill_stopped(fd);
	ASSERT_LT(0, total);
	ASSERT_EQ(0, setsig(fd, S_OUTPUT));
	EXPECT_EQ(0, wait_sig(0, QUIET_MS, NULL));
	/* Echo drains its queue to the head: the writers are back-enabled. */
	ASSERT_EQ(0, echo_cmd(fd, ECHO_START));
	EXPECT_EQ(SIGPOLL, wait_sig(0, WAIT_MS, NULL));
	close(fd);
}

TEST(s_wrnorm_same_as_s_output)
{
	int fd;

	block_sigs(0);
	drain_sigs(0);
	OPEN_ECHO(fd);
	ASSERT_LT(0, fill_stopped(fd));
	ASSERT_EQ(0, setsig(fd, S_WRNORM));
	EXPECT_EQ(S_OUTPUT, getsig(fd));
	ASSERT_EQ(0, echo_cmd(fd, ECHO_START));
	EXPECT_EQ(SIGPOLL, wait_sig(0, WAIT_MS, NULL));
	close(fd);
}

TEST(s_wrband_not_without_bands)
{
	int fd;

	block_sigs(0);
	drain_sigs(0);
	OPEN_ECHO(fd);
	ASSERT_LT(0, fill_stopped(fd));
	/* No band above 0 was ever used below the head: nothing to report. */
	ASSERT_EQ(0, setsig(fd, S_WRBAND | S_ERROR));
	ASSERT_EQ(0, echo_cmd(fd, ECHO_START));
	ASSERT_LT(0, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(0, wait_sig(0, QUIET_MS, NULL));
	ASSERT_EQ(0, echo_cmd_int(fd, ECHO_ERROR, EPROTO));
	EXPECT_EQ(SIGPOLL, wait_sig(0, WAIT_MS, NULL));
	close(fd);
}

TEST(s_error)
{
	int fd;

	block_sigs(0);
	drain_sigs(0);
	OPEN_ECHO(fd);
	ASSERT_EQ(0, setsig(fd, S_ERROR));
	ASSERT_EQ(0, echo_cmd(fd, ECHO_HANGUP));
	ASSERT_NE(0, poll_fd(fd, POLLIN, WAIT_MS) & POLLHUP);
	EXPECT_EQ(0, wait_sig(0, QUIET_MS, NULL));
	close(fd);

	OPEN_ECHO(fd);
	ASSERT_EQ(0, setsig(fd, S_ERROR));
	ASSERT_EQ(0, echo_cmd_int(fd, ECHO_ERROR, EPROTO));
	EXPECT_EQ(SIGPOLL, wait_sig(0, WAIT_MS, NULL));
	close(fd);
}

TEST(s_hangup)
{
	int fd;

	block_sigs(0);
	drain_sigs(0);
	OPEN_ECHO(fd);
	ASSERT_EQ(0, setsig(fd, S_HANGUP));
	ASSERT_EQ(0, echo_cmd_int(fd, ECHO_ERROR, EPROTO));
	ASSERT_NE(0, poll_fd(fd, POLLIN, WAIT_MS) & POLLERR);
	EXPECT_EQ(0, wait_sig(0, QUIET_MS, NULL));
	close(fd);

	OPEN_ECHO(fd);
	ASSERT_EQ(0, setsig(fd, S_HANGUP));
	ASSERT_EQ(0, echo_cmd(fd, ECHO_HANGUP));
	EXPECT_EQ(SIGPOLL, wait_sig(0, WAIT_MS, NULL));
	close(fd);
}

/* ---- per process ----------------------------------------------------- */

TEST(each_registered_process_gets_one)
{
	int fd, status, p[2];
	pid_t child;
	char c;

	block_sigs(0);
	drain_sigs(0);
	OPEN_ECHO(fd);
	ASSERT_EQ(0, pipe(p));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		/* The same stream through the inherited descriptor. */
		alarm(WATCHDOG_S);
		if (setsig(fd, S_HANGUP) || getsig(fd) != S_HANGUP)
			_exit(2);
		if (write(p[1], "r", 1) != 1)
			_exit(3);
		_exit(wait_sig(0, WAIT_MS, NULL) == SIGPOLL ? 0 : 1);
	}
	ASSERT_EQ(1, read(p[0], &c, 1));
	/* The parent is not registered: its own entry is separate. */
	EXPECT_EQ(-EINVAL, getsig(fd));
	ASSERT_EQ(0, setsig(fd, S_HANGUP | S_INPUT));
	EXPECT_EQ(2, fdinfo_sigs(fd));
	ASSERT_EQ(0, echo_cmd(fd, ECHO_HANGUP));
	EXPECT_EQ(SIGPOLL, wait_sig(0, WAIT_MS, NULL));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* Its exit closed its descriptor: its entry went with it. */
	EXPECT_EQ(1, fdinfo_sigs(fd));
	EXPECT_EQ(S_HANGUP | S_INPUT, getsig(fd));
	close(p[0]);
	close(p[1]);
	close(fd);
}

TEST(close_of_any_descriptor_removes_the_entry)
{
	int fd, fd2;

	OPEN_ECHO(fd);
	fd2 = dup(fd);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, setsig(fd, S_INPUT));
	EXPECT_EQ(S_INPUT, getsig(fd2));
	/* As illumos' strclean: any close by the process, not only the last. */
	close(fd);
	EXPECT_EQ(-EINVAL, getsig(fd2));
	EXPECT_EQ(0, fdinfo_sigs(fd2));
	close(fd2);
}

struct clone_arg {
	int fd;
};

static int clone_child(void *a)
{
	struct clone_arg *ca = a;

	return setsig(ca->fd, S_HANGUP) ? 1 : 0;
}

TEST(dead_process_without_close_is_dropped)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct clone_arg ca;
	int fd, status;
	pid_t child;

	block_sigs(0);
	drain_sigs(0);
	OPEN_ECHO(fd);
	ca.fd = fd;
	/*
	 * A process sharing this descriptor table: its exit closes nothing,
	 * so its entry stays, with a process that is gone.
	 */
	child = clone(clone_child, stack + sizeof(stack), CLONE_FILES | SIGCHLD, &ca);
	ASSERT_LT(0, child);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(1, fdinfo_sigs(fd));
	ASSERT_EQ(0, setsig(fd, S_HANGUP));
	EXPECT_EQ(2, fdinfo_sigs(fd));
	/* The event: this process gets it, the dead one is dropped. */
	ASSERT_EQ(0, echo_cmd(fd, ECHO_HANGUP));
	EXPECT_EQ(SIGPOLL, wait_sig(0, WAIT_MS, NULL));
	EXPECT_EQ(1, fdinfo_sigs(fd));
	EXPECT_EQ(S_HANGUP, getsig(fd));
	close(fd);
}

/* ---- O_ASYNC: fasync --------------------------------------------------- */

static int set_async(int fd, int sig)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETOWN, getpid()) || fcntl(fd, F_SETSIG, sig))
		return -1;
	return fcntl(fd, F_SETFL, fl | O_ASYNC);
}

TEST(o_async_codes)
{
	int sig = SIGRTMIN + 1;
	siginfo_t si;
	int fd;

	block_sigs(sig);
	drain_sigs(sig);
	OPEN_ECHO(fd);
	ASSERT_EQ(0, set_async(fd, sig));
	ASSERT_NE(0, fcntl(fd, F_GETFL) & O_ASYNC);

	ASSERT_EQ(1, write(fd, "x", 1));
	ASSERT_EQ(sig, wait_sig(sig, WAIT_MS, &si));
	EXPECT_EQ(POLL_IN, si.si_code);
	EXPECT_EQ(fd, si.si_fd);
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	empty_head(fd);
	drain_sigs(sig);

	ASSERT_EQ(0, putmsg_parts(fd, "pc", 2, NULL, -1, RS_HIPRI));
	ASSERT_EQ(sig, wait_sig(sig, WAIT_MS, &si));
	EXPECT_EQ(POLL_PRI, si.si_code);
	drain_sigs(sig);
	close(fd);

	/* Writable again: POLL_OUT. */
	OPEN_ECHO(fd);
	ASSERT_LT(0, fill_stopped(fd));
	ASSERT_EQ(0, set_async(fd, sig));
	drain_sigs(sig);
	ASSERT_EQ(0, echo_cmd(fd, ECHO_START));
	/* The echoed data arrives too (POLL_IN); look for POLL_OUT. */
	for (int i = 0; i < 8; i++) {
		ASSERT_EQ(sig, wait_sig(sig, WAIT_MS, &si));
		if (si.si_code == POLL_OUT)
			break;
	}
	EXPECT_EQ(POLL_OUT, si.si_code);
	drain_sigs(sig);

	ASSERT_EQ(0, echo_cmd_int(fd, ECHO_ERROR, EPROTO));
	ASSERT_EQ(sig, wait_sig(sig, WAIT_MS, &si));
	EXPECT_EQ(POLL_ERR, si.si_code);
	close(fd);

	OPEN_ECHO(fd);
	ASSERT_EQ(0, set_async(fd, sig));
	ASSERT_EQ(0, echo_cmd(fd, ECHO_HANGUP));
	ASSERT_EQ(sig, wait_sig(sig, WAIT_MS, &si));
	EXPECT_EQ(POLL_HUP, si.si_code);
	close(fd);
}

TEST(o_async_default_sigio_and_off)
{
	int fd, fl;

	block_sigs(0);
	drain_sigs(0);
	OPEN_ECHO(fd);
	ASSERT_EQ(0, set_async(fd, 0));
	ASSERT_EQ(1, write(fd, "x", 1));
	EXPECT_EQ(SIGIO, wait_sig(0, WAIT_MS, NULL));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	empty_head(fd);
	drain_sigs(0);
	/* O_ASYNC off: nothing more. */
	fl = fcntl(fd, F_GETFL);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fl & ~O_ASYNC));
	ASSERT_EQ(1, write(fd, "y", 1));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	EXPECT_EQ(0, wait_sig(0, QUIET_MS, NULL));
	close(fd);
}

/* ---- I_SETCLTIME / I_GETCLTIME and the drain at close ------------------- */

static int getcltime(int fd)
{
	int t = -2;

	if (ioctl(fd, I_GETCLTIME, &t))
		return -errno;
	return t;
}

static int setcltime(int fd, int ms)
{
	return ioctl(fd, I_SETCLTIME, &ms);
}

TEST(cltime_get_set)
{
	int fd;

	OPEN_ECHO(fd);
	EXPECT_EQ(STRCLONE_DEFAULT_CLTIME, getcltime(fd));
	ASSERT_EQ(0, setcltime(fd, 500));
	EXPECT_EQ(500, getcltime(fd));
	ASSERT_EQ(0, setcltime(fd, 0));
	EXPECT_EQ(0, getcltime(fd));
	EXPECT_EQ(-1, setcltime(fd, -1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, getcltime(fd));
	ASSERT_EQ(0, setcltime(fd, STRCLONE_CLTIME_MAX));
	EXPECT_EQ(STRCLONE_CLTIME_MAX, getcltime(fd));
	EXPECT_EQ(-1, setcltime(fd, STRCLONE_CLTIME_MAX + 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setcltime(fd, 0x7fffffff));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(STRCLONE_CLTIME_MAX, getcltime(fd));
	ASSERT_EQ(0, setcltime(fd, 0));
	EXPECT_EQ(-1, ioctl(fd, I_SETCLTIME, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, I_GETCLTIME, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, getcltime(fd));
	close(fd);
}

/* An echo stream whose stopped driver queue holds @n bytes. */
static int echo_with_output(int n)
{
	char buf[64];
	int fd = open_echo();

	if (fd < 0 || echo_cmd(fd, ECHO_STOP))
		return -1;
	memset(buf, 'o', sizeof(buf));
	for (int i = 0; i < n; i += (int)sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			return -1;
	return fd;
}

static long long timed_close(int fd)
{
	long long t0 = now_ms();

	if (close(fd))
		return -1;
	return now_ms() - t0;
}

TEST(close_waits_up_to_the_close_time)
{
	long long ms;
	int fd;

	watchdog(WATCHDOG_S);
	fd = echo_with_output(256);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setcltime(fd, 600));
	ms = timed_close(fd);
	EXPECT_LE(580, ms);
	EXPECT_GT(5000, ms);
}

TEST(close_with_modules_waits_for_the_driver)
{
	long long ms;
	int fd;

	watchdog(WATCHDOG_S);
	fd = echo_with_output(256);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, push(fd, "nullmod"));
	ASSERT_EQ(0, push(fd, "nullmod"));
	ASSERT_EQ(0, setcltime(fd, 500));
	ms = timed_close(fd);
	EXPECT_LE(480, ms);
	EXPECT_GT(5000, ms);
}

TEST(close_nonblock_does_not_wait)
{
	long long ms;
	int fd;

	watchdog(WATCHDOG_S);
	fd = echo_with_output(256);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setcltime(fd, 3000));
	ASSERT_EQ(0, set_nonblock(fd, 1));
	ms = timed_close(fd);
	EXPECT_LE(0, ms);
	EXPECT_GT(1000, ms);
}

TEST(close_time_0_does_not_wait)
{
	long long ms;
	int fd;

	watchdog(WATCHDOG_S);
	fd = echo_with_output(256);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setcltime(fd, 0));
	ms = timed_close(fd);
	EXPECT_LE(0, ms);
	EXPECT_GT(1000, ms);
}

TEST(close_of_a_drained_stream_does_not_wait)
{
	long long ms;
	int fd;

	OPEN_ECHO(fd);
	/* The default close time (15 s), nothing queued below the head. */
	ASSERT_EQ(3, write(fd, "abc", 3));
	ASSERT_EQ(1, wait_nread(fd, 1, WAIT_MS, NULL));
	ms = timed_close(fd);
	EXPECT_LE(0, ms);
	EXPECT_GT(1000, ms);
}

TEST(close_of_a_hung_up_or_errored_stream_does_not_wait)
{
	long long ms;
	int fd;

	watchdog(WATCHDOG_S);
	/* Output below the head, then a hangup: it can go nowhere. */
	fd = echo_with_output(256);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setcltime(fd, 3000));
	ASSERT_EQ(0, echo_cmd(fd, ECHO_HANGUP));
	ASSERT_NE(0, poll_fd(fd, POLLIN, WAIT_MS) & POLLHUP);
	ms = timed_close(fd);
	EXPECT_LE(0, ms);
	EXPECT_GT(1000, ms);

	/* Likewise after an M_ERROR with a write error. */
	fd = echo_with_output(256);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setcltime(fd, 3000));
	ASSERT_EQ(0, echo_cmd_int(fd, ECHO_ERROR, EPROTO));
	ASSERT_NE(0, poll_fd(fd, POLLIN, WAIT_MS) & POLLERR);
	ms = timed_close(fd);
	EXPECT_LE(0, ms);
	EXPECT_GT(1000, ms);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

TEST(signal_ends_the_wait)
{
	struct itimerval it = { .it_interval = { 0, 0 }, .it_value = { 0, 300000 } };
	struct sigaction sa;
	long long ms;
	int fd;

	fd = echo_with_output(256);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setcltime(fd, 10000));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarms = 0;
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	ms = timed_close(fd);
	signal(SIGALRM, SIG_DFL);
	EXPECT_EQ(1, alarms);
	EXPECT_LE(250, ms);
	EXPECT_GT(5000, ms);
}

struct reader {
	pthread_t thr;
	int fd;
	int delay_ms;
	long got;
};

static void *read_slowly(void *a)
{
	struct reader *r = a;
	char buf[4096];

	usleep(r->delay_ms * 1000);
	for (;;) {
		ssize_t n = read(r->fd, buf, sizeof(buf));

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != (char)((r->got + i) & 0x7f))
				return NULL;
		r->got += n;
	}
	return NULL;
}

TEST(close_returns_when_output_drains)
{
	struct reader rd = { .delay_ms = 400 };
	char buf[1024];
	long sent = 0;
	long long ms;
	int m, s;

	watchdog(WATCHDOG_S);
	m = open(PTMX_NODE, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	s = ioctl(m, PTMGETPEER, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s);
	/* Fill the slave's head and the master's driver queue behind it. */
	for (;;) {
		ssize_t n;

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (char)((sent + i) & 0x7f);
		n = write(m, buf, sizeof(buf));
		if (n < 0) {
			ASSERT_EQ(EAGAIN, errno);
			break;
		}
		sent += n;
		ASSERT_GT(1 << 20, sent);
	}
	/* EAGAIN: the master's driver queue is full, behind a full slave head. */
	ASSERT_EQ(0, set_nonblock(m, 0));
	ASSERT_EQ(0, setcltime(m, 8000));

	rd.fd = s;
	ASSERT_EQ(0, pthread_create(&rd.thr, NULL, read_slowly, &rd));
	ms = timed_close(m);
	pthread_join(rd.thr, NULL);
	/* It waited for the reader, and no longer than the drain took. */
	EXPECT_LE(350, ms);
	EXPECT_GT(6000, ms);
	/* Nothing lost. */
	EXPECT_EQ(sent, rd.got);
	close(s);
}

struct closer {
	pthread_t thr;
	int fd;
	int delay_ms;
};

static void *close_later(void *a)
{
	struct closer *c = a;

	usleep(c->delay_ms * 1000);
	close(c->fd);
	return NULL;
}

/* Fills a ptm master (O_NONBLOCK) until its driver queue is full; returns the bytes. */
static long fill_master(int m)
{
	char buf[1024];
	long sent = 0;

	memset(buf, 'm', sizeof(buf));
	for (;;) {
		ssize_t n = write(m, buf, sizeof(buf));

		if (n < 0)
			return errno == EAGAIN ? sent : -1;
		sent += n;
		if (sent > (1 << 20))
			return -1;
	}
}

TEST(close_wait_ends_when_the_peer_hangs_up)
{
	struct closer cl = { .delay_ms = 400 };
	long long ms;
	int m, s;

	watchdog(WATCHDOG_S);
	m = open(PTMX_NODE, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	s = ioctl(m, PTMGETPEER, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s);
	ASSERT_LT(0, fill_master(m));
	ASSERT_EQ(0, set_nonblock(m, 0));
	ASSERT_EQ(0, setcltime(m, 8000));
	/* The slave never reads; it closes, which hangs the master up. */
	cl.fd = s;
	ASSERT_EQ(0, pthread_create(&cl.thr, NULL, close_later, &cl));
	ms = timed_close(m);
	pthread_join(cl.thr, NULL);
	EXPECT_LE(350, ms);
	EXPECT_GT(6000, ms);
}

TEST_HARNESS_MAIN
