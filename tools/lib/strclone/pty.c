// SPDX-License-Identifier: GPL-2.0
/*
 * libstrclone: grantpt(), unlockpt(), ptsname(), ptsname_r() for both kinds
 * of pty master, so a program can call them without caring whether it
 * opened /dev/clone-ptmx (a strclone ptm master) or Linux's /dev/ptmx.
 *
 * A strclone master is recognised by two ioctls: STRCLONE_GETDEV must
 * succeed and report the ptm major (23), and ISPTM must answer 0 (the slave
 * is on the same major but fails ISPTM with ENOTTY). ISPTM alone would not
 * do: its number, 0x5001, is also OSS's SNDCTL_DSP_SYNC. On a strclone
 * master the functions are the ptm ioctls:
 *
 *   grantpt    GRANTPT
 *   unlockpt   UNLKPT
 *   ptsname_r  PTMGETPTN, then "/dev/strpts/<N>"
 *
 * Anything else goes to the C library's behaviour ("Native ptys" below).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <linux/strclone.h>

#include "internal.h"

/*
 * Not <stdlib.h>: it declares ptsname_r()'s buffer nonnull, which would let
 * the compiler drop the NULL check below (the C library crashes there).
 */
STRCLONE_API int grantpt(int fd);
STRCLONE_API int unlockpt(int fd);
STRCLONE_API char *ptsname(int fd);
STRCLONE_API int ptsname_r(int fd, char *buf, size_t buflen);
STRCLONE_API int __ptsname_r_chk(int fd, char *buf, size_t buflen, size_t nreal);

#ifdef STRCLONE_SHARED
#include <dlfcn.h>
#endif

#define STRPTS_PREFIX	"/dev/strpts/"
#define PTS_PREFIX	"/dev/pts/"

/* 1: a strclone ptm master; 0: any other open file; -1: EBADF. */
static int is_strclone_master(int fd)
{
	unsigned int major;
	int r = __strclone_probe(fd, &major);

	if (r <= 0)
		return r;
	return major == STRCLONE_PTM_MAJOR && ioctl(fd, ISPTM, 0) == 0;
}

/* "<prefix><n>" into buf; ERANGE (buf unchanged) if it does not fit. */
static int format_name(char *buf, size_t buflen, const char *prefix, unsigned int n)
{
	char tmp[sizeof(STRPTS_PREFIX) + 16];
	int len = snprintf(tmp, sizeof(tmp), "%s%u", prefix, n);

	if (len < 0 || (size_t)len >= sizeof(tmp))
		return EINVAL;
	if ((size_t)len >= buflen)
		return ERANGE;
	memcpy(buf, tmp, len + 1);
	return 0;
}

/*
 * ---- Native ptys ------------------------------------------------------
 *
 * On Linux the C library's pty functions are a handful of tty ioctls on a
 * /dev/ptmx master (devpts sets the slave's owner and mode itself):
 *
 *   grantpt    checks that fd is a master (TIOCGPTN); ENOTTY becomes EINVAL
 *   unlockpt   TIOCSPTLCK with 0; ENOTTY becomes EINVAL
 *   ptsname_r  TIOCGPTN, then "/dev/pts/<N>"; ERANGE if buf is too short
 *
 * libstrclone.so calls the C library's own functions (dlsym(RTLD_NEXT)) and
 * uses these only if they cannot be found. libstrclone.a always uses these:
 * a static program cannot reach the C library's functions of the same name.
 * They are written from the behaviour documented in grantpt(3), unlockpt(3)
 * and ptsname(3), not taken from the C library.
 */
static int native_grantpt(int fd)
{
	unsigned int n;

	if (ioctl(fd, TIOCGPTN, &n) < 0) {
		if (errno == ENOTTY)
			errno = EINVAL;
		return -1;
	}
	return 0;
}

static int native_unlockpt(int fd)
{
	int unlock = 0;

	if (ioctl(fd, TIOCSPTLCK, &unlock) < 0) {
		if (errno == ENOTTY)
			errno = EINVAL;
		return -1;
	}
	return 0;
}

static int native_ptsname_r(int fd, char *buf, size_t buflen)
{
	unsigned int n;
	int e;

	if (ioctl(fd, TIOCGPTN, &n) < 0)
		return errno;
	e = format_name(buf, buflen, PTS_PREFIX, n);
	if (e)
		errno = e;
	return e;
}

