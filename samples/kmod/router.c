// SPDX-License-Identifier: GPL-2.0
/*
 * router: a sample STREAMS multiplexing driver in C, written as an SVR4 /
 * LiS / Fast-STREAMS multiplexor is, registered with strclone by this
 * separate kernel module (Documentation/strclone/multiplexors.rst).
 *
 * Users open upper streams (/dev/clone-router, one per open) and link
 * other streams under them with I_LINK or I_PLINK: /dev/clone-echo
 * streams, pipe ends, streams of other drivers. The router then moves
 * messages between them:
 *
 *   down  an M_PROTO written on an upper stream whose control part starts
 *         with struct router_hdr goes down the lower stream of that mux
 *         id, the header taken off (an M_DATA if nothing else was in the
 *         control part); an M_DATA goes to the upper stream's default
 *         lower (I_STR ROUTER_SETDEST). A message for no link is freed and
 *         counted. The upper stream that sends to a lower becomes its
 *         owner.
 *   up    a message coming up a lower stream goes to the upper stream that
 *         owns it (the one that linked it, or the last one that sent to
 *         it), as an M_PROTO whose header holds the lower's mux id; with
 *         no owner (its upper closed, for an I_PLINK link) it is freed and
 *         counted.
 *
 * Flow control: an upper stream's write queue holds what a full lower
 * stream does not take; the lower's write service procedure, back-enabled
 * when the lower drains, enables the upper streams waiting for it. A lower
 * read queue holds what its full owner does not take; the upper's read
 * service procedure, back-enabled when its stream head drains, enables the
 * lowers waiting for it.
 *
 * The links are in an xarray by mux id, so finding one costs the same with
 * 1 or 10,000 links. One spinlock (router_lock) covers the table, the
 * owners and the wait lists; no queue routine that can come back into the
 * router (putnext, qreply: an M_FLUSH the stream head turns around, an
 * echo driver answering at once) is called under it. l_qbot may be used
 * until the driver answers the unlink: a link in use by an upper stream
 * sending down (refs) answers its unlink when the last such use ends.
 *
 * Test knobs (I_STR on an upper stream): ROUTER_HOLD leaves the next n
 * answers to link and unlink M_IOCTLs unsent (they are freed at the
 * stream's close: the stream head's timeout, ETIME, is what is tested),
 * ROUTER_REFUSE refuses the next I_LINK/I_PLINK with an errno,
 * ROUTER_STATS counts.
 *
 * Parameters: major (the STREAMS major to register at, 0 for any free one);
 * the major it got is in /sys/module/router/parameters/registered.
 */
#include <linux/atomic.h>
#include <linux/idr.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/strclone_ddi.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "router.h"

#define ROUTER_MINORS	65536

static int major;
module_param(major, int, 0444);
MODULE_PARM_DESC(major, "STREAMS major to register at (0: the lowest free one from 128)");
static int registered;
module_param(registered, int, 0444);
MODULE_PARM_DESC(registered, "the STREAMS major router got");

/* An upper stream. */
struct router_up {
	queue_t *rq;			/* its driver read queue: what goes up */
	unsigned int minor;
	int dest;			/* M_DATA's mux id (0: none) */
	int hold;			/* link/unlink answers left to hold */
	int refuse;			/* errno for the next link, 0: none */
	unsigned int refs;		/* lower procedures sending up to it now */
	struct router_link *waiting;	/* the lower its write side waits for */
	struct list_head wnode;		/* on waiting->writers */
	struct list_head readers;	/* lowers waiting for its read side */
	mblk_t *held;			/* held answers, through b_next */
};

