// SPDX-License-Identifier: GPL-2.0
/*
 * What a bounded busy wait needs that the kernel crate does not offer:
 * need_resched() is an inline over the thread flags, num_online_cpus() a
 * macro over a cpumask weight (spin.rs).
 */
#include <linux/cpumask.h>
#include <linux/sched.h>

#include "spin.h"

bool strclone_need_resched(void)
{
	return need_resched();
}

bool strclone_smp_online(void)
{
	return num_online_cpus() > 1;
}
