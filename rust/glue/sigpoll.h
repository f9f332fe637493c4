/* SPDX-License-Identifier: GPL-2.0 */
/* Asynchronous notification (sigpoll.c), called from rust/glue/sigpoll.rs. */
#ifndef STRCLONE_GLUE_SIGPOLL_H
#define STRCLONE_GLUE_SIGPOLL_H

#include <linux/types.h>

struct file;
struct fasync_struct;
struct pid;

struct pid *strclone_proc_current(void);
bool strclone_proc_is_current(const struct pid *pid);
void strclone_proc_put(struct pid *pid);
bool strclone_proc_kill(struct pid *pid, int sig);
int strclone_fasync_helper(int fd, struct file *filp, int on, struct fasync_struct **fa);
void strclone_fasync_kill(struct fasync_struct **fa, int code);
bool strclone_fasync_empty(struct fasync_struct **fa);
bool strclone_current_is_kthread(void);

#endif
