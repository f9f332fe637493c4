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
 *   /dev/clone-pipe   clone node of the pipe target (major 73): one end of a
 *                     new STREAMS pipe; STRCLONE_PIPEPEER gives the other
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
#define STRCLONE_PIPE_MAJOR	73	/* STREAMS pipes: minor 2N and 2N+1 are pipe N's ends */

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
#define I_SRDOPT	(__SID | 6)	/* arg: read mode | protocol option (RNORM..., RPROT*) */
#define I_GRDOPT	(__SID | 7)	/* int *: the read options */
#define I_STR		(__SID | 8)	/* struct strioctl * */
#define I_SETSIG	(__SID | 9)	/* arg: S_* events for SIGPOLL to the caller; 0: stop */
#define I_GETSIG	(__SID | 10)	/* int *: the caller's S_* events */
#define I_FIND		(__SID | 11)	/* const char *: 1 if the module is pushed, else 0 */
#define I_LINK		(__SID | 12)	/* arg: fd of a stream to link under this multiplexor; returns its mux id */
#define I_UNLINK	(__SID | 13)	/* arg: mux id of an I_LINK, or MUXID_ALL */
#define I_RECVFD	(__SID | 14)	/* struct strrecvfd *: take a file passed by I_SENDFD */
#define I_PEEK		(__SID | 15)	/* struct strpeek *: look at the first message; 1 if any */
#define I_FDINSERT	(__SID | 16)	/* struct strfdinsert *: putmsg with another stream's token */
#define I_SENDFD	(__SID | 17)	/* arg: fd to pass to the other end of a pipe */
#define I_SWROPT	(__SID | 19)	/* arg: write options (SNDZERO, SNDPIPE) */
#define I_GWROPT	(__SID | 20)	/* int *: the write options */
#define I_LIST		(__SID | 21)	/* struct str_list *, or NULL: count (modules + driver) */
#define I_PLINK		(__SID | 22)	/* arg: fd; a persistent link (outlives this stream) */
#define I_PUNLINK	(__SID | 23)	/* arg: mux id of an I_PLINK, or MUXID_ALL */
#define I_ANCHOR	(__SID | 24)	/* arg 0: anchor at the topmost module (Solaris) */
#define I_FLUSHBAND	(__SID | 28)	/* struct bandinfo *: flush one band */
#define I_CKBAND	(__SID | 29)	/* arg: band; 1 if a message of it is queued at the head */
#define I_GETBAND	(__SID | 30)	/* int *: band of the first message at the head */
#define I_ATMARK	(__SID | 31)	/* arg: ANYMARK | LASTMARK; 1 if the first message is marked */
#define I_SETCLTIME	(__SID | 32)	/* const int *: close time, ms (0 to STRCLONE_CLTIME_MAX) */
#define I_GETCLTIME	(__SID | 33)	/* int *: close time, ms */
#define I_CANPUT	(__SID | 34)	/* arg: band; returns 1 when a write would not block */
#define I_PUTMSG	(__SID | 0x40)	/* struct strpmsg *: putmsg(2) (band 0) */
#define I_GETMSG	(__SID | 0x41)	/* struct strpmsg *: getmsg(2) */
/*
 * putpmsg(2)/getpmsg(2): struct strpmsg with the band, flags MSG_HIPRI,
 * MSG_BAND or MSG_ANY. strclone's numbers, after its I_PUTMSG/I_GETMSG
 * (HP-UX and OSF number these 43/42 decimal, LiS 250/251).
 */
#define I_PUTPMSG	(__SID | 0x42)
#define I_GETPMSG	(__SID | 0x43)

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

/*
 * Multiplexors (I_LINK, I_UNLINK, I_PLINK, I_PUNLINK): I_UNLINK and
 * I_PUNLINK with MUXID_ALL remove every link of the stream (I_UNLINK) or
 * of the driver (I_PUNLINK). Documentation/strclone/multiplexors.rst.
 */
