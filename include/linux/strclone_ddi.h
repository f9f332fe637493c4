/* SPDX-License-Identifier: GPL-2.0 */
/*
 * strclone: the SVR4 STREAMS DDI/DKI for kernel code: message blocks, queues,
 * the utility routines, and the registration of STREAMS modules and drivers
 * written in C (or in Rust through this C ABI) by other kernel modules.
 * Documentation/strclone/driver-api.rst is the guide; what follows is the
 * reference.
 *
 * Message blocks
 * --------------
 *
 * A message is a chain of message blocks (mblk_t) linked by b_cont; each
 * block describes a window [b_rptr, b_wptr) of a data block (dblk_t), whose
 * buffer is [db_base, db_lim). Data blocks are reference counted: dupb()
 * makes a second block over the same data block (db_ref counts the blocks
 * that point to it), so a block whose db_ref is above 1 shares its bytes and
 * must not be written. db_type is the message type (M_DATA ...: the values
 * of <uapi/linux/strclone.h>); it belongs to the data block, so it is the
 * same for every block that shares it.
 *
 * The layouts are x86_64's SVR4 field order, fixed by static_asserts in
 * strclone (rust/glue/ddi_check.c against rust/glue/mblk.rs). Fields named
 * with two leading underscores belong to strclone: a driver never touches
 * them. Queues link messages through b_next and b_prev.
 *
 * Lifetimes: a block allocated by allocb() is one allocation with its data
 * block and, up to 4096 bytes, its data; a block made by dupb() is a
 * separate header. Freeing the last block of a data block frees the data
 * (esballoc(): calls the frtn_t's free_func, in whatever context the last
 * freeb() runs).
 */
#ifndef _LINUX_STRCLONE_DDI_H
#define _LINUX_STRCLONE_DDI_H

#include <linux/kdev_t.h>
#include <linux/module.h>
#include <linux/types.h>
#include <uapi/linux/strclone.h>

struct module;
struct cred;

/* esballoc(): how to free an externally owned buffer. */
typedef struct free_rtn {
	void (*free_func)(void *arg);
	void *free_arg;
} frtn_t;

typedef struct datab {
	frtn_t *db_frtnp;	/* esballoc's free routine, or NULL */
	unsigned char *db_base;	/* first byte of the buffer */
	unsigned char *db_lim;	/* one past the last byte */
	unsigned int db_ref;	/* blocks pointing here (read only) */
	unsigned char db_type;	/* message type (M_DATA ...) */
	unsigned char __db_class;
	unsigned short db_flags;
	unsigned int __db_objref;
	unsigned int __db_pad;
} dblk_t;

typedef struct msgb {
	struct msgb *b_next;	/* next message on a queue */
	struct msgb *b_prev;	/* previous message on a queue */
	struct msgb *b_cont;	/* next block of this message */
	unsigned char *b_rptr;	/* first unread byte */
	unsigned char *b_wptr;	/* one past the last written byte */
	struct datab *b_datap;	/* the data block */
	unsigned char b_band;	/* priority band (0: normal) */
	unsigned char __b_home;
	unsigned short b_flag;	/* MSGMARK ... */
	unsigned int __b_pad;
} mblk_t;

/* b_flag bits. */
#define MSGNOLOOP	0x02	/* an M_FLUSH the stream head turned around once */

/* allocb() priorities: accepted and ignored, as in SVR4 release 4. */
#define BPRI_LO		1
#define BPRI_MED	2
#define BPRI_HI		3

/* A message of one of the data types (M_DATA, M_PROTO, M_PCPROTO, M_DELAY). */
#define datamsg(type)	((type) == M_DATA || (type) == M_PROTO || \
			 (type) == M_PCPROTO || (type) == M_DELAY)

/*
 * Queues
 * ------
 *
 * A module instance has a queue pair: q[0] is its read queue (QREADR set in
 * q_flag), q[1] its write queue; RD(), WR() and OTHERQ() move within the
 * pair. q_ptr is the module's own (SVR4's private data pointer): strclone
 * never touches it. The queue's messages, counts and links live inside
 * strclone under the stream's lock, not in queue_t: where SVR4 code reads
 * q->q_next, q->q_first or q->q_count it calls canputnext()/putnext(),
 * getq() and qsize() instead (driver-api.rst, "Porting").
 */
