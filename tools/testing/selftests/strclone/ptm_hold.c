// SPDX-License-Identifier: GPL-2.0
/*
 * ptm_hold: helper of ptm_limits.sh (not a test by itself; installed without
 * the execute bit so the VM's test loop does not run it).
 *
 *   ptm_hold open N [wait]
 *	open N masters of /dev/clone-ptmx, print "minor M" for each, then
 *	"ready"; with "wait", keep them open until SIGTERM/SIGINT/SIGHUP (or
 *	120 s), else close them and exit. Exit 0 if all N opens worked, else
 *	print the failing errno ("open #i failed: ENAME") and exit 1.
 *   ptm_hold expect-open ERRNO
 *	one open of /dev/clone-ptmx must fail with ERRNO (a name such as
 *	ENODEV, or a number): exit 0 if it does, 1 otherwise.
 *   ptm_hold expect-rmmod MODULE ERRNO
 *	delete_module(MODULE, O_NONBLOCK) must fail with ERRNO: exit 0 if it
 *	does, 1 otherwise (also when it succeeds and the module is gone).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/strclone.h>

#define PTMX_NODE	"/dev/clone-ptmx"

static const struct { const char *name; int err; } errnames[] = {
	{ "ENODEV", ENODEV }, { "ENXIO", ENXIO }, { "EINVAL", EINVAL },
	{ "EBUSY", EBUSY }, { "EAGAIN", EAGAIN }, { "EWOULDBLOCK", EWOULDBLOCK },
	{ "ENOENT", ENOENT }, { "EIO", EIO }, { "EPERM", EPERM },
	{ "ENOMEM", ENOMEM }, { "ENOSPC", ENOSPC }, { "EMFILE", EMFILE },
	{ "ENOSYS", ENOSYS }, { "ENOTTY", ENOTTY },
};

static const char *errname(int e)
{
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].err == e)
			return errnames[i].name;
	return "E?";
}

static int parse_errno(const char *s)
{
	char *end;
	long v;

	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (!strcmp(errnames[i].name, s))
			return errnames[i].err;
	v = strtol(s, &end, 0);
	if (*s && !*end && v > 0)
		return (int)v;
	return -1;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: ptm_hold open N [wait]\n"
		"       ptm_hold expect-open ERRNO\n"
		"       ptm_hold expect-rmmod MODULE ERRNO\n");
	return 2;
}

static int do_open(int n, int wait)
{
	struct strclone_devinfo di;
	struct sigaction sa;
	sigset_t stops, old;
	int *fds;

	if (n <= 0)
		return usage();
	fds = calloc(n, sizeof(*fds));
	if (!fds)
		return 1;
	/*
	 * The stop signals stay blocked except inside sigsuspend(), so one
	 * that arrives between the check of @stop and the wait is not lost.
	 */
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGHUP);
	sigaddset(&stops, SIGALRM);
	sigprocmask(SIG_BLOCK, &stops, &old);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);

	for (int i = 0; i < n; i++) {
		fds[i] = open(PTMX_NODE, O_RDWR | O_NOCTTY);
		if (fds[i] < 0) {
			int e = errno;

			printf("open #%d failed: %s (%s)\n", i, errname(e), strerror(e));
			fflush(stdout);
			return 1;
		}
		if (ioctl(fds[i], STRCLONE_GETDEV, &di) < 0) {
			printf("STRCLONE_GETDEV #%d failed: %s\n", i, strerror(errno));
			fflush(stdout);
			return 1;
		}
		printf("minor %u\n", di.minor);
	}
	printf("ready\n");
	fflush(stdout);
	if (wait) {
		/* Never outlive a test script that died. */
		alarm(120);
		while (!stop)
			sigsuspend(&old);
	}
	for (int i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	return 0;
}

static int expect_open(const char *want_s)
{
	int want = parse_errno(want_s), fd, e;

	if (want < 0)
		return usage();
	fd = open(PTMX_NODE, O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		printf("open succeeded, expected %s\n", want_s);
		close(fd);
		return 1;
	}
	e = errno;
	if (e != want) {
		printf("open failed with %s (%s), expected %s\n", errname(e), strerror(e), want_s);
		return 1;
	}
	printf("open failed with %s as expected\n", want_s);
	return 0;
}

static int expect_rmmod(const char *mod, const char *want_s)
{
	int want = parse_errno(want_s), e;

	if (want < 0)
		return usage();
	if (syscall(SYS_delete_module, mod, O_NONBLOCK) == 0) {
		printf("delete_module(%s) succeeded, expected %s\n", mod, want_s);
		return 1;
	}
	e = errno;
	if (e != want) {
		printf("delete_module(%s) failed with %s (%s), expected %s\n",
		       mod, errname(e), strerror(e), want_s);
		return 1;
	}
	printf("delete_module(%s) failed with %s as expected\n", mod, want_s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "open"))
		return do_open(atoi(argv[2]), argc >= 4 && !strcmp(argv[3], "wait"));
	if (argc == 3 && !strcmp(argv[1], "expect-open"))
		return expect_open(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "expect-rmmod"))
		return expect_rmmod(argv[2], argv[3]);
	return usage();
}
