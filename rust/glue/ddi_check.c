// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel DDI header (include/linux/strclone_ddi.h) checked against the
 * Rust mirrors in rust/glue/mblk.rs and rust/glue/ddi.rs: both sides assert the same x86_64
 * numbers, so neither can change alone without a build failure.
 */
#include <linux/build_bug.h>
#include <linux/stddef.h>

#define STRCLONE_NO_SVR4_NAMES
#include "../../include/linux/strclone_ddi.h"

static_assert(sizeof(mblk_t) == 56);
static_assert(offsetof(mblk_t, b_next) == 0);
static_assert(offsetof(mblk_t, b_prev) == 8);
static_assert(offsetof(mblk_t, b_cont) == 16);
static_assert(offsetof(mblk_t, b_rptr) == 24);
static_assert(offsetof(mblk_t, b_wptr) == 32);
static_assert(offsetof(mblk_t, b_datap) == 40);
static_assert(offsetof(mblk_t, b_band) == 48);
static_assert(offsetof(mblk_t, __b_home) == 49);
static_assert(offsetof(mblk_t, b_flag) == 50);

static_assert(sizeof(dblk_t) == 40);
static_assert(offsetof(dblk_t, db_frtnp) == 0);
static_assert(offsetof(dblk_t, db_base) == 8);
static_assert(offsetof(dblk_t, db_lim) == 16);
static_assert(offsetof(dblk_t, db_ref) == 24);
static_assert(offsetof(dblk_t, db_type) == 28);
static_assert(offsetof(dblk_t, __db_class) == 29);
static_assert(offsetof(dblk_t, db_flags) == 30);
static_assert(offsetof(dblk_t, __db_objref) == 32);

static_assert(sizeof(frtn_t) == 16);
static_assert(offsetof(frtn_t, free_func) == 0);
static_assert(offsetof(frtn_t, free_arg) == 8);

static_assert(sizeof(queue_t) == 40);
static_assert(offsetof(queue_t, q_qinfo) == 0);
static_assert(offsetof(queue_t, q_ptr) == 8);
static_assert(offsetof(queue_t, q_flag) == 16);
static_assert(offsetof(queue_t, __q_side) == 20);
static_assert(offsetof(queue_t, __q_pair) == 24);
static_assert(sizeof(struct qinit) == 56);
static_assert(offsetof(struct qinit, qi_minfo) == 40);
static_assert(sizeof(struct module_info) == 48);
static_assert(offsetof(struct module_info, mi_idname) == 8);
static_assert(offsetof(struct module_info, mi_hiwat) == 32);
static_assert(sizeof(struct streamtab) == 32);
static_assert(sizeof(struct strclone_modsw) == 32);
static_assert(offsetof(struct strclone_modsw, owner) == 24);
static_assert(sizeof(struct iocblk) == 28);	/* IocBlk::SIZE, rust/streams/msg/ioc.rs */
static_assert(offsetof(struct iocblk, ioc_count) == 8);
static_assert(offsetof(struct iocblk, ioc_rval) == 16);
static_assert(offsetof(struct iocblk, ioc_admin) == 24);
static_assert(sizeof(struct strclone_drvsw) == 48);
static_assert(offsetof(struct strclone_drvsw, name) == 8);
static_assert(offsetof(struct strclone_drvsw, owner) == 24);
static_assert(offsetof(struct strclone_drvsw, major) == 32);
static_assert(offsetof(struct strclone_drvsw, flags) == 36);
static_assert(offsetof(struct strclone_drvsw, nodes) == 40);
/* The registration flags, as D_CLONE and D_MP in rust/glue/ddi.rs. */
static_assert(STRCLONE_D_CLONE == 0x1 && STRCLONE_D_MP == 0x20);
