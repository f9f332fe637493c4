/* SPDX-License-Identifier: GPL-2.0 */
/* The scheduler tests a bounded busy wait calls (spin.c). */
#ifndef STRCLONE_GLUE_SPIN_H
#define STRCLONE_GLUE_SPIN_H

#include <linux/types.h>

bool strclone_need_resched(void);
bool strclone_smp_online(void);

#endif
