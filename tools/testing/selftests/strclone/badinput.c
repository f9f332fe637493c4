// SPDX-License-Identifier: GPL-2.0
/*
 * badinput: a table of bad inputs to strclone and the exact errno each one
 * must give (Documentation/strclone/{streams,clone,ptm,log}.rst).
 *
 * Each row names a setup (which stream, in which state) and a call; the call
 * must fail with exactly the row's errno. Every row runs in its own child
 * process under a watchdog, so a row that hangs or crashes fails alone, and
 * rows that unregister a target or lower RLIMIT_NOFILE cannot affect the
 * next one. After the table, no stream may be left open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest.h"
#include "strclone_util.h"
#include "rel_util.h"

/* Bare pts slaves: these tests predate the ptem/ldterm autopush default. */
STRCLONE_BARE_PTS()

#define PTMAJOR_NODE	"/dev/ptmajor"
#define CLONE_STRLOG	"/tmp/badinput-clone-21"	/* mk_clone_node() */
#define CONSLOG_NODE	"/dev/conslog"
#define STRLOG_NODE	"/dev/strlog"
#define PIPE_NODE	"/dev/clone-pipe"

/* ---- what a row starts from ------------------------------------------ */

enum setup {
	S_NONE,
	S_ECHO,			/* fd: echo stream, O_NONBLOCK */
	S_ECHO_DATA,		/* fd: echo with "hello" at the head */
	S_ECHO_PROTO,		/* fd: echo with an M_PROTO at the head */
	S_ECHO_RDONLY,		/* fd: echo opened O_RDONLY */
	S_ECHO_WRONLY,		/* fd: echo opened O_WRONLY */
	S_ECHO_HUNG,		/* fd: echo after ECHO_HANGUP */
	S_ECHO_ERROR,		/* fd: echo after ECHO_ERROR(EPROTO) */
	S_MASTER,		/* fd: a locked ptm master */
	S_PAIR,			/* fd: master, fd2: slave */
	S_PAIR_NOSLAVE,		/* fd: master whose slave has closed */
	S_PAIR_NOMASTER,	/* fd: slave whose master has closed */
	S_PAIR_NOSLAVE_NAMED,	/* S_PAIR_NOSLAVE with PTMGETPTN asked (a node) */
	S_PAIR_NOMASTER_NAMED,	/* S_PAIR_NOMASTER with PTMGETPTN asked (a node) */
	S_STRLOG,		/* fd: a strlog stream */
	S_STRLOG_ERRHELD,	/* fd: strlog; fd2: another strlog holding I_ERRLOG */
	S_CONSLOG,		/* fd: /dev/conslog, O_WRONLY */
	S_LOGREADER_MSG,	/* fd: console reader with one message queued */
	S_PIPE,			/* fd: STREAMS pipe end 0, O_NONBLOCK; fd2: end 1 */
	S_PIPE_WIDOWED,		/* fd: end 0 after end 1 closed */
	S_PIPE_END0,		/* fd: end 0 alone, end 1 not made yet */
};

struct ctx {
	int fd, fd2;
	char *ro;		/* a read-only page */
	char *none;		/* an inaccessible page */
	char *edge;		/* 4 bytes before an inaccessible page */
};

static int do_setup(enum setup s, struct ctx *c)
{
	int fl = O_RDWR | O_NONBLOCK;
	int m;

	c->fd = c->fd2 = -1;
	switch (s) {
	case S_NONE:
		return 0;
	case S_ECHO:
	case S_ECHO_DATA:
	case S_ECHO_PROTO:
	case S_ECHO_HUNG:
	case S_ECHO_ERROR:
		c->fd = open(ECHO_NODE, fl);
		if (c->fd < 0)
			return -1;
		if (s == S_ECHO_DATA)
			return write(c->fd, "hello", 5) == 5 &&
			       wait_nread(c->fd, 1, WAIT_MS, NULL) == 1 ? 0 : -1;
		if (s == S_ECHO_PROTO)
			return putmsg_parts(c->fd, "ctl", 3, "data", 4, 0) == 0 &&
			       wait_nread(c->fd, 1, WAIT_MS, NULL) == 1 ? 0 : -1;
		/* The hangup may overtake the ioctl's own answer (ENXIO). */
		if (s == S_ECHO_HUNG)
			return (echo_cmd(c->fd, ECHO_HANGUP) == 0 || errno == ENXIO) &&
			       (poll_fd(c->fd, POLLIN, WAIT_MS) & POLLHUP) ? 0 : -1;
		if (s == S_ECHO_ERROR)
			return echo_cmd_int(c->fd, ECHO_ERROR, EPROTO) == 0 &&
			       (poll_fd(c->fd, POLLIN, WAIT_MS) & POLLERR) ? 0 : -1;
		return 0;
	case S_ECHO_RDONLY:
		c->fd = open(ECHO_NODE, O_RDONLY | O_NONBLOCK);
		return c->fd < 0 ? -1 : 0;
	case S_ECHO_WRONLY:
		c->fd = open(ECHO_NODE, O_WRONLY | O_NONBLOCK);
		return c->fd < 0 ? -1 : 0;
	case S_MASTER:
		c->fd = open(PTMX_NODE, fl);
		return c->fd < 0 ? -1 : 0;
	case S_PAIR:
	case S_PAIR_NOSLAVE:
	case S_PAIR_NOMASTER:
	case S_PAIR_NOSLAVE_NAMED:
	case S_PAIR_NOMASTER_NAMED: {
		unsigned int n;

		m = open(PTMX_NODE, fl);
		if (m < 0 || ioctl(m, UNLKPT, 0))
			return -1;
		if ((s == S_PAIR_NOSLAVE_NAMED || s == S_PAIR_NOMASTER_NAMED) &&
		    ioctl(m, PTMGETPTN, &n))
			return -1;
		if (s == S_PAIR_NOSLAVE_NAMED)
			s = S_PAIR_NOSLAVE;
		if (s == S_PAIR_NOMASTER_NAMED)
			s = S_PAIR_NOMASTER;
		c->fd2 = ioctl(m, PTMGETPEER, fl);
		if (c->fd2 < 0)
			return -1;
		c->fd = m;
		if (s == S_PAIR_NOSLAVE) {
			close(c->fd2);
			c->fd2 = -1;
			return poll_fd(c->fd, POLLIN, WAIT_MS) & POLLHUP ? 0 : -1;
		}
		if (s == S_PAIR_NOMASTER) {
			close(m);
			c->fd = c->fd2;
			c->fd2 = -1;
			return poll_fd(c->fd, POLLIN, WAIT_MS) & POLLHUP ? 0 : -1;
		}
		return 0;
	}
	case S_STRLOG:
		c->fd = open(STRLOG_NODE, fl);
		return c->fd < 0 ? -1 : 0;
	case S_STRLOG_ERRHELD:
		c->fd2 = open(STRLOG_NODE, fl);
		if (c->fd2 < 0 || istr(c->fd2, I_ERRLOG, NULL, 0, NULL))
			return -1;
		c->fd = open(STRLOG_NODE, fl);
		return c->fd < 0 ? -1 : 0;
	case S_CONSLOG:
		c->fd = open(CONSLOG_NODE, O_WRONLY);
		return c->fd < 0 ? -1 : 0;
	case S_LOGREADER_MSG:
		c->fd = open(STRLOG_NODE, fl);
		if (c->fd < 0 || istr(c->fd, I_CONSLOG, NULL, 0, NULL))
			return -1;
		m = open(CONSLOG_NODE, O_WRONLY);
		if (m < 0 || write(m, "badinput", 8) != 8)
			return -1;
		close(m);
		return wait_nread(c->fd, 1, WAIT_MS, NULL) >= 1 ? 0 : -1;
	case S_PIPE:
	case S_PIPE_WIDOWED:
	case S_PIPE_END0:
		c->fd = open(PIPE_NODE, fl);
		if (c->fd < 0)
			return -1;
		if (s == S_PIPE_END0)
			return 0;
		c->fd2 = ioctl(c->fd, STRCLONE_PIPEPEER, fl);
		if (c->fd2 < 0)
			return -1;
		if (s == S_PIPE_WIDOWED) {
			close(c->fd2);
			c->fd2 = -1;
			return poll_fd(c->fd, POLLIN, WAIT_MS) & POLLHUP ? 0 : -1;
		}
		return 0;
	}
	return -1;
}

