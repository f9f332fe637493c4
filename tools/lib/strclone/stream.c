// SPDX-License-Identifier: GPL-2.0
/*
 * libstrclone: isastream(), getmsg(), putmsg(), getpmsg(), putpmsg().
 *
 * getmsg(2) and putmsg(2) are the stream head's I_GETMSG and I_PUTMSG ioctls
 * (struct strpmsg: both buffers, a band and the flags in one argument), as
 * the uapi header's inline strclone_getmsg()/strclone_putmsg() show. These
 * are the same calls as real functions with SVR4's argument checks, plus
 * ENOSTR for a descriptor that is not a stream.
 *
 * getpmsg()/putpmsg() are the I_GETPMSG/I_PUTPMSG ioctls, which take the
 * same structure with the band and getpmsg(2)'s flags (MSG_HIPRI, MSG_BAND,
 * MSG_ANY); the stream head keeps priority bands 0..255.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/ioctl.h>

#include <linux/strclone.h>

#include "internal.h"
#include "stropts.h"

int __strclone_probe(int fd, unsigned int *major)
{
	struct strclone_devinfo di;

	/*
	 * STRCLONE_GETDEV is _IOR('C', 1, 8 bytes): the stream head answers it
	 * on every strclone stream (also after a hangup or an M_ERROR), and
	 * its number carries a direction and a size, so no other Linux driver
	 * answers it by accident. I_CANPUT (0x5322) and I_NREAD (0x5301) would
	 * not do: on Linux they are CDROM_SELECT_SPEED and CDROMPAUSE.
	 */
	if (ioctl(fd, STRCLONE_GETDEV, &di) == 0) {
		if (major)
			*major = di.major;
		return 1;
	}
	if (errno != EBADF)
		return 0;
	/* EBADF from ioctl() also means an O_PATH descriptor: open, but no stream. */
	if (fcntl(fd, F_GETFD) < 0)
		return -1;
	errno = EBADF;
	return 0;
}

STRCLONE_API int isastream(int fd)
{
	int saved = errno;
	int r = __strclone_probe(fd, NULL);

	if (r >= 0)
		errno = saved;
	return r;
}

/*
 * A failed I_GETMSG/I_PUTMSG: ENOTTY or EINVAL from something that is not a
 * stream becomes ENOSTR (SVR4's errno for that). The probe runs only after a
 * failure, so a stream pays nothing for it.
 */
static int msg_fail(int fd)
{
	int e = errno;

	if ((e == ENOTTY || e == EINVAL) && __strclone_probe(fd, NULL) == 0)
		e = ENOSTR;
	errno = e;
	return -1;
}

static int do_putmsg(int fd, unsigned long cmd, const struct strbuf *ctl,
		     const struct strbuf *data, int band, int flags)
{
	struct strpmsg m = { .band = band, .flags = flags };

	m.ctlbuf.len = -1;
	m.databuf.len = -1;
	if (ctl)
		m.ctlbuf = *ctl;
	if (data)
		m.databuf = *data;
	if (ioctl(fd, cmd, &m) < 0)
		return msg_fail(fd);
	return 0;
}

/*
 * Returns what I_GETMSG/I_GETPMSG (cmd) returns (0, MORECTL, MOREDATA) and
 * m's flags and band.
 */
static int do_getmsg(int fd, unsigned long cmd, struct strbuf *ctl, struct strbuf *data,
		     int *band, int *flags)
{
	struct strpmsg m = { .band = *band, .flags = *flags };
	int r;

	m.ctlbuf.maxlen = -1;
	m.databuf.maxlen = -1;
	if (ctl)
		m.ctlbuf = *ctl;
	if (data)
		m.databuf = *data;
	r = ioctl(fd, cmd, &m);
	if (r < 0)
		return msg_fail(fd);
	if (ctl)
		ctl->len = m.ctlbuf.len;
	if (data)
		data->len = m.databuf.len;
	*band = m.band;
	*flags = m.flags;
	return r;
}

STRCLONE_API int putmsg(int fd, const struct strbuf *ctl, const struct strbuf *data, int flags)
{
	if (flags != 0 && flags != RS_HIPRI) {
		errno = EINVAL;
		return -1;
	}
	return do_putmsg(fd, I_PUTMSG, ctl, data, 0, flags);
}

STRCLONE_API int putpmsg(int fd, const struct strbuf *ctl, const struct strbuf *data, int band,
			 int flags)
{
	if (band < 0 || band > STRCLONE_MAXBAND) {
		errno = EINVAL;
		return -1;
	}
	if ((flags == MSG_HIPRI && band != 0) || (flags != MSG_HIPRI && flags != MSG_BAND)) {
		errno = EINVAL;
		return -1;
	}
	return do_putmsg(fd, I_PUTPMSG, ctl, data, band, flags);
}

STRCLONE_API int getmsg(int fd, struct strbuf *ctl, struct strbuf *data, int *flagsp)
{
	int band = 0, flags, r;

	if (!flagsp) {
		errno = EFAULT;
		return -1;
	}
	if (*flagsp != 0 && *flagsp != RS_HIPRI) {
		errno = EINVAL;
		return -1;
	}
	flags = *flagsp;
	r = do_getmsg(fd, I_GETMSG, ctl, data, &band, &flags);
	if (r >= 0)
		*flagsp = flags & RS_HIPRI;
	return r;
}

STRCLONE_API int getpmsg(int fd, struct strbuf *ctl, struct strbuf *data, int *bandp, int *flagsp)
{
	int band = 0, flags, r;

	if (!flagsp || !bandp) {
		errno = EFAULT;
		return -1;
	}
	flags = *flagsp;
	band = *bandp;
	switch (flags) {
	case MSG_HIPRI:
		if (band != 0) {
			errno = EINVAL;
			return -1;
		}
		break;
	case MSG_ANY:
		break;
	case MSG_BAND:
		if (band < 0 || band > STRCLONE_MAXBAND) {
			errno = EINVAL;
			return -1;
		}
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	/* The stream head reports MSG_HIPRI with band 0, or MSG_BAND and the band. */
	r = do_getmsg(fd, I_GETPMSG, ctl, data, &band, &flags);
	if (r < 0)
		return r;
	*flagsp = flags;
	*bandp = band;
	return r;
}
