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
 *   /dev/strpts/N     the pts slave of ptm pair N (STREAMS major 24, minor N);
 *                     made when GRANTPT or PTMGETPTN is first used on the
 *                     master, removed when the pair's minor is freed
 *
 * Nodes of the STREAMS administrative driver (sad), for autopush (ioctl-only
 * control files, not streams):
 *   /dev/sad/admin    0600: SAD_SAP, SAD_GAP, SAD_VML (open and SAD_SAP
 *                     need CAP_SYS_ADMIN)
 *   /dev/sad/user     0666: SAD_GAP, SAD_VML (SAD_SAP gives EPERM)
 */
#ifndef _UAPI_LINUX_STRCLONE_H
#define _UAPI_LINUX_STRCLONE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* STREAMS majors of the built-in targets (index into the clone table). */
#define STRCLONE_NMAJOR		256
#define STRCLONE_PTM_MAJOR	23
#define STRCLONE_PTS_MAJOR	24	/* the pts slaves: minor N is ptm pair N's */
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
#define I_PUSH		(__SID | 2)	/* const char *: push the named module below the head */
#define I_POP		(__SID | 3)	/* arg 0: pop the topmost module */
#define I_LOOK		(__SID | 4)	/* char[FMNAMESZ + 1]: name of the topmost module */
#define I_FLUSH		(__SID | 5)	/* arg: FLUSHR | FLUSHW | FLUSHRW */
#define I_STR		(__SID | 8)	/* struct strioctl * */
#define I_FIND		(__SID | 11)	/* const char *: 1 if the module is pushed, else 0 */
#define I_LIST		(__SID | 21)	/* struct str_list *, or NULL: count (modules + driver) */
#define I_ANCHOR	(__SID | 24)	/* arg 0: anchor at the topmost module (Solaris) */
#define I_CANPUT	(__SID | 34)	/* arg: band; returns 1 when a write would not block */
#define I_PUTMSG	(__SID | 0x40)	/* struct strpmsg *: putmsg(2) */
#define I_GETMSG	(__SID | 0x41)	/* struct strpmsg *: getmsg(2) */

/*
 * Modules (I_PUSH, I_POP, I_LOOK, I_FIND, I_LIST, I_ANCHOR). A module name
 * is at most FMNAMESZ characters plus its NUL (SVR4 <sys/conf.h>).
 * I_ANCHOR is Solaris' number; glibc's old <stropts.h> had no I_ANCHOR.
 */
#define FMNAMESZ	8

struct str_mlist {
	char l_name[FMNAMESZ + 1];
};

/* Argument of I_LIST (and of SAD_VML): sl_nmods entries at sl_modlist. */
struct str_list {
	int sl_nmods;			/* in: room in sl_modlist; I_LIST: out: entries filled */
	struct str_mlist *sl_modlist;
};

/*
 * sflag of a driver's or module's open routine (SVR4 <sys/stream.h>): 0 for
 * a plain driver open, CLONEOPEN when the driver must pick the minor itself,
 * MODOPEN when a module is pushed.
 */
#define MODOPEN		0x1
#define CLONEOPEN	0x2

/*
 * ioc_count of an ioctl that reached a module or driver without I_STR
 * (SVR4 transparent ioctl: the argument is copied with M_COPYIN/M_COPYOUT).
 */
#define TRANSPARENT	((unsigned int)-1)

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

/* ---- Autopush: the STREAMS administrative driver (SVR4 <sys/sad.h>). -- */
/*
 * ioctl(2) on /dev/sad/admin or /dev/sad/user, not through I_STR (I_STR
 * with them gives EINVAL). SAD_SAP and SAD_GAP take a struct strapush *,
 * SAD_VML a struct str_list * and returns 0 when every name in it is a
 * registered module, 1 when one is not. Errnos: modules.rst.
 *
 * These are the SVR4 commands and structure (Solaris' AP_VERSION 0, the
 * default for user programs there). Solaris' versioned commands
 * (AP_VERSION 1: SAD_SAP | 0x10 and SAD_GAP | 0x10, with a trailing
 * sap_anchor) are not provided: a program that asks for them stops here.
 */
#if defined(AP_VERSION) && AP_VERSION != 0
#error "strclone: only AP_VERSION 0 (the SVR4 struct strapush, no sap_anchor) exists"
#endif
#define SADIOC		('D' << 8)
#define SAD_SAP		(SADIOC | 1)	/* set autopush (admin only) */
#define SAD_GAP		(SADIOC | 2)	/* get autopush */
#define SAD_VML		(SADIOC | 3)	/* validate a module list */

/* Most modules one autopush configuration pushes. */
#define MAXAPUSH	8

/* sap_cmd of SAD_SAP; SAD_GAP returns the configuration's type in it. */
#define SAP_CLEAR	0	/* remove the configuration (sap_major, sap_minor) */
#define SAP_ONE		1	/* configure one minor */
#define SAP_RANGE	2	/* configure sap_minor..sap_lastminor (inclusive) */
#define SAP_ALL		3	/* configure every minor of sap_major */