#define MUXID_ALL	(-1)

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

/* Highest priority band (a band is an unsigned char: 0..255). */
#define STRCLONE_MAXBAND	255

/* I_SRDOPT/I_GRDOPT: one read mode ... */
#define RNORM		0x0000	/* byte stream */
#define RMSGD		0x0001	/* message discard */
#define RMSGN		0x0002	/* message nondiscard */
#define RMODEMASK	0x0003
/* ... and at most one protocol option (0: unchanged by I_SRDOPT). */
#define RPROTDAT	0x0004	/* read(2) takes a control part as data */
#define RPROTDIS	0x0008	/* read(2) discards a control part */
#define RPROTNORM	0x0010	/* read(2) fails EBADMSG on a control part (default) */
#define RPROTMASK	0x001c

/* I_SWROPT/I_GWROPT. */
#define SNDZERO		0x001	/* a zero-length write(2) sends a zero-length message */
#define SNDPIPE		0x002	/* SIGPIPE with a write's EPIPE */

/* I_ATMARK. */
#define ANYMARK		0x01	/* the first message is marked */
#define LASTMARK	0x02	/* ... and no later one is */

/* b_flag of a message a driver marked (I_ATMARK; read(2) stops at it). */
#define MSGMARK		0x01

/* Argument of I_FLUSHBAND. */
struct bandinfo {
	unsigned char bi_pri;	/* the band */
	int bi_flag;		/* FLUSHR, FLUSHW or FLUSHRW */
};
/*
 * I_SETSIG events (SVR4 values): SIGPOLL (SIGIO on Linux) is sent to each
 * registered process when one happens; S_BANDURG with S_RDBAND sends SIGURG
 * instead for a banded message (Documentation/strclone/streams.rst,
 * "Asynchronous notification").
 */
#define S_INPUT		0x0001	/* a normal message became the head's first */
#define S_HIPRI		0x0002	/* a high-priority message arrived */
#define S_OUTPUT	0x0004	/* band 0 below the head is writable again */
#define S_MSG		0x0008	/* an M_SIG/M_PCSIG carrying SIGPOLL arrived */
#define S_ERROR		0x0010	/* M_ERROR arrived */
#define S_HANGUP	0x0020	/* M_HANGUP arrived */
#define S_RDNORM	0x0040	/* a band 0 message became the head's first */
#define S_WRNORM	S_OUTPUT
#define S_RDBAND	0x0080	/* a message of band > 0 became the head's first */
#define S_WRBAND	0x0100	/* a band > 0 below the head is writable again */
#define S_BANDURG	0x0200	/* with S_RDBAND: SIGURG instead of SIGPOLL */

/*
 * Close time (I_SETCLTIME), milliseconds: SVR4's 15 s by default; at most
 * 5 minutes (EINVAL above), since a process that exits cannot be killed
 * while its last close waits.
 */
#define STRCLONE_DEFAULT_CLTIME	15000
#define STRCLONE_CLTIME_MAX	300000

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

/* Argument of I_PEEK. */
struct strpeek {
	struct strbuf ctlbuf;	/* maxlen in; len out (-1: no control part) */
	struct strbuf databuf;	/* maxlen in; len out (-1: no data part) */
	__u32 flags;		/* in: 0 or RS_HIPRI (only a high-priority one); out: its kind */
};

/*
 * Argument of I_FDINSERT: a putmsg (flags 0 or RS_HIPRI) whose control part
 * gets, at offset (a multiple of 8, with 8 bytes of room), the token of the
 * stream open as fildes: a 64-bit number, unique among the streams open
 * now, that a driver turns back into the stream (streams.rst, "I_FDINSERT").
 */
struct strfdinsert {
	struct strbuf ctlbuf;
	struct strbuf databuf;
	__u32 flags;
	int fildes;
	int offset;
};

/* Largest message the stream head accepts (ERANGE above it). */
#define STRCLONE_STRMSGSZ	65536
#define STRCLONE_STRCTLSZ	1024

