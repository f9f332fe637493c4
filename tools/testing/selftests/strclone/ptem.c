// SPDX-License-Identifier: GPL-2.0
/*
 * ptem, the autopush default and the stream head's terminal duties, each
 * compared with a native Linux pty (/dev/ptmx) in the same boot where Linux
 * answers the same question:
 *
 * - the default stack: a new pts slave has ptem, ldterm and ttcompat (I_FIND, I_LIST),
 *   so the program pushes nothing twice; pts_autopush off gives a
 *   bare slave; a sad configuration for major 24 wins over the default;
 * - the window size: TIOCGWINSZ/TIOCSWINSZ on the slave and on the master,
 *   sizes 0 and 65535, SIGWINCH to the foreground group and to nobody else,
 *   none for an unchanged size, EFAULT/EINVAL for bad arguments;
 * - c_cflag as a Linux pty keeps it (CS8, CREAD, no PARENB);
 * - hangup: closing the master gives the slave's foreground group and its
 *   session leader SIGHUP and SIGCONT; TIOCGSID; the slave's close (HUPCL
 *   set or not) and B0 as the master sees them; a break reaches the master.
 *
 * Documentation/strclone/terminals.rst ("ptem", "Autopush default",
 * "Controlling terminal") and ptm.rst are what this checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"

#define SAD_ADMIN	"/dev/sad/admin"

struct pty {
	int m, s;
	int native;
};

/* A strclone pair; the slave opened through its node, as the issue's
 * program does. 0 or -errno. */
static int open_strclone(struct pty *p)
{
	char path[64];
	unsigned int n;

	p->native = 0;
	p->s = -1;
	p->m = open(PTMX_NODE, O_RDWR | O_NOCTTY);
	if (p->m < 0)
		return -errno;
	if (ioctl(p->m, GRANTPT, 0) < 0 || ioctl(p->m, UNLKPT, 0) < 0 ||
	    ioctl(p->m, PTMGETPTN, &n) < 0)
		return -errno;
	snprintf(path, sizeof(path), "/dev/strpts/%u", n);
	p->s = open(path, O_RDWR | O_NOCTTY);
	return p->s < 0 ? -errno : 0;
}

/* A native Linux pty pair; 0 or -errno. */
static int open_native(struct pty *p)
{
	p->native = 1;
	return open_native_pty(&p->m, &p->s);
}

static int open_pty(struct pty *p, int native)
{
	return native ? open_native(p) : open_strclone(p);
}

static void close_pty(struct pty *p)
{
	if (p->s >= 0)
		close(p->s);
	if (p->m >= 0)
		close(p->m);
	p->s = p->m = -1;
}

static int get_ws(int fd, struct winsize *w)
{
	memset(w, 0xa5, sizeof(*w));
	return xioctl(fd, TIOCGWINSZ, w);
}

static int set_ws(int fd, unsigned short r, unsigned short c, unsigned short x,
		  unsigned short y)
{
	struct winsize w = { .ws_row = r, .ws_col = c, .ws_xpixel = x, .ws_ypixel = y };

	return xioctl(fd, TIOCSWINSZ, &w);
}

static int same_ws(const struct winsize *w, unsigned short r, unsigned short c,
		   unsigned short x, unsigned short y)
{
	return w->ws_row == r && w->ws_col == c && w->ws_xpixel == x && w->ws_ypixel == y;
}

/* The names I_LIST gives, top down, comma-separated (driver last). */
static int list_names(int fd, char *out, size_t len)
{
	struct str_mlist names[16];
	struct str_list l = { .sl_nmods = 16, .sl_modlist = names };
	size_t at = 0;
	int r = xioctl(fd, I_LIST, &l);

	if (r < 0)
		return r;
	out[0] = 0;
	for (int i = 0; i < l.sl_nmods; i++)
		at += snprintf(out + at, len > at ? len - at : 0, "%s%s", i ? "," : "",
			       names[i].l_name);
	return l.sl_nmods;
}

/* ---- Job control: a child session on the terminal. -------------------- */

static volatile sig_atomic_t n_winch, n_hup, n_cont, n_usr1;

static void on_sig(int sig)
{
	if (sig == SIGWINCH)
		n_winch++;
	else if (sig == SIGHUP)
		n_hup++;
	else if (sig == SIGCONT)
		n_cont++;
	else if (sig == SIGUSR1)
		n_usr1++;
}