/* ---- the calls ----------------------------------------------------------- */

typedef long (*call_fn)(struct ctx *c);

#define CALL(name) static long name(struct ctx *c)

static long istr_raw(int fd, int cmd, int timout, int len, void *dp)
{
	struct strioctl s = { .ic_cmd = cmd, .ic_timout = timout, .ic_len = len, .ic_dp = dp };

	return ioctl(fd, I_STR, &s);
}

static long putmsg_raw(int fd, int clen, void *cbuf, int dlen, void *dbuf, int flags)
{
	struct strpmsg m = {
		.ctlbuf = { .maxlen = 0, .len = clen, .buf = cbuf },
		.databuf = { .maxlen = 0, .len = dlen, .buf = dbuf },
		.flags = flags,
	};

	return ioctl(fd, I_PUTMSG, &m);
}

static long getmsg_raw(int fd, int cmax, void *cbuf, int dmax, void *dbuf, int flags)
{
	struct strpmsg m = {
		.ctlbuf = { .maxlen = cmax, .len = 0, .buf = cbuf },
		.databuf = { .maxlen = dmax, .len = 0, .buf = dbuf },
		.flags = flags,
	};

	return ioctl(fd, I_GETMSG, &m);
}

static long open_close(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

/* Opens @node with @major unregistered; registers it back. */
static long open_unregistered(const char *node, int major)
{
	long r;
	int e;

	if (write_textf(DBG_UNREGISTER, "%d", major) < 0)
		return errno = EPERM, -2;
	r = open_close(node, O_RDWR);
	e = errno;
	write_textf(DBG_REGISTER, "%d", major);
	errno = e;
	return r;
}

static long dbg_write(const char *path, const char *text)
{
	int r = write_text(path, text);

	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

/* Opens.  */
CALL(c_open_ptmajor_rdwr) { (void)c; return open_close(PTMAJOR_NODE, O_RDWR); }
CALL(c_open_ptmajor_rdonly) { (void)c; return open_close(PTMAJOR_NODE, O_RDONLY); }
CALL(c_open_clone_strlog)
{
	(void)c;
	if (mk_clone_node(CLONE_STRLOG, STRCLONE_LOG_MAJOR))
		return errno = EPERM, -2;
	return open_close(CLONE_STRLOG, O_RDWR);
}
CALL(c_open_conslog_rdonly) { (void)c; return open_close(CONSLOG_NODE, O_RDONLY); }
CALL(c_open_conslog_rdwr) { (void)c; return open_close(CONSLOG_NODE, O_RDWR); }
CALL(c_open_ptmx_unreg) { (void)c; return open_unregistered(PTMX_NODE, STRCLONE_PTM_MAJOR); }
CALL(c_open_echo_unreg) { (void)c; return open_unregistered(ECHO_NODE, STRCLONE_ECHO_MAJOR); }

CALL(c_strlog_exhausted)
{
	int fds[70000], n = 0;
	long r = 0;
	struct rlimit rl = { 70000, 70000 };

	(void)c;
	setrlimit(RLIMIT_NOFILE, &rl);
	while (n < 70000) {
		int fd = open(STRLOG_NODE, O_RDWR);

		if (fd < 0) {
			r = -1;
			break;
		}
		fds[n++] = fd;
	}
	{
		int e = errno;

		while (n)
			close(fds[--n]);
		errno = e;
	}
	return r;
}

/* The stream head's ioctls. */
CALL(c_ioctl_unknown_S) { return ioctl(c->fd, __SID | 99, 0); }
CALL(c_ioctl_unknown_Z) { return ioctl(c->fd, _IOWR('Z', 7, int), c->ro); }
CALL(c_tcgets) { struct termios t; return ioctl(c->fd, TCGETS, &t); }
CALL(c_isptm) { return ioctl(c->fd, ISPTM, 0); }
CALL(c_unlkpt) { return ioctl(c->fd, UNLKPT, 0); }
CALL(c_grantpt) { return ioctl(c->fd, GRANTPT, 0); }
CALL(c_getpeer) { return ioctl(c->fd, PTMGETPEER, O_RDWR); }
CALL(c_getlost_plain) { uint64_t v; return ioctl(c->fd, LOG_GETLOST, &v); }
CALL(c_setsig_unknown) { return ioctl(c->fd, I_SETSIG, S_INPUT | 0x0400); }
CALL(c_setsig_negative) { return ioctl(c->fd, I_SETSIG, -1); }
CALL(c_setsig_bandurg) { return ioctl(c->fd, I_SETSIG, S_BANDURG); }
CALL(c_setsig_0_unregistered) { return ioctl(c->fd, I_SETSIG, 0); }
CALL(c_getsig_unregistered) { int ev; return ioctl(c->fd, I_GETSIG, &ev); }
CALL(c_getsig_null)
{
	if (ioctl(c->fd, I_SETSIG, S_HANGUP))
		return -2;
	return ioctl(c->fd, I_GETSIG, NULL);
}
CALL(c_getsig_ro)
{
	if (ioctl(c->fd, I_SETSIG, S_HANGUP))
		return -2;
	return ioctl(c->fd, I_GETSIG, c->ro);
}
CALL(c_setcltime_negative) { int t = -1; return ioctl(c->fd, I_SETCLTIME, &t); }
CALL(c_setcltime_above_max) { int t = STRCLONE_CLTIME_MAX + 1; return ioctl(c->fd, I_SETCLTIME, &t); }
CALL(c_setcltime_null) { return ioctl(c->fd, I_SETCLTIME, NULL); }
CALL(c_setcltime_kernel) { return ioctl(c->fd, I_SETCLTIME, KERNEL_PTR); }
CALL(c_getcltime_null) { return ioctl(c->fd, I_GETCLTIME, NULL); }
CALL(c_getcltime_ro) { return ioctl(c->fd, I_GETCLTIME, c->ro); }
CALL(c_nread_null) { return ioctl(c->fd, I_NREAD, NULL); }
CALL(c_nread_kernel) { return ioctl(c->fd, I_NREAD, KERNEL_PTR); }
CALL(c_nread_ro) { return ioctl(c->fd, I_NREAD, c->ro); }
CALL(c_getdev_null) { return ioctl(c->fd, STRCLONE_GETDEV, NULL); }
CALL(c_getdev_none) { return ioctl(c->fd, STRCLONE_GETDEV, c->none); }
CALL(c_getdev_edge) { return ioctl(c->fd, STRCLONE_GETDEV, c->edge); }
CALL(c_flush_0) { return ioctl(c->fd, I_FLUSH, 0); }
CALL(c_flush_band) { return ioctl(c->fd, I_FLUSH, FLUSHBAND); }
CALL(c_flush_ff) { return ioctl(c->fd, I_FLUSH, 0xff); }
CALL(c_flush_neg) { return ioctl(c->fd, I_FLUSH, -1L); }
CALL(c_istr_null) { return ioctl(c->fd, I_STR, NULL); }
CALL(c_istr_kernel) { return ioctl(c->fd, I_STR, KERNEL_PTR); }
CALL(c_istr_len_neg) { char b[8]; return istr_raw(c->fd, ECHO_REVERSE, 1, -1, b); }
CALL(c_istr_len_big) { return istr_raw(c->fd, ECHO_REVERSE, 1, STRCLONE_STRMSGSZ + 1, c->ro); }
CALL(c_istr_timout_neg2) { char b[8]; return istr_raw(c->fd, ECHO_REVERSE, -2, 4, b); }
CALL(c_istr_dp_null) { return istr_raw(c->fd, ECHO_REVERSE, 1, 8, NULL); }
CALL(c_istr_dp_none) { return istr_raw(c->fd, ECHO_REVERSE, 1, 8, c->none); }
CALL(c_istr_unknown) { char b[8]; return istr_raw(c->fd, ('E' << 8) | 99, 1, 0, b); }
CALL(c_istr_noreply) { char b[8]; return istr_raw(c->fd, ECHO_NOREPLY, 1, 0, b); }
CALL(c_istr_nak_eperm) { int e = EPERM; return istr_raw(c->fd, ECHO_NAK, 1, 4, &e); }
CALL(c_istr_error_0) { int e = 0; return istr_raw(c->fd, ECHO_ERROR, 1, 4, &e); }
CALL(c_istr_nak_512) { int e = 512; return istr_raw(c->fd, ECHO_NAK, 1, 4, &e); }
CALL(c_istr_setq_short) { int v = 1; return istr_raw(c->fd, ECHO_SETQ, 1, 4, &v); }
CALL(c_istr_setq_low_above_high) { struct echo_qopts q = { 10, 20 }; return istr_raw(c->fd, ECHO_SETQ, 1, sizeof(q), &q); }
CALL(c_istr_setq_above_max) { struct echo_qopts q = { STRCLONE_QHIWAT_MAX + 1, 0 }; return istr_raw(c->fd, ECHO_SETQ, 1, sizeof(q), &q); }
CALL(c_istr_setopts_above_max) { struct echo_qopts q = { 0xffffffffu, 1 }; return istr_raw(c->fd, ECHO_SETOPTS, 1, sizeof(q), &q); }
CALL(c_putmsg_null) { return ioctl(c->fd, I_PUTMSG, NULL); }
CALL(c_putmsg_flags2) { return putmsg_raw(c->fd, 3, "abc", -1, NULL, 2); }
CALL(c_putmsg_hipri_noctl) { return putmsg_raw(c->fd, -1, NULL, 3, "abc", RS_HIPRI); }
CALL(c_putmsg_ctl_big) { return putmsg_raw(c->fd, STRCLONE_STRCTLSZ + 1, c->ro, -1, NULL, 0); }
CALL(c_putmsg_data_huge) { return putmsg_raw(c->fd, -1, NULL, STRCLONE_STRMSGSZ + 1, c->ro, 0); }
CALL(c_putmsg_data_maxpsz) { return putmsg_raw(c->fd, -1, NULL, 4097, c->ro, 0); }
CALL(c_putmsg_data_null) { return putmsg_raw(c->fd, -1, NULL, 10, NULL, 0); }
CALL(c_putmsg_ctl_kernel) { return putmsg_raw(c->fd, 10, KERNEL_PTR, -1, NULL, 0); }
CALL(c_getmsg_null) { return ioctl(c->fd, I_GETMSG, NULL); }
CALL(c_getmsg_band) { char b[8]; return getmsg_raw(c->fd, 8, b, 8, b, MSG_BAND); }
CALL(c_getmsg_flags3) { char b[8]; return getmsg_raw(c->fd, 8, b, 8, b, 3); }
CALL(c_getmsg_any) { char b[8], d[8]; return getmsg_raw(c->fd, 8, b, 8, d, 0); }
CALL(c_getmsg_hipri) { char b[8], d[8]; return getmsg_raw(c->fd, 8, b, 8, d, RS_HIPRI); }
CALL(c_getmsg_data_none) { char b[8]; return getmsg_raw(c->fd, 8, b, 8, c->none, 0); }
static long pmsg_raw(int fd, unsigned long cmd, int band, int flags)
{
	static char cbuf[8] = "ctl", dbuf[8] = "data";
	struct strpmsg m = {
		.ctlbuf = { .maxlen = 8, .len = 3, .buf = cbuf },
		.databuf = { .maxlen = 8, .len = 4, .buf = dbuf },
		.band = band,
		.flags = flags,
	};

	return ioctl(fd, cmd, &m);
}

static long fdinsert_raw(int fd, int clen, int fildes, int offset, unsigned int flags)
{
	static char cbuf[2048];
	struct strfdinsert f = {
		.ctlbuf = { .maxlen = 0, .len = clen, .buf = cbuf },
		.databuf = { .maxlen = 0, .len = -1, .buf = NULL },
		.flags = flags,
		.fildes = fildes,
		.offset = offset,
	};

	return ioctl(fd, I_FDINSERT, &f);
}

static long flushband_raw(int fd, unsigned char pri, int flag)
{
	struct bandinfo bi = { .bi_pri = pri, .bi_flag = flag };

	return ioctl(fd, I_FLUSHBAND, &bi);
}

CALL(c_putpmsg_band256) { return pmsg_raw(c->fd, I_PUTPMSG, 256, MSG_BAND); }
CALL(c_putpmsg_band_neg) { return pmsg_raw(c->fd, I_PUTPMSG, -1, MSG_BAND); }
CALL(c_putpmsg_hipri_band) { return pmsg_raw(c->fd, I_PUTPMSG, 1, MSG_HIPRI); }
CALL(c_putpmsg_flags0) { return pmsg_raw(c->fd, I_PUTPMSG, 0, 0); }
CALL(c_putpmsg_any) { return pmsg_raw(c->fd, I_PUTPMSG, 0, MSG_ANY); }
CALL(c_putpmsg_null) { return ioctl(c->fd, I_PUTPMSG, NULL); }
CALL(c_getpmsg_band256) { return pmsg_raw(c->fd, I_GETPMSG, 256, MSG_BAND); }
CALL(c_getpmsg_band_neg) { return pmsg_raw(c->fd, I_GETPMSG, -1, MSG_BAND); }
CALL(c_getpmsg_hipri_band) { return pmsg_raw(c->fd, I_GETPMSG, 2, MSG_HIPRI); }
CALL(c_getpmsg_flags0) { return pmsg_raw(c->fd, I_GETPMSG, 0, 0); }
CALL(c_getpmsg_flags3) { return pmsg_raw(c->fd, I_GETPMSG, 0, 3); }
CALL(c_getpmsg_band_empty) { return pmsg_raw(c->fd, I_GETPMSG, 5, MSG_BAND); }
CALL(c_getpmsg_null) { return ioctl(c->fd, I_GETPMSG, NULL); }
CALL(c_canput_256) { return ioctl(c->fd, I_CANPUT, 256L); }
CALL(c_canput_neg) { return ioctl(c->fd, I_CANPUT, -1L); }
CALL(c_ckband_256) { return ioctl(c->fd, I_CKBAND, 256L); }
CALL(c_ckband_neg) { return ioctl(c->fd, I_CKBAND, -1L); }
CALL(c_getband_empty) { int b; return ioctl(c->fd, I_GETBAND, &b); }
CALL(c_getband_null) { return ioctl(c->fd, I_GETBAND, NULL); }
CALL(c_atmark_0) { return ioctl(c->fd, I_ATMARK, 0L); }
CALL(c_atmark_4) { return ioctl(c->fd, I_ATMARK, 4L); }
CALL(c_flushband_0) { return flushband_raw(c->fd, 1, 0); }
CALL(c_flushband_band) { return flushband_raw(c->fd, 1, FLUSHBAND | FLUSHR); }
CALL(c_flushband_neg) { return flushband_raw(c->fd, 1, -1); }
CALL(c_flushband_null) { return ioctl(c->fd, I_FLUSHBAND, NULL); }
CALL(c_srdopt_3) { return ioctl(c->fd, I_SRDOPT, (long)RMODEMASK); }
CALL(c_srdopt_both) { return ioctl(c->fd, I_SRDOPT, (long)(RPROTDAT | RPROTDIS)); }
CALL(c_srdopt_0x20) { return ioctl(c->fd, I_SRDOPT, 0x20L); }
CALL(c_srdopt_neg) { return ioctl(c->fd, I_SRDOPT, -1L); }
CALL(c_grdopt_null) { return ioctl(c->fd, I_GRDOPT, NULL); }
CALL(c_swropt_4) { return ioctl(c->fd, I_SWROPT, 4L); }
CALL(c_swropt_neg) { return ioctl(c->fd, I_SWROPT, -1L); }
CALL(c_gwropt_ro) { return ioctl(c->fd, I_GWROPT, c->ro); }
CALL(c_peek_null) { return ioctl(c->fd, I_PEEK, NULL); }
CALL(c_peek_flags2) { struct strpeek p = { .ctlbuf = { .maxlen = -1 }, .databuf = { .maxlen = -1 }, .flags = 2 }; return ioctl(c->fd, I_PEEK, &p); }
CALL(c_peek_data_none) { struct strpeek p = { .ctlbuf = { .maxlen = -1 }, .databuf = { .maxlen = 8, .buf = c->none } }; return ioctl(c->fd, I_PEEK, &p); }
CALL(c_fdinsert_null) { return ioctl(c->fd, I_FDINSERT, NULL); }
CALL(c_fdinsert_badfd) { return fdinsert_raw(c->fd, 16, -1, 0, 0); }
CALL(c_fdinsert_pipe) { int p[2]; if (pipe(p)) return -2; return fdinsert_raw(c->fd, 16, p[0], 0, 0); }
CALL(c_fdinsert_null_dev) { int n = open("/dev/null", O_RDWR); if (n < 0) return -2; return fdinsert_raw(c->fd, 16, n, 0, 0); }
CALL(c_fdinsert_sad) { int n = open("/dev/sad/user", O_RDWR); if (n < 0) return -2; return fdinsert_raw(c->fd, 16, n, 0, 0); }
CALL(c_fdinsert_unaligned) { return fdinsert_raw(c->fd, 16, c->fd, 4, 0); }
CALL(c_fdinsert_beyond) { return fdinsert_raw(c->fd, 16, c->fd, 16, 0); }
CALL(c_fdinsert_neg_off) { return fdinsert_raw(c->fd, 16, c->fd, -8, 0); }
CALL(c_fdinsert_noctl) { return fdinsert_raw(c->fd, -1, c->fd, 0, 0); }
CALL(c_fdinsert_flags2) { return fdinsert_raw(c->fd, 16, c->fd, 0, 2); }
CALL(c_fdinsert_ctl_big) { return fdinsert_raw(c->fd, STRCLONE_STRCTLSZ + 8, c->fd, 0, 0); }
CALL(c_read_8) { char b[8]; return read(c->fd, b, sizeof(b)); }
CALL(c_read_null) { return syscall(SYS_read, c->fd, NULL, 8); }
CALL(c_read_ro) { return read(c->fd, c->ro, 8); }
CALL(c_write_null) { return syscall(SYS_write, c->fd, NULL, 8); }
CALL(c_write_kernel) { return write(c->fd, KERNEL_PTR, 8); }
CALL(c_write_x) { return write(c->fd, "x", 1); }
CALL(c_putmsg_x) { return putmsg_raw(c->fd, -1, NULL, 1, "x", 0); }
CALL(c_putmsg_hipri_x) { return putmsg_raw(c->fd, 1, "x", -1, NULL, RS_HIPRI); }
CALL(c_putmsg_band1) { struct strpmsg m = { .ctlbuf = { .len = -1 }, .databuf = { .len = 1, .buf = "x" }, .band = 1 }; return ioctl(c->fd, I_PUTMSG, &m); }
CALL(c_flush_rw) { return ioctl(c->fd, I_FLUSH, FLUSHRW); }
CALL(c_canput_0) { return ioctl(c->fd, I_CANPUT, 0L); }
CALL(c_flushband_r) { return flushband_raw(c->fd, 1, FLUSHR); }
CALL(c_fdinsert_self) { return fdinsert_raw(c->fd, 16, c->fd, 0, 0); }
CALL(c_pop) { return ioctl(c->fd, I_POP, 0); }
CALL(c_getpmsg_any) { return pmsg_raw(c->fd, I_GETPMSG, 0, MSG_ANY); }
CALL(c_putpmsg_b1) { return pmsg_raw(c->fd, I_PUTPMSG, 1, MSG_BAND); }
CALL(c_istr_reverse) { char b[8] = "abc"; return istr_raw(c->fd, ECHO_REVERSE, 1, 3, b); }
CALL(c_lseek) { return lseek(c->fd, 0, SEEK_SET); }
CALL(c_pread) { char b[8]; return pread(c->fd, b, 8, 0); }
CALL(c_pwrite) { return pwrite(c->fd, "x", 1, 0); }

CALL(c_mmap)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, c->fd, 0);

	if (p == MAP_FAILED)
		return -1;
	munmap(p, 4096);
	return 0;
}

