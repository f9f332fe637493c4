// SPDX-License-Identifier: GPL-2.0
/*
 * A terminal stream's foreground process group: the reference TIOCSPGRP
 * takes and the signal the stream head sends it (M_SIG/M_PCSIG). The
 * session test is Linux's tiocspgrp(): a caller may name only a process
 * group of its own session, so a terminal cannot be used to signal anyone
 * else's processes.
 *
 * A hangup signals as Linux's tty hangup does (SIGHUP, then SIGCONT), the
 * foreground group and the leader of its session; the session is found
 * through the group, since no task has a stream as controlling terminal.
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

/* The session of the group's processes, in the caller's pid namespace; 0 if
 * the group has no process left (or its session has no number there). */
int strclone_pgrp_sid(struct pid *pgrp)
{
	struct task_struct *t;
	int nr = 0;

	rcu_read_lock();
	t = pid_task(pgrp, PIDTYPE_PGID);
	if (t)
		nr = pid_vnr(task_session(t));
	rcu_read_unlock();
	return nr;
}

/*
 * SIGHUP and SIGCONT to every process of the group and to the leader of its
 * session (once: not again if the leader is in the group). The session is
 * held by reference, so kill_pid() reaches the task whose pid is the
 * session id (its leader) or, once that task is gone, nobody.
 */
void strclone_pgrp_hangup(struct pid *pgrp)
{
	struct task_struct *t, *leader;
	struct pid *sid = NULL;

	rcu_read_lock();
	t = pid_task(pgrp, PIDTYPE_PGID);
	if (t) {
		sid = task_session(t);
		leader = pid_task(sid, PIDTYPE_PID);
		if (leader && task_pgrp(leader) != pgrp)
			get_pid(sid);
		else
			sid = NULL;
	}
	rcu_read_unlock();
	kill_pgrp(pgrp, SIGHUP, 1);
	kill_pgrp(pgrp, SIGCONT, 1);
	if (sid) {
		kill_pid(sid, SIGHUP, 1);
		kill_pid(sid, SIGCONT, 1);
		put_pid(sid);
	}
}