static void count_signals(void)
{
	struct sigaction sa = { .sa_handler = on_sig };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCONT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	n_winch = n_hup = n_cont = n_usr1 = 0;
}

/* What a child saw. who: 1 the session leader (foreground group), 2 a
 * process of the same session in a background group; phase 0: ready, 1:
 * the counts. sid: TIOCGSID on the slave (or -errno), once in the
 * foreground. */
struct rec {
	int who, phase, pid, err;
	int winch, hup, cont, sid;
};

/*
 * In a child: a new session whose group becomes the terminal's foreground
 * group. A native pty must be the controlling terminal first (TIOCSCTTY);
 * a strclone stream cannot be one, and TIOCSPGRP takes any group of the
 * caller's session.
 */
static int make_fg(struct pty *p)
{
	pid_t pg;

	if (setsid() < 0)
		return -errno;
	if (p->native && ioctl(p->s, TIOCSCTTY, 0) < 0)
		return -errno;
	pg = getpgrp();
	if (ioctl(p->s, TIOCSPGRP, &pg) < 0)
		return -errno;
	return 0;
}

static void put_rec(int fd, struct rec r)
{
	if (write(fd, &r, sizeof(r)) != sizeof(r))
		_exit(3);
}

static volatile sig_atomic_t *counter(int sig)
{
	return sig == SIGWINCH ? &n_winch : &n_hup;
}

/*
 * Child A: the session leader and foreground group; it forks B, a process
 * of its session in a group of its own. Both report when ready; A then
 * waits for @sig (at most WAIT_MS) and a quiet time after it, and reports
 * its counts; B reports its counts when the parent sends SIGUSR1.
 */
static void child_a(struct pty *p, int out, int sig)
{
	struct rec r = { .who = 1 };
	long long end;
	pid_t b;
	int sid = 0;

	count_signals();
	close(p->m);
	r.pid = getpid();
	r.err = make_fg(p);
	if (!r.err)
		r.err = ioctl(p->s, TIOCGSID, &sid) < 0 ? -errno : 0;
	r.sid = sid;
	if (r.err) {
		put_rec(out, r);
		_exit(1);
	}
	b = fork();
	if (b == 0) {
		struct rec rb = { .who = 2 };

		setpgid(0, 0);
		rb.pid = getpid();
		put_rec(out, rb);
		end = now_ms() + 4 * WAIT_MS;
		while (!n_usr1 && now_ms() < end)
			usleep(1000);
		rb.phase = 1;
		rb.winch = n_winch;
		rb.hup = n_hup;
		rb.cont = n_cont;
		put_rec(out, rb);
		_exit(0);
	}
	put_rec(out, r);
	end = now_ms() + WAIT_MS;
	while (!*counter(sig) && now_ms() < end)
		usleep(1000);
	usleep(QUIET_MS * 1000);
	r.phase = 1;
	r.winch = n_winch;
	r.hup = n_hup;
	r.cont = n_cont;
	put_rec(out, r);
	waitpid(b, NULL, 0);
	_exit(0);
}

static int get_rec(int fd, struct rec *r)
{
	if (!(poll_fd(fd, POLLIN, 4 * WAIT_MS) & POLLIN))
		return -ETIMEDOUT;
	return read(fd, r, sizeof(*r)) == sizeof(*r) ? 0 : -EIO;
}

/*
 * Runs A and B on @p, calls @act once both are ready, and returns what A
 * (@a) and B (@b) saw; 0, or -errno if a child failed to set up.
 */
static int run_job(struct pty *p, int sig, int (*act)(struct pty *), struct rec *a,
		   struct rec *b)
{
	int pfd[2], r = 0;
	struct rec x;
	pid_t pa;

	if (pipe(pfd) < 0)
		return -errno;
	pa = fork();
	if (pa == 0) {
		close(pfd[0]);
		child_a(p, pfd[1], sig);
	}
	close(pfd[1]);
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	for (int ready = 0; ready < 2 && !r; ready++) {
		r = get_rec(pfd[0], &x);
		if (!r && x.err)
			r = x.err;
		if (!r)
			*(x.who == 1 ? a : b) = x;
	}
	if (!r)
		r = act(p);
	if (!r)
		r = get_rec(pfd[0], &x);
	if (!r)
		*(x.who == 1 ? a : b) = x;
	if (b->pid > 0)
		kill(b->pid, SIGUSR1);
	if (!r)
		r = get_rec(pfd[0], &x);
	if (!r)
		*(x.who == 1 ? a : b) = x;
	if (r && b->pid > 0)
		kill(b->pid, SIGKILL);
	if (r)
		kill(pa, SIGKILL);
	waitpid(pa, NULL, 0);
	close(pfd[0]);
	return r;
}

