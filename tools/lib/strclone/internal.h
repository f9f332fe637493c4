/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libstrclone internals: shared by the library's objects, never installed.
 *
 * The library is built twice from the same sources: once for libstrclone.so
 * (STRCLONE_SHARED defined: the pty functions hand descriptors that are not
 * strclone masters to the C library's own functions, found with
 * dlsym(RTLD_NEXT, ...)) and once for libstrclone.a (the C library's
 * functions have the same names and cannot be reached from a static
 * program, so the few lines they amount to on Linux are done here: see
 * pty.c, "Native ptys").
 */
#ifndef STRCLONE_LIB_INTERNAL_H
#define STRCLONE_LIB_INTERNAL_H

#define STRCLONE_API __attribute__((visibility("default")))
#define STRCLONE_HIDDEN __attribute__((visibility("hidden")))

/*
 * 1 if fd is a strclone stream (the stream head answered STRCLONE_GETDEV),
 * 0 if it is an open file that is not one, -1 with errno EBADF if fd is not
 * an open descriptor. On 1, *major (if given) gets the STREAMS major.
 */
STRCLONE_HIDDEN int __strclone_probe(int fd, unsigned int *major);

#endif
