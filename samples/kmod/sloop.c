// SPDX-License-Identifier: GPL-2.0
/*
 * sloop: a STREAMS loopback driver in C, written as an SVR4 / LiS /
 * Fast-STREAMS driver is, registered with strclone by this separate kernel
 * module.
 *
 * Every M_DATA and M_PROTO message written down a stream comes back up the
 * same stream: at once when nothing waits and the head has room
 * (strclone_pass_or_putq), otherwise through the write queue's service
 * procedure, which moves messages to the read side while canputnext()
 * allows and stops when the stream head is full; the read queue's service procedure, back-enabled
 * when the head drains, enables the write side again. M_PCPROTO comes
 * straight back. M_FLUSH is answered as a driver does. I_STR SLOOP_GETMINOR
 * answers the stream's minor, SLOOP_OPENS how often it was opened (1, plus
 * one per reopen); any other I_STR is refused with EINVAL, and any
 * transparent ioctl (tcgetattr, isatty...) with ENOTTY.
 *
 * Opens: through /dev/clone-sloop (CLONEOPEN: the lowest free minor from
 * 2), or /dev/sloop/0 and /dev/sloop/1 (that minor; a second open of an
 * open one is a reopen of the same stream).
 *
 * Parameters: major (the STREAMS major to register at, 0 for any free one);
 * the major it got is in /sys/module/sloop/parameters/registered.
 *
 * What porting it from LiS or Fast-STREAMS took: the includes, and the
 * registration call in init and exit (Documentation/strclone/driver-api.rst).
 * The one call of strclone_pass_or_putq() in sloop_wput() is optional: a
 * plain putq() there keeps the same order, every message then going
 * through the service procedure.
 */
#include <linux/bitmap.h>
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/strclone_ddi.h>

#include "sloop.h"

static int major;
module_param(major, int, 0444);
MODULE_PARM_DESC(major, "STREAMS major to register at (0: the lowest free one from 128)");
static int registered;
module_param(registered, int, 0444);
MODULE_PARM_DESC(registered, "the STREAMS major sloop got");

/*
 * Per-minor state in a static table, as SVR4's loop driver keeps its
 * loop_loop[]: a minor is in use while its bit in sloop_used is set.
 */
struct sloop {
	unsigned int minor;
	unsigned int opens;
};

static DEFINE_SPINLOCK(sloop_lock);
static DECLARE_BITMAP(sloop_used, SLOOP_MINORS);
static struct sloop sloop_devs[SLOOP_MINORS];

static struct module_info sloop_minfo = {
	.mi_idnum = 4343,
	.mi_idname = "sloop",
	.mi_minpsz = 0,
	.mi_maxpsz = 4096,
	.mi_hiwat = 8192,
	.mi_lowat = 2048,
};

static int sloop_open(queue_t *q, dev_t *devp, int oflag, int sflag, cred_t *crp)
{
	unsigned int minor = getminor(*devp);
	struct sloop *sl;

	if (q->q_ptr) {
		/* A reopen of a stream that is open. */
		sl = q->q_ptr;
		sl->opens++;
		return 0;
	}
	spin_lock(&sloop_lock);
	if (sflag == CLONEOPEN) {
		minor = find_next_zero_bit(sloop_used, SLOOP_MINORS, SLOOP_NODES);
		if (minor >= SLOOP_MINORS) {
			spin_unlock(&sloop_lock);
			return ENXIO;
		}
	} else if (minor >= SLOOP_NODES || test_bit(minor, sloop_used)) {
		spin_unlock(&sloop_lock);
		return ENXIO;
	}
	__set_bit(minor, sloop_used);
	spin_unlock(&sloop_lock);
	sl = &sloop_devs[minor];
	sl->minor = minor;
	sl->opens = 1;
	q->q_ptr = sl;
	WR(q)->q_ptr = sl;
	*devp = makedevice(getmajor(*devp), minor);
	qprocson(q);
	return 0;
}

static int sloop_close(queue_t *q, int oflag, cred_t *crp)
{
	struct sloop *sl = q->q_ptr;

	qprocsoff(q);
	/* The slot is free again once its bit is clear. */
	spin_lock(&sloop_lock);
	__clear_bit(sl->minor, sloop_used);
	spin_unlock(&sloop_lock);
	q->q_ptr = NULL;
	WR(q)->q_ptr = NULL;
	return 0;
}

