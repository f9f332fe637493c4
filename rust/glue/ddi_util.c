// SPDX-License-Identifier: GPL-2.0
/*
 * The DDI's strlog() for C callers: its printf-style format is expanded
 * here (the kernel's Rust has no C varargs) and the text handed to
 * strclone_strlog_text() (rust/glue/ddi_util.rs), which logs it. Also the
 * layout checks of the copy request and response the header declares.
 */
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/stddef.h>

#define STRCLONE_NO_SVR4_NAMES
#include "../../include/linux/strclone_ddi.h"

/* The log driver keeps at most this much of a message's text. */
#define STRLOG_TEXT_MAX	1024
/* Texts up to this size are formatted on the stack. */
#define STRLOG_STACK	192

int strclone_strlog_text(short mid, short sid, char level, unsigned short flags,
			 const char *text, size_t len);

int strclone_strlog(short mid, short sid, char level, unsigned short flags, const char *fmt, ...)
{
	char small[STRLOG_STACK], *buf = small;
	va_list ap;
	int n, r;

	if (!fmt)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	if (n >= sizeof(small)) {
		/* Longer: formatted again into an allocation (any context). */
		n = min(n, STRLOG_TEXT_MAX);
		buf = kmalloc(n + 1, GFP_ATOMIC | __GFP_NOWARN);
		if (!buf)
			return 0;
		va_start(ap, fmt);
		vsnprintf(buf, n + 1, fmt, ap);
		va_end(ap);
	}
	r = strclone_strlog_text(mid, sid, level, flags, buf, n);
	if (buf != small)
		kfree(buf);
	return r;
}

/* rust/streams/msg/ioc.rs's encoding of the copy request and response. */
static_assert(sizeof(struct copyreq) == 44);
static_assert(offsetof(struct copyreq, cq_cmd) == 0);
static_assert(offsetof(struct copyreq, cq_id) == 4);
static_assert(offsetof(struct copyreq, cq_size) == 8);
static_assert(offsetof(struct copyreq, cq_flag) == 12);
static_assert(offsetof(struct copyreq, cq_uid) == 20);
static_assert(offsetof(struct copyreq, cq_admin) == 24);
static_assert(offsetof(struct copyreq, cq_addr) == 28);
static_assert(offsetof(struct copyreq, cq_private) == 36);
static_assert(sizeof(struct copyresp) == 44);
static_assert(offsetof(struct copyresp, cp_cmd) == 0);
static_assert(offsetof(struct copyresp, cp_id) == 4);
static_assert(offsetof(struct copyresp, cp_rval) == 12);
static_assert(offsetof(struct copyresp, cp_uid) == 20);
static_assert(offsetof(struct copyresp, cp_admin) == 24);
static_assert(offsetof(struct copyresp, cp_private) == 36);