/* ptm */
CALL(c_getpeer_ocreat) { return ioctl(c->fd, PTMGETPEER, O_RDWR | O_CREAT); }
CALL(c_getpeer_accmode3) { return ioctl(c->fd, PTMGETPEER, O_ACCMODE); }
CALL(c_getpeer_64bit) { return ioctl(c->fd, PTMGETPEER, (1UL << 32) | O_RDWR); }
CALL(c_istr_ptm) { char b[8]; return istr_raw(c->fd, 1, 1, 0, b); }
CALL(c_tiocgptn) { unsigned int n; return ioctl(c->fd, TIOCGPTN, &n); }
CALL(c_ptmgetptn_null) { return ioctl(c->fd, PTMGETPTN, NULL); }
CALL(c_ptmgetptn_none) { return ioctl(c->fd, PTMGETPTN, c->none); }
CALL(c_ptmgetptn) { unsigned int n; return ioctl(c->fd, PTMGETPTN, &n); }

/* Opens the slave node of the pair @fd (master or slave) belongs to. The
 * node exists once PTMGETPTN was asked on the master; @fd2 holds it. */
static long open_slave_node(struct ctx *c, int flags)
{
	struct strclone_devinfo di;
	char path[64];

	if (getdev(c->fd, &di) < 0)
		return -1;
	snprintf(path, sizeof(path), "/dev/strpts/%u", di.minor);
	return open_close(path, flags);
}