/* A link: a lower stream, by mux id. */
struct router_link {
	int muxid;
	bool persistent;		/* I_PLINK */
	bool dead;			/* unlinked; freed when refs drop to 0 */
	queue_t *qbot;			/* the lower write queue (linkblk's l_qbot) */
	queue_t *qtop;			/* l_qtop: the linking upper's write queue (I_LINK) */
	struct router_up *owner;	/* where its messages go, or NULL */
	unsigned int refs;		/* upper streams using qbot now */
	mblk_t *ack;			/* the unlink's answer, sent at refs 0 */
	queue_t *ackq;
	struct list_head rnode;		/* on owner->readers */
	struct list_head writers;	/* upper streams waiting to send here */
};

static DEFINE_SPINLOCK(router_lock);
static DEFINE_XARRAY(router_links);
static DEFINE_IDA(router_minors);
static DECLARE_WAIT_QUEUE_HEAD(router_idle);
static unsigned int router_nlinks, router_nuppers;
static atomic64_t router_dropped, router_up_count, router_down_count;

static struct module_info router_minfo = {
	.mi_idnum = 4344,
	.mi_idname = "router",
	.mi_minpsz = 0,
	.mi_maxpsz = INFPSZ,
	.mi_hiwat = 16384,
	.mi_lowat = 4096,
};

static struct module_info router_lminfo = {
	.mi_idnum = 4345,
	.mi_idname = "router-lower",
	.mi_minpsz = 0,
	.mi_maxpsz = INFPSZ,
	.mi_hiwat = 16384,
	.mi_lowat = 4096,
};

static inline size_t blen(mblk_t *bp)
{
	return bp->b_wptr - bp->b_rptr;
}

static void router_drop(mblk_t *mp)
{
	atomic64_inc(&router_dropped);
	freemsg(mp);
}

static int router_open(queue_t *q, dev_t *devp, int oflag, int sflag, cred_t *crp)
{
	struct router_up *up;
	int minor;

	if (q->q_ptr)
		return 0;
	if (sflag != CLONEOPEN)
		return -ENXIO;
	up = kzalloc_obj(*up, GFP_KERNEL);
	if (!up)
		return -ENOMEM;
	minor = ida_alloc_max(&router_minors, ROUTER_MINORS - 1, GFP_KERNEL);
	if (minor < 0) {
		kfree(up);
		return minor == -ENOMEM ? -ENOMEM : -ENXIO;
	}
	up->minor = minor;
	up->rq = q;
	INIT_LIST_HEAD(&up->wnode);
	INIT_LIST_HEAD(&up->readers);
	q->q_ptr = up;
	WR(q)->q_ptr = up;
	spin_lock(&router_lock);
	router_nuppers++;
	spin_unlock(&router_lock);
	*devp = makedevice(getmajor(*devp), minor);
	qprocson(q);
	return 0;
}

/*
 * Takes link e out of the table (router_lock held): nothing finds it any
 * more, its lower procedures see no link, the upper streams waiting to
 * send to it are enabled (their messages for it are freed). True when it
 * can be freed now; otherwise its last user frees it.
 */
static bool router_unlink_locked(struct router_link *e)
{
	struct router_up *w, *n;

	xa_erase(&router_links, e->muxid);
	RD(e->qbot)->q_ptr = NULL;
	WR(e->qbot)->q_ptr = NULL;
	list_del_init(&e->rnode);
	list_for_each_entry_safe(w, n, &e->writers, wnode) {
		list_del_init(&w->wnode);
		w->waiting = NULL;
		qenable(WR(w->rq));
	}
	e->owner = NULL;
	e->dead = true;
	router_nlinks--;
	return !e->refs;
}

/* True once no lower procedure is sending up to up. */
static bool router_up_idle(struct router_up *up)
{
	bool idle;

	spin_lock(&router_lock);
	idle = !up->refs;
	spin_unlock(&router_lock);
	return idle;
}

