// SPDX-License-Identifier: GPL-2.0
/*
 * The execution-context tests of <linux/preempt.h> are macros over
 * preempt_count(), which bindgen cannot turn into functions; strlog() needs
 * two of them to decide whether it may take its locks or must defer.
 */
#include <linux/preempt.h>

#include "ctx.h"

bool strclone_in_task(void)
{
	return in_task();
}

bool strclone_in_nmi(void)
{
	return in_nmi();
}