/* The name is asked for before the side the row's setup closes goes. */
CALL(c_node_locked) { unsigned int n; return ioctl(c->fd, PTMGETPTN, &n) ? -1 : open_slave_node(c, O_RDWR); }
CALL(c_node_odirect) { unsigned int n; return ioctl(c->fd, PTMGETPTN, &n) ? -1 : open_slave_node(c, O_RDWR | O_DIRECT); }
CALL(c_node_after) { return open_slave_node(c, O_RDWR); }

CALL(c_getpeer_emfile)
{
	struct rlimit rl;
	int top = dup(0);

	if (top < 0)
		return -2;
	close(top);
	/* Every descriptor below the lowest free one is in use. */
	rl.rlim_cur = rl.rlim_max = top;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return -2;
	if (ioctl(c->fd, UNLKPT, 0))
		return -2;
	return ioctl(c->fd, PTMGETPEER, O_RDWR);
}

/* log */
CALL(c_conslog_register) { return istr_raw(c->fd, I_CONSLOG, 1, 0, NULL); }
CALL(c_trclog_nofilter) { char b[8]; return istr_raw(c->fd, I_TRCLOG, 1, 0, b); }

CALL(c_trclog_len7)
{
	struct trace_ids t = { -1, -1, 0 };

	return istr_raw(c->fd, I_TRCLOG, 1, 7, &t);
}

CALL(c_trclog_65)
{
	struct trace_ids t[65];

	memset(t, 0xff, sizeof(t));
	return istr_raw(c->fd, I_TRCLOG, 1, sizeof(t), t);
}

CALL(c_errlog) { char b[8]; return istr_raw(c->fd, I_ERRLOG, 1, 0, b); }
CALL(c_log_unknown_istr) { char b[8]; return istr_raw(c->fd, LOGCTL | 9, 1, 0, b); }
CALL(c_getlost_null) { return ioctl(c->fd, LOG_GETLOST, NULL); }
CALL(c_getlost_ro) { return ioctl(c->fd, LOG_GETLOST, c->ro); }

/* debugfs */
CALL(c_dbg_register_text) { (void)c; return dbg_write(DBG_REGISTER, "ptm"); }
CALL(c_dbg_unregister_256) { (void)c; return dbg_write(DBG_UNREGISTER, "256"); }
CALL(c_dbg_unregister_neg) { (void)c; return dbg_write(DBG_UNREGISTER, "-1"); }
CALL(c_dbg_register_taken) { (void)c; return dbg_write(DBG_REGISTER, "23"); }
CALL(c_dbg_unregister_empty) { (void)c; return dbg_write(DBG_UNREGISTER, "99"); }
CALL(c_dbg_register_none) { (void)c; return dbg_write(DBG_REGISTER, "7"); }

/* Misc */
CALL(c_ioctl_closed)
{
	int fd = c->fd;

	close(fd);
	c->fd = -1;
	return ioctl(fd, I_NREAD, &fd);
}

