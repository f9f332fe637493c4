// SPDX-License-Identifier: GPL-2.0
/*
 * STREAMS pipes (Documentation/strclone/pipes.rst): s_pipe() from
 * libstrclone.a, data and messages both ways, STRCLONE_PIPEPEER's errnos,
 * flow control with nothing lost, pushed modules, pipemod's flush reversal,
 * the widowed pipe (EOF, EPIPE with SIGPIPE under SNDPIPE), I_SENDFD and
 * I_RECVFD with every errno of streamio(7I), a file sent but never received
 * closed, the reference cycles I_SENDFD refuses (ETOOMANYREFS) and the
 * pipe ends that go away when closed (the debugfs open count), and
 * S_RDBAND/S_WRBAND from I_SETSIG across a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"
#include "stropts.h"

#ifndef SIGPOLL
#define SIGPOLL SIGIO
#endif

#define PIPE_NODE "/dev/clone-pipe"

#define S_PIPE(p) do {							\
	watchdog(WATCHDOG_S);						\
	ASSERT_EQ(0, s_pipe(p)) TH_LOG("s_pipe: %s", strerror(errno));	\
} while (0)

static void close2(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* Pipe ends open (the pipe target's "open=" in debugfs); -1 if absent. */
static long pipe_ends_open(void)
{
	FILE *f = fopen("/sys/kernel/debug/strclone/targets", "r");
	char line[256];
	long n = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *o = strstr(line, " open=");
		unsigned int major;

		if (sscanf(line, "%u pipe ", &major) == 1 && major == STRCLONE_PIPE_MAJOR && o)
			n = strtol(o + 6, NULL, 10);
	}
	fclose(f);
	return n;
}

/* Waits until pipe_ends_open() is @want; returns the last count seen. */
static long wait_ends_open(long want)
{
	long n = -1;

	for (int i = 0; i < WAIT_MS / 10; i++) {
		n = pipe_ends_open();
		if (n == want)
			break;
		usleep(10000);
	}
	return n;
}

static int sendfd(int fd, int passed)
{
	return ioctl(fd, I_SENDFD, passed);
}

static int recvfd(int fd, struct strrecvfd *r)
{
	memset(r, 0x5a, sizeof(*r));
	return ioctl(fd, I_RECVFD, r);
}

/* A memfd holding @text, at offset 0. */
static int text_file(const char *text)
{
	int fd = syscall(SYS_memfd_create, "strclone-pipes", 0);

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) || lseek(fd, 0, SEEK_SET))
		return -1;
	return fd;
}

