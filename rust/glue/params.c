// SPDX-License-Identifier: GPL-2.0
/*
 * strclone's module parameters.
 *
 * They live in C because the Rust module! macro of 7.3 registers parameters
 * with permission 0, so they would not appear under
 * /sys/module/strclone/parameters/. Rust reads them through glue/params.rs.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

unsigned int strclone_pt_cnt = 4096;
module_param_named(pt_cnt, strclone_pt_cnt, uint, 0444);
MODULE_PARM_DESC(pt_cnt, "Most ptm pairs open at once; ENODEV beyond (1..1048576, default 4096)");

unsigned int strclone_log_cnt = 256;
module_param_named(log_cnt, strclone_log_cnt, uint, 0444);
MODULE_PARM_DESC(log_cnt, "Log minors: strlog streams get 6..log_cnt-1; ENXIO beyond (6..65536, default 256; 6 leaves none)");

unsigned int strclone_nstrpush = 9;
module_param_named(nstrpush, strclone_nstrpush, uint, 0644);
MODULE_PARM_DESC(nstrpush, "Most modules pushed on one stream; I_PUSH beyond gives EINVAL (1..64, default 9 as SVR4)");

int strclone_tty_gid = -1;
module_param_named(tty_gid, strclone_tty_gid, int, 0644);
MODULE_PARM_DESC(tty_gid, "Group GRANTPT gives a pts slave node (the system's tty group, e.g. 5); -1 (default): the caller's real gid");

bool strclone_pts_autopush = true;
module_param_named(pts_autopush, strclone_pts_autopush, bool, 0644);
MODULE_PARM_DESC(pts_autopush, "Autopush ptem, ldterm and ttcompat on every new pts slave stream the sad driver has no configuration for, as Solaris' /etc/iu.ap (default Y; N: bare slaves)");
