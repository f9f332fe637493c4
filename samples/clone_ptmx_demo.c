// SPDX-License-Identifier: GPL-2.0
/*
 * clone_ptmx_demo: what `make run` shows.
 *
 * Opens /dev/clone-ptmx twice (each open is a fresh ptm stream on its own
 * minor), prints the (major, minor) the ptm target allocated, unlocks the
 * first pair, opens its slave and passes a message each way.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <linux/strclone.h>

static int fail(const char *what)
{
	printf("FAILED: %s: %s\n", what, strerror(errno));
	return 1;
}

static int transfer(int from, int to, const char *msg, const char *label)
{
	char buf[128];
	struct pollfd p = { .fd = to, .events = POLLIN };
	ssize_t n;

	if (write(from, msg, strlen(msg)) != (ssize_t)strlen(msg))
		return fail("write");
	if (poll(&p, 1, 5000) != 1)
		return fail("poll (no data within 5 s)");
	n = read(to, buf, sizeof(buf) - 1);
	if (n < 0)
		return fail("read");
	buf[n] = '\0';
	printf("%s: sent \"%s\", received \"%s\"\n", label, msg, buf);
	return strcmp(buf, msg) != 0;
}

int main(void)
{
	struct strclone_devinfo dev[2];
	struct termios tio;
	int m[2], s;

	for (int i = 0; i < 2; i++) {
		m[i] = open("/dev/clone-ptmx", O_RDWR);
		if (m[i] < 0)
			return fail("open /dev/clone-ptmx");
		if (ioctl(m[i], STRCLONE_GETDEV, &dev[i]) < 0)
			return fail("STRCLONE_GETDEV");
		printf("open #%d of /dev/clone-ptmx: fd %d is ptm stream (major %u, minor %u)\n",
		       i + 1, m[i], dev[i].major, dev[i].minor);
	}
	if (dev[0].minor == dev[1].minor)
		return printf("FAILED: both opens got minor %u\n", dev[0].minor), 1;

	if (ioctl(m[0], PTMGETPEER, O_RDWR) >= 0 || errno != EIO)
		return fail("slave open while locked should fail with EIO");
	printf("slave of minor %u while locked: %s (as it should)\n", dev[0].minor, strerror(errno));
	if (ioctl(m[0], UNLKPT, 0) < 0)
		return fail("UNLKPT");
	s = ioctl(m[0], PTMGETPEER, O_RDWR | O_NOCTTY);
	if (s < 0)
		return fail("PTMGETPEER");
	printf("unlocked minor %u and opened its slave: fd %d\n", dev[0].minor, s);
	/*
	 * The slave is a terminal (ptem, ldterm and ttcompat are pushed on it
	 * by default, the pts_autopush parameter): raw mode, so that a line
	 * without a newline is delivered at once and nothing is translated.
	 */
	if (tcgetattr(s, &tio) == 0) {
		cfmakeraw(&tio);
		if (tcsetattr(s, TCSANOW, &tio) < 0)
			return fail("tcsetattr");
		printf("the slave is a terminal (ldterm): set to raw mode\n");
	}

	if (transfer(m[0], s, "hello from the master", "master -> slave") ||
	    transfer(s, m[0], "hello from the slave", "slave -> master"))
		return 1;

	close(s);
	close(m[0]);
	close(m[1]);
	printf("closed both masters and the slave\n");
	return 0;
}