static int same_file(int a, int b)
{
	struct stat sa, sb;

	return !fstat(a, &sa) && !fstat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

TEST(s_pipe_ends_and_data_both_ways)
{
	struct strclone_devinfo d0, d1;
	char buf[16];
	int p[2];

	S_PIPE(p);
	ASSERT_EQ(0, getdev(p[0], &d0));
	ASSERT_EQ(0, getdev(p[1], &d1));
	EXPECT_EQ(STRCLONE_PIPE_MAJOR, d0.major);
	EXPECT_EQ(STRCLONE_PIPE_MAJOR, d1.major);
	EXPECT_EQ(0u, d0.minor % 2);
	EXPECT_EQ(d0.minor + 1, d1.minor);
	EXPECT_EQ(1, isastream(p[0]));
	EXPECT_EQ(1, isastream(p[1]));
	ASSERT_EQ(5, write(p[0], "hello", 5));
	ASSERT_EQ(5, read_exact(p[1], buf, 5, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	ASSERT_EQ(3, write(p[1], "abc", 3));
	ASSERT_EQ(3, read_exact(p[0], buf, 3, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	/* Nothing echoes back to the writer. */
	EXPECT_EQ(0, poll_fd(p[0], POLLIN, QUIET_MS) & POLLIN);
	close2(p);
}

TEST(putmsg_getmsg_across_keep_parts_and_priority)
{
	char cbuf[16], dbuf[16];
	struct strbuf c = { .maxlen = sizeof(cbuf), .buf = cbuf };
	struct strbuf d = { .maxlen = sizeof(dbuf), .buf = dbuf };
	int p[2], flags = 0;

	S_PIPE(p);
	ASSERT_EQ(0, putmsg_parts(p[0], "ctl", 3, "data", 4, 0));
	ASSERT_EQ(0, putmsg_parts(p[0], "hi", 2, NULL, -1, RS_HIPRI));
	ASSERT_EQ(2, wait_nread(p[1], 2, WAIT_MS, NULL));
	/* The high-priority message overtakes the normal one. */
	ASSERT_EQ(0, getmsg(p[1], &c, &d, &flags));
	EXPECT_EQ(RS_HIPRI, flags);
	EXPECT_EQ(2, c.len);
	EXPECT_EQ(0, memcmp(cbuf, "hi", 2));
	EXPECT_EQ(-1, d.len);
	flags = 0;
	ASSERT_EQ(0, getmsg(p[1], &c, &d, &flags));
	EXPECT_EQ(0, flags);
	EXPECT_EQ(3, c.len);
	EXPECT_EQ(0, memcmp(cbuf, "ctl", 3));
	EXPECT_EQ(4, d.len);
	EXPECT_EQ(0, memcmp(dbuf, "data", 4));
	close2(p);
}

TEST(pipepeer_once_and_its_errnos)
{
	char buf[8];
	int a, b;

	watchdog(WATCHDOG_S);
	a = open(PIPE_NODE, O_RDWR);
	ASSERT_LE(0, a);
	/* Bad flags first: nothing is made. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(a, STRCLONE_PIPEPEER, O_RDWR | O_CREAT));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(a, STRCLONE_PIPEPEER, O_ACCMODE));
	EXPECT_EQ(EINVAL, errno);
	/* Data written before the other end exists waits for it. */
	ASSERT_EQ(4, write(a, "wait", 4));
	b = ioctl(a, STRCLONE_PIPEPEER, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, b);
	EXPECT_EQ(FD_CLOEXEC, fcntl(b, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(4, read_exact(b, buf, 4, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "wait", 4));
	errno = 0;
	EXPECT_EQ(-1, ioctl(a, STRCLONE_PIPEPEER, O_RDWR));
	EXPECT_EQ(EBUSY, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(b, STRCLONE_PIPEPEER, O_RDWR));
	EXPECT_EQ(EBUSY, errno);
	close(a);
	close(b);
}

TEST(flow_control_nothing_lost)
{
	static unsigned char in[1 << 20], out[1 << 20];
	size_t sent = 0, got = 0;
	int p[2];

	S_PIPE(p);
	fill_pat(in, 0, sizeof(in));
	ASSERT_EQ(0, set_nonblock(p[0], 1));
	/* Fill until the pipe pushes back. */
	while (sent < sizeof(in)) {
		ssize_t r = write(p[0], in + sent, 1000);

		if (r < 0) {
			ASSERT_EQ(EAGAIN, errno);
			break;
		}
		sent += r;
	}
	ASSERT_LT(0, sent);
	ASSERT_GT(sizeof(in), sent) TH_LOG("1 MiB went in without EAGAIN");
	/* Then alternate: read everything back, in order. */
	while (got < sizeof(in)) {
		ssize_t r;

		if (sent < sizeof(in)) {
			r = write(p[0], in + sent, sizeof(in) - sent < 7000 ? sizeof(in) - sent : 7000);
			if (r > 0)
				sent += r;
			else
				ASSERT_EQ(EAGAIN, errno);
		}
		if (got < sent) {
			ASSERT_NE(0, poll_fd(p[1], POLLIN, WAIT_MS) & POLLIN);
			r = read(p[1], out + got, sizeof(out) - got);
			ASSERT_LT(0, r);
			got += r;
		}
	}
	EXPECT_EQ(-1, check_pat(out, 0, sizeof(out)));
	EXPECT_EQ(0, poll_fd(p[1], POLLIN, QUIET_MS) & POLLIN);
	close2(p);
}

TEST(modules_on_both_ends)
{
	struct str_mlist names[4];
	struct str_list l = { .sl_nmods = 4, .sl_modlist = names };
	char buf[8];
	int p[2];

	S_PIPE(p);
	ASSERT_EQ(0, push(p[0], "nullmod"));
	ASSERT_EQ(0, push(p[1], "nullmod"));
	ASSERT_EQ(0, push(p[1], "pipemod"));
	ASSERT_EQ(0, ioctl(p[1], I_LIST, &l));
	EXPECT_EQ(3, l.sl_nmods);
	EXPECT_STREQ("pipemod", names[0].l_name);
	EXPECT_STREQ("nullmod", names[1].l_name);
	EXPECT_STREQ("pipe", names[2].l_name);
	ASSERT_EQ(4, write(p[0], "up12", 4));
	ASSERT_EQ(4, read_exact(p[1], buf, 4, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "up12", 4));
	ASSERT_EQ(4, write(p[1], "dn34", 4));
	ASSERT_EQ(4, read_exact(p[0], buf, 4, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "dn34", 4));
	close2(p);
}

/* Bytes at @fd's head after a quiet wait (I_NREAD's count of messages). */
static int queued(int fd)
{
	usleep(QUIET_MS * 1000);
	return ioctl(fd, I_NREAD, &(int){ 0 });
}

/*
 * Without pipemod a flush crosses with its bits as they are: FLUSHW from
 * one end reaches the other head as FLUSHW and flushes nothing there (SVR4
 * behaves the same; that is what pipemod is for).
 */
TEST(flush_without_pipemod_is_svr4s)
{
	int p[2];

	S_PIPE(p);
	ASSERT_EQ(3, write(p[0], "abc", 3));
	ASSERT_EQ(1, wait_nread(p[1], 1, WAIT_MS, NULL));
	ASSERT_EQ(0, ioctl(p[0], I_FLUSH, FLUSHW));
	EXPECT_EQ(1, queued(p[1]));
	/* FLUSHR from the writer reaches the reader's head as FLUSHR. */
	ASSERT_EQ(0, ioctl(p[0], I_FLUSH, FLUSHR));
	EXPECT_EQ(0, queued(p[1]));
	close2(p);
}

/* pipemod on either end: FLUSHW flushes what this end wrote, FLUSHR what it was sent. */
TEST(pipemod_reverses_flushes)
{
	for (int on = 0; on < 2; on++) {
		int p[2];

		S_PIPE(p);
		ASSERT_EQ(0, push(p[on], "pipemod"));
		ASSERT_EQ(3, write(p[0], "abc", 3));
		ASSERT_EQ(3, write(p[1], "xyz", 3));
		ASSERT_EQ(1, wait_nread(p[1], 1, WAIT_MS, NULL));
		ASSERT_EQ(1, wait_nread(p[0], 1, WAIT_MS, NULL));
		/* FLUSHW on end 0: the data it wrote goes; what it was sent stays. */
		ASSERT_EQ(0, ioctl(p[0], I_FLUSH, FLUSHW));
		EXPECT_EQ(0, queued(p[1])) TH_LOG("pipemod on end %d", on);
		EXPECT_EQ(1, queued(p[0])) TH_LOG("pipemod on end %d", on);
		/* FLUSHR on end 1: its own read side only. */
		ASSERT_EQ(3, write(p[0], "def", 3));
		ASSERT_EQ(1, wait_nread(p[1], 1, WAIT_MS, NULL));
		ASSERT_EQ(0, ioctl(p[1], I_FLUSH, FLUSHR));
		EXPECT_EQ(0, queued(p[1])) TH_LOG("pipemod on end %d", on);
		EXPECT_EQ(1, queued(p[0])) TH_LOG("pipemod on end %d", on);
		close2(p);
	}
}

/*
 * Data that waits in the writer's driver queue (the reader's head is full)
 * is flushed with the reader's head: nothing of it arrives afterwards.
 */
TEST(pipemod_flush_reaches_data_in_transit)
{
	char buf[4096];
	long sent = 0;
	int p[2];

	S_PIPE(p);
	ASSERT_EQ(0, push(p[1], "pipemod"));
	memset(buf, 'q', sizeof(buf));
	ASSERT_EQ(0, set_nonblock(p[0], 1));
	for (;;) {
		ssize_t r = write(p[0], buf, sizeof(buf));

		if (r < 0) {
			ASSERT_EQ(EAGAIN, errno);
			break;
		}
		sent += r;
	}
	ASSERT_LT(0, sent);
	ASSERT_EQ(0, ioctl(p[0], I_FLUSH, FLUSHW));
	EXPECT_EQ(0, queued(p[1]));
	EXPECT_EQ(0, poll_fd(p[1], POLLIN, QUIET_MS) & POLLIN);
	/* The pipe works on. */
	ASSERT_EQ(2, write(p[0], "ok", 2));
	ASSERT_EQ(2, read_exact(p[1], buf, 2, WAIT_MS));
	close2(p);
}

TEST(widowed_reader_drains_then_eof)
{
	char buf[16];
	int p[2], ms = -1;

	S_PIPE(p);
	ASSERT_EQ(4, write(p[0], "last", 4));
	close(p[0]);
	EXPECT_NE(0, poll_fd(p[1], POLLIN, WAIT_MS) & POLLHUP);
	EXPECT_EQ(4, read(p[1], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "last", 4));
	EXPECT_EQ(0, read(p[1], buf, sizeof(buf)));
	/* A pipe end's close does not wait. */
	ASSERT_EQ(0, ioctl(p[1], I_GETCLTIME, &ms));
	EXPECT_EQ(0, ms);
	close(p[1]);
}

/*
 * A writer that closes with more written than the reader's head holds (the
 * rest waits in its driver queue): the close returns at once and every
 * byte still arrives, then end of file.
 */
TEST(close_with_data_in_flight_loses_nothing)
{
	static unsigned char in[1 << 18], out[1 << 18];
	size_t sent = 0, got = 0;
	long long t0;
	int p[2];

	S_PIPE(p);
	fill_pat(in, 0, sizeof(in));
	ASSERT_EQ(0, set_nonblock(p[0], 1));
	while (sent < sizeof(in)) {
		ssize_t r = write(p[0], in + sent, 4096);

		if (r < 0) {
			ASSERT_EQ(EAGAIN, errno);
			break;
		}
		sent += r;
	}
	ASSERT_LT(65536, sent);
	ASSERT_EQ(0, set_nonblock(p[0], 0));
	t0 = now_ms();
	close(p[0]);
	EXPECT_GT(1000, now_ms() - t0);
	for (;;) {
		ssize_t r = read(p[1], out + got, sizeof(out) - got);

		ASSERT_LE(0, r);
		if (r == 0)
			break;
		got += r;
	}
	EXPECT_EQ(sent, got);
	EXPECT_EQ(-1, check_pat(out, 0, got));
	close(p[1]);
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

/* The errno a write gets on a hung-up stream without SNDPIPE (an echo stream). */
static int hangup_write_errno(void)
{
	int fd = open(ECHO_NODE, O_RDWR), e;

	if (fd < 0 || echo_cmd(fd, ECHO_HANGUP))
		return -1;
	if (!(poll_fd(fd, POLLIN, WAIT_MS) & POLLHUP))
		return -1;
	errno = 0;
	e = write(fd, "x", 1) < 0 ? errno : 0;
	close(fd);
	return e;
}

TEST(widowed_writer_epipe_and_sigpipe)
{
	struct sigaction sa = { .sa_handler = on_sigpipe };
	int p[2], w = -1, herr;

	herr = hangup_write_errno();
	ASSERT_LT(0, herr);
	ASSERT_NE(EPIPE, herr);
	S_PIPE(p);
	ASSERT_EQ(0, sigaction(SIGPIPE, &sa, NULL));
	/* Pipe ends have SNDPIPE from their open, as SVR4's, and not the
	 * SNDZERO every other new stream has. */
	ASSERT_EQ(0, ioctl(p[0], I_GWROPT, &w));
	EXPECT_EQ(SNDPIPE, w);
	close(p[1]);
	ASSERT_NE(0, poll_fd(p[0], POLLOUT, WAIT_MS) & POLLHUP);
	sigpipes = 0;
	errno = 0;
	EXPECT_EQ(-1, write(p[0], "x", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sigpipes);
	errno = 0;
	EXPECT_EQ(-1, putmsg_parts(p[0], "c", 1, "d", 1, 0));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(2, sigpipes);
	/* Without SNDPIPE: the stream head's hangup errno, and no signal. */
	ASSERT_EQ(0, ioctl(p[0], I_SWROPT, 0));
	errno = 0;
	EXPECT_EQ(-1, write(p[0], "x", 1));
	EXPECT_EQ(herr, errno);
	EXPECT_EQ(2, sigpipes);
	signal(SIGPIPE, SIG_DFL);
	close(p[0]);
}

TEST(sendfd_recvfd_passes_the_file_and_sender_ids)
{
	struct strrecvfd r;
	char buf[16] = { 0 };
	int p[2], f;

	S_PIPE(p);
	f = text_file("passed");
	ASSERT_LE(0, f);
	ASSERT_EQ(0, sendfd(p[0], f));
	ASSERT_EQ(1, wait_nread(p[1], 1, WAIT_MS, NULL));
	ASSERT_EQ(0, recvfd(p[1], &r));
	ASSERT_LE(0, r.fd);
	EXPECT_NE(f, r.fd);
	EXPECT_EQ(geteuid(), r.uid);
	EXPECT_EQ(getegid(), r.gid);
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(0, r.fill[i]);
	EXPECT_TRUE(same_file(f, r.fd));
	EXPECT_EQ(0, fcntl(r.fd, F_GETFD) & FD_CLOEXEC);
	/* The same open file: it shares the offset. */
	ASSERT_EQ(6, read(r.fd, buf, sizeof(buf)));
	EXPECT_STREQ("passed", buf);
	EXPECT_EQ(6, lseek(f, 0, SEEK_CUR));
	close(r.fd);
	close(f);
	/* And the other way. */
	ASSERT_EQ(0, sendfd(p[1], p[1]));
	ASSERT_EQ(0, recvfd(p[0], &r));
	EXPECT_TRUE(same_file(p[1], r.fd));
	close(r.fd);
	close2(p);
}

TEST(recvfd_errnos_leave_the_message)
{
	char cbuf[8], dbuf[8];
	struct strbuf c = { .maxlen = sizeof(cbuf), .buf = cbuf };
	struct strbuf d = { .maxlen = sizeof(dbuf), .buf = dbuf };
	struct strpeek pk = { .ctlbuf = { .maxlen = 8, .buf = cbuf },
			      .databuf = { .maxlen = 8, .buf = dbuf } };
	struct rlimit old, lim;
	struct strrecvfd r;
	int p[2], f, flags = 0;
	char buf[8];

	S_PIPE(p);
	/* Nothing there: EAGAIN without waiting. */
	ASSERT_EQ(0, set_nonblock(p[1], 1));
	errno = 0;
	EXPECT_EQ(-1, recvfd(p[1], &r));
	EXPECT_EQ(EAGAIN, errno);
	/* Data first: EBADMSG, and the data is still there. */
	ASSERT_EQ(2, write(p[0], "dd", 2));
	f = text_file("x");
	ASSERT_LE(0, f);
	ASSERT_EQ(0, sendfd(p[0], f));
	ASSERT_EQ(2, wait_nread(p[1], 2, WAIT_MS, NULL));
	errno = 0;
	EXPECT_EQ(-1, recvfd(p[1], &r));
	EXPECT_EQ(EBADMSG, errno);
	ASSERT_EQ(2, read(p[1], buf, sizeof(buf)));
	/* The M_PASSFP first: read, getmsg and I_PEEK fail EBADMSG. */
	errno = 0;
	EXPECT_EQ(-1, read(p[1], buf, sizeof(buf)));
	EXPECT_EQ(EBADMSG, errno);
	errno = 0;
	EXPECT_EQ(-1, getmsg(p[1], &c, &d, &flags));
	EXPECT_EQ(EBADMSG, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(p[1], I_PEEK, &pk));
	EXPECT_EQ(EBADMSG, errno);
	/* A bad buffer: EFAULT, the file stays queued. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(p[1], I_RECVFD, NULL));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(p[1], I_RECVFD, KERNEL_PTR));
	EXPECT_EQ(EFAULT, errno);
	/* No free descriptor: EMFILE, the file stays queued. */
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	lim = old;
	lim.rlim_cur = (rlim_t)(f > p[1] ? f : p[1]) + 1;
	for (int i = 0; i < (int)lim.rlim_cur; i++)
		if (fcntl(i, F_GETFD) < 0)
			dup2(f, i);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));
	errno = 0;
	EXPECT_EQ(-1, recvfd(p[1], &r));
	EXPECT_EQ(EMFILE, errno);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	ASSERT_EQ(1, ioctl(p[1], I_NREAD, &(int){ 0 }));
	ASSERT_EQ(0, recvfd(p[1], &r));
	EXPECT_TRUE(same_file(f, r.fd));
	close(r.fd);
	close(f);
	close2(p);
}

TEST(sendfd_errnos)
{
	char buf[4096];
	int p[2], e, f;

	S_PIPE(p);
	errno = 0;
	EXPECT_EQ(-1, sendfd(p[0], -1));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, sendfd(p[0], 1000000));
	EXPECT_EQ(EBADF, errno);
	/* A stream that is not a pipe: EINVAL (EBADF first). */
	e = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, e);
	errno = 0;
	EXPECT_EQ(-1, sendfd(e, p[0]));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, sendfd(e, -1));
	EXPECT_EQ(EBADF, errno);
	close(e);
	/* The other end full: EAGAIN, nothing sent. */
	f = text_file("x");
	ASSERT_LE(0, f);
	memset(buf, 'z', sizeof(buf));
	ASSERT_EQ(0, set_nonblock(p[0], 1));
	while (write(p[0], buf, sizeof(buf)) > 0)
		;
	ASSERT_EQ(EAGAIN, errno);
	errno = 0;
	EXPECT_EQ(-1, sendfd(p[0], f));
	EXPECT_EQ(EAGAIN, errno);
	/* Hung up: ENXIO. */
	close(p[1]);
	ASSERT_NE(0, poll_fd(p[0], POLLIN, WAIT_MS) & POLLHUP);
	errno = 0;
	EXPECT_EQ(-1, sendfd(p[0], f));
	EXPECT_EQ(ENXIO, errno);
	close(p[0]);
	close(f);
}

/*
 * I_SENDFD at once after s_pipe: making end 1 schedules end 0's write
 * service procedure (data written before end 1 existed may flow). A send
 * that meets it scheduled, or data of its own still on the way, is no
 * EAGAIN (the other end's head is empty): the file arrives, behind the
 * data written before it (odd rounds write a byte first).
 */
TEST(sendfd_right_after_s_pipe)
{
	struct strrecvfd r;
	int p[2], f, refused = 0, lost = 0, order = 0;
	char c;

	f = text_file("x");
	ASSERT_LE(0, f);
	for (int i = 0; i < 1000; i++) {
		S_PIPE(p);
		if (i % 2)
			ASSERT_EQ(1, write(p[0], "d", 1));
		if (sendfd(p[0], f)) {
			refused++;
			TH_LOG("round %d: %s", i, strerror(errno));
			close2(p);
			continue;
		}
		/* Blocking: the byte first, then the file (read stops at it). */
		if (i % 2 && (read(p[1], &c, 1) != 1 || c != 'd'))
			order++;
		if (recvfd(p[1], &r)) {
			lost++;
		} else {
			EXPECT_EQ(1, same_file(r.fd, f));
			close(r.fd);
		}
		close2(p);
	}
	EXPECT_EQ(0, refused);
	EXPECT_EQ(0, lost);
	EXPECT_EQ(0, order);
	close(f);
}

/*
 * End A sent over itself while data streams across and end B's reader
 * drains (or not) and closes, all at once (a writer thread, a reader
 * thread that closes B, and I_SENDFD until it goes through): wherever the
 * message is when B closes (at B's head, on A's write queue, in a service
 * procedure's hands), it is freed with B's close, so end A closes and the
 * pipe is gone.
 */
struct race {
	int a, b, rounds;
	int stop;
};

static void *race_writer(void *arg)
{
	struct race *r = arg;
	char buf[1024];

	memset(buf, 'w', sizeof(buf));
	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED))
		if (write(r->a, buf, sizeof(buf)) < 0 && errno != EAGAIN)
			break;
	return NULL;
}

static void *race_reader(void *arg)
{
	struct race *r = arg;
	char buf[4096];

	for (int i = 0; i < r->rounds; i++)
		if (read(r->b, buf, sizeof(buf)) <= 0)
			break;
	close(r->b);
	return NULL;
}

TEST(sendfd_of_itself_racing_the_other_ends_close_leaks_nothing)
{
	long base = pipe_ends_open();
	int sent = 0;

	ASSERT_LE(0, base) TH_LOG("no pipe line in debugfs targets");
	/* The writer meets the widowed pipe: EPIPE, not a SIGPIPE death. */
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < 100; i++) {
		/* Some readers close B at once, the others after a few reads. */
		struct race r = { .rounds = i % 8 };
		pthread_t w, rd;
		int p[2];

		S_PIPE(p);
		r.a = p[0];
		r.b = p[1];
		ASSERT_EQ(0, set_nonblock(r.a, 1));
		ASSERT_EQ(0, pthread_create(&w, NULL, race_writer, &r));
		ASSERT_EQ(0, pthread_create(&rd, NULL, race_reader, &r));
		for (;;) {
			if (!sendfd(r.a, r.a)) {
				sent++;
				break;
			}
			if (errno != EAGAIN)
				break;	/* ENXIO: B closed first */
			sched_yield();
		}
		__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
		pthread_join(w, NULL);
		pthread_join(rd, NULL);
		close(r.a);
	}
	TH_LOG("%d of 100 rounds sent end A over itself", sent);
	EXPECT_LT(0, sent);
	EXPECT_EQ(base, wait_ends_open(base));
}

TEST(recvfd_after_the_sender_exited)
{
	struct strrecvfd r;
	int p[2], f, st;
	pid_t pid;

	S_PIPE(p);
	f = text_file("from the child");
	ASSERT_LE(0, f);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[1]);
		_exit(sendfd(p[0], f) ? 1 : 0);
	}
	close(p[0]);
	close(f);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* The sender's end is gone: its file still arrives, then ENXIO. */
	ASSERT_NE(0, poll_fd(p[1], POLLIN, WAIT_MS) & POLLHUP);
	ASSERT_EQ(0, recvfd(p[1], &r));
	char buf[32] = { 0 };

	EXPECT_EQ(14, pread(r.fd, buf, sizeof(buf), 0));
	EXPECT_STREQ("from the child", buf);
	close(r.fd);
	errno = 0;
	EXPECT_EQ(-1, recvfd(p[1], &r));
	EXPECT_EQ(ENXIO, errno);
	close(p[1]);
}