typedef struct queue queue_t;
typedef struct cred cred_t;

struct module_info {
	unsigned short mi_idnum;	/* module id (strlog's mid) */
	const char *mi_idname;		/* the name I_PUSH and I_LIST use */
	long mi_minpsz;			/* smallest packet (informational) */
	long mi_maxpsz;			/* largest packet; -1 (INFPSZ) none */
	unsigned long mi_hiwat;		/* high water mark (capped at STRCLONE_QHIWAT_MAX) */
	unsigned long mi_lowat;		/* low water mark */
};

#define INFPSZ		(-1)

struct qinit {
	int (*qi_putp)(queue_t *q, mblk_t *mp);			/* put: required */
	int (*qi_srvp)(queue_t *q);				/* service, or NULL */
	int (*qi_qopen)(queue_t *q, dev_t *devp, int oflag, int sflag, cred_t *crp);
	int (*qi_qclose)(queue_t *q, int oflag, cred_t *crp);
	int (*qi_qadmin)(void);					/* unused */
	struct module_info *qi_minfo;				/* required */
	void *qi_mstat;						/* unused */
};

struct streamtab {
	struct qinit *st_rdinit;	/* read side: open and close are its */
	struct qinit *st_wrinit;	/* write side */
	struct qinit *st_muxrinit;	/* multiplexors: lower read side (put required) */
	struct qinit *st_muxwinit;	/* multiplexors: lower write side (put may be NULL) */
};

struct queue {
	struct qinit *q_qinfo;	/* the qinit of this side (read only) */
	void *q_ptr;		/* the module's private data */
	unsigned int q_flag;	/* QREADR on the read queue (read only) */
	unsigned int __q_side;
	void *__q_pair;
	void *__q_pad;
};

#define QREADR		0x10	/* q_flag: the read queue of its pair */

#define RD(q)		((q)->q_flag & QREADR ? (q) : (q) - 1)
#define WR(q)		((q)->q_flag & QREADR ? (q) + 1 : (q))
#define OTHERQ(q)	((q)->q_flag & QREADR ? (q) + 1 : (q) - 1)

/* flushq() and flushband() flags. */
#define FLUSHDATA	0	/* only the data messages (datamsg()) */
#define FLUSHALL	1	/* every message */

/*
 * Ioctl messages
 * --------------
 *
 * The first block of an M_IOCTL, and of the M_IOCACK or M_IOCNAK a module or
 * driver turns it into (in place: set db_type, ioc_count, ioc_error,
 * ioc_rval, and for an ack the data in b_cont), then qreply(). ioc_count is
 * the bytes of data in b_cont (I_STR's ic_len), TRANSPARENT for an ioctl the
 * stream head passed down without I_STR. The credentials are the caller's
 * uid and whether it had CAP_SYS_ADMIN (where SVR4 has a cred_t pointer).
 */
struct iocblk {
	unsigned int ioc_cmd;	/* the command */
	unsigned int ioc_id;	/* matches the answer with the request */
	unsigned int ioc_count;	/* data bytes in b_cont, or TRANSPARENT */
	int ioc_error;		/* M_IOCNAK: the errno (0: EINVAL) */
	int ioc_rval;		/* M_IOCACK: ioctl(2)'s return value */
	unsigned int ioc_uid;	/* the caller's uid */
	unsigned int ioc_admin;	/* the caller had CAP_SYS_ADMIN */
};

#define TRANSPARENT	((unsigned int)-1)

/*
 * Multiplexor links
 * -----------------
 *
 * A driver whose streamtab has st_muxrinit and st_muxwinit is a multiplexor:
 * I_LINK and I_PLINK on one of its streams (the upper stream) link another
 * stream (the lower) under it. The lower stream's stream head queue pair is
 * replaced by a queue pair of the driver's lower qinits; then the driver
 * receives, on the upper stream's write side, an M_IOCTL whose ioc_cmd is
 * I_LINK or I_PLINK and whose b_cont holds a struct linkblk (ioc_count is
 * its size), and answers it with M_IOCACK (the link is made) or M_IOCNAK
 * (it is undone: both streams are as they were). Messages coming up the
 * lower stream reach the lower read queue's put procedure (q: RD(l_qbot));
 * putnext(l_qbot, mp) sends one down the lower stream. I_UNLINK and
 * I_PUNLINK (or the upper stream's last close, for I_LINK's links) send an
 * M_IOCTL of that command with the same linkblk; the link is removed after
 * the answer, whatever it is: l_qbot must not be used after the driver
 * answered it. Documentation/strclone/multiplexors.rst.
 */