/*
 * Argument of SAD_SAP and SAD_GAP. Solaris declares the first five fields
 * inside a struct apcommon sap_common, with macros for the sap_* names; the
 * layout is the same, so programs that use the sap_* names compile
 * unchanged. major_t and minor_t are 32-bit there, as here.
 */
struct strapush {
	__u32 sap_cmd;			/* SAP_* */
	__u32 sap_major;		/* STREAMS major (the clone table index) */
	__u32 sap_minor;		/* the minor, or a range's first; SAP_ALL: ignored */
	__u32 sap_lastminor;		/* SAP_RANGE: last minor (> sap_minor); else ignored */
	__u32 sap_npush;		/* modules in sap_list, 1..MAXAPUSH */
	/* NUL-terminated names, pushed in this order: sap_list[0] ends up
	 * just above the driver, the last one just below the stream head. */
	char sap_list[MAXAPUSH][FMNAMESZ + 1];
};

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
#define GRANTPT		(('P' << 8) | 5)	/* grantpt(3): slave node owner := caller's
						 * real uid, group tty, mode 0620 */
#define PTMGETPEER	(('P' << 8) | 16)	/* arg: open flags; returns a slave fd */
/*
 * ptsname(3): the slave's number N, for the path /dev/strpts/N (which
 * exists once this returns). strclone's own ioctl, in the shape of Linux's
 * TIOCGPTN: SVR4 has none (its ptsname() fstat()s the master for the minor).
 */
#define PTMGETPTN	_IOR('P', 0x30, unsigned int)

/*
 * The pts slave as a terminal (Documentation/strclone/terminals.rst). While
 * strclone's module parameter pts_autopush is on (the default, as Solaris'
 * /etc/iu.ap line for pts), every new slave stream gets these modules
 * pushed, bottom first, unless the sad driver has a configuration covering
 * it (major STRCLONE_PTS_MAJOR), which wins. The window size ioctls are
 * Linux's (TIOCGWINSZ, TIOCSWINSZ, struct winsize from <sys/ioctl.h>), on
 * the slave (ptem) and on the master.
 */
#define STRCLONE_PTS_AUTOPUSH_PARAM	"/sys/module/strclone/parameters/pts_autopush"
#define STRCLONE_PTS_AUTOPUSH_LIST	{ "ptem", "ldterm" }

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

/* ---- testmod (a built-in module for tests): I_STR commands. -------- */
#define TESTMOD_COUNTS		(('T' << 8) | 1)	/* struct testmod_counts out */
#define TESTMOD_REFUSE_REOPEN	(('T' << 8) | 2)	/* int errno: refuse this instance's reopens (0: accept) */
#define TESTMOD_REFUSE_PUSH	(('T' << 8) | 3)	/* int errno: the next push of testmod fails (CAP_SYS_ADMIN) */
#define TESTMOD_NAK		(('T' << 8) | 4)	/* int errno: M_IOCNAK every later ioctl (0: pass on) */

struct testmod_counts {
	__u32 opens;	/* pushes (MODOPEN opens) of this instance: 1 */
	__u32 reopens;	/* reopens of the stream it accepted */
	__u32 ioctls;	/* M_IOCTLs that passed it (not its own commands) */
	__u32 msgs;	/* other messages that passed it, both ways (ioctl answers too) */
};

/*
 * testmod's transparent ioctls: plain ioctl(2) on a stream with testmod
 * pushed, no I_STR. The module reads and writes the argument with
 * M_COPYIN/M_COPYOUT through the stream head (streams.rst, "Transparent
 * ioctls"); without testmod they give ENOTTY.
 */
struct testmod_xchg {
	__s32 a;	/* in: a; out: a + b */
	__s32 b;	/* in: b; out: a * b (both wrap around) */
};

struct testmod_xvec {
	__u32 n;	/* in: entries at vec, 1..TESTMOD_XVEC_MAX */
	__s32 sum;	/* out: their sum (wraps around) */
	__s32 *vec;	/* in: n ints; out: the same n ints in reverse order */
};
#define TESTMOD_XVEC_MAX	64

/* Copy in, copy out the sum and the product; returns 0. */
#define TESTMOD_XCHG	_IOWR('C', 32, struct testmod_xchg)
/*
 * Copy in the header, then the vector it points to; copy out the vector
 * reversed, then the header; returns n. With I_STR (ic_dp: the header,
 * ic_len 16) the vector still goes through M_COPYIN/M_COPYOUT and the
 * header comes back in ic_dp.
 */
#define TESTMOD_XVEC	_IOWR('C', 33, struct testmod_xvec)
/*
 * Copy in an int, then hold the ioctl (its M_IOCDATA waits on testmod's
 * write queue) until testmod is popped or the stream closes; one at a time
 * per instance (EBUSY). For tests of an ioctl in flight.
 */
#define TESTMOD_XHOLD	_IOW('C', 34, int)

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