/* Multiplexor links (multiplexors.rst): echo is no multiplexor. */
CALL(c_link_echo)
{
	int l = open("/dev/clone-echo", O_RDWR);

	if (l < 0)
		return -2;
	return ioctl(c->fd, I_LINK, l);
}
CALL(c_plink_echo)
{
	int l = open("/dev/clone-echo", O_RDWR);

	if (l < 0)
		return -2;
	return ioctl(c->fd, I_PLINK, l);
}
CALL(c_link_neg) { return ioctl(c->fd, I_LINK, -1); }
CALL(c_unlink_0) { return ioctl(c->fd, I_UNLINK, 0); }
CALL(c_unlink_neg2) { return ioctl(c->fd, I_UNLINK, -2); }
CALL(c_unlink_none) { return ioctl(c->fd, I_UNLINK, 0x7fffffff); }
CALL(c_punlink_0) { return ioctl(c->fd, I_PUNLINK, 0); }
CALL(c_punlink_none) { return ioctl(c->fd, I_PUNLINK, 0x7fffffff); }
CALL(c_unlink_all) { return ioctl(c->fd, I_UNLINK, MUXID_ALL); }

/* STREAMS pipes and fd passing (pipes.rst). */
CALL(c_sendfd_neg) { return ioctl(c->fd, I_SENDFD, -1); }
CALL(c_sendfd_closed) { return ioctl(c->fd, I_SENDFD, 1000000); }
CALL(c_sendfd_self) { return ioctl(c->fd, I_SENDFD, c->fd); }
CALL(c_sendfd_receiver) { return ioctl(c->fd, I_SENDFD, c->fd2); }
CALL(c_sendfd_full)
{
	char buf[4096] = { 0 };

	while (write(c->fd, buf, sizeof(buf)) > 0)
		;
	if (errno != EAGAIN)
		return 0;
	return ioctl(c->fd, I_SENDFD, c->fd);
}
CALL(c_recvfd_null) { return ioctl(c->fd, I_RECVFD, NULL); }
CALL(c_recvfd) { struct strrecvfd r; return ioctl(c->fd, I_RECVFD, &r); }
CALL(c_recvfd_bad_buf)
{
	if (ioctl(c->fd2, I_SENDFD, c->fd2) || wait_nread(c->fd, 1, WAIT_MS, NULL) != 1)
		return 0;
	return ioctl(c->fd, I_RECVFD, c->none);
}
CALL(c_recvfd_ro_buf)
{
	if (ioctl(c->fd2, I_SENDFD, c->fd2) || wait_nread(c->fd, 1, WAIT_MS, NULL) != 1)
		return 0;
	return ioctl(c->fd, I_RECVFD, c->ro);
}
CALL(c_pipepeer) { return ioctl(c->fd, STRCLONE_PIPEPEER, O_RDWR); }
CALL(c_pipepeer_peer) { return ioctl(c->fd2, STRCLONE_PIPEPEER, O_RDWR); }
CALL(c_pipepeer_ocreat) { return ioctl(c->fd, STRCLONE_PIPEPEER, O_RDWR | O_CREAT); }
CALL(c_pipepeer_accmode3) { return ioctl(c->fd, STRCLONE_PIPEPEER, O_ACCMODE); }
CALL(c_pipepeer_64bit) { return ioctl(c->fd, STRCLONE_PIPEPEER, (1UL << 32) | O_RDWR); }
CALL(c_open_pipe_unreg) { (void)c; return open_unregistered(PIPE_NODE, STRCLONE_PIPE_MAJOR); }