struct linkblk {
	queue_t *l_qtop;	/* I_LINK: the upper stream's driver write queue; I_PLINK: NULL */
	queue_t *l_qbot;	/* the lower write queue (the driver's, on the lower stream) */
	int l_index;		/* the mux id I_LINK returns to the user */
};

/*
 * Registration
 * ------------
 *
 * A STREAMS module (SVR4 fmodsw entry) that I_PUSH and autopush find by
 * name. owner is THIS_MODULE: every pushed instance holds a reference on it,
 * so the provider cannot be unloaded while any stream has it pushed.
 * version must be STRCLONE_DDI_VERSION (the ABI this header describes).
 */
#define STRCLONE_DDI_VERSION	1

struct strclone_modsw {
	unsigned int version;		/* STRCLONE_DDI_VERSION */
	const char *name;		/* 1 to FMNAMESZ characters */
	struct streamtab *str;		/* the module's streamtab */
	struct module *owner;		/* THIS_MODULE */
};

/* 0; -EINVAL (version, name, streamtab, no owner), -EEXIST (name taken),
 * -ENOMEM. Register last in module_init: an instance may be pushed at once. */
int strclone_register_module(const struct strclone_modsw *m);
/* 0; -EBUSY while an instance exists (never in the owner's module_exit,
 * since every instance holds the owner); -ENOENT if no module of that name
 * was registered with that streamtab. */
int strclone_unregister_module(const struct strclone_modsw *m);
/* STRCLONE_DDI_VERSION of the strclone.ko that is loaded. */
unsigned int strclone_ddi_version(void);

/*
 * A STREAMS driver (SVR4 cdevsw entry with its d_str). Its streamtab's read
 * qinit holds the open and close, called as SVR4 calls them:
 *
 *   qi_qopen(q, devp, oflag, sflag, crp)  q: the new stream's driver read
 *	queue; *devp: makedevice(major, minor) of the node opened; sflag:
 *	CLONEOPEN for an open of /dev/clone-<name> (pick an unused minor and
 *	store makedevice(getmajor(*devp), minor) in *devp), 0 for an open of
 *	/dev/<name>/<minor> (*devp may be changed the same way, as a
 *	self-cloning driver does). Return 0 or an errno (positive or negative).
 *	A second open of a minor that has an open stream is a reopen: the same
 *	call on the same queue, sflag 0.
 *   qi_qclose(q, oflag, crp)  the last close of the stream.
 *
 * major: the STREAMS major (1 to 255), or 0 for the lowest free one at or
 * above STRCLONE_DYN_MAJOR; strclone_register_driver() returns the major.
 * STRCLONE_D_CLONE makes /dev/clone-<name> (minor <major> of the clone
 * driver); nodes makes /dev/<name>/0 ... /dev/<name>/<nodes - 1> (0: none).
 * Both are made before registration returns and removed by
 * strclone_unregister_driver(). Every open stream holds a reference on
 * owner. Opens of a driver run one at a time, unless it sets
 * STRCLONE_D_MP (SVR4's D_MP: its open and close are MT-safe), whose
 * clone opens run in parallel with each other (opens of /dev/<name>/<n>
 * still run one at a time: a second open of a minor must find the first's
 * stream).
 */
#define STRCLONE_D_CLONE	0x1	/* clonable: /dev/clone-<name> */
#define STRCLONE_D_MP		0x20	/* MT-safe open and close (SVR4 D_MP) */
#define STRCLONE_DYN_MAJOR	128	/* where major 0 starts looking */
#define STRCLONE_MAX_NODES	4096	/* most per-minor nodes */

struct strclone_drvsw {
	unsigned int version;		/* STRCLONE_DDI_VERSION */
	const char *name;		/* 1 to FMNAMESZ characters: [a-z0-9_-] */
	struct streamtab *str;		/* the driver's streamtab */
	struct module *owner;		/* THIS_MODULE */
	unsigned int major;		/* 1..255, or 0: any free one */
	unsigned int flags;		/* STRCLONE_D_CLONE, STRCLONE_D_MP */
	unsigned int nodes;		/* per-minor nodes, 0..STRCLONE_MAX_NODES */
};

