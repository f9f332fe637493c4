/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ioctls of the ddiutil test provider (kmod/ddiutil.c), shared with its
 * kselftest (ddi_util.c). I_STR commands carry a struct du_arg both ways.
 */
#ifndef DDIUTIL_H
#define DDIUTIL_H

struct du_arg {
	long a;
	long b;
};

#define DU_TIMEOUT	(('U' << 8) | 1)	/* qtimeout in a ms */
#define DU_UNTIMEOUT	(('U' << 8) | 2)	/* a: ms left or -1; b: a second cancel */
#define DU_BUFCALL	(('U' << 8) | 3)	/* qbufcall of a bytes */
#define DU_UNBUFCALL	(('U' << 8) | 4)	/* qunbufcall */
#define DU_NBUFCALL	(('U' << 8) | 5)	/* bufcall (no queue) of a bytes */
#define DU_NUNBUFCALL	(('U' << 8) | 6)	/* unbufcall */
#define DU_STRLOG	(('U' << 8) | 7)	/* strlog mid a; b: its return value */
#define DU_STRLOG_IRQ	(('U' << 8) | 8)	/* strlog mid a from a hard interrupt */
#define DU_INSQ		(('U' << 8) | 9)	/* insq/rmvq checks: "1111|PBCD" */
/* Transparent: the int at arg becomes 2 * it + 1, ioctl returns 7. */
#define DU_TRANS	(('U' << 8) | 10)
/* Transparent: refused with EPERM (miocnak). */
#define DU_TRANS_NAK	(('U' << 8) | 11)

#endif
