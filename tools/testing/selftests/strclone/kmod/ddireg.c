// SPDX-License-Identifier: GPL-2.0
/*
 * ddireg: a test provider for the DDI's registration rules, used by the
 * ddi_module kselftest (never a sample).
 *
 * At load it tries every wrong registration and records what each returned
 * in the read-only parameter "results" ("case=errno ..."); then it registers
 * a pass-through module named "ddireg". Writing 1 to the parameter
 * "unregister" calls strclone_unregister_module() for it now and records the
 * result in "unregistered" (so the test can see EBUSY while it is pushed and
 * 0 once it is not); writing 2 registers it again.
 *
 * The message routines are checked by writing 1 to "msgcheck": it calls
 * each one on messages it builds and records in "msgchecked" 0, or the
 * number of the first check that failed. The queue routines are checked on
 * a stream: I_STR DDIREG_QCHECK on a stream with ddireg pushed runs checks
 * on its write queue and answers with the number of the first failing
 * check (0: all passed) as the ioctl's return value.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/strclone_ddi.h>

static char results[512];
module_param_string(results, results, sizeof(results), 0444);
MODULE_PARM_DESC(results, "what each wrong registration returned");

static int unregistered = 1;
module_param(unregistered, int, 0444);
MODULE_PARM_DESC(unregistered, "what the last write to unregister did (1: nothing yet)");

static bool registered;

static int msgchecked = -1;
module_param(msgchecked, int, 0444);
MODULE_PARM_DESC(msgchecked, "0, or the first message-routine check that failed (-1: not run)");

#define DDIREG_QCHECK	(('D' << 8) | 1)

#define CHECK(n, cond) do { if (!(cond)) return (n); } while (0)

/* Every queue routine on q (a write queue of a pushed ddireg, no service
 * procedure, nothing queued), in process context. */
static int qcheck(queue_t *q)
{
	mblk_t *a = allocb(10, BPRI_MED), *b = allocb(20, BPRI_MED), *c;

	CHECK(1, a && b);
	CHECK(2, qsize(q) == 0 && canput(q) && bcanput(q, 3) && canputnext(q) && bcanputnext(q, 0));
	CHECK(3, putq(q, a) == 1 && putq(q, b) == 1 && qsize(q) == 2);
	c = getq(q);
	CHECK(4, c == a && c->b_next == NULL && qsize(q) == 1);
	CHECK(5, putbq(q, c) == 1 && qsize(q) == 2 && getq(q) == a);
	CHECK(6, putq(q, a) == 1);
	flushq(q, FLUSHALL);
	CHECK(7, qsize(q) == 0);
	a = allocb(4, BPRI_MED);
	CHECK(8, a != NULL);
	a->b_band = 2;
	CHECK(9, putq(q, a) == 1 && qsize(q) == 1);
	flushband(q, 1, FLUSHALL);
	CHECK(10, qsize(q) == 1);
	flushband(q, 2, FLUSHALL);
	CHECK(11, qsize(q) == 0);
	noenable(q);
	enableok(q);
	qenable(q);	/* no service procedure: nothing to run */
	/* putctl: a data type is refused, a control type goes to q's put. */
	CHECK(12, putctl(q, M_DATA) == 0 && putctl(q, M_PROTO) == 0 && putctl(q, M_PCPROTO) == 0);
	CHECK(13, putnextctl1(q, M_DATA, 1) == 0);
	CHECK(14, putctl(q, M_DELAY) == 1 && putnextctl(q, M_CTL) == 1 && putctl1(q, M_CTL, 7) == 1);
	CHECK(15, putq(NULL, NULL) == 0 && getq(NULL) == NULL && qsize(NULL) == 0);
	/* strclone_pass_or_putq: a NULL argument gives 0 (the message given is
	 * freed); with a message queued on q, it queues behind it. */
	a = allocb(1, BPRI_MED);
	b = allocb(1, BPRI_MED);
	c = allocb(1, BPRI_MED);
	CHECK(16, a && b && c);
	CHECK(17, strclone_pass_or_putq(NULL, NULL, NULL) == 0 && strclone_pass_or_putq(q, NULL, a) == 0);
	CHECK(18, putq(q, b) == 1 && strclone_pass_or_putq(q, q, c) == 1 && qsize(q) == 2);
	CHECK(19, getq(q) == b && getq(q) == c && qsize(q) == 0);
	freemsg(b);
	freemsg(c);
	return 0;
}

static int ddireg_put(queue_t *q, mblk_t *mp)
{
	struct iocblk *ioc = (struct iocblk *)mp->b_rptr;

	if (!(q->q_flag & QREADR) && mp->b_datap->db_type == M_IOCTL &&
	    ioc->ioc_cmd == DDIREG_QCHECK) {
		ioc->ioc_rval = qcheck(q);
		ioc->ioc_count = 0;
		ioc->ioc_error = 0;
		mp->b_datap->db_type = M_IOCACK;
		freemsg(unlinkb(mp));
		qreply(q, mp);
		return 0;
	}
	putnext(q, mp);
	return 0;
}