static int router_close(queue_t *q, int oflag, cred_t *crp)
{
	struct router_up *up = q->q_ptr;
	struct router_link *e;
	unsigned long id;
	mblk_t *mp;
	LIST_HEAD(gone);

	qprocsoff(q);
	spin_lock(&router_lock);
	xa_for_each(&router_links, id, e) {
		/*
		 * The stream head unlinked this stream's I_LINK links before
		 * this close; one still here is one the driver was never told
		 * it lost (no memory for the M_IOCTL): it goes now, before
		 * its lower pair does.
		 */
		if (!e->persistent && e->qtop == WR(q)) {
			if (router_unlink_locked(e))
				list_add(&e->rnode, &gone);
			continue;
		}
		/* Persistent links live on, without an owner. */
		if (e->owner == up) {
			e->owner = NULL;
			list_del_init(&e->rnode);
		}
	}
	list_del_init(&up->wnode);
	up->waiting = NULL;
	mp = up->held;
	up->held = NULL;
	router_nuppers--;
	spin_unlock(&router_lock);
	while (!list_empty(&gone)) {
		e = list_first_entry(&gone, struct router_link, rnode);
		list_del(&e->rnode);
		kfree(e);
	}
	/* A lower procedure that took up before the owners were cleared. */
	wait_event(router_idle, router_up_idle(up));
	while (mp) {
		mblk_t *next = mp->b_next;

		mp->b_next = NULL;
		freemsg(mp);
		mp = next;
	}
	q->q_ptr = NULL;
	WR(q)->q_ptr = NULL;
	ida_free(&router_minors, up->minor);
	kfree(up);
	return 0;
}

/* The int argument of an I_STR, or -1 (EINVAL) without one. */
static int router_int_arg(mblk_t *mp, int *val)
{
	struct iocblk *ioc = (struct iocblk *)mp->b_rptr;

	if (ioc->ioc_count != sizeof(int) || !mp->b_cont ||
	    !pullupmsg(mp->b_cont, sizeof(int)))
		return -1;
	memcpy(val, mp->b_cont->b_rptr, sizeof(int));
	return 0;
}

/*
 * Answers a link or unlink M_IOCTL positively, or keeps the M_IOCTL
 * unanswered if up holds answers (router_lock held; false then: the
 * caller sends nothing).
 */
static bool router_answer_locked(struct router_up *up, mblk_t *mp)
{
	if (up->hold <= 0)
		return true;
	up->hold--;
	mp->b_next = up->held;
	up->held = mp;
	return false;
}

static void router_link(queue_t *q, mblk_t *mp, struct linkblk *lb)
{
	struct iocblk *ioc = (struct iocblk *)mp->b_rptr;
	struct router_up *up = q->q_ptr;
	struct router_link *e;
	bool answer;
	int err;

	spin_lock(&router_lock);
	err = up->refuse;
	up->refuse = 0;
	spin_unlock(&router_lock);
	if (err) {
		miocnak(q, mp, 0, err);
		return;
	}
	e = kzalloc_obj(*e, GFP_ATOMIC);
	if (!e) {
		miocnak(q, mp, 0, ENOMEM);
		return;
	}
	e->muxid = lb->l_index;
	e->persistent = ioc->ioc_cmd == I_PLINK;
	e->qbot = lb->l_qbot;
	e->qtop = lb->l_qtop;
	e->owner = up;
	INIT_LIST_HEAD(&e->rnode);
	INIT_LIST_HEAD(&e->writers);
	spin_lock(&router_lock);
	err = xa_insert(&router_links, e->muxid, e, GFP_ATOMIC);
	if (err) {
		spin_unlock(&router_lock);
		kfree(e);
		miocnak(q, mp, 0, err == -ENOMEM ? ENOMEM : EINVAL);
		return;
	}
	RD(e->qbot)->q_ptr = e;
	WR(e->qbot)->q_ptr = e;
	router_nlinks++;
	answer = router_answer_locked(up, mp);
	spin_unlock(&router_lock);
	if (answer)
		miocack(q, mp, 0, 0);
}

