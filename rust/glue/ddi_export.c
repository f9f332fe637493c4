// SPDX-License-Identifier: GPL-2.0
/*
 * The DDI's exports (rust/glue/ddi.rs and the files of rust/glue/ddi/
 * define the functions in Rust with the C ABI;
 * include/linux/strclone_ddi.h declares them), in the "STRCLONE" symbol
 * namespace, and the two calls into a module that need the caller's
 * credentials, which only C can name (current_cred() is a macro;
 * rust/glue/ddi/pair.rs calls them).
 */
#include <linux/cred.h>
#include <linux/export.h>
#include <linux/module.h>

#define STRCLONE_NO_SVR4_NAMES
#include "../../include/linux/strclone_ddi.h"

int strclone_call_qopen(struct qinit *qi, queue_t *q, dev_t *devp, int oflag, int sflag);
int strclone_call_qclose(struct qinit *qi, queue_t *q, int oflag);

int strclone_call_qopen(struct qinit *qi, queue_t *q, dev_t *devp, int oflag, int sflag)
{
	if (!qi->qi_qopen)
		return 0;
	return qi->qi_qopen(q, devp, oflag, sflag, (cred_t *)current_cred());
}

int strclone_call_qclose(struct qinit *qi, queue_t *q, int oflag)
{
	if (!qi->qi_qclose)
		return 0;
	return qi->qi_qclose(q, oflag, (cred_t *)current_cred());
}

EXPORT_SYMBOL_NS_GPL(strclone_register_module, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_unregister_module, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_register_driver, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_unregister_driver, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_ddi_version, "STRCLONE");

EXPORT_SYMBOL_NS_GPL(strclone_allocb, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_esballoc, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_freeb, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_freemsg, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_dupb, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_dupmsg, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_copyb, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_copymsg, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_msgdsize, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_pullupmsg, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_adjmsg, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_linkb, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_unlinkb, "STRCLONE");

EXPORT_SYMBOL_NS_GPL(strclone_putnext, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_qreply, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_putq, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_pass_or_putq, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_putbq, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_getq, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_flushq, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_flushband, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_canput, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_bcanput, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_canputnext, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_bcanputnext, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_qenable, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_noenable, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_enableok, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_qsize, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_putctl, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_putctl1, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_putnextctl, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_putnextctl1, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_qprocson, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_qprocsoff, "STRCLONE");

/* The utility routines (rust/glue/ddi_callout.rs, ddi_util.rs, ddi_util.c). */
EXPORT_SYMBOL_NS_GPL(strclone_qtimeout, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_quntimeout, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_qbufcall, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_qunbufcall, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_bufcall, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_unbufcall, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_strlog, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_insq, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_rmvq, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_miocack, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_miocnak, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_mcopyin, "STRCLONE");
EXPORT_SYMBOL_NS_GPL(strclone_mcopyout, "STRCLONE");