/* Answers an M_IOCTL in place with a __u32, or refuses it. */
static void sloop_ioctl(queue_t *q, mblk_t *mp)
{
	struct iocblk *ioc = (struct iocblk *)mp->b_rptr;
	struct sloop *sl = q->q_ptr;
	__u32 val;

	if (ioc->ioc_count == TRANSPARENT) {
		/* Not through I_STR: none of ours (isatty() and the like),
		 * ENOTTY as Linux programs expect. */
		ioc->ioc_error = ENOTTY;
		goto nak_errno;
	}
	switch (ioc->ioc_cmd) {
	case SLOOP_GETMINOR:
		val = sl->minor;
		break;
	case SLOOP_OPENS:
		val = sl->opens;
		break;
	default:
		goto nak;
	}
	freemsg(unlinkb(mp));
	mp->b_cont = allocb(sizeof(val), BPRI_MED);
	if (!mp->b_cont) {
		ioc->ioc_error = ENOMEM;
		goto nak_errno;
	}
	memcpy(mp->b_cont->b_wptr, &val, sizeof(val));
	mp->b_cont->b_wptr += sizeof(val);
	mp->b_datap->db_type = M_IOCACK;
	ioc->ioc_count = sizeof(val);
	ioc->ioc_error = 0;
	ioc->ioc_rval = 0;
	qreply(q, mp);
	return;
nak:
	ioc->ioc_error = EINVAL;
nak_errno:
	mp->b_datap->db_type = M_IOCNAK;
	ioc->ioc_count = 0;
	qreply(q, mp);
}

static int sloop_wput(queue_t *q, mblk_t *mp)
{
	switch (mp->b_datap->db_type) {
	case M_DATA:
	case M_PROTO:
		/*
		 * An SVR4 driver would putq() here and leave the move to the
		 * service procedure. strclone's extension sends the message up
		 * at once when nothing is queued, the service procedure is not
		 * running and the head has room, and queues it otherwise: the
		 * same order, in one lock round trip instead of about five.
		 */
		strclone_pass_or_putq(q, RD(q), mp);
		return 0;
	case M_PCPROTO:
		qreply(q, mp);
		return 0;
	case M_FLUSH:
		if (*mp->b_rptr & FLUSHW)
			flushq(q, FLUSHALL);
		if (*mp->b_rptr & FLUSHR) {
			flushq(RD(q), FLUSHALL);
			*mp->b_rptr &= ~FLUSHW;
			qreply(q, mp);
			return 0;
		}
		freemsg(mp);
		return 0;
	case M_IOCTL:
		sloop_ioctl(q, mp);
		return 0;
	default:
		freemsg(mp);
		return 0;
	}
}

/* Moves what was written to the read side while the head takes it. */
static int sloop_wsrv(queue_t *q)
{
	mblk_t *mp;

	while ((mp = getq(q))) {
		if (!bcanputnext(RD(q), mp->b_band)) {
			putbq(q, mp);
			return 0;
		}
		putnext(RD(q), mp);
	}
	return 0;
}

static int sloop_rput(queue_t *q, mblk_t *mp)
{
	putnext(q, mp);
	return 0;
}

/* Back-enabled when the head drains: the write side may go on. */
static int sloop_rsrv(queue_t *q)
{
	qenable(WR(q));
	return 0;
}

static struct qinit sloop_rinit = {
	.qi_putp = sloop_rput,
	.qi_srvp = sloop_rsrv,
	.qi_qopen = sloop_open,
	.qi_qclose = sloop_close,
	.qi_minfo = &sloop_minfo,
};

static struct qinit sloop_winit = {
	.qi_putp = sloop_wput,
	.qi_srvp = sloop_wsrv,
	.qi_minfo = &sloop_minfo,
};

static struct streamtab sloop_info = {
	.st_rdinit = &sloop_rinit,
	.st_wrinit = &sloop_winit,
};

static struct strclone_drvsw sloop_drvsw = {
	.version = STRCLONE_DDI_VERSION,
	.name = "sloop",
	.str = &sloop_info,
	.owner = THIS_MODULE,
	/* Its open and close take only sloop_lock: MT-safe (D_MP), so its
	 * clone opens run in parallel. */
	.flags = STRCLONE_D_CLONE | STRCLONE_D_MP,
	.nodes = SLOOP_NODES,
};

static int __init sloop_init(void)
{
	int r;

	if (major < 0)
		return -EINVAL;
	/* strclone checks the rest (EINVAL above 255, EBUSY if taken). */
	sloop_drvsw.major = major;
	r = strclone_register_driver(&sloop_drvsw);
	if (r < 0)
		return r;
	registered = r;
	return 0;
}

static void __exit sloop_exit(void)
{
	/* Cannot fail here: every open stream holds this module. */
	WARN_ON(strclone_unregister_driver(&sloop_drvsw));
}

module_init(sloop_init);
module_exit(sloop_exit);
MODULE_IMPORT_NS("STRCLONE");
MODULE_DESCRIPTION("sloop: a STREAMS loopback driver in C on strclone");
MODULE_LICENSE("GPL");