static void router_unlink(queue_t *q, mblk_t *mp, struct linkblk *lb)
{
	struct router_up *up = q->q_ptr;
	struct router_link *e;
	bool answer, free_now = false;

	spin_lock(&router_lock);
	e = xa_load(&router_links, lb->l_index);
	/* Not there: a link that was never made (its I_LINK was held). */
	if (e)
		free_now = router_unlink_locked(e);
	answer = router_answer_locked(up, mp);
	if (answer && e && !free_now) {
		/* An upper stream is sending down l_qbot: it answers. */
		e->ack = mp;
		e->ackq = q;
		answer = false;
	}
	spin_unlock(&router_lock);
	if (free_now)
		kfree(e);
	if (answer)
		miocack(q, mp, 0, 0);
}

/* Ends a use of link e by an upper stream (router_send). */
static void router_link_put(struct router_link *e)
{
	mblk_t *ack = NULL;
	queue_t *ackq = NULL;
	bool free_now;

	spin_lock(&router_lock);
	free_now = !--e->refs && e->dead;
	if (free_now) {
		ack = e->ack;
		ackq = e->ackq;
	}
	spin_unlock(&router_lock);
	if (!free_now)
		return;
	kfree(e);
	if (ack)
		miocack(ackq, ack, 0, 0);
}

/* Ends a use of upper stream up by a lower procedure. */
static void router_up_put(struct router_up *up)
{
	bool idle;

	spin_lock(&router_lock);
	idle = !--up->refs;
	spin_unlock(&router_lock);
	if (idle)
		wake_up_all(&router_idle);
}

static void router_stats(queue_t *q, mblk_t *mp)
{
	struct router_stats st = { 0 };

	spin_lock(&router_lock);
	st.links = router_nlinks;
	st.uppers = router_nuppers;
	spin_unlock(&router_lock);
	st.dropped = atomic64_read(&router_dropped);
	st.up = atomic64_read(&router_up_count);
	st.down = atomic64_read(&router_down_count);
	freemsg(unlinkb(mp));
	mp->b_cont = allocb(sizeof(st), BPRI_MED);
	if (!mp->b_cont) {
		miocnak(q, mp, 0, ENOMEM);
		return;
	}
	memcpy(mp->b_cont->b_wptr, &st, sizeof(st));
	mp->b_cont->b_wptr += sizeof(st);
	miocack(q, mp, sizeof(st), 0);
}

static void router_ioctl(queue_t *q, mblk_t *mp)
{
	struct iocblk *ioc = (struct iocblk *)mp->b_rptr;
	struct router_up *up = q->q_ptr;
	int val, err = EINVAL;

	switch (ioc->ioc_cmd) {
	case I_LINK:
	case I_PLINK:
	case I_UNLINK:
	case I_PUNLINK:
		if (ioc->ioc_count != sizeof(struct linkblk) || !mp->b_cont ||
		    !pullupmsg(mp->b_cont, sizeof(struct linkblk)))
			break;
		if (ioc->ioc_cmd == I_LINK || ioc->ioc_cmd == I_PLINK)
			router_link(q, mp, (struct linkblk *)mp->b_cont->b_rptr);
		else
			router_unlink(q, mp, (struct linkblk *)mp->b_cont->b_rptr);
		return;
	case ROUTER_SETDEST:
		if (router_int_arg(mp, &val))
			break;
		spin_lock(&router_lock);
		if (val > 0 && xa_load(&router_links, val)) {
			up->dest = val;
			err = 0;
		}
		spin_unlock(&router_lock);
		if (err)
			break;
		miocack(q, mp, 0, 0);
		return;
	case ROUTER_HOLD:
	case ROUTER_REFUSE:
		if (router_int_arg(mp, &val) || val < 0 ||
		    (ioc->ioc_cmd == ROUTER_REFUSE && val > 4095))
			break;
		spin_lock(&router_lock);
		if (ioc->ioc_cmd == ROUTER_HOLD)
			up->hold = val;
		else
			up->refuse = val;
		spin_unlock(&router_lock);
		miocack(q, mp, 0, 0);
		return;
	case ROUTER_STATS:
		router_stats(q, mp);
		return;
	default:
		/* Not through I_STR (isatty() and the like): ENOTTY. */
		if (ioc->ioc_count == TRANSPARENT)
			err = ENOTTY;
		break;
	}
	miocnak(q, mp, 0, err);
}