static int act_master_resize(struct pty *p)
{
	return set_ws(p->m, 40, 132, 0, 0);
}

static int act_master_resize_same(struct pty *p)
{
	/* Set before the job started: no change. */
	return set_ws(p->m, 40, 132, 0, 0);
}

static int act_slave_resize(struct pty *p)
{
	return set_ws(p->s, 50, 100, 1, 2);
}

static int act_close_master(struct pty *p)
{
	close(p->m);
	p->m = -1;
	return 0;
}

/* ---- The fixture: pts_autopush on, as by default. ---------------------- */

FIXTURE(ptem) {
	int old;
};

FIXTURE_SETUP(ptem)
{
	self->old = set_pts_autopush(1);
	ASSERT_LE(0, self->old) TH_LOG("pts_autopush: %s", strerror(-self->old));
	watchdog(6 * WATCHDOG_S);
}

FIXTURE_TEARDOWN(ptem)
{
	if (self->old >= 0)
		set_pts_autopush(self->old);
}

/* The program: ptem is there, nothing is pushed twice. */
TEST_F(ptem, autopush_default_gives_ptem_and_ldterm)
{
	struct pty p, n;
	struct termios t, nt;
	char mods[128];

	const char *const dflt[] = STRCLONE_PTS_AUTOPUSH_LIST;
	char path[64];
	unsigned int num;
	int s2;
	int ndflt = sizeof(dflt) / sizeof(dflt[0]);
	char want[128] = "";

	/* I_LIST gives the header's list top down, then the driver. */
	for (int i = ndflt - 1; i >= 0; i--)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s,", dflt[i]);
	strcat(want, "pts");
	ASSERT_EQ(0, open_strclone(&p));
	EXPECT_EQ(1, xioctl(p.s, I_FIND, "ptem"));
	EXPECT_EQ(1, xioctl(p.s, I_FIND, "ldterm"));
	EXPECT_EQ(0, xioctl(p.s, I_FIND, "nullmod"));
	EXPECT_EQ(ndflt + 1, list_names(p.s, mods, sizeof(mods)));
	EXPECT_STREQ(want, mods);
	EXPECT_STREQ("ptem", dflt[0]);
	/* The program's "if (ioctl(s, I_FIND, "ptem") == 0)" pushes nothing. */
	if (xioctl(p.s, I_FIND, "ptem") == 0) {
		EXPECT_EQ(0, push(p.s, "ptem"));
		EXPECT_EQ(0, push(p.s, "ldterm"));
	}
	EXPECT_EQ(ndflt + 1, list_names(p.s, mods, sizeof(mods)));
	EXPECT_TRUE(isatty(p.s));
	/* The master is no terminal and has nothing pushed. */
	EXPECT_EQ(1, list_names(p.m, mods, sizeof(mods)));
	EXPECT_FALSE(isatty(p.m));
	/* The settings a program finds are a Linux pty's. */
	ASSERT_EQ(0, open_native(&n));
	ASSERT_EQ(0, tcgetattr(p.s, &t));
	ASSERT_EQ(0, tcgetattr(n.s, &nt));
	EXPECT_EQ(nt.c_cflag, t.c_cflag);
	EXPECT_EQ((tcflag_t)(B38400 | CS8 | CREAD), t.c_cflag);
	EXPECT_EQ(nt.c_iflag, t.c_iflag);
	EXPECT_EQ(nt.c_oflag, t.c_oflag);
	EXPECT_EQ(nt.c_lflag, t.c_lflag);
	EXPECT_EQ(cfgetospeed(&nt), cfgetospeed(&t));
	/* A second open of the slave is the same stream (no second push). */
	ASSERT_EQ(0, xioctl(p.m, PTMGETPTN, &num));
	snprintf(path, sizeof(path), "/dev/strpts/%u", num);
	s2 = open(path, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s2);
	EXPECT_EQ(ndflt + 1, list_names(s2, mods, sizeof(mods)));
	close(s2);
	close_pty(&n);
	close_pty(&p);
}