/*
 * Highest water mark any queue can be given: an M_SETOPTS from a driver is
 * capped to it, ECHO_SETQ/ECHO_SETOPTS above it fail with EINVAL.
 */
#define STRCLONE_QHIWAT_MAX	65536
/*
 * The one queue built above it: a log reader's driver read queue, the
 * buffer that absorbs a reader briefly off its CPU (log.rst, "Loss policy").
 */
#define STRCLONE_LOG_QHIWAT	524288

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

/*
 * ---- STREAMS pipes (Documentation/strclone/pipes.rst). ----------------
 * An open of /dev/clone-pipe gives one end of a new pipe; STRCLONE_PIPEPEER
 * on it (arg: open flags, O_RDWR with O_NONBLOCK and O_CLOEXEC allowed)
 * returns a descriptor for the other end, once (EBUSY afterwards).
 * libstrclone's s_pipe() does both. I_SENDFD passes an open file to the
 * other end, where I_RECVFD takes it (an M_PASSFP message at the head).
 */
#define STRCLONE_PIPEPEER	_IO('C', 48)

/* What I_RECVFD fills in (SVR4 <stropts.h>). */
struct strrecvfd {
	int fd;			/* the new descriptor */
	__u32 uid;		/* the sender's effective uid (uid_t) */
	__u32 gid;		/* the sender's effective gid (gid_t) */
	char fill[8];		/* zeroed */
};

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
#define STRCLONE_PTS_AUTOPUSH_LIST	{ "ptem", "ldterm", "ttcompat" }

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
#define ECHO_MARK	(('E' << 8) | 12)	/* the next message echoed carries MSGMARK */

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

/* ---- ttcompat: the V7/4.3BSD sgtty ioctls (SVR4 <sys/ttold.h>). ----- */
/*
 * Answered by the ttcompat module pushed above ldterm, which maps them onto
 * termios (Documentation/strclone/terminals.rst, "ttcompat"). The numbers
 * are SVR4's tIOC|n, ('t' << 8) | n, as Solaris: Linux on x86_64 defines
 * none of these commands, and no ioctl of Linux's tty layer (0x54xx), the
 * VFS, the stream head ('S'), ldterm or strclone has such a number.
 * TIOCEXCL, TIOCNXCL, TIOCGETD and TIOCSETD keep Linux's numbers (0x540c,
 * 0x540d, 0x5424, 0x5423 from <sys/ioctl.h>): ttcompat answers those, so a
 * program compiled on Linux reaches it. A platform whose own headers define
 * TIOCGETP (alpha and powerpc have _IOR('t', 8, struct sgttyb)) keeps its
 * own sgtty interface: this block then defines nothing.
 */
#ifndef TIOCGETP
#ifndef tIOC
#define tIOC		('t' << 8)
#endif
#define TIOCHPCL	(tIOC | 2)	/* HUPCL on */
#define TIOCGETP	(tIOC | 8)	/* struct sgttyb out */
#define TIOCSETP	(tIOC | 9)	/* struct sgttyb in; waits for output, flushes input */
#define TIOCSETN	(tIOC | 10)	/* struct sgttyb in; now */
#define TIOCFLUSH	(tIOC | 16)	/* int in: FREAD | FWRITE (0: both) */
#define TIOCSETC	(tIOC | 17)	/* struct tchars in */
#define TIOCGETC	(tIOC | 18)	/* struct tchars out */
#define TIOCSTART	(tIOC | 110)	/* restart output, like ^Q */
#define TIOCSTOP	(tIOC | 111)	/* stop output, like ^S */
#define TIOCGLTC	(tIOC | 116)	/* struct ltchars out */
#define TIOCSLTC	(tIOC | 117)	/* struct ltchars in */
#define TIOCLGET	(tIOC | 124)	/* int out: the local mode word */
#define TIOCLSET	(tIOC | 125)	/* int in: set the local mode word */
#define TIOCLBIC	(tIOC | 126)	/* int in: clear these local mode bits */
#define TIOCLBIS	(tIOC | 127)	/* int in: set these local mode bits */

