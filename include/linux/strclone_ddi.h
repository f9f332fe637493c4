/* SPDX-License-Identifier: GPL-2.0 */
/*
 * strclone: the SVR4 STREAMS DDI/DKI for kernel code — message blocks.
 *
 * A message is a chain of message blocks (mblk_t) linked by b_cont; each
 * block describes a window [b_rptr, b_wptr) of a data block (dblk_t), whose
 * buffer is [db_base, db_lim). Data blocks are reference counted: dupb()
 * makes a second block over the same data block (db_ref counts the blocks
 * that point to it), so a block whose db_ref is above 1 shares its bytes and
 * must not be written. db_type is the message type (M_DATA ...: the values
 * of <uapi/linux/strclone.h>); it belongs to the data block, so it is the
 * same for every block that shares it.
 *
 * The layouts are x86_64's SVR4 field order, fixed by static_asserts in
 * strclone (rust/glue/ddi_check.c against rust/glue/mblk.rs). Fields named
 * with two leading underscores belong to strclone: a driver never touches
 * them. Queues link messages through b_next and b_prev.
 *
 * Lifetimes: a block allocated by allocb() is one allocation with its data
 * block and, up to 4096 bytes, its data; a block made by dupb() is a
 * separate header. Freeing the last block of a data block frees the data
 * (esballoc(): calls the frtn_t's free_func, in whatever context the last
 * freeb() runs).
 */
#ifndef _LINUX_STRCLONE_DDI_H
#define _LINUX_STRCLONE_DDI_H

#include <linux/types.h>

/* esballoc(): how to free an externally owned buffer. */
typedef struct free_rtn {
	void (*free_func)(void *arg);
	void *free_arg;
} frtn_t;

typedef struct datab {
	frtn_t *db_frtnp;	/* esballoc's free routine, or NULL */
	unsigned char *db_base;	/* first byte of the buffer */
	unsigned char *db_lim;	/* one past the last byte */
	unsigned int db_ref;	/* blocks pointing here (read only) */
	unsigned char db_type;	/* message type (M_DATA ...) */
	unsigned char __db_class;
	unsigned short db_flags;
	unsigned int __db_objref;
	unsigned int __db_pad;
} dblk_t;

typedef struct msgb {
	struct msgb *b_next;	/* next message on a queue */
	struct msgb *b_prev;	/* previous message on a queue */
	struct msgb *b_cont;	/* next block of this message */
	unsigned char *b_rptr;	/* first unread byte */
	unsigned char *b_wptr;	/* one past the last written byte */
	struct datab *b_datap;	/* the data block */
	unsigned char b_band;	/* priority band (0: normal) */
	unsigned char __b_home;
	unsigned short b_flag;	/* MSGMARK ... */
	unsigned int __b_pad;
} mblk_t;

/* b_flag bits. */
#define MSGNOLOOP	0x02	/* an M_FLUSH the stream head turned around once */

#endif /* _LINUX_STRCLONE_DDI_H */
