/* SPDX-License-Identifier: GPL-2.0 */
/* The execution-context tests strclone's Rust code calls (ctx.c). */
#ifndef STRCLONE_GLUE_CTX_H
#define STRCLONE_GLUE_CTX_H

#include <linux/types.h>

bool strclone_in_task(void);
bool strclone_in_nmi(void);

#endif