/* TIOCFLUSH's argument (SVR4 <sys/file.h>); 0 flushes both. */
#ifndef FREAD
#define FREAD		0x01
#endif
#ifndef FWRITE
#define FWRITE		0x02
#endif

/* TIOCGETP/TIOCSETP. A character of 0377 (-1) is disabled. */
struct sgttyb {
	char sg_ispeed;		/* input speed: B0..B38400 codes, 0..15 */
	char sg_ospeed;		/* output speed */
	char sg_erase;		/* erase character */
	char sg_kill;		/* kill character */
	int sg_flags;		/* mode flags: O_* (low 16 bits) and the local mode word << 16 */
};

/* TIOCGETC/TIOCSETC. */
struct tchars {
	char t_intrc;		/* interrupt */
	char t_quitc;		/* quit */
	char t_startc;		/* start output */
	char t_stopc;		/* stop output */
	char t_eofc;		/* end of file */
	char t_brkc;		/* input delimiter (like nl) */
};

/* TIOCGLTC/TIOCSLTC. */
struct ltchars {
	char t_suspc;		/* stop process signal */
	char t_dsuspc;		/* delayed stop process signal (Linux has none: reads 0377) */
	char t_rprntc;		/* reprint line */
	char t_flushc;		/* flush output (toggles) */
	char t_werasc;		/* word erase */
	char t_lnextc;		/* literal next character */
};

/* sg_flags bits (SVR4 <sys/ttold.h>, the 4.3BSD values). */
#define O_TANDEM	0x00000001	/* send stopc on input queue full (IXOFF) */
#define O_CBREAK	0x00000002	/* half-cooked mode: no line editing */
#define O_LCASE		0x00000004	/* simulate lower case */
#define O_ECHO		0x00000008	/* echo input */
#define O_CRMOD		0x00000010	/* input \r is \n; output \n is \r\n */
#define O_RAW		0x00000020	/* no i/o processing */
#define O_ODDP		0x00000040	/* get/send odd parity */
#define O_EVENP		0x00000080	/* get/send even parity */
#define O_ANYP		0x000000c0	/* get any parity/send none */
#define O_NLDELAY	0x00000300	/* \n delay */
#define O_NL0		0x00000000
#define O_NL1		0x00000100
#define O_NL2		0x00000200
#define O_NL3		0x00000300
#define O_TBDELAY	0x00000c00	/* horizontal tab delay */
#define O_TAB0		0x00000000
#define O_TAB1		0x00000400
#define O_TAB2		0x00000800
#define O_XTABS		0x00000c00	/* expand tabs on output */
#define O_CRDELAY	0x00003000	/* \r delay */
#define O_CR0		0x00000000
#define O_CR1		0x00001000
#define O_CR2		0x00002000
#define O_CR3		0x00003000
#define O_VTDELAY	0x00004000	/* vertical tab delay */
#define O_FF0		0x00000000
#define O_FF1		0x00004000
#define O_BSDELAY	0x00008000	/* \b delay */
#define O_BS0		0x00000000
#define O_BS1		0x00008000
#define O_ALLDELAY	(O_NLDELAY | O_TBDELAY | O_CRDELAY | O_VTDELAY | O_BSDELAY)
/* The local mode word (TIOCLGET...), also the high half of sg_flags. */
#define O_CRTBS		0x00010000	/* backspace on erase */
#define O_PRTERA	0x00020000	/* \ ... / erase */
#define O_CRTERA	0x00040000	/* "\b \b" to wipe out a character */
#define O_TILDE		0x00080000	/* Hazeltine tilde kludge */
#define O_MDMBUF	0x00100000	/* start/stop output on carrier */
#define O_LITOUT	0x00200000	/* literal output */
#define O_TOSTOP	0x00400000	/* SIGTTOU for background output */
#define O_FLUSHO	0x00800000	/* output being flushed */
#define O_NOHANG	0x01000000	/* no SIGHUP on carrier drop */
#define O_L001000	0x02000000
#define O_CRTKIL	0x04000000	/* kill line with "\b \b" */
#define O_PASS8		0x08000000	/* 8-bit input */
#define O_CTLECH	0x10000000	/* echo control characters as ^X */
#define O_PENDIN	0x20000000	/* input to be retyped */
#define O_DECCTQ	0x40000000	/* only ^Q starts after ^S */
#define O_NOFLSH	0x80000000	/* no flush on a signal */

