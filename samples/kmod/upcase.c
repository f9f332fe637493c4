// SPDX-License-Identifier: GPL-2.0
/*
 * upcase: a STREAMS module in C, in the style of an SVR4 / LiS / Fast-STREAMS
 * module, registered with strclone by this separate kernel module.
 *
 * Downstream (write side) it turns the letters of M_DATA messages to upper
 * case; upstream (read side) it passes everything. Its write queue has a
 * service procedure and small water marks, so flow control works across
 * it: the put procedure queues when the queue below is full, and the
 * service procedure moves messages on as room appears. I_STR UPCASE_COUNT
 * answers how many data messages and bytes it converted. Each pushed
 * instance keeps its counts in q_ptr.
 *
 * What porting it from LiS or Fast-STREAMS took: the includes, and the
 * registration call in init and exit (Documentation/strclone/driver-api.rst).
 */
#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/strclone_ddi.h>

#include "upcase.h"

struct upcase {
	unsigned int msgs;
	unsigned int bytes;
};

static struct module_info upcase_minfo = {
	.mi_idnum = 4242,
	.mi_idname = "upcase",
	.mi_minpsz = 0,
	.mi_maxpsz = INFPSZ,
	.mi_hiwat = 2048,
	.mi_lowat = 512,
};

static int upcase_open(queue_t *q, dev_t *devp, int oflag, int sflag, cred_t *crp)
{
	struct upcase *u;

	if (sflag != MODOPEN)
		return 0;	/* a reopen of the stream: nothing to do */
	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return ENOMEM;
	q->q_ptr = u;
	WR(q)->q_ptr = u;
	qprocson(q);
	return 0;
}

static int upcase_close(queue_t *q, int oflag, cred_t *crp)
{
	qprocsoff(q);
	kfree(q->q_ptr);
	q->q_ptr = NULL;
	WR(q)->q_ptr = NULL;
	return 0;
}

/* Upper-cases every M_DATA block of mp (copying a shared one first). */
static mblk_t *upcase_convert(queue_t *q, mblk_t *mp)
{
	struct upcase *u = q->q_ptr;
	mblk_t *bp;

	for (bp = mp; bp; bp = bp->b_cont) {
		unsigned char *p;

		if (bp->b_datap->db_type != M_DATA)
			continue;
		if (bp->b_datap->db_ref > 1) {
			/* Shared with another message: not ours to change. */
			mblk_t *c = copymsg(mp);

			if (!c)
				return mp;	/* passed on unchanged */
			freemsg(mp);
			return upcase_convert(q, c);
		}
		for (p = bp->b_rptr; p < bp->b_wptr; p++)
			*p = toupper(*p);
	}
	u->msgs++;
	u->bytes += msgdsize(mp);
	return mp;
}

static void upcase_ioctl(queue_t *q, mblk_t *mp)
{
	struct iocblk *ioc = (struct iocblk *)mp->b_rptr;
	struct upcase *u = q->q_ptr;
	struct upcase_count *c;

	if (mp->b_wptr - mp->b_rptr < sizeof(*ioc) || ioc->ioc_cmd != UPCASE_COUNT) {
		putnext(q, mp);		/* not ours: the driver answers */
		return;
	}
	if (ioc->ioc_count == TRANSPARENT) {
		/* Only through I_STR: the answer's data goes back inline. */
		mp->b_datap->db_type = M_IOCNAK;
		ioc->ioc_error = EINVAL;
		qreply(q, mp);
		return;
	}
	/* The answer's data block: the caller's if it is ours alone and big
	 * enough, else a new one. */
	if (mp->b_cont && (mp->b_cont->b_datap->db_ref > 1 ||
			   mp->b_cont->b_datap->db_lim - mp->b_cont->b_datap->db_base < sizeof(*c))) {
		freemsg(unlinkb(mp));
	}
	if (!mp->b_cont)
		mp->b_cont = allocb(sizeof(*c), BPRI_MED);
	if (!mp->b_cont) {
		mp->b_datap->db_type = M_IOCNAK;
		ioc->ioc_error = ENOMEM;
		qreply(q, mp);
		return;
	}
	c = (struct upcase_count *)mp->b_cont->b_datap->db_base;
	mp->b_cont->b_rptr = (unsigned char *)c;
	mp->b_cont->b_wptr = (unsigned char *)(c + 1);
	c->msgs = u->msgs;
	c->bytes = u->bytes;
	mp->b_datap->db_type = M_IOCACK;
	ioc->ioc_count = sizeof(*c);
	ioc->ioc_error = 0;
	ioc->ioc_rval = 0;
	qreply(q, mp);
}

static int upcase_wput(queue_t *q, mblk_t *mp)
{
	switch (mp->b_datap->db_type) {
	case M_DATA:
		/* Behind queued messages, or the queue below is full: queue. */
		if (qsize(q) || !canputnext(q)) {
			putq(q, mp);
			return 0;
		}
		putnext(q, upcase_convert(q, mp));
		return 0;
	case M_FLUSH:
		if (*mp->b_rptr & FLUSHW)
			flushq(q, FLUSHDATA);
		putnext(q, mp);
		return 0;
	case M_IOCTL:
		upcase_ioctl(q, mp);
		return 0;
	default:
		putnext(q, mp);
		return 0;
	}
}

static int upcase_wsrv(queue_t *q)
{
	mblk_t *mp;

	while ((mp = getq(q))) {
		if (!canputnext(q)) {
			putbq(q, mp);
			return 0;
		}
		putnext(q, upcase_convert(q, mp));
	}
	return 0;
}

static int upcase_rput(queue_t *q, mblk_t *mp)
{
	if (mp->b_datap->db_type == M_FLUSH && (*mp->b_rptr & FLUSHR))
		flushq(q, FLUSHDATA);
	putnext(q, mp);
	return 0;
}

static struct qinit upcase_rinit = {
	.qi_putp = upcase_rput,
	.qi_qopen = upcase_open,
	.qi_qclose = upcase_close,
	.qi_minfo = &upcase_minfo,
};

static struct qinit upcase_winit = {
	.qi_putp = upcase_wput,
	.qi_srvp = upcase_wsrv,
	.qi_minfo = &upcase_minfo,
};

static struct streamtab upcase_info = {
	.st_rdinit = &upcase_rinit,
	.st_wrinit = &upcase_winit,
};

static const struct strclone_modsw upcase_modsw = {
	.version = STRCLONE_DDI_VERSION,
	.name = "upcase",
	.str = &upcase_info,
	.owner = THIS_MODULE,
};

static int __init upcase_init(void)
{
	return strclone_register_module(&upcase_modsw);
}

static void __exit upcase_exit(void)
{
	/* Cannot fail: every instance holds this module, so none is left. */
	WARN_ON(strclone_unregister_module(&upcase_modsw));
}

module_init(upcase_init);
module_exit(upcase_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("strclone sample: an upper-casing STREAMS module in C");
MODULE_IMPORT_NS("STRCLONE");
