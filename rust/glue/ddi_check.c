// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel DDI header (include/linux/strclone_ddi.h) checked against the
 * Rust mirrors in rust/glue/mblk.rs: both sides assert the same x86_64
 * numbers, so neither can change alone without a build failure.
 */
#include <linux/build_bug.h>
#include <linux/stddef.h>

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