/* A file sent and never received is closed with the message. */
TEST(unreceived_file_is_closed)
{
	int p[2], lp[2];
	char c;

	for (int how = 0; how < 2; how++) {
		S_PIPE(p);
		ASSERT_EQ(0, pipe(lp));
		ASSERT_EQ(0, sendfd(p[0], lp[1]));
		close(lp[1]);
		ASSERT_EQ(1, wait_nread(p[1], 1, WAIT_MS, NULL));
		/* The write end lives on in the message: no EOF yet. */
		EXPECT_EQ(0, poll_fd(lp[0], POLLIN, QUIET_MS));
		switch (how) {
		case 0: /* the receiver closes */
			close(p[1]);
			close(p[0]);
			break;
		default: /* the sender closes first, then the receiver */
			close(p[0]);
			ASSERT_NE(0, poll_fd(p[1], POLLIN, WAIT_MS) & POLLHUP);
			close(p[1]);
			break;
		}
		EXPECT_NE(0, poll_fd(lp[0], POLLIN, WAIT_MS) & (POLLIN | POLLHUP)) TH_LOG("case %d", how);
		EXPECT_EQ(0, read(lp[0], &c, 1)) TH_LOG("case %d", how);
		close(lp[0]);
	}
}

/*
 * Pipe ends in flight: sending an end to the other end is fine, sending
 * the receiving end to itself, or an end that has ends in flight towards
 * it, could close a reference cycle and is refused; nothing stays open
 * once every descriptor is closed.
 */
