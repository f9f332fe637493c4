/* SPDX-License-Identifier: GPL-2.0 */
/* The sloop sample driver's ioctls, shared with its user programs. */
#ifndef _STRCLONE_SAMPLE_SLOOP_H
#define _STRCLONE_SAMPLE_SLOOP_H

#include <linux/types.h>

#define SLOOP_NODES	2	/* /dev/sloop/0 and /dev/sloop/1 */
#define SLOOP_MINORS	1024	/* minors 0..1023; clone opens take 2 and up */

#define SLOOP_GETMINOR	(('L' << 8) | 1)	/* I_STR: __u32 minor back */
#define SLOOP_OPENS	(('L' << 8) | 2)	/* I_STR: __u32 opens of this stream */

#endif
