// SPDX-License-Identifier: GPL-2.0
/*
 * The id mapping of I_RECVFD (passfp.rs): from_kuid_munged() and
 * from_kgid_munged() are inline, so Rust has no binding for them.
 */
#include <linux/cred.h>
#include <linux/uidgid.h>

void strclone_ids_in_current_ns(u32 kuid, u32 kgid, u32 *uid, u32 *gid);

/* The sender's kernel ids as the calling task's user namespace sees them. */
void strclone_ids_in_current_ns(u32 kuid, u32 kgid, u32 *uid, u32 *gid)
{
	struct user_namespace *ns = current_user_ns();

	*uid = from_kuid_munged(ns, KUIDT_INIT(kuid));
	*gid = from_kgid_munged(ns, KGIDT_INIT(kgid));
}