static int esb_freed;
static unsigned char esb_buf[64];

static void esb_free(void *arg)
{
	*(int *)arg += 1;
}

static frtn_t esb_frtn = { .free_func = esb_free, .free_arg = &esb_freed };

/* The message routines, on messages built here. */
static int msgcheck(void)
{
	mblk_t *a, *b, *c, *d;
	int refs;

	a = allocb(100, BPRI_MED);
	CHECK(1, a && a->b_datap->db_ref == 1 && a->b_rptr == a->b_wptr &&
		 a->b_rptr == a->b_datap->db_base && a->b_datap->db_lim - a->b_datap->db_base >= 100 &&
		 a->b_datap->db_type == M_DATA && !a->b_cont);
	memcpy(a->b_wptr, "abc", 3);
	a->b_wptr += 3;
	b = dupb(a);
	CHECK(2, b && b->b_datap == a->b_datap && a->b_datap->db_ref == 2 && b->b_rptr == a->b_rptr);
	freeb(b);
	CHECK(3, a->b_datap->db_ref == 1);
	b = allocb(10, BPRI_MED);
	CHECK(4, b != NULL);
	memcpy(b->b_wptr, "defg", 4);
	b->b_wptr += 4;
	linkb(a, b);
	CHECK(5, a->b_cont == b && msgdsize(a) == 7);
	c = dupmsg(a);
	CHECK(6, c && c->b_datap == a->b_datap && c->b_cont && c->b_cont->b_datap == b->b_datap &&
		 msgdsize(c) == 7 && b->b_datap->db_ref == 2);
	freemsg(c);
	CHECK(7, a->b_datap->db_ref == 1 && b->b_datap->db_ref == 1);
	c = copymsg(a);
	CHECK(8, c && c->b_datap != a->b_datap && msgdsize(c) == 7 &&
		 !memcmp(c->b_rptr, "abc", 3) && c->b_cont && !memcmp(c->b_cont->b_rptr, "defg", 4));
	freemsg(c);
	/* unlinkb and freeb leave the rest of the chain alone. */
	CHECK(9, unlinkb(a) == b && a->b_cont == NULL);
	a->b_cont = b;
	freeb(a);
	CHECK(10, b->b_datap->db_ref == 1 && !memcmp(b->b_rptr, "defg", 4));
	/* pullupmsg over three blocks, then more than there is. */
	a = allocb(2, BPRI_MED);
	c = allocb(2, BPRI_MED);
	CHECK(11, a && c);
	*a->b_wptr++ = 'x';
	*c->b_wptr++ = 'y';
	linkb(a, b);
	linkb(a, c);
	CHECK(12, msgdsize(a) == 6 && pullupmsg(a, -1) == 1 && a->b_wptr - a->b_rptr == 6 &&
		 !memcmp(a->b_rptr, "xdefgy", 6) && msgdsize(a) == 6);
	CHECK(13, pullupmsg(a, 7) == 0 && msgdsize(a) == 6 && pullupmsg(a, -2) == 0);
	/* adjmsg: from the head, from the tail, too much. */
	CHECK(14, adjmsg(a, 2) == 1 && msgdsize(a) == 4 && !memcmp(a->b_rptr, "efgy", 4));
	CHECK(15, adjmsg(a, -1) == 1 && msgdsize(a) == 3 && adjmsg(a, 4) == 0 && msgdsize(a) == 3);
	/* msgdsize counts M_DATA only. */
	d = allocb(8, BPRI_MED);
	CHECK(16, d != NULL);
	d->b_datap->db_type = M_PROTO;
	d->b_wptr += 8;
	linkb(d, a);
	CHECK(17, msgdsize(d) == 3);
	freemsg(d);
	/* esballoc: the buffer is ours until its routine runs, once, and the
	 * message holds this module meanwhile. */
	refs = module_refcount(THIS_MODULE);
	esb_freed = 0;
	a = esballoc(esb_buf, sizeof(esb_buf), BPRI_MED, &esb_frtn);
	CHECK(18, a && a->b_rptr == esb_buf && a->b_wptr == esb_buf + sizeof(esb_buf) &&
		 module_refcount(THIS_MODULE) == refs + 1);
	b = dupb(a);
	CHECK(19, b != NULL);
	freemsg(a);
	CHECK(20, esb_freed == 0);
	freemsg(b);
	CHECK(21, esb_freed == 1 && module_refcount(THIS_MODULE) == refs);
	/* NULLs are tolerated. */
	freemsg(NULL);
	freeb(NULL);
	CHECK(22, !dupb(NULL) && !dupmsg(NULL) && !copymsg(NULL) && msgdsize(NULL) == 0 &&
		 !unlinkb(NULL) && pullupmsg(NULL, -1) == 0);
	return 0;
}

static int set_msgcheck(const char *val, const struct kernel_param *kp)
{
	msgchecked = msgcheck();
	return 0;
}