/* The major (> 0); -EINVAL (version, name, streamtab, owner, major above
 * 255, flags, nodes), -EBUSY (major or name taken), -ENOSPC (no free major),
 * -ENOMEM. May sleep. Register last in module_init: an open may come at
 * once. */
int strclone_register_driver(const struct strclone_drvsw *d);
/* 0; -EBUSY while a stream of the driver is open (never in the owner's
 * module_exit, since every stream holds the owner); -ENOENT if no driver
 * of that name was registered with that streamtab. May sleep. */
int strclone_unregister_driver(const struct strclone_drvsw *d);

/* SVR4's device numbers, on the kernel's dev_t. */
#define getmajor(dev)		MAJOR(dev)
#define getminor(dev)		MINOR(dev)
#define makedevice(maj, min)	MKDEV(maj, min)

/*
 * The DDI/DKI routines. Each is exported as strclone_<name> in the
 * "STRCLONE" symbol namespace (MODULE_IMPORT_NS("STRCLONE")); the SVR4 name
 * is a function-like macro for it, so SVR4 source calls them unchanged
 * (define STRCLONE_NO_SVR4_NAMES before including this header to get the
 * strclone_ names only).
 *
 * Contexts: the queue routines (putnext ... qprocsoff) may be called only
 * from a module's open, close, put and service procedures: process or
 * workqueue context, never from an interrupt handler, a timer or a tasklet
 * (the stream's lock is not interrupt-safe; such a call is refused with a
 * warning, and a message given with it freed). None of them sleeps. The
 * message routines may be called from any context but hard interrupts.
 * An esballoc() buffer's free routine runs wherever its last block is
 * freed, possibly under a stream's lock: it must not call the queue
 * routines. esballoc() holds a reference on the calling module until that
 * routine has run.
 */
mblk_t *strclone_allocb(size_t size, unsigned int pri);
mblk_t *strclone_esballoc(unsigned char *base, size_t size, unsigned int pri, frtn_t *fr,
			  struct module *owner);
void strclone_freeb(mblk_t *bp);
void strclone_freemsg(mblk_t *mp);
mblk_t *strclone_dupb(mblk_t *bp);
mblk_t *strclone_dupmsg(mblk_t *mp);
mblk_t *strclone_copyb(mblk_t *bp);
mblk_t *strclone_copymsg(mblk_t *mp);
size_t strclone_msgdsize(mblk_t *mp);
int strclone_pullupmsg(mblk_t *mp, ssize_t len);
int strclone_adjmsg(mblk_t *mp, ssize_t len);
void strclone_linkb(mblk_t *mp, mblk_t *bp);
mblk_t *strclone_unlinkb(mblk_t *mp);

void strclone_putnext(queue_t *q, mblk_t *mp);
void strclone_qreply(queue_t *q, mblk_t *mp);
int strclone_putq(queue_t *q, mblk_t *mp);
/*
 * strclone's extension (no SVR4 name): the race-free form of "if nothing of
 * q's is queued and canputnext allows, putnext; else putq". mp goes to the
 * put procedure after nq when q has nothing queued, its service procedure
 * is neither scheduled nor running and the queue after nq has room for
 * mp's band (always for high priority); otherwise putq(q, mp). nq is q for
 * a module, RD(q) for a driver whose write side loops up; queues of two
 * streams: putq(q, mp). 1; 0 for a NULL argument (mp freed). Contexts: as
 * putq.
 */
int strclone_pass_or_putq(queue_t *q, queue_t *nq, mblk_t *mp);
int strclone_putbq(queue_t *q, mblk_t *mp);
mblk_t *strclone_getq(queue_t *q);
void strclone_flushq(queue_t *q, int flag);
void strclone_flushband(queue_t *q, unsigned char pri, int flag);
int strclone_canput(queue_t *q);
int strclone_bcanput(queue_t *q, unsigned char pri);
int strclone_canputnext(queue_t *q);
int strclone_bcanputnext(queue_t *q, unsigned char pri);
void strclone_qenable(queue_t *q);
void strclone_noenable(queue_t *q);
void strclone_enableok(queue_t *q);
int strclone_qsize(queue_t *q);
int strclone_putctl(queue_t *q, int type);
int strclone_putctl1(queue_t *q, int type, int param);
int strclone_putnextctl(queue_t *q, int type);
int strclone_putnextctl1(queue_t *q, int type, int param);
void strclone_qprocson(queue_t *q);
void strclone_qprocsoff(queue_t *q);

