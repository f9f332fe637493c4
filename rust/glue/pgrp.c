// SPDX-License-Identifier: GPL-2.0
/*
 * A terminal stream's foreground process group: the reference TIOCSPGRP
 * takes and the signal the stream head sends it (M_SIG/M_PCSIG). The
 * session test is Linux's tiocspgrp(): a caller may name only a process
 * group of its own session, so a terminal cannot be used to signal anyone
 * else's processes.
 */
#include <linux/errno.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "pgrp.h"

struct pid *strclone_pgrp_get(int nr, int *err)
{
	struct task_struct *leader;
	struct pid *pgrp;

	if (nr <= 0) {
		*err = -EINVAL;
		return NULL;
	}
	rcu_read_lock();
	pgrp = find_vpid(nr);
	leader = pgrp ? pid_task(pgrp, PIDTYPE_PGID) : NULL;
	if (!leader) {
		rcu_read_unlock();
		*err = -ESRCH;
		return NULL;
	}
	if (task_session(leader) != task_session(current)) {
		rcu_read_unlock();
		*err = -EPERM;
		return NULL;
	}
	get_pid(pgrp);
	rcu_read_unlock();
	*err = 0;
	return pgrp;
}

struct pid *strclone_pgrp_ref(struct pid *pgrp)
{
	return get_pid(pgrp);
}

void strclone_pgrp_put(struct pid *pgrp)
{
	put_pid(pgrp);
}

int strclone_pgrp_nr(struct pid *pgrp)
{
	return pid_vnr(pgrp);
}

void strclone_pgrp_kill(struct pid *pgrp, int sig)
{
	kill_pgrp(pgrp, sig, 1);
}