static const struct row {
	const char *name;
	enum setup setup;
	int err;
	call_fn call;
} table[] = {
	/* Open modes and nodes */
	{ "open /dev/ptmajor O_RDWR", S_NONE, EINVAL, c_open_ptmajor_rdwr },
	{ "open /dev/ptmajor O_RDONLY", S_NONE, EINVAL, c_open_ptmajor_rdonly },
	{ "open the clone minor of major 21 (log is not clonable)", S_NONE, ENXIO, c_open_clone_strlog },
	{ "open /dev/conslog O_RDONLY", S_NONE, EINVAL, c_open_conslog_rdonly },
	{ "open /dev/conslog O_RDWR", S_NONE, EINVAL, c_open_conslog_rdwr },
	{ "open /dev/clone-ptmx with major 23 unregistered (node gone)", S_NONE, ENOENT, c_open_ptmx_unreg },
	{ "open /dev/clone-echo with major 72 unregistered (node gone)", S_NONE, ENOENT, c_open_echo_unreg },
	{ "open /dev/strlog with every strlog minor in use", S_NONE, ENXIO, c_strlog_exhausted },
	/* Unknown ioctls */
	{ "unknown STREAMS ioctl ('S'<<8)|99", S_ECHO, ENOTTY, c_ioctl_unknown_S },
	{ "unknown ioctl _IOWR('Z', 7, int)", S_ECHO, ENOTTY, c_ioctl_unknown_Z },
	{ "TCGETS on an echo stream", S_ECHO, ENOTTY, c_tcgets },
	{ "ISPTM on an echo stream", S_ECHO, ENOTTY, c_isptm },
	{ "LOG_GETLOST on an echo stream", S_ECHO, ENOTTY, c_getlost_plain },
	/* EFAULT pointers */
	{ "I_NREAD with NULL", S_ECHO, EFAULT, c_nread_null },
	{ "I_NREAD with a kernel address", S_ECHO, EFAULT, c_nread_kernel },
	{ "I_NREAD into a read-only page", S_ECHO, EFAULT, c_nread_ro },
	{ "STRCLONE_GETDEV with NULL", S_ECHO, EFAULT, c_getdev_null },
	{ "STRCLONE_GETDEV into an unmapped page", S_ECHO, EFAULT, c_getdev_none },
	{ "STRCLONE_GETDEV straddling into an unmapped page", S_ECHO, EFAULT, c_getdev_edge },
	/* I_SETSIG / I_GETSIG (streamio(7I)) and the close time */
	{ "I_SETSIG with an unknown event bit", S_ECHO, EINVAL, c_setsig_unknown },
	{ "I_SETSIG -1", S_ECHO, EINVAL, c_setsig_negative },
	{ "I_SETSIG S_BANDURG without S_RDBAND", S_ECHO, EINVAL, c_setsig_bandurg },
	{ "I_SETSIG 0 by a process not registered", S_ECHO, EINVAL, c_setsig_0_unregistered },
	{ "I_GETSIG by a process not registered", S_ECHO, EINVAL, c_getsig_unregistered },
	{ "I_GETSIG with NULL", S_ECHO, EFAULT, c_getsig_null },
	{ "I_GETSIG into a read-only page", S_ECHO, EFAULT, c_getsig_ro },
	{ "I_SETCLTIME -1", S_ECHO, EINVAL, c_setcltime_negative },
	{ "I_SETCLTIME above STRCLONE_CLTIME_MAX", S_ECHO, EINVAL, c_setcltime_above_max },
	{ "I_SETCLTIME with NULL", S_ECHO, EFAULT, c_setcltime_null },
	{ "I_SETCLTIME with a kernel address", S_ECHO, EFAULT, c_setcltime_kernel },
	{ "I_GETCLTIME with NULL", S_ECHO, EFAULT, c_getcltime_null },
	{ "I_GETCLTIME into a read-only page", S_ECHO, EFAULT, c_getcltime_ro },
	/* Bad flush flags */
	{ "I_FLUSH 0", S_ECHO, EINVAL, c_flush_0 },
	{ "I_FLUSH FLUSHBAND", S_ECHO, EINVAL, c_flush_band },
	{ "I_FLUSH 0xff", S_ECHO, EINVAL, c_flush_ff },
	{ "I_FLUSH -1", S_ECHO, EINVAL, c_flush_neg },
	/* I_STR */
	{ "I_STR with NULL", S_ECHO, EFAULT, c_istr_null },
	{ "I_STR with a kernel address", S_ECHO, EFAULT, c_istr_kernel },
	{ "I_STR ic_len -1", S_ECHO, EINVAL, c_istr_len_neg },
	{ "I_STR ic_len STRMSGSZ+1 (oversize)", S_ECHO, EINVAL, c_istr_len_big },
	{ "I_STR ic_timout -2", S_ECHO, EINVAL, c_istr_timout_neg2 },
	{ "I_STR ic_dp NULL with ic_len 8", S_ECHO, EFAULT, c_istr_dp_null },
	{ "I_STR ic_dp unmapped with ic_len 8", S_ECHO, EFAULT, c_istr_dp_none },
	{ "I_STR unknown echo command", S_ECHO, EINVAL, c_istr_unknown },
	{ "I_STR unanswered (ECHO_NOREPLY, 1 s)", S_ECHO, ETIME, c_istr_noreply },
	{ "I_STR answered by M_IOCNAK(EPERM)", S_ECHO, EPERM, c_istr_nak_eperm },
	{ "I_STR ECHO_ERROR with errno 0", S_ECHO, EINVAL, c_istr_error_0 },
	{ "I_STR ECHO_NAK with 512 (ERESTARTSYS, kernel-internal)", S_ECHO, EINVAL, c_istr_nak_512 },
	{ "I_STR ECHO_SETQ with 4 bytes", S_ECHO, EINVAL, c_istr_setq_short },
	{ "I_STR ECHO_SETQ low water above high", S_ECHO, EINVAL, c_istr_setq_low_above_high },
	{ "I_STR ECHO_SETQ high water above STRCLONE_QHIWAT_MAX", S_ECHO, EINVAL, c_istr_setq_above_max },
	{ "I_STR ECHO_SETOPTS high water above STRCLONE_QHIWAT_MAX", S_ECHO, EINVAL, c_istr_setopts_above_max },
	/* putmsg */
	{ "I_PUTMSG with NULL", S_ECHO, EFAULT, c_putmsg_null },
	{ "putmsg flags 2", S_ECHO, EINVAL, c_putmsg_flags2 },
	{ "putmsg RS_HIPRI without a control part", S_ECHO, EINVAL, c_putmsg_hipri_noctl },
	{ "putmsg control part STRCTLSZ+1 (oversize)", S_ECHO, ERANGE, c_putmsg_ctl_big },
	{ "putmsg data part STRMSGSZ+1 (oversize)", S_ECHO, ERANGE, c_putmsg_data_huge },
	{ "putmsg data part 4097 (above maxpsz)", S_ECHO, ERANGE, c_putmsg_data_maxpsz },
	{ "putmsg data buffer NULL", S_ECHO, EFAULT, c_putmsg_data_null },
	{ "putmsg control buffer kernel address", S_ECHO, EFAULT, c_putmsg_ctl_kernel },
	/* getmsg */
	{ "I_GETMSG with NULL", S_ECHO, EFAULT, c_getmsg_null },
	{ "getmsg flags MSG_BAND", S_ECHO, EINVAL, c_getmsg_band },
	{ "getmsg flags 3", S_ECHO, EINVAL, c_getmsg_flags3 },
	{ "getmsg on an empty O_NONBLOCK stream", S_ECHO, EAGAIN, c_getmsg_any },
	{ "getmsg RS_HIPRI with only normal data queued", S_ECHO_DATA, EAGAIN, c_getmsg_hipri },
	{ "getmsg data buffer unmapped", S_ECHO_DATA, EFAULT, c_getmsg_data_none },
	/* getpmsg/putpmsg and the band ioctls */
	{ "putpmsg band 256", S_ECHO, EINVAL, c_putpmsg_band256 },
	{ "putpmsg band -1", S_ECHO, EINVAL, c_putpmsg_band_neg },
	{ "putpmsg MSG_HIPRI with band 1", S_ECHO, EINVAL, c_putpmsg_hipri_band },
	{ "putpmsg flags 0", S_ECHO, EINVAL, c_putpmsg_flags0 },
	{ "putpmsg flags MSG_ANY", S_ECHO, EINVAL, c_putpmsg_any },
	{ "I_PUTPMSG with NULL", S_ECHO, EFAULT, c_putpmsg_null },
	{ "getpmsg MSG_BAND band 256", S_ECHO_DATA, EINVAL, c_getpmsg_band256 },
	{ "getpmsg MSG_BAND band -1", S_ECHO_DATA, EINVAL, c_getpmsg_band_neg },
	{ "getpmsg MSG_HIPRI with band 2", S_ECHO_DATA, EINVAL, c_getpmsg_hipri_band },
	{ "getpmsg flags 0", S_ECHO_DATA, EINVAL, c_getpmsg_flags0 },
	{ "getpmsg flags 3", S_ECHO_DATA, EINVAL, c_getpmsg_flags3 },
	{ "getpmsg MSG_BAND 5 with only band 0 queued", S_ECHO_DATA, EAGAIN, c_getpmsg_band_empty },
	{ "I_GETPMSG with NULL", S_ECHO, EFAULT, c_getpmsg_null },
	{ "I_CANPUT band 256", S_ECHO, EINVAL, c_canput_256 },
	{ "I_CANPUT band -1", S_ECHO, EINVAL, c_canput_neg },
	{ "I_CKBAND band 256", S_ECHO, EINVAL, c_ckband_256 },
	{ "I_CKBAND band -1", S_ECHO, EINVAL, c_ckband_neg },
	{ "I_GETBAND on an empty queue", S_ECHO, ENODATA, c_getband_empty },
	{ "I_GETBAND with NULL", S_ECHO_DATA, EFAULT, c_getband_null },
	{ "I_ATMARK 0", S_ECHO, EINVAL, c_atmark_0 },
	{ "I_ATMARK 4", S_ECHO, EINVAL, c_atmark_4 },
	{ "I_FLUSHBAND bi_flag 0", S_ECHO, EINVAL, c_flushband_0 },
	{ "I_FLUSHBAND bi_flag FLUSHBAND|FLUSHR", S_ECHO, EINVAL, c_flushband_band },
	{ "I_FLUSHBAND bi_flag -1", S_ECHO, EINVAL, c_flushband_neg },
	{ "I_FLUSHBAND with NULL", S_ECHO, EFAULT, c_flushband_null },
	/* read and write options, I_PEEK, I_FDINSERT */
	{ "I_SRDOPT RMSGD|RMSGN", S_ECHO, EINVAL, c_srdopt_3 },
	{ "I_SRDOPT RPROTDAT|RPROTDIS", S_ECHO, EINVAL, c_srdopt_both },
	{ "I_SRDOPT 0x20", S_ECHO, EINVAL, c_srdopt_0x20 },
	{ "I_SRDOPT -1", S_ECHO, EINVAL, c_srdopt_neg },
	{ "I_GRDOPT with NULL", S_ECHO, EFAULT, c_grdopt_null },
	{ "I_SWROPT 4 (SNDHOLD, not provided)", S_ECHO, EINVAL, c_swropt_4 },
	{ "I_SWROPT -1", S_ECHO, EINVAL, c_swropt_neg },
	{ "I_GWROPT into a read-only page", S_ECHO, EFAULT, c_gwropt_ro },
	{ "I_PEEK with NULL", S_ECHO, EFAULT, c_peek_null },
	{ "I_PEEK flags 2", S_ECHO_DATA, EINVAL, c_peek_flags2 },
	{ "I_PEEK data buffer unmapped", S_ECHO_DATA, EFAULT, c_peek_data_none },
	{ "I_FDINSERT with NULL", S_ECHO, EFAULT, c_fdinsert_null },
	{ "I_FDINSERT fildes -1", S_ECHO, EINVAL, c_fdinsert_badfd },
	{ "I_FDINSERT fildes a pipe", S_ECHO, EINVAL, c_fdinsert_pipe },
	{ "I_FDINSERT fildes /dev/null", S_ECHO, EINVAL, c_fdinsert_null_dev },
	{ "I_FDINSERT fildes /dev/sad/user (strclone, not a stream)", S_ECHO, EINVAL, c_fdinsert_sad },
	{ "I_FDINSERT offset 4 (unaligned)", S_ECHO, EINVAL, c_fdinsert_unaligned },
	{ "I_FDINSERT offset 16 of a 16-byte control part", S_ECHO, EINVAL, c_fdinsert_beyond },
	{ "I_FDINSERT offset -8", S_ECHO, EINVAL, c_fdinsert_neg_off },
	{ "I_FDINSERT without a control part", S_ECHO, EINVAL, c_fdinsert_noctl },
	{ "I_FDINSERT flags 2", S_ECHO, EINVAL, c_fdinsert_flags2 },
	{ "I_FDINSERT control part STRCTLSZ+8", S_ECHO, ERANGE, c_fdinsert_ctl_big },
	/* multiplexor links: echo and pipe ends are no multiplexors */
	{ "I_LINK on an echo stream (no multiplexor)", S_ECHO, EINVAL, c_link_echo },
	{ "I_PLINK on an echo stream (no multiplexor)", S_ECHO, EINVAL, c_plink_echo },
	{ "I_LINK on a pipe end (no multiplexor)", S_PIPE, EINVAL, c_link_echo },
	{ "I_LINK fd -1 on an echo stream (the driver is checked first)", S_ECHO, EINVAL, c_link_neg },
	{ "I_UNLINK 0", S_ECHO, EINVAL, c_unlink_0 },
	{ "I_UNLINK -2", S_ECHO, EINVAL, c_unlink_neg2 },
	{ "I_UNLINK of a mux id that does not exist", S_ECHO, EINVAL, c_unlink_none },
	{ "I_PUNLINK 0", S_ECHO, EINVAL, c_punlink_0 },
	{ "I_PUNLINK of a mux id that does not exist", S_ECHO, EINVAL, c_punlink_none },
	{ "I_LINK after hangup", S_ECHO_HUNG, ENXIO, c_link_echo },
	{ "I_UNLINK MUXID_ALL after hangup", S_ECHO_HUNG, ENXIO, c_unlink_all },
	{ "I_LINK after M_ERROR(EPROTO)", S_ECHO_ERROR, EPROTO, c_link_echo },
	{ "I_UNLINK MUXID_ALL after M_ERROR(EPROTO)", S_ECHO_ERROR, EPROTO, c_unlink_all },
	/* read/write */
	{ "read on an empty O_NONBLOCK stream", S_ECHO, EAGAIN, c_read_8 },
	{ "read into NULL with data queued", S_ECHO_DATA, EFAULT, c_read_null },
	{ "read into a read-only page with data queued", S_ECHO_DATA, EFAULT, c_read_ro },
	{ "read with M_PROTO at the front", S_ECHO_PROTO, EBADMSG, c_read_8 },
	{ "write from NULL", S_ECHO, EFAULT, c_write_null },
	{ "write from a kernel address", S_ECHO, EFAULT, c_write_kernel },
	{ "lseek on a stream", S_ECHO, ESPIPE, c_lseek },
	{ "pread on a stream", S_ECHO, ESPIPE, c_pread },
	{ "pwrite on a stream", S_ECHO, ESPIPE, c_pwrite },
	{ "write on a stream opened O_RDONLY", S_ECHO_RDONLY, EBADF, c_write_x },
	{ "read on a stream opened O_WRONLY", S_ECHO_WRONLY, EBADF, c_read_8 },
	{ "mmap of a stream", S_ECHO, ENODEV, c_mmap },
	/* After hangup / error */
	{ "write after hangup", S_ECHO_HUNG, EIO, c_write_x },
	{ "putmsg after hangup", S_ECHO_HUNG, ENXIO, c_putmsg_x },
	{ "high-priority putmsg after hangup", S_ECHO_HUNG, ENXIO, c_putmsg_hipri_x },
	{ "I_STR after hangup", S_ECHO_HUNG, ENXIO, c_istr_reverse },
	{ "transparent TCGETS after hangup", S_ECHO_HUNG, ENXIO, c_tcgets },
	{ "I_FLUSH after hangup", S_ECHO_HUNG, ENXIO, c_flush_rw },
	{ "I_FLUSHBAND after hangup", S_ECHO_HUNG, ENXIO, c_flushband_r },
	{ "I_CANPUT after hangup", S_ECHO_HUNG, ENXIO, c_canput_0 },
	{ "I_FDINSERT after hangup", S_ECHO_HUNG, ENXIO, c_fdinsert_self },
	{ "I_STR after M_ERROR(EPROTO)", S_ECHO_ERROR, EPROTO, c_istr_reverse },
	{ "transparent TCGETS after M_ERROR(EPROTO)", S_ECHO_ERROR, EPROTO, c_tcgets },
	{ "I_FLUSH after M_ERROR(EPROTO)", S_ECHO_ERROR, EPROTO, c_flush_rw },
	{ "I_CANPUT after M_ERROR(EPROTO)", S_ECHO_ERROR, EPROTO, c_canput_0 },
	{ "I_POP after M_ERROR(EPROTO)", S_ECHO_ERROR, EPROTO, c_pop },
	{ "getmsg on a stream opened O_WRONLY", S_ECHO_WRONLY, EBADF, c_getmsg_any },
	{ "getpmsg on a stream opened O_WRONLY", S_ECHO_WRONLY, EBADF, c_getpmsg_any },
	{ "putmsg on a stream opened O_RDONLY", S_ECHO_RDONLY, EBADF, c_putmsg_x },
	{ "putpmsg on a stream opened O_RDONLY", S_ECHO_RDONLY, EBADF, c_putpmsg_b1 },
	{ "I_FDINSERT on a stream opened O_RDONLY", S_ECHO_RDONLY, EBADF, c_fdinsert_self },
	{ "I_PUTMSG with a band (putmsg has none)", S_ECHO, EINVAL, c_putmsg_band1 },
	{ "read after M_ERROR(EPROTO)", S_ECHO_ERROR, EPROTO, c_read_8 },
	{ "write after M_ERROR(EPROTO)", S_ECHO_ERROR, EPROTO, c_write_x },
	{ "getmsg after M_ERROR(EPROTO)", S_ECHO_ERROR, EPROTO, c_getmsg_any },
	{ "putmsg after M_ERROR(EPROTO)", S_ECHO_ERROR, EPROTO, c_putmsg_x },
	/* ptm */
	{ "PTMGETPEER on a locked master (slave open while locked)", S_MASTER, EIO, c_getpeer },
	{ "PTMGETPEER with O_CREAT", S_PAIR, EINVAL, c_getpeer_ocreat },
	{ "PTMGETPEER with access mode 3", S_PAIR, EINVAL, c_getpeer_accmode3 },
	{ "PTMGETPEER with flags above 32 bits", S_PAIR, EINVAL, c_getpeer_64bit },
	{ "PTMGETPEER with no free descriptor", S_MASTER, EMFILE, c_getpeer_emfile },
	{ "PTMGETPEER after the slave closed", S_PAIR_NOSLAVE, EIO, c_getpeer },
	{ "ISPTM on a slave", S_PAIR_NOMASTER, ENOTTY, c_isptm },
	{ "UNLKPT on a slave", S_PAIR_NOMASTER, ENOTTY, c_unlkpt },
	{ "GRANTPT on a slave", S_PAIR_NOMASTER, ENOTTY, c_grantpt },
	{ "PTMGETPEER on a slave", S_PAIR_NOMASTER, ENOTTY, c_getpeer },
	{ "I_STR on a ptm master", S_MASTER, EINVAL, c_istr_ptm },
	{ "TIOCGPTN on a ptm master", S_MASTER, ENOTTY, c_tiocgptn },
	{ "PTMGETPTN with NULL", S_MASTER, EFAULT, c_ptmgetptn_null },
	{ "PTMGETPTN into an unmapped page", S_MASTER, EFAULT, c_ptmgetptn_none },
	{ "PTMGETPTN on a slave", S_PAIR_NOMASTER, ENOTTY, c_ptmgetptn },
	{ "open /dev/strpts/N of a locked master", S_MASTER, EAGAIN, c_node_locked },
	{ "open /dev/strpts/N with O_DIRECT", S_PAIR, EINVAL, c_node_odirect },
	{ "open /dev/strpts/N after the slave closed", S_PAIR_NOSLAVE_NAMED, EIO, c_node_after },
	{ "open /dev/strpts/N after the master closed", S_PAIR_NOMASTER_NAMED, EAGAIN, c_node_after },
	{ "master write after the slave closed", S_PAIR_NOSLAVE, EIO, c_write_x },
	{ "slave write after the master closed", S_PAIR_NOMASTER, EIO, c_write_x },
	{ "slave I_STR after the master closed", S_PAIR_NOMASTER, ENXIO, c_istr_ptm },
	/* log */
	{ "I_CONSLOG on /dev/conslog", S_CONSLOG, EINVAL, c_conslog_register },
	{ "read on /dev/conslog", S_CONSLOG, EBADF, c_read_8 },
	{ "I_TRCLOG without filters", S_STRLOG, EINVAL, c_trclog_nofilter },
	{ "I_TRCLOG with ic_len 7", S_STRLOG, EINVAL, c_trclog_len7 },
	{ "I_TRCLOG with 65 filters", S_STRLOG, ERANGE, c_trclog_65 },
	{ "I_ERRLOG held by another stream", S_STRLOG_ERRHELD, EBUSY, c_errlog },
	{ "unknown I_STR command on a log stream", S_STRLOG, EINVAL, c_log_unknown_istr },
	{ "LOG_GETLOST with NULL", S_STRLOG, EFAULT, c_getlost_null },
	{ "LOG_GETLOST into a read-only page", S_STRLOG, EFAULT, c_getlost_ro },
	{ "read on an empty strlog stream (O_NONBLOCK)", S_STRLOG, EAGAIN, c_read_8 },
	{ "read on a log reader (M_PROTO first: use getmsg)", S_LOGREADER_MSG, EBADMSG, c_read_8 },
	/* STREAMS pipes: I_SENDFD, I_RECVFD, STRCLONE_PIPEPEER */
	{ "open /dev/clone-pipe with major 73 unregistered (node gone)", S_NONE, ENOENT, c_open_pipe_unreg },
	{ "I_SENDFD -1", S_PIPE, EBADF, c_sendfd_neg },
	{ "I_SENDFD of a closed descriptor", S_PIPE, EBADF, c_sendfd_closed },
	{ "I_SENDFD on a stream that is not a pipe", S_ECHO, EINVAL, c_sendfd_self },
	{ "I_SENDFD -1 on a stream that is not a pipe", S_ECHO, EBADF, c_sendfd_neg },
	{ "I_SENDFD of the receiving end (a reference cycle)", S_PIPE, ETOOMANYREFS, c_sendfd_receiver },
	{ "I_SENDFD with the other end full", S_PIPE, EAGAIN, c_sendfd_full },
	{ "I_SENDFD on a widowed pipe", S_PIPE_WIDOWED, ENXIO, c_sendfd_self },
	{ "I_SENDFD before the other end exists", S_PIPE_END0, EAGAIN, c_sendfd_self },
	{ "I_RECVFD with nothing queued, O_NONBLOCK", S_PIPE, EAGAIN, c_recvfd },
	{ "I_RECVFD on a widowed pipe with nothing queued", S_PIPE_WIDOWED, ENXIO, c_recvfd },
	{ "I_RECVFD with data at the front", S_ECHO_DATA, EBADMSG, c_recvfd },
	{ "I_RECVFD with NULL and nothing queued", S_PIPE, EAGAIN, c_recvfd_null },
	{ "I_RECVFD into an unmapped page", S_PIPE, EFAULT, c_recvfd_bad_buf },
	{ "I_RECVFD into a read-only page", S_PIPE, EFAULT, c_recvfd_ro_buf },
	{ "I_RECVFD after M_ERROR(EPROTO)", S_ECHO_ERROR, EPROTO, c_recvfd },
	{ "STRCLONE_PIPEPEER twice", S_PIPE, EBUSY, c_pipepeer },
	{ "STRCLONE_PIPEPEER on end 1", S_PIPE, EBUSY, c_pipepeer_peer },
	{ "STRCLONE_PIPEPEER with O_CREAT", S_PIPE_END0, EINVAL, c_pipepeer_ocreat },
	{ "STRCLONE_PIPEPEER with access mode 3", S_PIPE_END0, EINVAL, c_pipepeer_accmode3 },
	{ "STRCLONE_PIPEPEER with flags above 32 bits", S_PIPE_END0, EINVAL, c_pipepeer_64bit },
	{ "STRCLONE_PIPEPEER on a widowed pipe", S_PIPE_WIDOWED, EBUSY, c_pipepeer },
	{ "STRCLONE_PIPEPEER on an echo stream", S_ECHO, ENOTTY, c_pipepeer },
	/* debugfs control files */
	{ "debugfs register \"ptm\" (not a number)", S_NONE, EINVAL, c_dbg_register_text },
	{ "debugfs unregister 256", S_NONE, EINVAL, c_dbg_unregister_256 },
	{ "debugfs unregister -1", S_NONE, EINVAL, c_dbg_unregister_neg },
	{ "debugfs register 23 (taken)", S_NONE, EBUSY, c_dbg_register_taken },
	{ "debugfs unregister 99 (empty slot)", S_NONE, ENXIO, c_dbg_unregister_empty },
	{ "debugfs register 7 (no such built-in target)", S_NONE, EINVAL, c_dbg_register_none },
	/* Closed descriptors */
	{ "ioctl on a closed descriptor", S_ECHO, EBADF, c_ioctl_closed },
};

