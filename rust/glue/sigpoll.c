// SPDX-License-Identifier: GPL-2.0
/*
 * Asynchronous notification of a stream head (I_SETSIG and O_ASYNC):
 *
 * - a reference to the calling process (its thread-group struct pid),
 *   which I_SETSIG keeps per registered process, and the process-directed
 *   SIGPOLL/SIGURG sent to it; a process that has exited is no longer
 *   found (-ESRCH) and the stream head drops its entry;
 * - the fasync list of a stream (fasync_helper/kill_fasync), for
 *   O_ASYNC, F_SETOWN and F_SETSIG as on any Linux file;
 * - whether the caller is a kernel thread (a close there never waits for
 *   the write side to drain).
 */
#include <linux/fs.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "sigpoll.h"

struct pid *strclone_proc_current(void)
{
	return get_pid(task_tgid(current));
}

bool strclone_proc_is_current(const struct pid *pid)
{
	return pid == task_tgid(current);
}

void strclone_proc_put(struct pid *pid)
{
	put_pid(pid);
}

/* False once the process has exited (nobody left to signal). */
bool strclone_proc_kill(struct pid *pid, int sig)
{
	return kill_pid(pid, sig, 1) != -ESRCH;
}

int strclone_fasync_helper(int fd, struct file *filp, int on, struct fasync_struct **fa)
{
	return fasync_helper(fd, filp, on, fa);
}

void strclone_fasync_kill(struct fasync_struct **fa, int code)
{
	kill_fasync(fa, SIGIO, code);
}

bool strclone_fasync_empty(struct fasync_struct **fa)
{
	return !READ_ONCE(*fa);
}

bool strclone_current_is_kthread(void)
{
	return current->flags & PF_KTHREAD;
}