TEST(sendfd_of_pipe_ends_no_cycle_no_leak)
{
	long base = pipe_ends_open();
	struct strrecvfd r;
	int p[2], q[2];

	ASSERT_LE(0, base) TH_LOG("no pipe line in debugfs targets");
	S_PIPE(p);
	EXPECT_EQ(base + 2, pipe_ends_open());
	/* The sending end itself: it waits at the other end's head. */
	ASSERT_EQ(0, sendfd(p[0], p[0]));
	/* The receiving end to itself: a cycle. */
	errno = 0;
	EXPECT_EQ(-1, sendfd(p[0], p[1]));
	EXPECT_EQ(ETOOMANYREFS, errno);
	/* p[1] has a pipe end in flight towards it: it may not travel. */
	S_PIPE(q);
	errno = 0;
	EXPECT_EQ(-1, sendfd(q[0], p[1]));
	EXPECT_EQ(ETOOMANYREFS, errno);
	/* Other ends may travel: q[1] to p[1], then p[0] to q[1]. */
	ASSERT_EQ(0, sendfd(p[0], q[1]));
	EXPECT_EQ(0, sendfd(q[0], p[0]));
	/* Now q[1] may not (p[0] is in flight towards it). */
	errno = 0;
	EXPECT_EQ(-1, sendfd(p[0], q[1]));
	EXPECT_EQ(ETOOMANYREFS, errno);
	/* Everything closed with the files unreceived: all ends go. */
	close2(p);
	close2(q);
	EXPECT_EQ(base, wait_ends_open(base));

	/* Received, an end is an ordinary descriptor again. */
	S_PIPE(p);
	S_PIPE(q);
	ASSERT_EQ(0, sendfd(p[0], q[1]));
	ASSERT_EQ(0, recvfd(p[1], &r));
	close(q[1]);
	ASSERT_EQ(2, write(r.fd, "rq", 2));
	char buf[2];

	ASSERT_EQ(2, read_exact(q[0], buf, 2, WAIT_MS));
	/* Nothing in flight towards q[1] any more: it may travel now. */
	ASSERT_EQ(0, sendfd(p[1], r.fd));
	close(r.fd);
	close2(p);
	close2(q);
	EXPECT_EQ(base, wait_ends_open(base));
}

