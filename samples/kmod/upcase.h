/* SPDX-License-Identifier: GPL-2.0 */
/* The upcase sample module's ioctl, shared with its user programs. */
#ifndef _STRCLONE_SAMPLE_UPCASE_H
#define _STRCLONE_SAMPLE_UPCASE_H

#include <linux/types.h>

#define UPCASE_COUNT	(('U' << 8) | 1)	/* I_STR: struct upcase_count back */

struct upcase_count {
	__u32 msgs;	/* data messages converted */
	__u32 bytes;	/* their bytes */
};

#endif
