// SPDX-License-Identifier: GPL-2.0
/*
 * Compile-only test of include/uapi/linux/strclone.h for user programs
 * (built by `make check` through tools/testing/uapi/Makefile).
 *
 * Built twice: with -DALONE the header is the only include, so it must be
 * self-contained; without it the header comes after a wide set of C library
 * headers and after the SVR4 declarations of getmsg() and putmsg() that a C
 * library's <stropts.h> makes (glibc dropped <stropts.h> in 2.30, so they
 * are written out here). If the header defined its own getmsg or putmsg,
 * the compiler would reject the static definition after the extern
 * declaration. The Makefile then checks with nm that the object has no
 * symbol called getmsg or putmsg and that the header's helpers stay local.
 */
#ifndef ALONE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <termios.h>
#include <unistd.h>

/* What a C library's <stropts.h> declares (the SVR4 signatures). */
struct strbuf;
extern int getmsg(int fildes, struct strbuf *ctlptr, struct strbuf *dataptr, int *flagsp);
extern int putmsg(int fildes, const struct strbuf *ctlptr, const struct strbuf *dataptr,
		  int flags);
#endif

#include <linux/strclone.h>

int strclone_header_test(int fd);

/* Uses the header's helpers and structures, so they are type-checked. */
int strclone_header_test(int fd)
{
	char buf[16];
	struct strbuf ctl = { .maxlen = sizeof(buf), .len = 0, .buf = buf };
	struct strbuf data = { .maxlen = sizeof(buf), .len = 0, .buf = buf };
	struct strclone_devinfo dev;
	int flags = MSG_ANY;

	if (strclone_putmsg(fd, &ctl, &data, RS_HIPRI) < 0)
		return -1;
	if (strclone_getmsg(fd, &ctl, &data, &flags) < 0)
		return -1;
	return ioctl(fd, STRCLONE_GETDEV, &dev);
}