TEST_F(ptem, parameter_off_gives_a_bare_slave)
{
	struct winsize w;
	struct pty p;
	char mods[128];

	ASSERT_EQ(1, set_pts_autopush(0));
	ASSERT_EQ(0, open_strclone(&p));
	EXPECT_EQ(1, list_names(p.s, mods, sizeof(mods)));
	EXPECT_STREQ("pts", mods);
	EXPECT_EQ(0, xioctl(p.s, I_FIND, "ptem"));
	EXPECT_FALSE(isatty(p.s));
	EXPECT_EQ(-ENOTTY, get_ws(p.s, &w));
	/* The master's window size is the pair's, ptem or not. */
	EXPECT_EQ(0, set_ws(p.m, 10, 20, 0, 0));
	EXPECT_EQ(0, get_ws(p.m, &w));
	EXPECT_TRUE(same_ws(&w, 10, 20, 0, 0));
	/* A later push of ptem learns it. */
	ASSERT_EQ(0, push(p.s, "ptem"));
	EXPECT_EQ(0, get_ws(p.s, &w));
	EXPECT_TRUE(same_ws(&w, 10, 20, 0, 0));
	close_pty(&p);
	/* On again: the next slave has the stack. */
	EXPECT_EQ(0, set_pts_autopush(1));
	ASSERT_EQ(0, open_strclone(&p));
	EXPECT_EQ(1, xioctl(p.s, I_FIND, "ptem"));
	close_pty(&p);
}

/* 0644: anyone reads it, only root writes it. */
TEST_F(ptem, parameter_is_roots_to_write)
{
	struct stat st;
	int status;
	pid_t pid;

	ASSERT_EQ(0, stat(PTS_AUTOPUSH_PARAM, &st));
	EXPECT_EQ(0644, st.st_mode & 07777);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char c;
		int fd;

		if (setgid(1000) || setuid(1000))
			_exit(10);
		fd = open(PTS_AUTOPUSH_PARAM, O_RDONLY);
		if (fd < 0 || read(fd, &c, 1) != 1 || c != 'Y')
			_exit(11);
		close(fd);
		if (open(PTS_AUTOPUSH_PARAM, O_WRONLY) >= 0 || errno != EACCES)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(ptem, sad_configuration_for_pts_wins)
{
	struct strapush sap = {
		.sap_cmd = SAP_ALL, .sap_major = STRCLONE_PTS_MAJOR, .sap_npush = 1,
	};
	struct strapush clr = { .sap_cmd = SAP_CLEAR, .sap_major = STRCLONE_PTS_MAJOR };
	struct pty p;
	char mods[128];
	int admin = open(SAD_ADMIN, O_RDWR);

	ASSERT_LE(0, admin);
	strcpy(sap.sap_list[0], "nullmod");
	ASSERT_EQ(0, xioctl(admin, SAD_SAP, &sap));
	EXPECT_EQ(0, open_strclone(&p));
	EXPECT_EQ(2, list_names(p.s, mods, sizeof(mods)));
	EXPECT_STREQ("nullmod,pts", mods);
	close_pty(&p);
	EXPECT_EQ(0, xioctl(admin, SAD_SAP, &clr));
	/* Cleared: the default again. */
	ASSERT_EQ(0, open_strclone(&p));
	EXPECT_EQ(1, xioctl(p.s, I_FIND, "ptem"));
	close_pty(&p);
	close(admin);
}

/* Get and set on the slave and on the master, both kinds of pty. */
TEST_F(ptem, window_size_get_set)
{
	for (int native = 0; native < 2; native++) {
		struct winsize w;
		struct pty p;

		TH_LOG("%s pty", native ? "native" : "strclone");
		ASSERT_EQ(0, open_pty(&p, native));
		ASSERT_EQ(0, get_ws(p.s, &w));
		EXPECT_TRUE(same_ws(&w, 0, 0, 0, 0));
		ASSERT_EQ(0, get_ws(p.m, &w));
		EXPECT_TRUE(same_ws(&w, 0, 0, 0, 0));
		/* The slave sets, the master sees it. */
		EXPECT_EQ(0, set_ws(p.s, 24, 80, 640, 480));
		ASSERT_EQ(0, get_ws(p.m, &w));
		EXPECT_TRUE(same_ws(&w, 24, 80, 640, 480));
		/* The master sets, the slave sees it. */
		EXPECT_EQ(0, set_ws(p.m, 65535, 65535, 65535, 65535));
		ASSERT_EQ(0, get_ws(p.s, &w));
		EXPECT_TRUE(same_ws(&w, 65535, 65535, 65535, 65535));
		EXPECT_EQ(0, set_ws(p.s, 0, 0, 0, 0));
		ASSERT_EQ(0, get_ws(p.m, &w));
		EXPECT_TRUE(same_ws(&w, 0, 0, 0, 0));
		ASSERT_EQ(0, get_ws(p.s, &w));
		EXPECT_TRUE(same_ws(&w, 0, 0, 0, 0));
		/* Bad addresses: EFAULT, nothing changed. */
		EXPECT_EQ(-EFAULT, xioctl(p.s, TIOCSWINSZ, NULL));
		EXPECT_EQ(-EFAULT, xioctl(p.m, TIOCSWINSZ, KERNEL_PTR));
		EXPECT_EQ(-EFAULT, xioctl(p.s, TIOCGWINSZ, NULL));
		EXPECT_EQ(-EFAULT, xioctl(p.m, TIOCGWINSZ, KERNEL_PTR));
		ASSERT_EQ(0, get_ws(p.s, &w));
		EXPECT_TRUE(same_ws(&w, 0, 0, 0, 0));
		close_pty(&p);
	}
}

/* The I_STR forms on the slave (strclone only: SVR4's interface). */
TEST_F(ptem, window_size_i_str)
{
	struct winsize w = { .ws_row = 7, .ws_col = 9 }, g;
	struct pty p;
	int len = 0;

	ASSERT_EQ(0, open_strclone(&p));
	EXPECT_EQ(0, istr(p.s, TIOCSWINSZ, &w, sizeof(w), NULL));
	memset(&g, 0, sizeof(g));
	EXPECT_EQ(0, istr(p.s, TIOCGWINSZ, &g, sizeof(g), &len));
	EXPECT_EQ((int)sizeof(g), len);
	EXPECT_TRUE(same_ws(&g, 7, 9, 0, 0));
	/* A short structure: EINVAL. */
	EXPECT_EQ(-1, istr(p.s, TIOCSWINSZ, &w, 4, NULL));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, get_ws(p.m, &g));
	EXPECT_TRUE(same_ws(&g, 7, 9, 0, 0));
	close_pty(&p);
}

