// SPDX-License-Identifier: GPL-2.0
/*
 * ddidrv: a test provider for the driver registration rules of the DDI,
 * used by the ddi_driver kselftest (never a sample).
 *
 * At load it tries every wrong strclone_register_driver() and records what
 * each returned in the read-only parameter "drvresults" ("case=errno ...");
 * then it registers a clonable driver "ddidrv" (major 0: any free one, in
 * "drvmajor"), whose streams take every message written and free it (the
 * write put procedure queues M_DATA and M_PROTO, the write service
 * procedure frees them and records the thread it ran in, in "wsrvpid"), and
 * whose close still sends messages up the closing stream.
 * Writing 1 to "drvunreg" calls strclone_unregister_driver() now and
 * records the result in "drvunregistered" (EBUSY while a stream of it is
 * open); writing 2 registers it again.
 *
 * "ddimp" is the same driver registered STRCLONE_D_MP. The open of either
 * sleeps "opensleep" ms (0 by default) and counts the opens of its driver
 * that run at once: the most in "drvopenmax" and "mpopenmax".
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/strclone_ddi.h>

static struct module_info ddidrv_minfo = {
	.mi_idname = "ddidrv", .mi_maxpsz = INFPSZ, .mi_hiwat = 4096, .mi_lowat = 1024,
};

static int ddidrv_rput(queue_t *q, mblk_t *mp)
{
	putnext(q, mp);
	return 0;
}

static struct qinit no_put = { .qi_minfo = &ddidrv_minfo };
static struct qinit ddidrv_rd_noopen = { .qi_putp = ddidrv_rput, .qi_minfo = &ddidrv_minfo };
static struct streamtab tab_no_put = { .st_rdinit = &ddidrv_rd_noopen, .st_wrinit = &no_put };
static struct streamtab other_tab = { .st_rdinit = &ddidrv_rd_noopen, .st_wrinit = &ddidrv_rd_noopen };

static char drvresults[512];
module_param_string(drvresults, drvresults, sizeof(drvresults), 0444);
MODULE_PARM_DESC(drvresults, "what each wrong driver registration returned");
static int drvmajor;
module_param(drvmajor, int, 0444);
MODULE_PARM_DESC(drvmajor, "the major ddidrv got");
static int drvunregistered = 1;
module_param(drvunregistered, int, 0444);
MODULE_PARM_DESC(drvunregistered, "what the last write to drvunreg did (1: nothing yet)");
static bool drv_registered;
static atomic_t drv_next = ATOMIC_INIT(0);

static int mpmajor;
module_param(mpmajor, int, 0444);
MODULE_PARM_DESC(mpmajor, "the major ddimp got");
static unsigned int opensleep;
module_param(opensleep, uint, 0644);
MODULE_PARM_DESC(opensleep, "ms each open sleeps");
static int drvopenmax, mpopenmax;
module_param(drvopenmax, int, 0644);
MODULE_PARM_DESC(drvopenmax, "most opens of ddidrv seen running at once");
module_param(mpopenmax, int, 0644);
MODULE_PARM_DESC(mpopenmax, "most opens of ddimp seen running at once");
static atomic_t drv_opening = ATOMIC_INIT(0), mp_opening = ATOMIC_INIT(0);

/* Counts this open among those of its driver running now. */
static void count_open(atomic_t *now, int *max)
{
	int n = atomic_inc_return(now);
	int m = READ_ONCE(*max);

	while (n > m) {
		int old = cmpxchg(max, m, n);

		if (old == m)
			break;
		m = old;
	}
	if (opensleep)
		msleep(opensleep);
	atomic_dec(now);
}

/* A clone open takes the next minor; the stream passes nothing back. */
static int ddidrv_open(queue_t *q, dev_t *devp, int oflag, int sflag, cred_t *crp)
{
	bool mp = mpmajor && getmajor(*devp) == mpmajor;

	if (sflag != CLONEOPEN)
		return ENXIO;
	count_open(mp ? &mp_opening : &drv_opening, mp ? &mpopenmax : &drvopenmax);
	*devp = makedevice(getmajor(*devp), atomic_inc_return(&drv_next));
	return 0;
}

/*
 * A driver that still sends up its closing stream (bad input the stream
 * must absorb): a data message by putnext(), a high-priority one by
 * qreply(), then an M_HANGUP; the head is closing, so each is freed with
 * the stream (kmemleak checks that nothing stays).
 */
static int ddidrv_close(queue_t *q, int oflag, cred_t *crp)
{
	mblk_t *mp = allocb(8, BPRI_MED);

	if (mp) {
		*mp->b_wptr++ = 'x';
		putnext(q, mp);
	}
	mp = allocb(8, BPRI_MED);
	if (mp) {
		mp->b_datap->db_type = M_PCPROTO;
		*mp->b_wptr++ = 'y';
		qreply(WR(q), mp);
	}
	putnextctl(q, M_HANGUP);
	freemsg(NULL);
	return 0;
}

static int wsrvpid;
module_param(wsrvpid, int, 0444);
MODULE_PARM_DESC(wsrvpid, "the thread the write service procedure ran in last");

