// SPDX-License-Identifier: GPL-2.0
/*
 * ddiutil: a test provider for the DDI's utility routines, used by the
 * ddi_util kselftest (never a sample). It registers a module "ddiutil"
 * whose write put procedure takes I_STR ioctls (ddiutil.h) that make it
 * call qtimeout/quntimeout, qbufcall/bufcall/unbufcall, strlog, and
 * insq/rmvq, and one transparent ioctl answered with mcopyin, mcopyout and
 * miocack (another with miocnak). Callbacks report by sending an M_DATA
 * up the stream ("tmo ctx=1" ...), or, without a queue, by counting in a
 * read-only parameter. Everything else passes through.
 */
#include <linux/hardirq.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/strclone_ddi.h>

#include "ddiutil.h"

static atomic_t bufcalls_run = ATOMIC_INIT(0);
static int bufcalls_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&bufcalls_run));
}
static const struct kernel_param_ops bufcalls_ops = { .get = bufcalls_get };
module_param_cb(bufcalls, &bufcalls_ops, NULL, 0444);
MODULE_PARM_DESC(bufcalls, "queue-less bufcall callbacks that ran");

static atomic_t timeouts_run = ATOMIC_INIT(0);
static int timeouts_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&timeouts_run));
}
static const struct kernel_param_ops timeouts_ops = { .get = timeouts_get };
module_param_cb(timeouts, &timeouts_ops, NULL, 0444);
MODULE_PARM_DESC(timeouts, "qtimeout callbacks that ran");

static bool fail_open;
module_param(fail_open, bool, 0644);
MODULE_PARM_DESC(fail_open, "open arms a 10 s timeout, then fails EIO");

static void never_cb(void *arg)
{
	atomic_inc(&timeouts_run);
}

struct du {
	queue_t *rq;
	timeout_id_t tid;
	bufcall_id_t bid;
	bufcall_id_t nbid;
	unsigned long uaddr;	/* the transparent ioctl's argument */
};

/* An M_DATA up from the read queue (a callback's report). */
static void report(struct du *d, const char *what)
{
	size_t n = strlen(what);
	mblk_t *mp = allocb(n, BPRI_MED);

	if (!mp)
		return;
	memcpy(mp->b_wptr, what, n);
	mp->b_wptr += n;
	putnext(d->rq, mp);
}

static void tmo_cb(void *arg)
{
	struct du *d = arg;

	atomic_inc(&timeouts_run);
	d->tid = NULL;
	/* Process context, never an interrupt: the DDI's promise. */
	report(d, in_task() && !in_interrupt() ? "tmo ctx=1" : "tmo ctx=0");
}

static void buf_cb(void *arg)
{
	struct du *d = arg;

	d->bid = NULL;
	report(d, in_task() ? "buf ctx=1" : "buf ctx=0");
}

static void nbuf_cb(void *arg)
{
	atomic_inc(&bufcalls_run);
}

/* strlog from a hard interrupt: an hrtimer (cancelled at module exit). */
static struct hrtimer irq_timer;
static int irq_mid;

static enum hrtimer_restart irq_timer_fn(struct hrtimer *t)
{
	strlog(irq_mid, 7, 0, SL_TRACE, "ddiutil irq %s %d", in_hardirq() ? "hard" : "soft", 99);
	return HRTIMER_NORESTART;
}

static mblk_t *data(const char *s, unsigned char type, unsigned char band)
{
	mblk_t *mp = allocb(strlen(s), BPRI_MED);

	if (!mp)
		return NULL;
	memcpy(mp->b_wptr, s, strlen(s));
	mp->b_wptr += strlen(s);
	mp->b_datap->db_type = type;
	mp->b_band = band;
	return mp;
}

/*
 * insq/rmvq on q (no service procedure: what is queued stays). Writes the
 * outcome into out: the order getq() then finds, "|", then one digit per
 * refusal check (1: refused as it must be).
 */
static int insq_check(queue_t *q, char *out, size_t len)
{
	mblk_t *a = data("A", M_DATA, 0), *c = data("C", M_DATA, 0), *b = data("B", M_DATA, 0);
	mblk_t *dd = data("D", M_DATA, 0), *p = data("P", M_PCPROTO, 0);
	mblk_t *x = data("X", M_DATA, 5), *y = data("Y", M_DATA, 0), *mp;
	size_t n = 0;

	if (!a || !b || !c || !dd || !p || !x || !y) {
		freemsg(a); freemsg(b); freemsg(c); freemsg(dd); freemsg(p); freemsg(x); freemsg(y);
		return -ENOMEM;
	}
	putq(q, a);
	putq(q, c);
	insq(q, c, b);		/* A B C */
	insq(q, NULL, dd);	/* A B C D */
	rmvq(q, a);		/* B C D */
	freemsg(a);
	insq(q, b, p);		/* P B C D: a high-priority one at the front */
	/* Refusals: a band-5 message behind band 0; before a message that is
	 * not queued; removing one that is not queued; a normal message
	 * before the high-priority one. */
	out[n++] = '0' + (insq(q, c, x) == 0);
	out[n++] = '0' + (insq(q, y, x) == 0);
	out[n++] = '0' + (rmvq(q, y) == 0);
	out[n++] = '0' + (insq(q, p, y) == 0);
	freemsg(x);
	freemsg(y);
	out[n++] = '|';
	while ((mp = getq(q)) && n < len - 1) {
		out[n++] = *mp->b_rptr;
		freemsg(mp);
	}
	out[n] = 0;
	return 0;
}

