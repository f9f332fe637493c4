/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <stropts.h> for SVR4 STREAMS sources on strclone (libstrclone).
 *
 * Older glibc shipped a <stropts.h>; current glibc has none, and this one
 * takes its place for programs built against strclone. The structures (struct
 * strbuf, strioctl, str_list, str_mlist), the I_* ioctls and the message
 * flags (RS_HIPRI, MSG_HIPRI, MSG_ANY, MSG_BAND, MORECTL, MOREDATA, FLUSHR,
 * ...) all come from strclone's uapi header, <linux/strclone.h>: only what
 * strclone implements is defined, so a program that uses a STREAMS feature
 * strclone lacks fails to compile instead of failing at run time.
 *
 * The functions are libstrclone's (link with `pkg-config --libs strclone`);
 * Documentation/strclone/library.rst describes them and their errnos.
 * ioctl() is declared by <sys/ioctl.h> (included through the uapi header)
 * with the C library's own prototype. fattach() and fdetach() are not
 * provided (Documentation/strclone/pipes.rst says why).
 */
#ifndef _STROPTS_H
#define _STROPTS_H 1

#include <linux/strclone.h>

#ifdef __cplusplus
extern "C" {
#endif

int isastream(int __fildes);
int getmsg(int __fildes, struct strbuf *__ctlptr, struct strbuf *__dataptr, int *__flagsp);
int getpmsg(int __fildes, struct strbuf *__ctlptr, struct strbuf *__dataptr, int *__bandp,
	    int *__flagsp);
int putmsg(int __fildes, const struct strbuf *__ctlptr, const struct strbuf *__dataptr,
	   int __flags);
int putpmsg(int __fildes, const struct strbuf *__ctlptr, const struct strbuf *__dataptr,
	    int __band, int __flags);
/* A STREAMS pipe: two connected streams (fd[0], fd[1]); 0, or -1 and errno. */
int s_pipe(int __fd[2]);

#ifdef __cplusplus
}
#endif

#endif /* _STROPTS_H */
