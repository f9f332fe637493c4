// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle_helper: the programs lifecycle.sh runs (not a test by itself).
 *
 *   lifecycle_helper use
 *	open and use every kind of stream once (ptm pair with data both
 *	ways, echo, a console and a trace reader getting a conslog write and
 *	a ptm open), close everything, check debugfs shows nothing open.
 *   lifecycle_helper rounds N KO [PARAMS]
 *	N rounds of: load KO (finit_module), "use", unload
 *	(delete_module) at once; prints the time per round. Exit 0 if every
 *	round worked, and every unload at its first attempt (see
 *	UNLOAD_RETRIES_ALLOWED).
 *   lifecycle_helper hold KIND
 *	open a stream of KIND (echo, master, slave, strlog, conslog, reader)
 *	and keep it until SIGTERM; prints "ready" once it is open. "slave"
 *	keeps only a slave whose master has closed.
 *   lifecycle_helper expect-rmmod ERRNO
 *	delete_module("strclone", O_NONBLOCK) must fail with ERRNO.
 *   lifecycle_helper count NODE FLAGS ERRNO
 *	open NODE (flags: rw, wo) until an open fails; it must fail with
 *	ERRNO; prints how many opens worked and the minors they got.
 *   lifecycle_helper kmemleak-mark FILE / kmemleak-check FILE
 *	record the kmemleak reports present now / fail if there are new ones.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "strclone_util.h"
#include "rel_util.h"

#define CONSLOG_NODE	"/dev/conslog"
#define STRLOG_NODE	"/dev/strlog"

static int parse_errno(const char *s)
{
	for (size_t i = 0; i < ARRAY_LEN(rel_errnames); i++)
		if (!strcmp(rel_errnames[i].n, s))
			return rel_errnames[i].e;
	if (!strcmp(s, "EWOULDBLOCK"))
		return EWOULDBLOCK;
	return atoi(s);
}

/* Opens @node, retrying while devtmpfs catches up after a module load. */
/*
 * Opens @node, retrying for up to 5 s while it fails with ENOENT or (if
 * @busy) ENODEV/ENXIO: a module that was just loaded may still be
 * publishing its nodes.
 */
static int open_retry(const char *node, int flags, int busy)
{
	long long end = rel_now_ms() + 5000;
	int fd;

	for (;;) {
		fd = open(node, flags);
		if (fd >= 0 || rel_now_ms() > end ||
		    (errno != ENOENT && (!busy || (errno != ENODEV && errno != ENXIO))))
			return fd;
		rel_sleep_ms(5);
	}
}

static int open_node(const char *node, int flags)
{
	return open_retry(node, flags, 1);
}

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("# ");						\
		printf(__VA_ARGS__);					\
		printf(" (%s)\n", strerror(errno));			\
		goto out;						\
	}								\
} while (0)

/* Waits for a log message containing @text on reader @fd. */
static int log_wait(int fd, const char *text)
{
	char ctl[64], data[512];

	while (poll_fd(fd, POLLIN, WAIT_MS) & POLLIN) {
		struct strbuf c = { sizeof(ctl), 0, ctl }, d = { sizeof(data) - 1, 0, data };
		int flags = 0;

		if (strclone_getmsg(fd, &c, &d, &flags) < 0)
			return 0;
		if (d.len > 0) {
			data[d.len] = 0;
			if (strstr(data, text))
				return 1;
		}
	}
	return 0;
}