/* The I_STR ioctls; the answer's data (if any) replaces b_cont. */
static void du_istr(queue_t *q, mblk_t *mp, struct du *d)
{
	struct iocblk *ioc = (struct iocblk *)mp->b_rptr;
	struct du_arg arg = { 0 };
	mblk_t *ans;
	long left;

	if (ioc->ioc_count >= sizeof(arg) && mp->b_cont)
		memcpy(&arg, mp->b_cont->b_rptr, sizeof(arg));
	switch (ioc->ioc_cmd) {
	case DU_TIMEOUT:
		d->tid = qtimeout(q, tmo_cb, d, msecs_to_jiffies(arg.a));
		if (!d->tid) {
			miocnak(q, mp, 0, ENOMEM);
			return;
		}
		miocack(q, mp, 0, 0);
		return;
	case DU_UNTIMEOUT:
		left = quntimeout(q, d->tid);
		/* Ticks left as milliseconds, or -1. */
		arg.a = left < 0 ? -1 : (long)jiffies_to_msecs(left);
		/* A second cancel of the same id finds nothing. */
		arg.b = quntimeout(q, d->tid);
		break;
	case DU_BUFCALL:
		d->bid = qbufcall(q, arg.a, BPRI_MED, buf_cb, d);
		if (!d->bid) {
			miocnak(q, mp, 0, ENOMEM);
			return;
		}
		miocack(q, mp, 0, 0);
		return;
	case DU_UNBUFCALL:
		qunbufcall(q, d->bid);
		d->bid = NULL;
		miocack(q, mp, 0, 0);
		return;
	case DU_NBUFCALL:
		d->nbid = bufcall(arg.a, BPRI_MED, nbuf_cb, NULL);
		if (!d->nbid) {
			miocnak(q, mp, 0, ENOMEM);
			return;
		}
		miocack(q, mp, 0, 0);
		return;
	case DU_NUNBUFCALL:
		unbufcall(d->nbid);
		d->nbid = NULL;
		miocack(q, mp, 0, 0);
		return;
	case DU_STRLOG:
		arg.b = strlog(arg.a, 3, 1, SL_TRACE | SL_NOTIFY, "ddiutil %s %ld %*s", "text", arg.a, 300, "long");
		break;
	case DU_STRLOG_IRQ:
		irq_mid = arg.a;
		hrtimer_start(&irq_timer, ms_to_ktime(1), HRTIMER_MODE_REL);
		miocack(q, mp, 0, 0);
		return;
	case DU_INSQ: {
		char out[32];

		if (insq_check(q, out, sizeof(out))) {
			miocnak(q, mp, 0, ENOMEM);
			return;
		}
		ans = allocb(sizeof(out), BPRI_MED);
		if (!ans) {
			miocnak(q, mp, 0, ENOMEM);
			return;
		}
		memcpy(ans->b_wptr, out, strlen(out) + 1);
		ans->b_wptr += strlen(out) + 1;
		freemsg(unlinkb(mp));
		linkb(mp, ans);
		miocack(q, mp, strlen(out) + 1, 0);
		return;
	}
	default:
		putnext(q, mp);
		return;
	}
	ans = allocb(sizeof(arg), BPRI_MED);
	if (!ans) {
		miocnak(q, mp, 0, ENOMEM);
		return;
	}
	memcpy(ans->b_wptr, &arg, sizeof(arg));
	ans->b_wptr += sizeof(arg);
	freemsg(unlinkb(mp));
	linkb(mp, ans);
	/* More than there is: cut to the data. */
	miocack(q, mp, sizeof(arg) + 100, 0);
}

/* The transparent ioctls: copy an int in, write 2 * it + 1 back, rval 7. */
static void du_transparent(queue_t *q, mblk_t *mp, struct du *d)
{
	struct iocblk *ioc = (struct iocblk *)mp->b_rptr;

	if (ioc->ioc_cmd == DU_TRANS_NAK) {
		miocnak(q, mp, 0, EPERM);
		return;
	}
	if (ioc->ioc_cmd != DU_TRANS) {
		putnext(q, mp);
		return;
	}
	/* The argument, kept for the copy-out (an M_IOCDATA has none). */
	if (!mp->b_cont || msgdsize(mp->b_cont) < sizeof(d->uaddr)) {
		miocnak(q, mp, 0, EPROTO);
		return;
	}
	memcpy(&d->uaddr, mp->b_cont->b_rptr, sizeof(d->uaddr));
	if (mcopyin(mp, (void *)1, sizeof(int), NULL)) {
		miocnak(q, mp, 0, EBADMSG);
		return;
	}
	qreply(q, mp);
}