/* Signals are taken with sigtimedwait() with SIGPOLL blocked. */
static int wait_sigpoll(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGPOLL);
	return sigtimedwait(&s, NULL, &ts) < 0 ? 0 : SIGPOLL;
}

static void block_sigpoll(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGPOLL);
	sigprocmask(SIG_BLOCK, &s, NULL);
	while (sigtimedwait(&s, NULL, &zero) > 0)
		;
}

TEST(s_rdband_across_a_pipe)
{
	struct strbuf d = { .len = 1, .buf = "b" };
	int p[2];

	block_sigpoll();
	S_PIPE(p);
	ASSERT_EQ(0, ioctl(p[1], I_SETSIG, S_RDBAND));
	/* Band 0 is not S_RDBAND's. */
	ASSERT_EQ(1, write(p[0], "0", 1));
	ASSERT_EQ(1, wait_nread(p[1], 1, WAIT_MS, NULL));
	EXPECT_EQ(0, wait_sigpoll(QUIET_MS));
	ASSERT_EQ(0, putpmsg(p[0], NULL, &d, 1, MSG_BAND));
	EXPECT_EQ(SIGPOLL, wait_sigpoll(WAIT_MS));
	close2(p);
}

TEST(s_wrband_across_a_pipe)
{
	struct strbuf d;
	char buf[4096], in[1 << 16];
	long sent = 0;
	int p[2];

	block_sigpoll();
	S_PIPE(p);
	memset(buf, 'w', sizeof(buf));
	d.len = sizeof(buf);
	d.buf = buf;
	ASSERT_EQ(0, set_nonblock(p[0], 1));
	for (;;) {
		if (putpmsg(p[0], NULL, &d, 1, MSG_BAND)) {
			ASSERT_EQ(EAGAIN, errno);
			break;
		}
		sent += sizeof(buf);
	}
	ASSERT_LT(0, sent);
	ASSERT_EQ(0, ioctl(p[0], I_SETSIG, S_WRBAND));
	EXPECT_EQ(0, wait_sigpoll(QUIET_MS));
	/* The reader drains the pipe: band 1 can be written again. */
	while (sent > 0) {
		ssize_t r;

		ASSERT_NE(0, poll_fd(p[1], POLLIN | POLLRDBAND, WAIT_MS));
		r = read(p[1], in, sizeof(in));
		ASSERT_LT(0, r);
		sent -= r;
	}
	EXPECT_EQ(SIGPOLL, wait_sigpoll(WAIT_MS));
	close2(p);
}

TEST_HARNESS_MAIN