/* SIGWINCH: the foreground group gets it, a background group of the same
 * session and this process (another session) do not. */
TEST_F(ptem, sigwinch_to_the_foreground_group_only)
{
	for (int native = 0; native < 2; native++) {
		struct rec a, b;
		struct pty p;

		TH_LOG("%s pty", native ? "native" : "strclone");
		count_signals();
		ASSERT_EQ(0, open_pty(&p, native));
		/* From the master. */
		ASSERT_EQ(0, run_job(&p, SIGWINCH, act_master_resize, &a, &b));
		EXPECT_EQ(1, a.winch);
		EXPECT_EQ(0, b.winch);
		EXPECT_EQ(a.pid, a.sid);
		/* The same size again: no signal. */
		ASSERT_EQ(0, run_job(&p, SIGWINCH, act_master_resize_same, &a, &b));
		EXPECT_EQ(0, a.winch);
		EXPECT_EQ(0, b.winch);
		/* From the slave (a pixel field alone counts too). */
		ASSERT_EQ(0, run_job(&p, SIGWINCH, act_slave_resize, &a, &b));
		EXPECT_EQ(1, a.winch);
		EXPECT_EQ(0, b.winch);
		EXPECT_EQ(0, n_winch);
		EXPECT_EQ(0, n_hup);
		close_pty(&p);
	}
}

/* TIOCGSID: ENOTTY before a foreground group (Linux: not the caller's
 * controlling terminal); the child's session once it has one (above). */
TEST_F(ptem, tiocgsid_without_a_foreground_group)
{
	for (int native = 0; native < 2; native++) {
		struct pty p;
		int sid = -1;

		ASSERT_EQ(0, open_pty(&p, native));
		EXPECT_EQ(-ENOTTY, xioctl(p.s, TIOCGSID, &sid));
		EXPECT_EQ(-1, sid);
		close_pty(&p);
	}
	/* Not a terminal: the bare slave and the master. */
	{
		struct pty p;
		int sid = -1;

		ASSERT_EQ(1, set_pts_autopush(0));
		ASSERT_EQ(0, open_strclone(&p));
		EXPECT_EQ(-ENOTTY, xioctl(p.s, TIOCGSID, &sid));
		EXPECT_EQ(-ENOTTY, xioctl(p.m, TIOCGSID, &sid));
		close_pty(&p);
	}
}