static void du_iocdata(queue_t *q, mblk_t *mp, struct du *d)
{
	struct copyresp *cp = (struct copyresp *)mp->b_rptr;
	mblk_t *dp;
	int v;

	if (cp->cp_cmd != DU_TRANS) {
		putnext(q, mp);
		return;
	}
	if (cp->cp_rval) {
		/* The copy failed: the stream head answered already. */
		freemsg(mp);
		return;
	}
	switch (cp->cp_private) {
	case 1:
		if (!mp->b_cont || msgdsize(mp->b_cont) != sizeof(int)) {
			miocnak(q, mp, 0, EPROTO);
			return;
		}
		memcpy(&v, mp->b_cont->b_rptr, sizeof(v));
		v = 2 * v + 1;
		dp = allocb(sizeof(v) + 4, BPRI_MED);
		if (!dp) {
			miocnak(q, mp, 0, ENOMEM);
			return;
		}
		memcpy(dp->b_wptr, &v, sizeof(v));
		memset(dp->b_wptr + sizeof(v), 0xee, 4);
		dp->b_wptr += sizeof(v) + 4;
		/* Only sizeof(int) of the 8 bytes goes out. Without an address
		 * (an M_IOCDATA has no argument) it is refused first. */
		if (mcopyout(mp, (void *)2, sizeof(int), NULL, dp) != -EINVAL ||
		    mcopyout(mp, (void *)2, sizeof(int), (void *)d->uaddr, dp)) {
			freemsg(dp);
			miocnak(q, mp, 0, ENOSTR);
			return;
		}
		qreply(q, mp);
		return;
	case 2:
		miocack(q, mp, 0, 7);
		return;
	default:
		miocnak(q, mp, 0, EBADE);
	}
}

static int du_wput(queue_t *q, mblk_t *mp)
{
	struct du *d = q->q_ptr;

	switch (mp->b_datap->db_type) {
	case M_IOCTL:
		if (((struct iocblk *)mp->b_rptr)->ioc_count == TRANSPARENT)
			du_transparent(q, mp, d);
		else
			du_istr(q, mp, d);
		return 0;
	case M_IOCDATA:
		du_iocdata(q, mp, d);
		return 0;
	case M_FLUSH:
		if (*mp->b_rptr & FLUSHW)
			flushq(q, FLUSHALL);
		putnext(q, mp);
		return 0;
	default:
		putnext(q, mp);
		return 0;
	}
}

static int du_rput(queue_t *q, mblk_t *mp)
{
	putnext(q, mp);
	return 0;
}

static int du_open(queue_t *q, dev_t *devp, int oflag, int sflag, cred_t *crp)
{
	struct du *d;

	if (q->q_ptr)
		return 0;
	if (fail_open) {
		/* Left pending by an open that fails: no close will come. */
		qtimeout(q, never_cb, NULL, msecs_to_jiffies(10000));
		return EIO;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->rq = q;
	q->q_ptr = d;
	WR(q)->q_ptr = d;
	return 0;
}

/* Leaves every timeout and bufcall pending: strclone cancels them. */
static int du_close(queue_t *q, int oflag, cred_t *crp)
{
	kfree(q->q_ptr);
	q->q_ptr = NULL;
	WR(q)->q_ptr = NULL;
	return 0;
}

static struct module_info du_minfo = {
	.mi_idname = "ddiutil", .mi_maxpsz = INFPSZ, .mi_hiwat = 8192, .mi_lowat = 1024,
};
static struct qinit du_rinit = {
	.qi_putp = du_rput, .qi_qopen = du_open, .qi_qclose = du_close, .qi_minfo = &du_minfo,
};
static struct qinit du_winit = { .qi_putp = du_wput, .qi_minfo = &du_minfo };
static struct streamtab du_tab = { .st_rdinit = &du_rinit, .st_wrinit = &du_winit };
static const struct strclone_modsw du_modsw = {
	.version = STRCLONE_DDI_VERSION, .name = "ddiutil", .str = &du_tab, .owner = THIS_MODULE,
};

static int __init du_init(void)
{
	hrtimer_setup(&irq_timer, irq_timer_fn, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	return strclone_register_module(&du_modsw);
}

static void __exit du_exit(void)
{
	hrtimer_cancel(&irq_timer);
	strclone_unregister_module(&du_modsw);
}

module_init(du_init);
module_exit(du_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("strclone DDI utility routines test provider");
MODULE_IMPORT_NS("STRCLONE");