#ifndef STRCLONE_NO_SVR4_NAMES
#define allocb(size, pri)	strclone_allocb(size, pri)
#define esballoc(base, size, pri, fr)	strclone_esballoc(base, size, pri, fr, THIS_MODULE)
#define freeb(bp)	strclone_freeb(bp)
#define freemsg(mp)	strclone_freemsg(mp)
#define dupb(bp)	strclone_dupb(bp)
#define dupmsg(mp)	strclone_dupmsg(mp)
#define copyb(bp)	strclone_copyb(bp)
#define copymsg(mp)	strclone_copymsg(mp)
#define msgdsize(mp)	strclone_msgdsize(mp)
#define pullupmsg(mp, len)	strclone_pullupmsg(mp, len)
#define adjmsg(mp, len)	strclone_adjmsg(mp, len)
#define linkb(mp, bp)	strclone_linkb(mp, bp)
#define unlinkb(mp)	strclone_unlinkb(mp)
#define putnext(q, mp)	strclone_putnext(q, mp)
#define qreply(q, mp)	strclone_qreply(q, mp)
#define putq(q, mp)	strclone_putq(q, mp)
#define putbq(q, mp)	strclone_putbq(q, mp)
#define getq(q)	strclone_getq(q)
#define flushq(q, flag)	strclone_flushq(q, flag)
#define flushband(q, pri, flag)	strclone_flushband(q, pri, flag)
#define canput(q)	strclone_canput(q)
#define bcanput(q, pri)	strclone_bcanput(q, pri)
#define canputnext(q)	strclone_canputnext(q)
#define bcanputnext(q, pri)	strclone_bcanputnext(q, pri)
#define qenable(q)	strclone_qenable(q)
#define noenable(q)	strclone_noenable(q)
#define enableok(q)	strclone_enableok(q)
#define qsize(q)	strclone_qsize(q)
#define putctl(q, type)	strclone_putctl(q, type)
#define putctl1(q, type, param)	strclone_putctl1(q, type, param)
#define putnextctl(q, type)	strclone_putnextctl(q, type)
#define putnextctl1(q, type, param)	strclone_putnextctl1(q, type, param)
#define qprocson(q)	strclone_qprocson(q)
#define qprocsoff(q)	strclone_qprocsoff(q)
#endif

/*
 * Utility routines: timeouts, bufcalls, strlog, queue editing, ioctl answers
 * --------------------------------------------------------------------------
 *
 * Contexts: every routine here may be called from a module's or driver's
 * open, close, put and service procedures and from its timeout and bufcall
 * callbacks (process context), never from an interrupt handler, a timer
 * or a tasklet (refused: the failure value is returned, with a warning),
 * except strlog(), which may be called from any context but NMI. None of
 * them sleeps. quntimeout(), qunbufcall() and unbufcall() wait, spinning,
 * for a callback of the id that is running on another CPU (callbacks must
 * not sleep, as put and service procedures must not; a callback may cancel
 * itself: that returns at once).
 */

/* An id of a pending timeout or bufcall; 0 (NULL) is never one. */
typedef void *timeout_id_t;
typedef void *bufcall_id_t;

/*
 * qtimeout(q, func, arg, ticks): func(arg) in ticks clock ticks (jiffies:
 * msecs_to_jiffies() converts; a negative delay is 0, more than INT_MAX is
 * cut to it), from strclone's workqueue (process context, not a timer
 * softirq), and only while q's procedures are on: for a module, while it is
 * pushed and not being popped (counted like a service procedure, so a pop
 * waits for it before the module's close; one that comes due during the
 * module's open runs right after it). A pending timeout holds a reference
 * on the provider's module and on the stream. The instance's close
 * cancels every timeout and bufcall it left pending and waits for one that
 * runs: no callback runs after the close returned, and the provider can
 * then be unloaded. 0 for a NULL q or func, interrupt context, or no memory.
 *
 * quntimeout(q, id): cancels timeout id of q's instance; the ticks it had
 * left (0 or more), or -1 if it already ran (it is waited for if it runs),
 * or if id is not a pending timeout of q's instance.
 */
