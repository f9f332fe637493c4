/* SPDX-License-Identifier: GPL-2.0 */
/* Process groups for a terminal stream's foreground group (pgrp.c). */
#ifndef STRCLONE_GLUE_PGRP_H
#define STRCLONE_GLUE_PGRP_H

struct pid;

struct pid *strclone_pgrp_get(int nr, int *err);
struct pid *strclone_pgrp_ref(struct pid *pgrp);
void strclone_pgrp_put(struct pid *pgrp);
int strclone_pgrp_nr(struct pid *pgrp);
void strclone_pgrp_kill(struct pid *pgrp, int sig);
int strclone_pgrp_sid(struct pid *pgrp);
void strclone_pgrp_hangup(struct pid *pgrp);

#endif