static int use_all(void)
{
	struct trace_ids ti = { STRCLONE_PTM_MAJOR, -1, 1 };
	struct strclone_devinfo di;
	int fds[7] = { -1, -1, -1, -1, -1, -1, -1 };
	int *m = &fds[0], *s = &fds[1], *e = &fds[2], *r = &fds[3], *t = &fds[4];
	int *w = &fds[5], *m2 = &fds[6];
	char buf[64], what[1024];

	*m = open_node(PTMX_NODE, O_RDWR);
	CHECK(*m >= 0, "open %s", PTMX_NODE);
	*e = open_node(ECHO_NODE, O_RDWR);
	CHECK(*e >= 0, "open %s", ECHO_NODE);
	*r = open_node(STRLOG_NODE, O_RDWR);
	CHECK(*r >= 0, "open %s", STRLOG_NODE);
	*t = open_node(STRLOG_NODE, O_RDWR);
	CHECK(*t >= 0, "open %s (2)", STRLOG_NODE);
	*w = open_node(CONSLOG_NODE, O_WRONLY);
	CHECK(*w >= 0, "open %s", CONSLOG_NODE);
	CHECK(istr(*r, I_CONSLOG, NULL, 0, NULL) == 0, "I_CONSLOG");
	CHECK(istr(*t, I_TRCLOG, &ti, sizeof(ti), NULL) == 0, "I_TRCLOG");

	CHECK(ioctl(*m, UNLKPT, 0) == 0, "UNLKPT");
	*s = ioctl(*m, PTMGETPEER, O_RDWR);
	CHECK(*s >= 0, "PTMGETPEER");
	if (xioctl(*s, I_FIND, "ldterm") == 1) {
		/* pts_autopush on (the default): a terminal. The line arrives
		 * at the slave; the master reads its echo, then the answer. */
		CHECK(write(*m, "ping\n", 5) == 5 && read_exact(*s, buf, 5, WAIT_MS) == 5 &&
		      !memcmp(buf, "ping\n", 5), "ptm master to slave (terminal)");
		CHECK(write(*s, "pong", 4) == 4 && read_exact(*m, buf, 10, WAIT_MS) == 10 &&
		      !memcmp(buf, "ping\r\npong", 10), "ptm slave to master (terminal)");
	} else {
		CHECK(write(*m, "ping", 4) == 4 && read_exact(*s, buf, 4, WAIT_MS) == 4 &&
		      !memcmp(buf, "ping", 4), "ptm master to slave");
		CHECK(write(*s, "pong", 4) == 4 && read_exact(*m, buf, 4, WAIT_MS) == 4 &&
		      !memcmp(buf, "pong", 4), "ptm slave to master");
	}
	CHECK(write(*e, "echo", 4) == 4 && read_exact(*e, buf, 4, WAIT_MS) == 4 &&
	      !memcmp(buf, "echo", 4), "echo");
	CHECK(write(*w, "lifecycle", 9) == 9 && log_wait(*r, "lifecycle"), "conslog to reader");
	*m2 = open_node(PTMX_NODE, O_RDWR);
	CHECK(*m2 >= 0 && getdev(*m2, &di) == 0, "second master");
	snprintf(buf, sizeof(buf), "ptm: minor %u opened", di.minor);
	CHECK(log_wait(*t, buf), "trace message \"%s\"", buf);
	close(*s);
	*s = -1;
	CHECK(poll_fd(*m, POLLIN, WAIT_MS) & POLLHUP, "master hangup after the slave closed");
	for (int i = 0; i < 7; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (wait_idle(5000, what, sizeof(what))) {
		printf("# still open after close:\n%s", what);
		return -1;
	}
	return 0;
out:
	for (int i = 0; i < 7; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return -1;
}

static int do_use(void)
{
	return use_all() ? 1 : 0;
}

/*
 * How often delete_module may fail EAGAIN/EBUSY after "use" closed every
 * strclone descriptor: never.
 *
 * The only references on strclone are those of its open files (the fops
 * owner). close(2) drops a file's last reference in the closing task, and
 * the file is released (__fput, which puts the module reference) as task
 * work before close(2) returns to user space. The kernel releases a file
 * asynchronously only when its last reference is dropped outside a task
 * (a kernel thread or an interrupt: delayed_fput, run by a workqueue), and
 * strclone drops no file reference there; "use" is single-threaded, so no
 * other thread of ours holds one either. So when "use" returns, the module
 * count is 0, and delete_module must work at once: a program may rmmod
 * right after its last close. An EAGAIN (module still in use) or EBUSY
 * (module not live) then is a reference that outlived close(2), or a
 * module that is not live after finit_module returned: a failure.
 *
 * The unload is still retried, every 10 ms for up to UNLOAD_WAIT_MS, but
 * only to tell a late reference (a round that fails, with the time it took)
 * from one that is never dropped.
 */
#define UNLOAD_RETRIES_ALLOWED	0
#define UNLOAD_WAIT_MS		2000

static int do_rounds(int n, const char *ko, const char *params)
{
	long long t0 = rel_now_ms(), worst = 0, t_load = 0, t_use = 0, t_unload = 0;
	long retries = 0;
	int fails = 0, late = 0, done = 0;

	for (int i = 1; i <= n; i++) {
		long long r0 = rel_now_ms(), u0;
		int fd = open(ko, O_RDONLY | O_CLOEXEC), tries = 0;

		if (fd < 0 || syscall(SYS_finit_module, fd, params, 0)) {
			printf("# round %d: load %s: %s\n", i, ko, strerror(errno));
			return 1;
		}
		close(fd);
		t_load += rel_now_ms() - r0;
		t_use -= rel_now_ms();
		if (use_all()) {
			printf("# round %d: using the streams failed\n", i);
			fails++;
		}
		t_use += rel_now_ms();
		t_unload -= rel_now_ms();
		u0 = rel_now_ms();
		while (syscall(SYS_delete_module, "strclone", O_NONBLOCK)) {
			int e = errno;

			if ((e != EAGAIN && e != EBUSY) || rel_now_ms() - u0 > UNLOAD_WAIT_MS) {
				printf("# round %d: unload: %s after %d retries (%lld ms)\n", i,
				       errname(e), tries, rel_now_ms() - u0);
				return 1;
			}
			tries++;
			rel_sleep_ms(10);
		}
		t_unload += rel_now_ms();
		if (tries > UNLOAD_RETRIES_ALLOWED) {
			printf("# round %d: the unload right after the last close failed EAGAIN/EBUSY; it worked after %d retries (%lld ms): a module reference outlived close(2)\n",
			       i, tries, rel_now_ms() - u0);
			late++;
			fails++;
		}
		retries += tries;
		done++;
		if (rel_now_ms() - r0 > worst)
			worst = rel_now_ms() - r0;
		if (fails > 3)
			break;
	}
	printf("# %d rounds of load, use, unload in %lld ms (slowest round %lld ms; load %lld, use %lld, unload %lld ms in all; %d unloads not at the first attempt, %ld retries; allowed: %d)\n",
	       done, rel_now_ms() - t0, worst, t_load, t_use, t_unload, late, retries,
	       UNLOAD_RETRIES_ALLOWED);
	return fails ? 1 : 0;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int do_hold(const char *kind)
{
	int fd = -1, m;

	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	if (!strcmp(kind, "echo")) {
		fd = open_node(ECHO_NODE, O_RDWR);
	} else if (!strcmp(kind, "master")) {
		fd = open_node(PTMX_NODE, O_RDWR);
	} else if (!strcmp(kind, "slave")) {
		m = open_node(PTMX_NODE, O_RDWR);
		if (m >= 0 && !ioctl(m, UNLKPT, 0))
			fd = ioctl(m, PTMGETPEER, O_RDWR);
		close(m);
	} else if (!strcmp(kind, "strlog")) {
		fd = open_node(STRLOG_NODE, O_RDWR);
	} else if (!strcmp(kind, "conslog")) {
		fd = open_node(CONSLOG_NODE, O_WRONLY);
	} else if (!strcmp(kind, "reader")) {
		fd = open_node(STRLOG_NODE, O_RDWR);
		if (fd >= 0 && istr(fd, I_ERRLOG, NULL, 0, NULL)) {
			close(fd);
			fd = -1;
		}
	} else {
		fprintf(stderr, "unknown kind %s\n", kind);
		return 2;
	}
	if (fd < 0) {
		printf("# hold %s: %s\n", kind, strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < 1200 && !stop; i++)
		rel_sleep_ms(100);
	close(fd);
	return 0;
}

static int do_expect_rmmod(const char *err)
{
	int want = parse_errno(err);

	if (syscall(SYS_delete_module, "strclone", O_NONBLOCK) == 0) {
		printf("# delete_module succeeded, expected %s\n", err);
		return 1;
	}
	if (errno != want) {
		printf("# delete_module: %s, expected %s\n", errname(errno), err);
		return 1;
	}
	return 0;
}

static int do_count(const char *node, const char *fl, const char *err)
{
	int flags = !strcmp(fl, "wo") ? O_WRONLY : O_RDWR;
	int want = parse_errno(err), n = 0, fds[1024], rc = 0;
	struct strclone_devinfo di;

	for (;;) {
		/* ENODEV/ENXIO is the answer being counted: no retry. */
		int fd = n < 1024 ? open_retry(node, flags, 0) : -1;

		if (fd < 0) {
			if (n >= 1024) {
				printf("# more than 1024 opens of %s\n", node);
				rc = 1;
			} else if (errno != want) {
				printf("# open #%d of %s: %s, expected %s\n", n + 1, node,
				       errname(errno), err);
				rc = 1;
			}
			break;
		}
		fds[n++] = fd;
		if (getdev(fd, &di) == 0 && n <= 4)
			printf("minor %u\n", di.minor);
	}
	printf("opened %d\n", n);
	while (n)
		close(fds[--n]);
	return rc;
}

static int do_kmemleak(const char *what, const char *file)
{
	static struct kml_set before, now;
	static char text[1 << 16];
	FILE *f;

	if (!kmemleak_available()) {
		printf("# kmemleak not available\n");
		return 4;
	}
	if (!strcmp(what, "kmemleak-mark")) {
		if (kmemleak_collect(&before, NULL, 0) < 0)
			return 1;
		f = fopen(file, "w");
		if (!f)
			return 1;
		for (int i = 0; i < before.n; i++)
			fprintf(f, "%lx\n", before.addr[i]);
		fclose(f);
		return 0;
	}
	f = fopen(file, "r");
	if (!f)
		return 1;
	before.n = 0;
	while (before.n < KML_MAX && fscanf(f, "%lx", &before.addr[before.n]) == 1)
		before.n++;
	fclose(f);
	rel_sleep_ms(5500);	/* kmemleak reports objects older than 5 s */
	if (kmemleak_collect(&now, text, sizeof(text)) < 0)
		return 1;
	{
		int fresh = kmemleak_new(&before, &now, text);

		printf("# kmemleak: %d new suspected leaks\n", fresh);
		return fresh ? 1 : 0;
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "use"))
		return do_use();
	if (argc >= 4 && !strcmp(argv[1], "rounds"))
		return do_rounds(atoi(argv[2]), argv[3], argc >= 5 ? argv[4] : "");
	if (argc >= 3 && !strcmp(argv[1], "hold"))
		return do_hold(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "expect-rmmod"))
		return do_expect_rmmod(argv[2]);
	if (argc >= 5 && !strcmp(argv[1], "count"))
		return do_count(argv[2], argv[3], argv[4]);
	if (argc >= 3 && !strncmp(argv[1], "kmemleak-", 9))
		return do_kmemleak(argv[1], argv[2]);
	fprintf(stderr, "usage: see the comment at the top of lifecycle_helper.c\n");
	return 2;
}
