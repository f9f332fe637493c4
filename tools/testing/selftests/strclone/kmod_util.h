/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading and unloading the test kernel modules of samples/kmod and kmod/
 * (the VM has them in /opt/strclone/kmod), and their parameters.
 */
#ifndef STRCLONE_KMOD_UTIL_H
#define STRCLONE_KMOD_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "strclone_util.h"

#define KMOD_DIR	"/opt/strclone/kmod/"

/* Loads the module at @path with the parameters @args; 0 or -errno. */
static inline int load_kmod_args(const char *path, const char *args)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, args, 0);
	r = r < 0 ? -errno : 0;
	close(fd);
	return r;
}

static inline int load_kmod(const char *path)
{
	return load_kmod_args(path, "");
}

static inline int unload_kmod(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) < 0 ? -errno : 0;
}

/*
 * Unload that may have to wait a moment: a popped instance is freed once
 * strclone's workqueue has run its last queued service work item, and
 * until then it holds the provider (driver-api.rst, "Lifetimes"). Retries
 * EWOULDBLOCK for up to 2 s.
 */
static inline int unload_kmod_settled(const char *name)
{
	long long end = now_ms() + 2000;
	int r;

	while ((r = unload_kmod(name)) == -EWOULDBLOCK && now_ms() < end)
		usleep(10000);
	return r;
}

/* Reads a parameter file into buf (trailing newline cut); 0 or -errno. */
static inline int read_param(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return 0;
}

static inline int write_param(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

#endif