/* The mux id a message written on up goes to; 0 for none. */
static int router_dest(struct router_up *up, mblk_t *mp)
{
	struct router_hdr h;

	if (mp->b_datap->db_type == M_DATA)
		return READ_ONCE(up->dest);
	if (blen(mp) < sizeof(h))
		return 0;
	memcpy(&h, mp->b_rptr, sizeof(h));
	return h.muxid;
}

/* Takes the router's header off a message going down. */
static mblk_t *router_strip(mblk_t *mp)
{
	mblk_t *rest;

	if (mp->b_datap->db_type == M_DATA)
		return mp;
	if (blen(mp) > sizeof(struct router_hdr) || !mp->b_cont) {
		/* More control, or nothing else: the M_PROTO goes on. */
		mp->b_rptr += sizeof(struct router_hdr);
		return mp;
	}
	rest = unlinkb(mp);
	freeb(mp);
	return rest;
}

/*
 * Sends mp, written on upper stream up, down its lower stream. 0 when it
 * was sent or freed; 1 when the lower is full (mp untouched: the caller
 * queues it). wait: called from up's write service, which the lower's
 * write service enables again.
 */
static int router_send(struct router_up *up, mblk_t *mp, bool wait)
{
	int id = router_dest(up, mp);
	struct router_link *e = NULL;
	queue_t *wq = WR(up->rq);

	spin_lock(&router_lock);
	if (id > 0)
		e = xa_load(&router_links, id);
	if (!e) {
		spin_unlock(&router_lock);
		router_drop(mp);
		return 0;
	}
	e->refs++;
	if (e->owner != up) {
		/* What waits on the lower read queue goes to the new owner. */
		if (!list_empty(&e->rnode)) {
			list_del_init(&e->rnode);
			qenable(RD(e->qbot));
		}
		e->owner = up;
	}
	spin_unlock(&router_lock);
	if (mp->b_datap->db_type != M_PCPROTO && !bcanputnext(e->qbot, mp->b_band)) {
		if (wait) {
			spin_lock(&router_lock);
			if (!e->dead && !up->waiting) {
				up->waiting = e;
				list_add_tail(&up->wnode, &e->writers);
			}
			spin_unlock(&router_lock);
			/* The lower may have drained before up was listed. */
			if (bcanputnext(e->qbot, mp->b_band))
				qenable(wq);
		}
		router_link_put(e);
		return 1;
	}
	mp = router_strip(mp);
	if (mp) {
		putnext(e->qbot, mp);
		atomic64_inc(&router_down_count);
	}
	router_link_put(e);
	return 0;
}

static void router_flush(queue_t *q, mblk_t *mp)
{
	if (*mp->b_rptr & FLUSHW)
		flushq(q, FLUSHALL);
	if (*mp->b_rptr & FLUSHR) {
		flushq(RD(q), FLUSHALL);
		*mp->b_rptr &= ~FLUSHW;
		qreply(q, mp);
		return;
	}
	freemsg(mp);
}

/* Upper write put: route, or queue behind what waits. */
static int router_wput(queue_t *q, mblk_t *mp)
{
	switch (mp->b_datap->db_type) {
	case M_PCPROTO:
		router_send(q->q_ptr, mp, false);
		return 0;
	case M_DATA:
	case M_PROTO:
		if (!qsize(q) && !router_send(q->q_ptr, mp, false))
			return 0;
		putq(q, mp);
		return 0;
	case M_FLUSH:
		router_flush(q, mp);
		return 0;
	case M_IOCTL:
		router_ioctl(q, mp);
		return 0;
	default:
		freemsg(mp);
		return 0;
	}
}