timeout_id_t strclone_qtimeout(queue_t *q, void (*func)(void *), void *arg, long ticks);
long strclone_quntimeout(queue_t *q, timeout_id_t id);

/*
 * qbufcall(q, size, pri, func, arg): func(arg) once an allocation of size
 * bytes would likely succeed (tried a tick later, then every 20 ms: an
 * allocb() of that size that does not fail), with qtimeout()'s rules for
 * q's instance (cancelled at its close). pri is accepted and ignored.
 * 0 on failure, as qtimeout(). qunbufcall(q, id) cancels it.
 *
 * bufcall(size, pri, func, arg): the same without a queue: it is tied to no
 * instance, so strclone cannot cancel it at a close; it holds the calling
 * module (THIS_MODULE) until it ran or unbufcall(id) cancelled it. A
 * module calling it from an instance must unbufcall() in its close, as in
 * SVR4; qbufcall() needs no such care. unbufcall() cancels either form.
 */
bufcall_id_t strclone_qbufcall(queue_t *q, size_t size, unsigned int pri,
			       void (*func)(void *), void *arg);
void strclone_qunbufcall(queue_t *q, bufcall_id_t id);
bufcall_id_t strclone_bufcall(size_t size, unsigned int pri, void (*func)(void *), void *arg,
			      struct module *owner);
void strclone_unbufcall(bufcall_id_t id);

/*
 * strlog(mid, sid, level, flags, fmt, ...): a message for the log driver's
 * readers (/dev/strlog: SL_ERROR, SL_TRACE, SL_CONSOLE... of
 * <uapi/linux/strclone.h>; Documentation/strclone/log.rst), formatted as
 * printk formats it (at most 1024 bytes kept; from an interrupt handler at
 * most 256). Any context but NMI; never sleeps. 1 when handed to the log
 * (whether a reader takes it is the readers' filters'), 0 when it could not
 * be (NMI, no memory for a text longer than 191 bytes, NULL fmt).
 */
__printf(5, 6)
int strclone_strlog(short mid, short sid, char level, unsigned short flags, const char *fmt, ...);

/*
 * insq(q, emp, mp): puts mp on q before the queued message emp (at the end
 * for a NULL emp), scheduling q's service procedure as putq() does. 1; 0 if
 * emp is not on q, if the place would break the queue's order (a
 * high-priority message behind a normal one, or a band behind a lower
 * band: SVR4's rule), or without room (a fifth M_PCPROTO, no memory for a
 * new band's entry); mp is then still the caller's.
 *
 * rmvq(q, mp): takes the queued message mp off q (back-enabling the writer
 * behind as getq() does); it is the caller's again. 1; 0 (and a warning,
 * once) if mp is not on q. emp and mp are compared with q's messages under
 * the stream's lock, never followed: a stale pointer is refused, not used.
 */
int strclone_insq(queue_t *q, mblk_t *emp, mblk_t *mp);
int strclone_rmvq(queue_t *q, mblk_t *mp);

/*
 * Transparent ioctls. A module or driver that gets an M_IOCTL whose
 * ioc_count is TRANSPARENT finds the caller's argument (for most commands
 * an address in its memory) in b_cont (8 bytes); it asks the stream head
 * to copy with mcopyin()/mcopyout() and qreply(), and receives the result
 * as an M_IOCDATA (struct copyresp: cp_rval 0, or the errno of a copy that
 * failed, after which the head has already answered the caller and the
 * module only frees the message; cp_private is what it passed as private;
 * the bytes copied in are in b_cont). It answers the last step with
 * miocack()/miocnak() (driver-api.rst, "Ioctls").
 *
 * The first block of M_COPYIN/M_COPYOUT and of M_IOCDATA. Packed: cq_addr
 * is at offset 28 as in strclone's encoding. cq_private/cp_private carry
 * mcopyin's and mcopyout's private argument (SVR4's mblk_t * of the
 * module's state; here any pointer or number).
 */