#ifdef STRCLONE_SHARED
/*
 * The C library's function of this name: the next definition after
 * libstrclone in the lookup order. Cached; NULL (use the native_* version
 * above) if there is none or the lookup found this library again.
 */
static void *next_fn(void **cache, const char *name, void *self)
{
	void *f = __atomic_load_n(cache, __ATOMIC_ACQUIRE);

	if (!f) {
		f = dlsym(RTLD_NEXT, name);
		if (!f || f == self)
			f = (void *)-1;
		__atomic_store_n(cache, f, __ATOMIC_RELEASE);
	}
	return f == (void *)-1 ? NULL : f;
}
#endif

STRCLONE_API int grantpt(int fd)
{
	int r = is_strclone_master(fd);

	if (r < 0)
		return -1;
	if (r)
		return ioctl(fd, GRANTPT, 0) < 0 ? -1 : 0;
#ifdef STRCLONE_SHARED
	{
		static void *cache;
		int (*f)(int) = (int (*)(int))next_fn(&cache, "grantpt", (void *)grantpt);

		if (f)
			return f(fd);
	}
#endif
	return native_grantpt(fd);
}

STRCLONE_API int unlockpt(int fd)
{
	int r = is_strclone_master(fd);

	if (r < 0)
		return -1;
	if (r)
		return ioctl(fd, UNLKPT, 0) < 0 ? -1 : 0;
#ifdef STRCLONE_SHARED
	{
		static void *cache;
		int (*f)(int) = (int (*)(int))next_fn(&cache, "unlockpt", (void *)unlockpt);

		if (f)
			return f(fd);
	}
#endif
	return native_unlockpt(fd);
}

/* ptsname_r() proper; the exported names call this, never each other. */
static int do_ptsname_r(int fd, char *buf, size_t buflen)
{
	unsigned int n;
	int r, e;

	if (!buf) {
		errno = EINVAL;
		return EINVAL;
	}
	r = is_strclone_master(fd);
	if (r < 0)
		return errno;
	if (r) {
		/*
		 * The slave's number. A kernel without strclone's slave nodes
		 * answers ENOTTY: that errno is returned as it is.
		 */
		if (ioctl(fd, PTMGETPTN, &n) < 0)
			return errno;
		e = format_name(buf, buflen, STRPTS_PREFIX, n);
		if (e)
			errno = e;
		return e;
	}
#ifdef STRCLONE_SHARED
	{
		static void *cache;
		int (*f)(int, char *, size_t) =
			(int (*)(int, char *, size_t))next_fn(&cache, "ptsname_r", (void *)ptsname_r);

		if (f)
			return f(fd, buf, buflen);
	}
#endif
	return native_ptsname_r(fd, buf, buflen);
}

STRCLONE_API int ptsname_r(int fd, char *buf, size_t buflen)
{
	return do_ptsname_r(fd, buf, buflen);
}

/*
 * With _FORTIFY_SOURCE, glibc's <stdlib.h> turns some ptsname_r() calls
 * into __ptsname_r_chk(fd, buf, buflen, size of buf). Without this one they
 * would bypass the library and fail on a strclone master.
 */
extern void __chk_fail(void) __attribute__((noreturn));

STRCLONE_API int __ptsname_r_chk(int fd, char *buf, size_t buflen, size_t nreal)
{
	if (buflen > nreal)
		__chk_fail();
	return do_ptsname_r(fd, buf, buflen);
}

#ifndef STRCLONE_SHARED
/*
 * Static programs only: the C library's own callers of ptsname_r() (openpty()
 * and __ptsname_r_chk() in libc.a) refer to it as __ptsname_r. Defining it
 * here, in the object that already defines ptsname() and ptsname_r(), keeps
 * the linker from pulling in libc.a's ptsname.o as well, whose ptsname()
 * would clash with this one ("multiple definition").
 */
int __ptsname_r(int fd, char *buf, size_t buflen);
int __ptsname_r(int fd, char *buf, size_t buflen)
{
	return do_ptsname_r(fd, buf, buflen);
}
#endif

STRCLONE_API char *ptsname(int fd)
{
	/* One buffer for the process, as the C library's ptsname() has. */
	static char name[sizeof(STRPTS_PREFIX) + 16];

	return do_ptsname_r(fd, name, sizeof(name)) ? NULL : name;
}