/* Upper write service: what a full lower did not take, in order. */
static int router_wsrv(queue_t *q)
{
	mblk_t *mp;

	while ((mp = getq(q))) {
		if (router_send(q->q_ptr, mp, true)) {
			putbq(q, mp);
			return 0;
		}
	}
	return 0;
}

/* Upper read put: nothing is below an upper stream's driver. */
static int router_rput(queue_t *q, mblk_t *mp)
{
	putnext(q, mp);
	return 0;
}

/*
 * Upper read service, back-enabled when its stream head drains: the lowers
 * waiting for it go on.
 */
static int router_rsrv(queue_t *q)
{
	struct router_up *up = q->q_ptr;
	struct router_link *e, *n;

	spin_lock(&router_lock);
	list_for_each_entry_safe(e, n, &up->readers, rnode) {
		list_del_init(&e->rnode);
		qenable(RD(e->qbot));
	}
	spin_unlock(&router_lock);
	return 0;
}

/* Tags a message from lower id with its mux id; NULL when it was freed. */
static mblk_t *router_tag(mblk_t *mp, int id)
{
	struct router_hdr h = { .muxid = id };
	mblk_t *bp;

	if (mp->b_datap->db_type != M_DATA && blen(mp) >= sizeof(h)) {
		if (mp->b_datap->db_ref > 1) {
			bp = copyb(mp);
			if (!bp) {
				router_drop(mp);
				return NULL;
			}
			bp->b_cont = unlinkb(mp);
			freeb(mp);
			mp = bp;
		}
		memcpy(mp->b_rptr, &h, sizeof(h));
		return mp;
	}
	bp = allocb(sizeof(h), BPRI_MED);
	if (!bp) {
		router_drop(mp);
		return NULL;
	}
	bp->b_datap->db_type = M_PROTO;
	memcpy(bp->b_wptr, &h, sizeof(h));
	bp->b_wptr += sizeof(h);
	if (mp->b_datap->db_type != M_DATA) {
		/* A control part too short for the header: it goes. */
		bp->b_cont = unlinkb(mp);
		freeb(mp);
	} else {
		bp->b_cont = mp;
	}
	return bp;
}

/* The owner of lower read queue q, held (router_up_put), and its mux id. */
static struct router_up *router_owner(queue_t *q, int *id)
{
	struct router_link *e;
	struct router_up *up = NULL;

	spin_lock(&router_lock);
	e = q->q_ptr;
	if (e) {
		*id = e->muxid;
		up = e->owner;
		if (up)
			up->refs++;
	}
	spin_unlock(&router_lock);
	return up;
}

/* A lower stream's M_FLUSH, taken as its stream head would take it. */
static void router_lflush(queue_t *q, mblk_t *mp)
{
	if (*mp->b_rptr & FLUSHR)
		flushq(q, FLUSHALL);
	if ((*mp->b_rptr & FLUSHW) && !(mp->b_flag & MSGNOLOOP)) {
		*mp->b_rptr &= ~FLUSHR;
		mp->b_flag |= MSGNOLOOP;
		qreply(q, mp);
		return;
	}
	freemsg(mp);
}

/* Lower read put (q: RD(l_qbot)): up to the owner, tagged. */
static int router_lrput(queue_t *q, mblk_t *mp)
{
	struct router_up *up;
	int id = 0;

	switch (mp->b_datap->db_type) {
	case M_DATA:
	case M_PROTO:
	case M_PCPROTO:
		break;
	case M_FLUSH:
		router_lflush(q, mp);
		return 0;
	default:
		/* M_HANGUP, M_ERROR, and answers to nothing the router asked. */
		router_drop(mp);
		return 0;
	}
	up = router_owner(q, &id);
	if (!up) {
		router_drop(mp);
		return 0;
	}
	mp = router_tag(mp, id);
	if (mp) {
		if (mp->b_datap->db_type == M_PCPROTO ||
		    (!qsize(q) && canputnext(up->rq))) {
			putnext(up->rq, mp);
			atomic64_inc(&router_up_count);
		} else {
			putq(q, mp);
		}
	}
	router_up_put(up);
	return 0;
}