#define LCRTBS		(O_CRTBS >> 16)
#define LPRTERA		(O_PRTERA >> 16)
#define LCRTERA		(O_CRTERA >> 16)
#define LTILDE		(O_TILDE >> 16)
#define LMDMBUF		(O_MDMBUF >> 16)
#define LLITOUT		(O_LITOUT >> 16)
#define LTOSTOP		(O_TOSTOP >> 16)
#define LFLUSHO		(O_FLUSHO >> 16)
#define LNOHANG		(O_NOHANG >> 16)
#define LCRTKIL		(O_CRTKIL >> 16)
#define LPASS8		(O_PASS8 >> 16)
#define LCTLECH		(O_CTLECH >> 16)
#define LPENDIN		(O_PENDIN >> 16)
#define LDECCTQ		(O_DECCTQ >> 16)
#define LNOFLSH		(O_NOFLSH >> 16)

/*
 * The bare sg_flags names, as Solaris' <sys/ioctl.h> gives them with
 * BSD_COMP: only when the program defines BSD_COMP, since several share a
 * name with a termios flag of another value (XTABS, TAB1, TAB2, CR1..CR3,
 * BS1, FF1, TOSTOP, FLUSHO, PENDIN, NOFLSH; ECHO and NL1 have the same
 * value). A name the C library already defined (<termios.h> included first)
 * is left as it is: then use the O_ name.
 */
#if defined(BSD_COMP) && !defined(__KERNEL__)
#ifndef TANDEM
#define TANDEM		O_TANDEM
#endif
#ifndef CBREAK
#define CBREAK		O_CBREAK
#endif
#ifndef LCASE
#define LCASE		O_LCASE
#endif
#ifndef ECHO
#define ECHO		O_ECHO
#endif
#ifndef CRMOD
#define CRMOD		O_CRMOD
#endif
#ifndef RAW
#define RAW		O_RAW
#endif
#ifndef ODDP
#define ODDP		O_ODDP
#endif
#ifndef EVENP
#define EVENP		O_EVENP
#endif
#ifndef ANYP
#define ANYP		O_ANYP
#endif
#ifndef XTABS
#define XTABS		O_XTABS
#endif
#ifndef CRTBS
#define CRTBS		O_CRTBS
#endif
#ifndef PRTERA
#define PRTERA		O_PRTERA
#endif
#ifndef CRTERA
#define CRTERA		O_CRTERA
#endif
#ifndef LITOUT
#define LITOUT		O_LITOUT
#endif
#ifndef TOSTOP
#define TOSTOP		O_TOSTOP
#endif
#ifndef FLUSHO
#define FLUSHO		O_FLUSHO
#endif
#ifndef NOHANG
#define NOHANG		O_NOHANG
#endif
#ifndef CRTKIL
#define CRTKIL		O_CRTKIL
#endif
#ifndef PASS8
#define PASS8		O_PASS8
#endif
#ifndef CTLECH
#define CTLECH		O_CTLECH
#endif
#ifndef PENDIN
#define PENDIN		O_PENDIN
#endif
#ifndef DECCTQ
#define DECCTQ		O_DECCTQ
#endif
#ifndef NOFLSH
#define NOFLSH		O_NOFLSH
#endif
#endif /* BSD_COMP */
#endif /* !TIOCGETP */

#endif /* _UAPI_LINUX_STRCLONE_H */