/* Closing the master hangs the slave up: SIGHUP and SIGCONT for the
 * session leader (here the foreground group too), nothing for a background
 * group; then the slave reads 0 and cannot write, on both kinds. */
TEST_F(ptem, master_close_hangs_the_slave_up)
{
	for (int native = 0; native < 2; native++) {
		struct rec a, b;
		struct pty p;
		char c;

		TH_LOG("%s pty", native ? "native" : "strclone");
		count_signals();
		ASSERT_EQ(0, open_pty(&p, native));
		ASSERT_EQ(0, run_job(&p, SIGHUP, act_close_master, &a, &b));
		EXPECT_EQ(1, a.hup);
		EXPECT_EQ(1, a.cont);
		EXPECT_EQ(0, b.hup);
		EXPECT_EQ(0, n_hup);
		EXPECT_TRUE(poll_fd(p.s, POLLIN, WAIT_MS) & POLLHUP);
		EXPECT_EQ(0, read(p.s, &c, 1));
		EXPECT_EQ(-1, write(p.s, "x", 1));
		EXPECT_EQ(EIO, errno);
		close_pty(&p);
	}
}

/*
 * The slave's last close, HUPCL set or clear (the default): the master
 * sees a hangup either way (POLLHUP), as Linux's. It reads the data first;
 * then strclone's master reads 0 where Linux's fails with EIO, and fails
 * writes with EIO where Linux's accepts them (ptm.rst).
 */
TEST_F(ptem, slave_close_as_the_master_sees_it)
{
	for (int hupcl = 0; hupcl < 2; hupcl++) {
		for (int native = 0; native < 2; native++) {
			struct termios t;
			struct pty p;
			char buf[16];

			TH_LOG("%s pty, HUPCL %s", native ? "native" : "strclone",
			       hupcl ? "set" : "clear");
			ASSERT_EQ(0, open_pty(&p, native));
			ASSERT_EQ(0, tcgetattr(p.s, &t));
			if (hupcl)
				t.c_cflag |= HUPCL;
			else
				t.c_cflag &= ~HUPCL;
			ASSERT_EQ(0, tcsetattr(p.s, TCSANOW, &t));
			ASSERT_EQ(0, tcgetattr(p.s, &t));
			EXPECT_EQ(hupcl ? HUPCL : 0, t.c_cflag & HUPCL);
			ASSERT_EQ(2, write(p.s, "hi", 2));
			close(p.s);
			p.s = -1;
			EXPECT_TRUE(poll_fd(p.m, POLLIN, WAIT_MS) & POLLHUP);
			EXPECT_EQ(2, read(p.m, buf, sizeof(buf)));
			if (native) {
				EXPECT_EQ(-1, read(p.m, buf, sizeof(buf)));
				EXPECT_EQ(EIO, errno);
				EXPECT_EQ(1, write(p.m, "x", 1));
			} else {
				EXPECT_EQ(0, read(p.m, buf, sizeof(buf)));
				EXPECT_EQ(-1, write(p.m, "x", 1));
				EXPECT_EQ(EIO, errno);
			}
			close_pty(&p);
		}
	}
}

/* B0 hangs the line up: the master sees a hangup while the slave is still
 * open (a Linux pty ignores the speed). TCGETS reports B0 on both. */
TEST_F(ptem, baud_zero_hangs_up)
{
	for (int native = 0; native < 2; native++) {
		struct termios t;
		struct pty p;
		char buf[16];

		TH_LOG("%s pty", native ? "native" : "strclone");
		ASSERT_EQ(0, open_pty(&p, native));
		ASSERT_EQ(0, tcgetattr(p.s, &t));
		cfsetospeed(&t, B0);
		cfsetispeed(&t, B0);
		ASSERT_EQ(0, tcsetattr(p.s, TCSANOW, &t));
		ASSERT_EQ(0, tcgetattr(p.s, &t));
		EXPECT_EQ((speed_t)B0, cfgetospeed(&t));
		if (native) {
			EXPECT_FALSE(poll_fd(p.m, POLLIN, QUIET_MS) & POLLHUP);
			EXPECT_EQ(1, write(p.m, "x", 1));
		} else {
			EXPECT_TRUE(poll_fd(p.m, POLLIN, WAIT_MS) & POLLHUP);
			EXPECT_EQ(0, read(p.m, buf, sizeof(buf)));
			EXPECT_EQ(-1, write(p.m, "x", 1));
			EXPECT_EQ(EIO, errno);
			/* The pair is finished: no new opener. */
			EXPECT_EQ(-EIO, xioctl(p.m, PTMGETPEER, (void *)(long)O_RDWR));
		}
		close_pty(&p);
	}
}