/* Lower read service: what the owner could not take, when it can. */
static int router_lrsrv(queue_t *q)
{
	struct router_up *up;
	mblk_t *mp;
	int id;

	while ((mp = getq(q))) {
		up = router_owner(q, &id);
		if (!up) {
			router_drop(mp);
			continue;
		}
		if (!canputnext(up->rq)) {
			putbq(q, mp);
			spin_lock(&router_lock);
			if (q->q_ptr && ((struct router_link *)q->q_ptr)->owner == up) {
				struct router_link *e = q->q_ptr;

				if (list_empty(&e->rnode))
					list_add_tail(&e->rnode, &up->readers);
			}
			spin_unlock(&router_lock);
			/* The upper may have drained before the lower was listed. */
			if (canputnext(up->rq))
				qenable(q);
			router_up_put(up);
			return 0;
		}
		putnext(up->rq, mp);
		atomic64_inc(&router_up_count);
		router_up_put(up);
	}
	return 0;
}

/*
 * Lower write service, back-enabled when the lower stream drains: the
 * upper streams waiting to send to it go on.
 */
static int router_lwsrv(queue_t *q)
{
	struct router_link *e;
	struct router_up *w, *n;

	spin_lock(&router_lock);
	e = q->q_ptr;
	if (e) {
		list_for_each_entry_safe(w, n, &e->writers, wnode) {
			list_del_init(&w->wnode);
			w->waiting = NULL;
			qenable(WR(w->rq));
		}
	}
	spin_unlock(&router_lock);
	return 0;
}

static struct qinit router_rinit = {
	.qi_putp = router_rput,
	.qi_srvp = router_rsrv,
	.qi_qopen = router_open,
	.qi_qclose = router_close,
	.qi_minfo = &router_minfo,
};

static struct qinit router_winit = {
	.qi_putp = router_wput,
	.qi_srvp = router_wsrv,
	.qi_minfo = &router_minfo,
};

static struct qinit router_lrinit = {
	.qi_putp = router_lrput,
	.qi_srvp = router_lrsrv,
	.qi_minfo = &router_lminfo,
};

static struct qinit router_lwinit = {
	.qi_srvp = router_lwsrv,
	.qi_minfo = &router_lminfo,
};

static struct streamtab router_info = {
	.st_rdinit = &router_rinit,
	.st_wrinit = &router_winit,
	.st_muxrinit = &router_lrinit,
	.st_muxwinit = &router_lwinit,
};

static struct strclone_drvsw router_drvsw = {
	.version = STRCLONE_DDI_VERSION,
	.name = "router",
	.str = &router_info,
	.owner = THIS_MODULE,
	.flags = STRCLONE_D_CLONE,
};

static int __init router_init(void)
{
	int r;

	if (major < 0)
		return -EINVAL;
	router_drvsw.major = major;
	r = strclone_register_driver(&router_drvsw);
	if (r < 0)
		return r;
	registered = r;
	return 0;
}

static void __exit router_exit(void)
{
	/*
	 * Cannot fail here: every open stream and every link holds this
	 * module, so the table is empty.
	 */
	WARN_ON(strclone_unregister_driver(&router_drvsw));
	WARN_ON(!xa_empty(&router_links));
	xa_destroy(&router_links);
	ida_destroy(&router_minors);
}

module_init(router_init);
module_exit(router_exit);
MODULE_IMPORT_NS("STRCLONE");
MODULE_DESCRIPTION("router: a sample STREAMS multiplexing driver in C on strclone");
MODULE_LICENSE("GPL");