static const struct kernel_param_ops msgcheck_ops = { .set = set_msgcheck };
module_param_cb(msgcheck, &msgcheck_ops, NULL, 0200);
MODULE_PARM_DESC(msgcheck, "write 1: check the message routines (result in msgchecked)");

static struct module_info ddireg_minfo = {
	.mi_idname = "ddireg", .mi_maxpsz = INFPSZ, .mi_hiwat = 4096, .mi_lowat = 1024,
};
static struct qinit ddireg_rinit = { .qi_putp = ddireg_put, .qi_minfo = &ddireg_minfo };
static struct qinit ddireg_winit = { .qi_putp = ddireg_put, .qi_minfo = &ddireg_minfo };
static struct qinit no_put = { .qi_minfo = &ddireg_minfo };
static struct qinit no_minfo = { .qi_putp = ddireg_put };
static struct streamtab ddireg_info = { .st_rdinit = &ddireg_rinit, .st_wrinit = &ddireg_winit };
static struct streamtab tab_no_put = { .st_rdinit = &ddireg_rinit, .st_wrinit = &no_put };
static struct streamtab tab_no_minfo = { .st_rdinit = &no_minfo, .st_wrinit = &ddireg_winit };
static struct streamtab tab_no_wr = { .st_rdinit = &ddireg_rinit };

static const struct strclone_modsw good = {
	.version = STRCLONE_DDI_VERSION, .name = "ddireg", .str = &ddireg_info, .owner = THIS_MODULE,
};

static void try(const char *what, unsigned int version, const char *name, struct streamtab *str)
{
	struct strclone_modsw m = {
		.version = version, .name = name, .str = str, .owner = THIS_MODULE,
	};
	int r = strclone_register_module(&m);
	size_t n = strlen(results);

	snprintf(results + n, sizeof(results) - n, "%s%s=%d", n ? " " : "", what, r);
	if (!r)		/* it should not have worked: do not leave it behind */
		strclone_unregister_module(&m);
}

static int set_unregister(const char *val, const struct kernel_param *kp)
{
	int cmd, r;

	r = kstrtoint(val, 0, &cmd);
	if (r)
		return r;
	if (cmd == 1) {
		unregistered = strclone_unregister_module(&good);
		if (!unregistered)
			registered = false;
	} else if (cmd == 2) {
		r = strclone_register_module(&good);
		if (!r)
			registered = true;
		unregistered = r;
	} else {
		return -EINVAL;
	}
	return 0;
}

static const struct kernel_param_ops unregister_ops = { .set = set_unregister };
module_param_cb(unregister, &unregister_ops, NULL, 0200);
MODULE_PARM_DESC(unregister, "1: unregister ddireg now; 2: register it again");

static int __init ddireg_init(void)
{
	int r;

	try("version", STRCLONE_DDI_VERSION + 1, "ddireg", &ddireg_info);
	try("noname", STRCLONE_DDI_VERSION, NULL, &ddireg_info);
	try("empty", STRCLONE_DDI_VERSION, "", &ddireg_info);
	try("long", STRCLONE_DDI_VERSION, "ninechars", &ddireg_info);
	try("nostr", STRCLONE_DDI_VERSION, "ddireg", NULL);
	try("nowr", STRCLONE_DDI_VERSION, "ddireg", &tab_no_wr);
	try("noput", STRCLONE_DDI_VERSION, "ddireg", &tab_no_put);
	try("nominfo", STRCLONE_DDI_VERSION, "ddireg", &tab_no_minfo);
	try("builtin", STRCLONE_DDI_VERSION, "nullmod", &ddireg_info);
	{
		struct strclone_modsw m = good;
		size_t n = strlen(results);

		m.owner = NULL;
		snprintf(results + n, sizeof(results) - n, " noowner=%d", strclone_register_module(&m));
	}
	r = strclone_register_module(&good);
	if (r)
		return r;
	registered = true;
	try("twice", STRCLONE_DDI_VERSION, "ddireg", &ddireg_info);
	{
		struct strclone_modsw none = good;
		size_t n = strlen(results);

		none.name = "nosuch";
		snprintf(results + n, sizeof(results) - n, " unknown=%d",
			 strclone_unregister_module(&none));
		/* Another streamtab under ddireg's name: not its registration. */
		none.name = "ddireg";
		none.str = &tab_no_put;
		n = strlen(results);
		snprintf(results + n, sizeof(results) - n, " otherstr=%d",
			 strclone_unregister_module(&none));
	}
	{
		size_t n = strlen(results);

		snprintf(results + n, sizeof(results) - n, " version_call=%u",
			 strclone_ddi_version());
	}
	return 0;
}

static void __exit ddireg_exit(void)
{
	if (registered)
		WARN_ON(strclone_unregister_module(&good));
}

module_init(ddireg_init);
module_exit(ddireg_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("strclone test: the DDI's registration rules");
MODULE_IMPORT_NS("STRCLONE");