/* c_cflag as a pty keeps it: 8 bits, CREAD, no parity, whatever is set. */
TEST_F(ptem, cflag_is_a_ptys)
{
	tcflag_t got[2];

	for (int native = 0; native < 2; native++) {
		struct termios t;
		struct pty p;

		ASSERT_EQ(0, open_pty(&p, native));
		ASSERT_EQ(0, tcgetattr(p.s, &t));
		t.c_cflag &= ~(CSIZE | CREAD);
		t.c_cflag |= CS7 | PARENB | PARODD | CLOCAL;
		cfsetospeed(&t, B9600);
		cfsetispeed(&t, B9600);
		ASSERT_EQ(0, tcsetattr(p.s, TCSANOW, &t));
		ASSERT_EQ(0, tcgetattr(p.s, &t));
		got[native] = t.c_cflag;
		EXPECT_EQ(CS8, t.c_cflag & CSIZE);
		EXPECT_EQ(0, t.c_cflag & PARENB);
		EXPECT_EQ(CREAD, t.c_cflag & CREAD);
		EXPECT_EQ(CLOCAL, t.c_cflag & CLOCAL);
		EXPECT_EQ((speed_t)B9600, cfgetospeed(&t));
		close_pty(&p);
	}
	EXPECT_EQ(got[1], got[0]);
}

/* A break (tcsendbreak: TCSBRK 0) reaches the master as M_BREAK, which
 * testmod pushed there counts; tcdrain (TCSBRK 1) sends none. */
TEST_F(ptem, break_reaches_the_master)
{
	struct testmod_counts c0, c1, c2;
	struct pty p, n;

	ASSERT_EQ(0, open_strclone(&p));
	ASSERT_EQ(0, push(p.m, "testmod"));
	ASSERT_EQ(0, istr(p.m, TESTMOD_COUNTS, &c0, sizeof(c0), NULL));
	EXPECT_EQ(0, tcsendbreak(p.s, 0));
	ASSERT_EQ(0, istr(p.m, TESTMOD_COUNTS, &c1, sizeof(c1), NULL));
	EXPECT_EQ(c0.msgs + 1, c1.msgs);
	EXPECT_EQ(0, tcdrain(p.s));
	ASSERT_EQ(0, istr(p.m, TESTMOD_COUNTS, &c2, sizeof(c2), NULL));
	EXPECT_EQ(c1.msgs, c2.msgs);
	/* The master reads nothing from it. */
	EXPECT_FALSE(poll_fd(p.m, POLLIN, QUIET_MS) & POLLIN);
	close_pty(&p);
	ASSERT_EQ(0, open_native(&n));
	EXPECT_EQ(0, tcsendbreak(n.s, 0));
	EXPECT_FALSE(poll_fd(n.m, POLLIN, QUIET_MS) & POLLIN);
	close_pty(&n);
}

/* ptem popped: its ioctls are the driver's ENOTTY; the pair still works. */
TEST_F(ptem, popped_ptem)
{
	struct winsize w;
	struct pty p;
	char mods[128], buf[8];

	const char *const dflt[] = STRCLONE_PTS_AUTOPUSH_LIST;

	ASSERT_EQ(0, open_strclone(&p));
	/* Every module of the default, ptem (the first pushed) last. */
	for (size_t i = 0; i < sizeof(dflt) / sizeof(dflt[0]); i++)
		ASSERT_EQ(0, xioctl(p.s, I_POP, 0));
	EXPECT_EQ(1, list_names(p.s, mods, sizeof(mods)));
	EXPECT_EQ(-ENOTTY, get_ws(p.s, &w));
	EXPECT_EQ(-ENOTTY, set_ws(p.s, 1, 2, 3, 4));
	EXPECT_EQ(0, set_ws(p.m, 1, 2, 3, 4));
	ASSERT_EQ(2, write(p.m, "ok", 2));
	EXPECT_EQ(2, read_exact(p.s, buf, 2, WAIT_MS));
	close_pty(&p);
}

TEST_HARNESS_MAIN
