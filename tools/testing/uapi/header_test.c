// SPDX-License-Identifier: GPL-2.0
/*
 * Compile-only test of include/uapi/linux/strclone.h for user programs
 * (built by `make check` through tools/testing/uapi/Makefile).
 *
 * Built twice: with -DALONE the header is the only include, so it must be
 * self-contained; without it the header comes after a wide set of C library
 * headers and after the SVR4 declarations of getmsg() and putmsg() that a C
 * library's <stropts.h> makes (glibc dropped <stropts.h> in 2.30, so they
 * are written out here). If the header defined its own getmsg or putmsg,
 * the compiler would reject the static definition after the extern
 * declaration. The Makefile then checks with nm that the object has no
 * symbol called getmsg or putmsg and that the header's helpers stay local.
 * (<stddef.h> comes after the header, for offsetof in the layout checks.)
 *
 * With -DBSD_COMP the sgtty flag names come too (after <termios.h> they
 * must not clash with its names; alone they have the SVR4 values).
 *
 * The Makefile also compiles it once with -DAP_VERSION=1, which must fail:
 * the header has only the SVR4 struct strapush (Solaris' AP_VERSION 0).
 */
#ifndef ALONE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <termios.h>
#include <unistd.h>

/* What a C library's <stropts.h> declares (the SVR4 signatures). */
struct strbuf;
extern int getmsg(int fildes, struct strbuf *ctlptr, struct strbuf *dataptr, int *flagsp);
extern int putmsg(int fildes, const struct strbuf *ctlptr, const struct strbuf *dataptr,
		  int flags);
#endif

#include <linux/strclone.h>
#include <stddef.h>	/* offsetof, for the layout checks below */

int strclone_header_test(int fd);

/*
 * The module and autopush structures as a C99 compiler for user programs
 * lays them out (the numbers rust/uapi.rs and rust/glue/uapi_check.c hold
 * the kernel side to); a negative array size fails the build.
 */
#define HT_ASSERT(name, cond) typedef char strclone_ht_##name[(cond) ? 1 : -1]
HT_ASSERT(fmnamesz, FMNAMESZ == 8 && MAXAPUSH == 8);
HT_ASSERT(str_mlist, sizeof(struct str_mlist) == 9);
HT_ASSERT(str_list, sizeof(struct str_list) == 16 &&
	  offsetof(struct str_list, sl_modlist) == 8);
HT_ASSERT(strapush, sizeof(struct strapush) == 92 &&
	  offsetof(struct strapush, sap_npush) == 16 &&
	  offsetof(struct strapush, sap_list) == 20);
HT_ASSERT(transparent, TRANSPARENT == 0xffffffffu);
/* ttcompat's sgtty interface (SVR4 <sys/ttold.h>). */
HT_ASSERT(sgttyb, sizeof(struct sgttyb) == 8 && offsetof(struct sgttyb, sg_flags) == 4 &&
	  sizeof(struct tchars) == 6 && sizeof(struct ltchars) == 6);
HT_ASSERT(sgtty_numbers, TIOCGETP == 0x7408 && TIOCSETP == 0x7409 && TIOCLBIS == 0x747f &&
	  LCRTBS == 1 && LNOFLSH == 0x8000 && O_XTABS == 0xc00);
#ifdef BSD_COMP
/* Built with -DBSD_COMP too: the bare names, without a clash with <termios.h>. */
HT_ASSERT(bsd_comp, CBREAK == O_CBREAK && RAW == O_RAW && CRMOD == O_CRMOD &&
	  TANDEM == O_TANDEM && LCASE == O_LCASE && ECHO == 8);
#ifdef ALONE
HT_ASSERT(bsd_comp_alone, XTABS == O_XTABS && NOFLSH == O_NOFLSH && TOSTOP == O_TOSTOP);
#endif
#endif

/* Uses the header's helpers and structures, so they are type-checked. */
int strclone_header_test(int fd)
{
	char buf[16];
	struct strbuf ctl = { .maxlen = sizeof(buf), .len = 0, .buf = buf };
	struct strbuf data = { .maxlen = sizeof(buf), .len = 0, .buf = buf };
	struct strclone_devinfo dev;
	struct str_mlist names[MAXAPUSH] = { { "nullmod" } };
	struct str_list list = { .sl_nmods = MAXAPUSH, .sl_modlist = names };
	struct strapush sap = {
		.sap_cmd = SAP_RANGE, .sap_major = STRCLONE_ECHO_MAJOR, .sap_minor = 0,
		.sap_lastminor = 7, .sap_npush = 2, .sap_list = { "nullmod", "pipemod" },
	};
	static const unsigned int cmds[] = { SAP_CLEAR, SAP_ONE, SAP_RANGE, SAP_ALL };
	char top[FMNAMESZ + 1];
	int flags = MSG_ANY;

	if (strclone_putmsg(fd, &ctl, &data, RS_HIPRI) < 0)
		return -1;
	if (strclone_getmsg(fd, &ctl, &data, &flags) < 0)
		return -1;
	if (ioctl(fd, I_PUSH, "nullmod") < 0 || ioctl(fd, I_LOOK, top) < 0 ||
	    ioctl(fd, I_FIND, top) < 0 || ioctl(fd, I_LIST, (struct str_list *)0) < 0 ||
	    ioctl(fd, I_LIST, &list) < 0 || ioctl(fd, I_ANCHOR, 0) < 0 ||
	    ioctl(fd, I_POP, 0) < 0)
		return -1;
	if (ioctl(fd, SAD_SAP, &sap) < 0 || ioctl(fd, SAD_GAP, &sap) < 0 ||
	    ioctl(fd, SAD_VML, &list) < 0)
		return -1;
	{
		struct sgttyb sg;
		struct tchars tc;
		struct ltchars ltc;
		int lw = LCRTBS | LCRTERA;

		if (ioctl(fd, TIOCGETP, &sg) < 0 || ioctl(fd, TIOCSETN, &sg) < 0 ||
		    ioctl(fd, TIOCGETC, &tc) < 0 || ioctl(fd, TIOCGLTC, &ltc) < 0 ||
		    ioctl(fd, TIOCLBIS, &lw) < 0)
			return -1;
		if (sg.sg_flags & (O_RAW | O_CBREAK))
			return -1;
	}
	sap.sap_cmd = cmds[fd & 3];
	return ioctl(fd, STRCLONE_GETDEV, &dev) + (MODOPEN | CLONEOPEN) + (int)sap.sap_cmd;
}
