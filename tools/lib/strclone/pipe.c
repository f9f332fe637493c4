// SPDX-License-Identifier: GPL-2.0
/*
 * libstrclone: s_pipe(), a STREAMS pipe (SCO and UnixWare's name for it).
 *
 * An open of /dev/clone-pipe gives one end of a new pipe, and the
 * STRCLONE_PIPEPEER ioctl on it a descriptor for the other end: both ends
 * are streams (modules can be pushed on either; pipemod on one end makes
 * I_FLUSH mean the right queues), and I_SENDFD/I_RECVFD pass open files
 * over them. Documentation/strclone/pipes.rst has the errnos.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/strclone.h>

#include "internal.h"
#include "stropts.h"

STRCLONE_API int s_pipe(int fd[2])
{
	int a, b, e;

	if (!fd) {
		errno = EFAULT;
		return -1;
	}
	a = open("/dev/clone-pipe", O_RDWR | O_NOCTTY);
	if (a < 0)
		return -1;
	b = ioctl(a, STRCLONE_PIPEPEER, O_RDWR);
	if (b < 0) {
		e = errno;
		close(a);
		errno = e;
		return -1;
	}
	fd[0] = a;
	fd[1] = b;
	return 0;
}