/* Runs one row in this (child) process: 0 pass, 1 fail, 2 setup failed. */
static int run_row(const struct row *r, char *msg, size_t size)
{
	struct ctx c;
	long ret;
	int e;
	char *pages = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (pages == MAP_FAILED)
		return snprintf(msg, size, "mmap: %s", strerror(errno)), 2;
	memset(pages, 0, 3 * 4096);
	mprotect(pages, 4096, PROT_READ);
	mprotect(pages + 4096, 4096, PROT_NONE);
	c.ro = pages;
	c.none = pages + 4096;
	c.edge = pages + 4096 - 4;
	if (do_setup(r->setup, &c) < 0)
		return snprintf(msg, size, "setup failed: %s", strerror(errno)), 2;
	errno = 0;
	ret = r->call(&c);
	e = errno;
	if (ret == -2)
		return snprintf(msg, size, "call setup failed: %s", strerror(e)), 2;
	if (ret >= 0) {
		snprintf(msg, size, "succeeded (%ld), expected %s", ret, errname(r->err));
		return 1;
	}
	if (e != r->err) {
		snprintf(msg, size, "got %s, expected %s", errname(e), errname(r->err));
		return 1;
	}
	snprintf(msg, size, "%s", errname(e));
	return 0;
}

int main(void)
{
	int failed = 0;
	char what[4096];

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	/* A test VM without these is set up wrong: fail, do not skip. */
	if (access(ECHO_NODE, F_OK))
		ksft_exit_fail_msg("no %s: strclone not loaded\n", ECHO_NODE);
	if (geteuid() != 0)
		ksft_exit_fail_msg("must be run as root (debugfs, /dev/ptmajor, /dev/strlog)\n");
	ksft_set_plan(ARRAY_LEN(table) + 1);
	ksft_print_msg("%zu bad inputs, each with its exact errno\n", ARRAY_LEN(table));

	for (size_t i = 0; i < ARRAY_LEN(table); i++) {
		int fds[2], status = 0;
		char msg[256] = "";
		pid_t pid;

		if (pipe(fds))
			ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
		pid = fork();
		if (pid == 0) {
			int rc;

			close(fds[0]);
			alarm(20);
			rc = run_row(&table[i], msg, sizeof(msg));
			if (write(fds[1], msg, strlen(msg)) < 0)
				rc = 1;
			_exit(rc);
		}
		close(fds[1]);
		if (pid < 0 || read(fds[0], msg, sizeof(msg) - 1) < 0)
			msg[0] = 0;
		close(fds[0]);
		waitpid(pid, &status, 0);
		/* A row that unregistered a target must not leave it so. */
		write_text(DBG_REGISTER, "21");
		write_text(DBG_REGISTER, "23");
		write_text(DBG_REGISTER, "72");
		write_text(DBG_REGISTER, "73");
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			ksft_test_result_pass("%s: %s\n", table[i].name, msg);
		} else {
			failed++;
			if (WIFSIGNALED(status))
				snprintf(msg, sizeof(msg), "killed by signal %d%s", WTERMSIG(status),
					 WTERMSIG(status) == SIGALRM ? " (hung)" : "");
			ksft_test_result_fail("%s: %s\n", table[i].name, msg);
		}
	}
	ksft_test_result(wait_idle(5000, what, sizeof(what)) == 0,
			 "no stream left open after the table\n");
	ksft_print_msg("%zu cases, %d failed\n", ARRAY_LEN(table), failed);
	ksft_finished();
}
