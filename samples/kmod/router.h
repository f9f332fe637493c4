/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The router sample multiplexor's message header and ioctls, shared with
 * its user programs (samples/kmod/router.c).
 */
#ifndef _STRCLONE_SAMPLE_ROUTER_H
#define _STRCLONE_SAMPLE_ROUTER_H

#include <linux/types.h>

/*
 * The control part of an M_PROTO written on an upper stream starts with
 * it: the mux id of the lower stream the message goes to (the router
 * takes the header off before sending it down). Every message coming up
 * from a lower stream reaches the upper as an M_PROTO whose control part
 * starts with the mux id of the lower it came from.
 */
struct router_hdr {
	int muxid;
};

/* I_STR commands on an upper stream. */
#define ROUTER_SETDEST	(('R' << 8) | 1)	/* int: mux id of M_DATA's lower (EINVAL: no such link) */
#define ROUTER_HOLD	(('R' << 8) | 2)	/* int n: leave the next n link/unlink answers unsent */
#define ROUTER_REFUSE	(('R' << 8) | 3)	/* int errno: refuse the next I_LINK/I_PLINK with it */
#define ROUTER_STATS	(('R' << 8) | 4)	/* struct router_stats back */

struct router_stats {
	__u32 links;	/* links the router has */
	__u32 uppers;	/* upper streams open */
	__u64 dropped;	/* messages freed: no such link, no owner, M_ERROR/M_HANGUP from below */
	__u64 up;	/* messages sent up to an upper stream */
	__u64 down;	/* messages sent down a lower stream */
};

#endif
