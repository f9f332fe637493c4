/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * strclone: SVR4 STREAMS clone devices for Linux — user-space interface.
 *
 * The classic STREAMS ioctls keep their SVR4/LiS numbers and structures
 * (I_NREAD is ('S'<<8)|1 as in glibc's old <stropts.h>), so STREAMS
 * programs compile against this header unchanged. getmsg(2)/putmsg(2) are
 * not system calls on Linux: they are the I_GETMSG/I_PUTMSG ioctls, and
 * strclone_getmsg()/strclone_putmsg() below wrap them with the SVR4
 * signatures. The header itself defines no getmsg or putmsg, so it cannot
 * clash with a C library that declares them.
 * Extensions that SVR4 did not have use Linux _IO* encodings with magic 'C'.
 *
 * Nodes (all created by strclone.ko):
 *   /dev/clone-ptmx   clone node of the ptm target (STREAMS major 23)
 *   /dev/clone-echo   clone node of the echo (loopback) target (major 72)
 *   /dev/ptmajor      the ptm target's own node; open gives EINVAL (0600)
 *   /dev/clone-strlog clone node of the log target: ENXIO (not clonable)
 *   /dev/conslog      log target minor 0 (CONSWMIN), write-only
 *   /dev/strlog       log target minor 5 (CLONEMIN), clones itself
 */
#ifndef _UAPI_LINUX_STRCLONE_H
#define _UAPI_LINUX_STRCLONE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* STREAMS majors of the built-in targets (index into the clone table). */
#define STRCLONE_NMAJOR		256
#define STRCLONE_PTM_MAJOR	23
#define STRCLONE_ECHO_MAJOR	72
#define STRCLONE_LOG_MAJOR	21

/* ---- Message types (SVR4 values). ---------------------------------- */
#define M_DATA		0x00
#define M_PROTO		0x01
#define M_BREAK		0x08
#define M_PASSFP	0x09
#define M_SIG		0x0b
#define M_DELAY		0x0c
#define M_CTL		0x0d
#define M_IOCTL		0x0e
#define M_SETOPTS	0x10
#define M_RSE		0x11
/* Priority messages: at or above QPCTL. */
#define QPCTL		0x80
#define M_IOCACK	0x81
#define M_IOCNAK	0x82
#define M_PCPROTO	0x83
#define M_PCSIG		0x84
#define M_READ		0x85
#define M_FLUSH		0x86
#define M_STOP		0x87
#define M_START		0x88
#define M_HANGUP	0x89
#define M_ERROR		0x8a
#define M_COPYIN	0x8b
#define M_COPYOUT	0x8c
#define M_IOCDATA	0x8d
#define M_PCRSE		0x8e
#define M_STOPI		0x8f
#define M_STARTI	0x90

/* ---- Stream head ioctls (SVR4/LiS numbers). ------------------------- */
#define __SID		('S' << 8)
#define I_NREAD		(__SID | 1)	/* int *: bytes in first msg; returns msg count */
#define I_FLUSH		(__SID | 5)	/* arg: FLUSHR | FLUSHW | FLUSHRW */
#define I_STR		(__SID | 8)	/* struct strioctl * */
#define I_FIND		(__SID | 11)
#define I_LOOK		(__SID | 4)
#define I_CANPUT	(__SID | 34)	/* arg: band; returns 1 when a write would not block */
#define I_PUTMSG	(__SID | 0x40)	/* struct strpmsg *: putmsg(2) */
#define I_GETMSG	(__SID | 0x41)	/* struct strpmsg *: getmsg(2) */

/* I_FLUSH / M_FLUSH flags. */
#define FLUSHR		0x01
#define FLUSHW		0x02
#define FLUSHRW		(FLUSHR | FLUSHW)
#define FLUSHBAND	0x04

/* putmsg/getmsg flags and getmsg return bits. */
#define RS_HIPRI	0x01
#define MSG_HIPRI	0x01
#define MSG_ANY		0x02
#define MSG_BAND	0x04
#define MORECTL		1
#define MOREDATA	2

/* I_STR timeout: seconds; 0 means the default (15 s), -1 waits forever. */
#define INFTIM		(-1)
#define STRCLONE_STR_DEFAULT_TIMEOUT	15

struct strbuf {
	int maxlen;	/* capacity of buf (getmsg); -1 in putmsg: no part */
	int len;	/* bytes in buf; -1 in getmsg: the part was absent */
	char *buf;
};

struct strioctl {
	int ic_cmd;	/* command for the driver */
	int ic_timout;	/* seconds, 0 = default, -1 = forever */
	int ic_len;	/* in: bytes of data sent; out: bytes returned */
	char *ic_dp;	/* data buffer, in and out */
};

/* Argument of I_PUTMSG / I_GETMSG. */
struct strpmsg {
	struct strbuf ctlbuf;
	struct strbuf databuf;
	int band;
	int flags;	/* RS_HIPRI in; on getmsg: in MSG_ANY/MSG_HIPRI, out the kind read */
};

/* Largest message the stream head accepts (ERANGE above it). */
#define STRCLONE_STRMSGSZ	65536
#define STRCLONE_STRCTLSZ	1024

/*
 * Highest water mark any queue can be given: an M_SETOPTS from a driver is
 * capped to it, ECHO_SETQ/ECHO_SETOPTS above it fail with EINVAL.
 */
#define STRCLONE_QHIWAT_MAX	65536

/* ---- strclone extensions. ------------------------------------------- */
struct strclone_devinfo {
	__u32 major;	/* STREAMS major (clone table index) */
	__u32 minor;	/* minor the target allocated for this stream */
};
/* On any strclone stream: which (major, minor) this fd is. */
#define STRCLONE_GETDEV		_IOR('C', 1, struct strclone_devinfo)

/* ---- ptm target (Solaris <sys/ptms.h> numbering). ------------------ */
#define ISPTM		(('P' << 8) | 1)	/* 0 on a master stream */
#define UNLKPT		(('P' << 8) | 2)	/* unlockpt(3) */
#define GRANTPT		(('P' << 8) | 5)	/* slave owner := caller's euid */
#define PTMGETPEER	(('P' << 8) | 16)	/* arg: open flags; returns a slave fd */

/* ---- echo target: I_STR commands (for tests). ----------------------- */
/* ECHO_SETQ and ECHO_SETOPTS need CAP_SYS_ADMIN (EPERM otherwise). */
#define ECHO_SETQ	(('E' << 8) | 1)	/* struct echo_qopts: driver queue limits */
#define ECHO_STOP	(('E' << 8) | 2)	/* stop echoing (service procedure idles) */
#define ECHO_START	(('E' << 8) | 3)	/* resume echoing */
#define ECHO_NAK	(('E' << 8) | 4)	/* int errno in ic_dp: NAK with it */
#define ECHO_HANGUP	(('E' << 8) | 5)	/* send M_HANGUP upstream */
#define ECHO_ERROR	(('E' << 8) | 6)	/* int errno in ic_dp: send M_ERROR */
#define ECHO_SETOPTS	(('E' << 8) | 7)	/* struct echo_qopts: M_SETOPTS to head */
#define ECHO_REVERSE	(('E' << 8) | 8)	/* reverse ic_dp bytes in the ack */
#define ECHO_NOREPLY	(('E' << 8) | 9)	/* never answer (I_STR times out) */
#define ECHO_MREAD	(('E' << 8) | 10)	/* int on/off: M_SETOPTS SO_MREADON/OFF */
#define ECHO_MREADS	(('E' << 8) | 11)	/* returns the count of M_READ received */

/* M_SETOPTS flags (the stream head options a driver may set). */
#define SO_HIWAT	0x0010
#define SO_LOWAT	0x0020
#define SO_MREADON	0x0040
#define SO_MREADOFF	0x0080

struct echo_qopts {
	__u32 hiwat;
	__u32 lowat;
};

/* ---- log target (Solaris <sys/strlog.h>). --------------------------- */
#define CONSWMIN	0
#define CLONEMIN	5
#define LOGCTL		('L' << 8)
#define I_TRCLOG	(LOGCTL | 1)
#define I_ERRLOG	(LOGCTL | 2)
#define I_CONSLOG	(LOGCTL | 3)
#define LOG_GETLOST	_IOR('C', 16, __u64)	/* messages this reader lost */

#define SL_ERROR	0x0001
#define SL_TRACE	0x0002
#define SL_NOTIFY	0x0004
#define SL_CONSOLE	0x0008
#define SL_FATAL	0x0010
#define SL_WARN		0x0020
#define SL_NOTE		0x0040

struct log_ctl {
	__s16 mid;	/* module id */
	__s16 sid;	/* sub id (minor) */
	__s8 level;
	__s8 __pad;
	__s16 flags;	/* SL_* */
	__s64 ltime;	/* clock ticks since boot (ms) */
	__s64 ttime;	/* wall time, seconds since the epoch */
	__s32 seq_no;	/* per class sequence number */
	__s32 pri;	/* syslog priority */
};

struct trace_ids {
	__s16 ti_mid;	/* -1 matches any */
	__s16 ti_sid;	/* -1 matches any */
	__s8 ti_level;	/* messages at or below this level */
	__s8 __pad[3];
};

#ifndef __KERNEL__
#include <sys/ioctl.h>

/* SVR4 putmsg(2) and getmsg(2) on top of I_PUTMSG/I_GETMSG. */
static inline int strclone_putmsg(int fd, const struct strbuf *ctl, const struct strbuf *data,
				  int flags)
{
	struct strpmsg m = { .band = 0, .flags = flags };

	m.ctlbuf.len = -1;
	m.databuf.len = -1;
	if (ctl)
		m.ctlbuf = *ctl;
	if (data)
		m.databuf = *data;
	return ioctl(fd, I_PUTMSG, &m);
}

static inline int strclone_getmsg(int fd, struct strbuf *ctl, struct strbuf *data,
				  int *flagsp)
{
	struct strpmsg m = { .band = 0, .flags = flagsp ? *flagsp : 0 };
	int r;

	m.ctlbuf.maxlen = -1;
	m.databuf.maxlen = -1;
	if (ctl)
		m.ctlbuf = *ctl;
	if (data)
		m.databuf = *data;
	r = ioctl(fd, I_GETMSG, &m);
	if (r < 0)
		return r;
	if (ctl)
		ctl->len = m.ctlbuf.len;
	if (data)
		data->len = m.databuf.len;
	if (flagsp)
		*flagsp = m.flags;
	return r;
}
#endif

#endif /* _UAPI_LINUX_STRCLONE_H */