struct copyreq {
	unsigned int cq_cmd;		/* the ioctl's command */
	unsigned int cq_id;		/* its id */
	unsigned int cq_size;		/* bytes to copy */
	unsigned int cq_flag;		/* 0 */
	unsigned int __cq_pad;
	unsigned int cq_uid;		/* the caller's uid */
	unsigned int cq_admin;		/* the caller had CAP_SYS_ADMIN */
	unsigned long long cq_addr;	/* the address in the caller's memory */
	unsigned long long cq_private;	/* back in cp_private */
} __attribute__((packed));

struct copyresp {
	unsigned int cp_cmd;		/* the ioctl's command */
	unsigned int cp_id;		/* its id */
	unsigned int __cp_pad0;
	int cp_rval;			/* 0, or the errno of a failed copy */
	unsigned int __cp_pad1;
	unsigned int cp_uid;
	unsigned int cp_admin;
	unsigned long long __cp_pad2;
	unsigned long long cp_private;	/* cq_private of the request */
} __attribute__((packed));

/*
 * miocack(q, mp, count, rval): turns the M_IOCTL or M_IOCDATA mp into an
 * M_IOCACK with ioctl(2)'s return value rval and the first count bytes of
 * b_cont as the data (the rest trimmed; count is cut to what is there), and
 * qreply()s it. miocnak(q, mp, count, error): an M_IOCNAK with the errno
 * error (0: EINVAL); a negative answer carries no data (count is ignored,
 * b_cont freed). Either takes mp; any other message type is freed, with a
 * warning.
 *
 * mcopyin(mp, private, size, useraddr): turns the M_IOCTL or M_IOCDATA mp,
 * in place, into an M_COPYIN of size bytes at useraddr (NULL: the argument
 * of a transparent M_IOCTL; an M_IOCDATA has none, so a module keeps the
 * address from the M_IOCTL); b_cont is freed; the caller qreply()s it.
 * mcopyout(mp, private, size, useraddr, dp): an M_COPYOUT of the first
 * size bytes of dp (which replaces b_cont), or with dp NULL of b_cont
 * itself (useraddr needed then: without it b_cont is the argument).
 * 0; -EINVAL for another message type, no address (useraddr NULL and mp
 * not a transparent M_IOCTL), a size above 4 GiB,
 * or less data than size; -ENOMEM if the first block is shared or too
 * small to be rewritten in place (never an ioctl the stream head made).
 * On failure mp is unchanged (answer it with miocnak()) and dp is still
 * the caller's. (SVR4's are void; the return value can be ignored.)
 */
void strclone_miocack(queue_t *q, mblk_t *mp, int count, int rval);
void strclone_miocnak(queue_t *q, mblk_t *mp, int count, int error);
int strclone_mcopyin(mblk_t *mp, void *private, size_t size, void *useraddr);
int strclone_mcopyout(mblk_t *mp, void *private, size_t size, void *useraddr, mblk_t *dp);

#ifndef STRCLONE_NO_SVR4_NAMES
#define qtimeout(q, func, arg, ticks)	strclone_qtimeout(q, func, arg, ticks)
#define quntimeout(q, id)	strclone_quntimeout(q, id)
#define qbufcall(q, size, pri, func, arg)	strclone_qbufcall(q, size, pri, func, arg)
#define qunbufcall(q, id)	strclone_qunbufcall(q, id)
#define bufcall(size, pri, func, arg)	strclone_bufcall(size, pri, func, arg, THIS_MODULE)
#define unbufcall(id)	strclone_unbufcall(id)
#define strlog(mid, sid, level, flags, ...)	strclone_strlog(mid, sid, level, flags, __VA_ARGS__)
#define insq(q, emp, mp)	strclone_insq(q, emp, mp)
#define rmvq(q, mp)	strclone_rmvq(q, mp)
#define miocack(q, mp, count, rval)	strclone_miocack(q, mp, count, rval)
#define miocnak(q, mp, count, error)	strclone_miocnak(q, mp, count, error)
#define mcopyin(mp, private, size, useraddr)	strclone_mcopyin(mp, private, size, useraddr)
#define mcopyout(mp, private, size, useraddr, dp)	strclone_mcopyout(mp, private, size, useraddr, dp)
#endif

#endif /* _LINUX_STRCLONE_DDI_H */