static int ddidrv_wput(queue_t *q, mblk_t *mp)
{
	switch (mp->b_datap->db_type) {
	case M_DATA:
	case M_PROTO:
		putq(q, mp);
		return 0;
	default:
		freemsg(mp);
		return 0;
	}
}

static int ddidrv_wsrv(queue_t *q)
{
	mblk_t *mp;

	while ((mp = getq(q)))
		freemsg(mp);
	WRITE_ONCE(wsrvpid, task_pid_nr(current));
	return 0;
}

static struct qinit ddidrv_rinit = {
	.qi_putp = ddidrv_rput, .qi_qopen = ddidrv_open, .qi_qclose = ddidrv_close,
	.qi_minfo = &ddidrv_minfo,
};
static struct qinit ddidrv_winit = {
	.qi_putp = ddidrv_wput, .qi_srvp = ddidrv_wsrv, .qi_minfo = &ddidrv_minfo,
};
static struct streamtab ddidrv_info = { .st_rdinit = &ddidrv_rinit, .st_wrinit = &ddidrv_winit };
/* A registration is known by its streamtab: ddimp's is a copy. */
static struct streamtab ddimp_info = { .st_rdinit = &ddidrv_rinit, .st_wrinit = &ddidrv_winit };

static const struct strclone_drvsw gooddrv = {
	.version = STRCLONE_DDI_VERSION, .name = "ddidrv", .str = &ddidrv_info,
	.owner = THIS_MODULE, .flags = STRCLONE_D_CLONE,
};
static const struct strclone_drvsw mpdrv = {
	.version = STRCLONE_DDI_VERSION, .name = "ddimp", .str = &ddimp_info,
	.owner = THIS_MODULE, .flags = STRCLONE_D_CLONE | STRCLONE_D_MP,
};

static void trydrv(const char *what, struct strclone_drvsw d)
{
	int r = strclone_register_driver(&d);
	size_t n = strlen(drvresults);

	snprintf(drvresults + n, sizeof(drvresults) - n, "%s%s=%d", n ? " " : "", what,
		 r > 0 ? 0 : r);
	if (r > 0)	/* it should not have worked: do not leave it behind */
		strclone_unregister_driver(&d);
}

static int set_drvunreg(const char *val, const struct kernel_param *kp)
{
	int cmd, r;

	r = kstrtoint(val, 0, &cmd);
	if (r)
		return r;
	if (cmd == 1) {
		drvunregistered = strclone_unregister_driver(&gooddrv);
		if (!drvunregistered)
			drv_registered = false;
	} else if (cmd == 2) {
		r = strclone_register_driver(&gooddrv);
		if (r > 0) {
			drv_registered = true;
			drvmajor = r;
		}
		drvunregistered = r > 0 ? 0 : r;
	} else {
		return -EINVAL;
	}
	return 0;
}

static const struct kernel_param_ops drvunreg_ops = { .set = set_drvunreg };
module_param_cb(drvunreg, &drvunreg_ops, NULL, 0200);
MODULE_PARM_DESC(drvunreg, "1: unregister ddidrv now; 2: register it again");

static void drv_rules(void)
{
	struct strclone_drvsw d;
	int r;

#define DRV(what, field, value) do { d = gooddrv; d.field = value; trydrv(what, d); } while (0)
	DRV("version", version, STRCLONE_DDI_VERSION + 1);
	DRV("noname", name, NULL);
	DRV("long", name, "ninechars");
	DRV("slash", name, "a/b");
	DRV("dotdot", name, "..");
	DRV("nostr", str, NULL);
	DRV("noput", str, &tab_no_put);
	DRV("noowner", owner, NULL);
	DRV("major256", major, 256);
	DRV("flags", flags, 0x2);
	DRV("nodes", nodes, STRCLONE_MAX_NODES + 1);
	DRV("takenmajor", major, 72);	/* echo's */
	DRV("takenname", name, "echo");
#undef DRV
	r = strclone_register_driver(&gooddrv);
	if (r <= 0) {
		snprintf(drvresults + strlen(drvresults), 64, " good=%d", r);
		return;
	}
	drv_registered = true;
	drvmajor = r;
	trydrv("twice", gooddrv);
	d = gooddrv;
	d.name = "nosuch";
	snprintf(drvresults + strlen(drvresults), 64, " unknown=%d", strclone_unregister_driver(&d));
	d = gooddrv;
	d.str = &other_tab;
	snprintf(drvresults + strlen(drvresults), 64, " otherstr=%d",
		 strclone_unregister_driver(&d));
}


static int __init ddidrv_init(void)
{
	int r;

	drv_rules();
	if (!drv_registered)
		return -EIO;
	r = strclone_register_driver(&mpdrv);
	if (r <= 0) {
		WARN_ON(strclone_unregister_driver(&gooddrv));
		return r ? r : -EIO;
	}
	mpmajor = r;
	return 0;
}

static void __exit ddidrv_exit(void)
{
	WARN_ON(strclone_unregister_driver(&mpdrv));
	if (drv_registered)
		WARN_ON(strclone_unregister_driver(&gooddrv));
}

module_init(ddidrv_init);
module_exit(ddidrv_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("strclone test: the DDI's driver registration rules");
MODULE_IMPORT_NS("STRCLONE");
