// SPDX-License-Identifier: GPL-2.0
/*
 * The pts slave as a real terminal, end to end: the program every SVR4
 * system documents in pts(7D) (open the master, grantpt, unlockpt,
 * ptsname, open the slave, I_FIND "ptem", push ptem, ldterm, ttcompat),
 * compiled against <stropts.h> and linked with libstrclone.a, and then
 * busybox's interactive shell on that slave, driven from the master like a
 * person at a terminal would: a line edited with erase and kill, a line
 * read in canonical mode, `tty`, `stty -a`, `stty raw -echo`, ^C against
 * `sleep 100`, a window size change (SIGWINCH), and the hangup when the
 * master closes.
 *
 * The same script, the same program and the same library calls run against
 * a native Linux pty (/dev/ptmx, n_tty) in the same boot, and the two
 * transcripts (everything read from the master, with what was typed and
 * what the harness did in between) must be equal line by line once the
 * slave's path is replaced by "<slave>" (the only normalisation).
 * Documentation/strclone/terminals.rst, "Example session", shows the
 * transcript and explains every choice made here.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stropts.h>		/* libstrclone's <stropts.h>: I_FIND, I_PUSH */
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "strclone_util.h"

#define NATIVE_PTMX	"/dev/ptmx"
#define SHELL		"/bin/busybox"
/* The prompt, then busybox's "where is the cursor" query (lineedit's
 * FEATURE_EDITING_ASK_TERMINAL), which it sends only when no input is
 * pending: the harness types nothing before it has seen both. */
#define PS1		"sh> "
#define PROMPT		PS1 "\033[6n"
/* TCG, possibly a busy host, possibly a paused guest: generous. */
#define STEP_MS		30000
#define TEST_WATCHDOG_S	240
#define MAXLINES	400

/* ---- the program ---------------------------------------------- */

/*
 * The pts(7D) program, as ported software carries it, with only the node
 * path as a parameter. Returns the slave descriptor (or -1 with errno set
 * and *@step naming the call that failed); *@found gets I_FIND's answer
 * (-1 with errno on a native pty, which has no STREAMS).
 */
static int openpty_program(const char *ptmx, int *mfd, char *name, size_t namelen,
			   int *found, const char **step)
{
	char *sn;
	int m, s;

	*step = "open";
	m = open(ptmx, O_RDWR | O_NOCTTY);
	if (m < 0)
		return -1;
	*mfd = m;
	*step = "grantpt";
	if (grantpt(m))
		return -1;
	*step = "unlockpt";
	if (unlockpt(m))
		return -1;
	*step = "ptsname";
	sn = ptsname(m);
	if (!sn)
		return -1;
	snprintf(name, namelen, "%s", sn);
	*step = "open slave";
	s = open(name, O_RDWR | O_NOCTTY);
	if (s < 0)
		return -1;
	*step = "I_FIND";
	*found = ioctl(s, I_FIND, "ptem");
	if (*found == 0) {
		*step = "I_PUSH ptem";
		if (ioctl(s, I_PUSH, "ptem"))
			goto fail;
		*step = "I_PUSH ldterm";
		if (ioctl(s, I_PUSH, "ldterm"))
			goto fail;
		*step = "I_PUSH ttcompat";
		if (ioctl(s, I_PUSH, "ttcompat"))
			goto fail;
	}
	*step = NULL;
	return s;
fail:
	close(s);
	return -1;
}

/* The module names of a stream, top down, joined with ','; -1 if no list. */
static int module_list(int fd, char *out, size_t len)
{
	struct str_mlist names[16];
	struct str_list l = { .sl_nmods = 16, .sl_modlist = names };
	int n = ioctl(fd, I_LIST, NULL), i;

	out[0] = 0;
	if (n < 0 || n > 16)
		return -1;
	l.sl_nmods = n;
	if (ioctl(fd, I_LIST, &l) < 0)
		return -1;
	for (i = 0; i < l.sl_nmods; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%.*s", i ? "," : "",
			 FMNAMESZ + 1, names[i].l_name);
	return l.sl_nmods;
}

TEST(openpty_program_makes_a_terminal)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 }, got;
	char name[128], mods[256], line[16];
	const char *step;
	struct termios t;
	struct stat st;
	int m = -1, s, found = -7, old;

	watchdog(60);
	/* The module's default; a bare-slave test before may have left it off. */
	old = set_pts_autopush(1);
	ASSERT_LE(0, old) TH_LOG("pts_autopush: %s", strerror(-old));
	s = openpty_program(PTMX_NODE, &m, name, sizeof(name), &found, &step);
	ASSERT_LE(0, s) TH_LOG("%s: %s", step, strerror(errno));
	EXPECT_EQ(0, strncmp(name, "/dev/strpts/", 12)) TH_LOG("ptsname: %s", name);
	ASSERT_EQ(0, stat(name, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0620, st.st_mode & 0777);
	/* The autopush default (issue 13, item 5): ptem is already there, and
	 * the program pushes nothing; either way the stack is the three. */
	EXPECT_EQ(1, found) TH_LOG("I_FIND ptem: %d (%s)", found, found < 0 ? strerror(errno) : "");
	EXPECT_EQ(4, module_list(s, mods, sizeof(mods)));
	EXPECT_STREQ("ttcompat,ldterm,ptem,pts", mods);
	EXPECT_EQ(1, ioctl(s, I_FIND, "ptem"));
	EXPECT_EQ(1, ioctl(s, I_FIND, "ldterm"));
	EXPECT_EQ(1, ioctl(s, I_FIND, "ttcompat"));
	/* "s is now a terminal": tcgetattr, window size, line editing, echo. */
	EXPECT_EQ(1, isatty(s));
	EXPECT_EQ(0, tcgetattr(s, &t)) TH_LOG("tcgetattr: %s", strerror(errno));
	EXPECT_EQ(0, ioctl(m, TIOCSWINSZ, &ws)) TH_LOG("TIOCSWINSZ on the master: %s", strerror(errno));
	memset(&got, 0, sizeof(got));
	EXPECT_EQ(0, ioctl(s, TIOCGWINSZ, &got)) TH_LOG("TIOCGWINSZ on the slave: %s", strerror(errno));
	EXPECT_EQ(24, got.ws_row);
	EXPECT_EQ(80, got.ws_col);
	ASSERT_EQ(8, write(m, "hex\177llo\r", 8));
	memset(line, 0, sizeof(line));
	EXPECT_EQ(6, read_exact(s, line, 6, WAIT_MS));
	EXPECT_STREQ("hello\n", line);
	memset(line, 0, sizeof(line));
	EXPECT_EQ(11, read_exact(m, line, 11, WAIT_MS));
	EXPECT_STREQ("hex\b \bllo\r\n", line);
	close(s);
	close(m);
	set_pts_autopush(old);
}

/* ---- the shell session ----------------------------------------------- */

struct side {
	const char *label;	/* "strclone" or "native" */
	const char *ptmx;
	int native;
	int m;
	char slave[128];
	pid_t sh;		/* the shell: its pid is its session and group */
	int status;		/* its wait status, once reaped */
	int reaped;
	/* The transcript, one line per entry, already escaped. */
	char *lines[MAXLINES];
	int nlines;
	/* What the current step read from the master (raw). */
	char out[16384];
	size_t outlen;
	int failed;		/* the script stopped: no point going on */
	char why[256];
};

static struct side *sides[2];

/* A watchdog that leaves no shell behind holding a stream open. */
static void on_alarm(int sig)
{
	for (int i = 0; i < 2; i++)
		if (sides[i] && sides[i]->sh > 0)
			kill(-sides[i]->sh, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void add_line(struct side *sd, const char *fmt, ...)
{
	va_list ap;
	char *l;

	if (sd->nlines >= MAXLINES)
		return;
	va_start(ap, fmt);
	if (vasprintf(&l, fmt, ap) < 0)
		l = NULL;
	va_end(ap);
	if (l)
		sd->lines[sd->nlines++] = l;
}

/* Escape @n bytes of @b into @o (printable ASCII as is, the rest C-like). */
static void escape(const char *b, size_t n, char *o, size_t olen)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 5 < olen; i++) {
		unsigned char c = b[i];

		switch (c) {
		case '\r': k += sprintf(o + k, "\\r"); break;
		case '\n': k += sprintf(o + k, "\\n"); break;
		case '\t': k += sprintf(o + k, "\\t"); break;
		case '\b': k += sprintf(o + k, "\\b"); break;
		case '\033': k += sprintf(o + k, "\\e"); break;
		case '\\': k += sprintf(o + k, "\\\\"); break;
		default:
			if (c >= 0x20 && c < 0x7f)
				o[k++] = c;
			else
				k += sprintf(o + k, "\\x%02x", c);
		}
	}
	o[k] = 0;
}

/*
 * The step's output into the transcript: one line per '\n' (kept, escaped),
 * the slave's path replaced by "<slave>" (the one normalisation).
 */
static void flush_output(struct side *sd)
{
	size_t start = 0, sl = strlen(sd->slave);
	char raw[sizeof(sd->out) + 16], esc[4 * sizeof(sd->out) + 16];
	size_t rl = 0;

	for (size_t i = 0; i < sd->outlen; i++) {
		if (sl && i + sl <= sd->outlen && !memcmp(sd->out + i, sd->slave, sl)) {
			memcpy(raw + rl, "<slave>", 7);
			rl += 7;
			i += sl - 1;
		} else {
			raw[rl++] = sd->out[i];
		}
	}
	for (size_t i = 0; i < rl; i++) {
		if (raw[i] == '\n' || i + 1 == rl) {
			escape(raw + start, i + 1 - start, esc, sizeof(esc));
			add_line(sd, "< %s", esc);
			start = i + 1;
		}
	}
	sd->outlen = 0;
}

/* Typed input into the transcript and to the master. */
static void type(struct side *sd, const char *in)
{
	char esc[1024];
	size_t n = strlen(in);

	if (sd->failed)
		return;
	flush_output(sd);
	escape(in, n, esc, sizeof(esc));
	add_line(sd, "> %s", esc);
	if (write(sd->m, in, n) != (ssize_t)n) {
		sd->failed = 1;
		snprintf(sd->why, sizeof(sd->why), "typing \"%.200s\": %s", esc, strerror(errno));
	}
}

/* Something the harness did (not terminal output), into the transcript. */
static void event(struct side *sd, const char *what)
{
	flush_output(sd);
	add_line(sd, "= %s", what);
}

static void describe_status(struct side *sd, char *b, size_t n);

static int contains(const char *hay, size_t n, const char *needle)
{
	return memmem(hay, n, needle, strlen(needle)) != NULL;
}

/*
 * Read the master until @needle has appeared in what this step read, the
 * master says end of file, or STEP_MS. 0 if the needle came.
 */
static int expect(struct side *sd, const char *needle)
{
	long long end = now_ms() + STEP_MS;

	if (sd->failed)
		return -1;
	while (!contains(sd->out, sd->outlen, needle)) {
		long long left = end - now_ms();
		ssize_t r;
		int rev;

		if (left <= 0 || sd->outlen >= sizeof(sd->out))
			goto fail;
		rev = poll_fd(sd->m, POLLIN, (int)left);
		if (!(rev & (POLLIN | POLLHUP | POLLERR)))
			goto fail;
		r = read(sd->m, sd->out + sd->outlen, sizeof(sd->out) - sd->outlen);
		if (r <= 0)
			goto fail;
		sd->outlen += r;
	}
	return 0;
fail:
	{
		char esc[256];

		escape(needle, strlen(needle), esc, sizeof(esc));
		snprintf(sd->why, sizeof(sd->why), "no \"%.100s\" from the master within %d s",
			 esc, STEP_MS / 1000);
		sd->failed = 1;
		flush_output(sd);
		add_line(sd, "= (%s)", sd->why);
		/* Say so if the shell is gone (100-103: its child's setup failed,
		 * see start_shell). */
		if (!sd->reaped && waitpid(sd->sh, &sd->status, WNOHANG) == sd->sh) {
			char b[128];

			sd->reaped = 1;
			describe_status(sd, b, sizeof(b));
			add_line(sd, "= %s", b);
		}
		return -1;
	}
}

/* /proc/<pid>/stat: comm, state and session; 0 if read. */
static int proc_stat(pid_t pid, char *comm, size_t clen, char *state, pid_t *sid)
{
	char path[64], buf[512], *l, *r;
	int pgrp, ppid, session;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	l = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!l || !(l = strchr(buf, '(')) || !(r = strrchr(buf, ')')))
		return -1;
	snprintf(comm, clen, "%.*s", (int)(r - l - 1), l + 1);
	if (sscanf(r + 2, "%c %d %d %d", state, &ppid, &pgrp, &session) != 4)
		return -1;
	*sid = session;
	return 0;
}

/*
 * The one timing normalisation. A signal character is acted on before it
 * is echoed, by n_tty (n_tty_receive_signal_char: isig(), then echo_char())
 * as by ldterm (the M_PCSIG goes up, then the echo goes down): the
 * processes it signals may write before the echo is written, on either kind
 * of pty, depending only on which CPU runs first. So the echo @e is moved to
 * the front of what the step read, and a KTAP comment says when it was not
 * there already.
 */
static void echo_first(struct side *sd, const char *e)
{
	size_t n = strlen(e);
	char *p = memmem(sd->out, sd->outlen, e, n);

	if (!p || p == sd->out)
		return;
	printf("# %s: the %s echo came after %zu bytes of the shell's output (moved first)\n",
	       sd->label, e, (size_t)(p - sd->out));
	fflush(stdout);
	memmove(sd->out + n, sd->out, p - sd->out);
	memcpy(sd->out, e, n);
}

/* The pid of a process called @comm in session @sid, or 0. */
static pid_t find_in_session(pid_t sid, const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		char c[64], st;
		pid_t pid = atoi(e->d_name), s;

		if (pid > 0 && !proc_stat(pid, c, sizeof(c), &st, &s) && s == sid &&
		    !strcmp(c, comm) && st != 'Z')
			found = pid;
	}
	closedir(d);
	return found;
}

/* Wait until a `@comm` runs in the shell's session (it has exec'd). */
static pid_t wait_for_command(struct side *sd, const char *comm)
{
	long long end = now_ms() + STEP_MS;
	pid_t pid;

	if (sd->failed)
		return 0;
	while (!(pid = find_in_session(sd->sh, comm)) && now_ms() < end)
		usleep(10000);
	if (!pid) {
		sd->failed = 1;
		snprintf(sd->why, sizeof(sd->why), "no %s ran in the shell's session", comm);
		event(sd, sd->why);
	}
	return pid;
}

/*
 * Wait until the shell sleeps in poll(2)/ppoll(2) (busybox's `read`
 * builtin polls before it reads): a signal sent before that would only be
 * seen after the next line (busybox notes the race in its source).
 */
static int wait_in_poll(struct side *sd)
{
	long long end = now_ms() + STEP_MS;
	char path[64], buf[128];

	if (sd->failed)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/syscall", sd->sh);
	while (now_ms() < end) {
		FILE *f = fopen(path, "r");
		char *l = f ? fgets(buf, sizeof(buf), f) : NULL;
		char c[64], st;
		pid_t s;

		if (f)
			fclose(f);
		if (l && (!strncmp(buf, "7 ", 2) || !strncmp(buf, "271 ", 4)) &&
		    !proc_stat(sd->sh, c, sizeof(c), &st, &s) && st == 'S')
			return 0;
		usleep(10000);
	}
	sd->failed = 1;
	snprintf(sd->why, sizeof(sd->why), "the shell never waited in poll");
	event(sd, sd->why);
	return -1;
}

/* Reap the shell within STEP_MS; 0 if it ended. */
static int reap_shell(struct side *sd)
{
	long long end = now_ms() + STEP_MS;

	while (!sd->reaped && now_ms() < end) {
		pid_t r = waitpid(sd->sh, &sd->status, WNOHANG);

		if (r == sd->sh)
			sd->reaped = 1;
		else if (r < 0)
			break;
		else
			usleep(10000);
	}
	return sd->reaped ? 0 : -1;
}

/*
 * Start the shell on the slave. The child makes a session of its own and
 * gives the terminal its group: on the native pty as Linux wants it
 * (TIOCSCTTY: the slave becomes its controlling terminal, whose foreground
 * group is then the shell's), on the strclone slave with TIOCSPGRP (a
 * STREAMS file cannot be a Linux controlling terminal, terminals.rst).
 * Job control is off (+m) on both so that the shell and the command it
 * runs share that group: see terminals.rst, "Example session".
 */
static int start_shell(struct side *sd, int s)
{
	static char *const argv[] = { "sh", "+m", "-i", NULL };
	static char *const envp[] = { "PATH=/bin:/sbin:/usr/bin:/usr/sbin", "PS1=" PS1, NULL };
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		pid_t me;

		signal(SIGALRM, SIG_DFL);
		alarm(0);
		close(sd->m);
		/* 100-103: which setup step failed (the transcript shows it). */
		if (setsid() < 0)
			_exit(100);
		me = getpid();
		if (sd->native ? ioctl(s, TIOCSCTTY, 0) : ioctl(s, TIOCSPGRP, &me))
			_exit(101);
		if (dup2(s, 0) < 0 || dup2(s, 1) < 0 || dup2(s, 2) < 0)
			_exit(102);
		if (s > 2)
			close(s);
		execve(SHELL, argv, envp);
		_exit(103);
	}
	sd->sh = pid;
	return 0;
}

static void describe_status(struct side *sd, char *b, size_t n)
{
	if (!sd->reaped)
		snprintf(b, n, "shell: still running");
	else if (WIFSIGNALED(sd->status))
		snprintf(b, n, "shell: killed by signal %d (%s)", WTERMSIG(sd->status),
			 strsignal(WTERMSIG(sd->status)));
	else
		snprintf(b, n, "shell: exited with status %d", WEXITSTATUS(sd->status));
}

/* What some steps read from the master (raw, before any normalisation but
 * the ^C echo's place), and what the harness saw, for the per-side checks. */
struct seen {
	char hello[4096], readline[4096], tty[4096], stty[8192], raw[8192], restored[8192];
	char intr[4096], winch[4096];
	long long intr_ms;
	pid_t sleep_pid;
	int sleep_gone;
	pid_t hup_sleep;	/* the `sleep 100` running at the hangup */
	int hup_sleep_status;
};

static void keep(struct side *sd, char *dst, size_t n)
{
	size_t k = sd->outlen < n - 1 ? sd->outlen : n - 1;

	memcpy(dst, sd->out, k);
	dst[k] = 0;
}

/* The script: the same for both sides. */
static void run_script(struct side *sd, struct seen *sn)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	const char *step;
	int s, found;
	char b[128];
	long long t0;

	s = openpty_program(sd->ptmx, &sd->m, sd->slave, sizeof(sd->slave), &found, &step);
	if (s < 0) {
		sd->failed = 1;
		snprintf(sd->why, sizeof(sd->why), "the pts(7D) program: %s: %s", step,
			 strerror(errno));
		return;
	}
	/* Not fatal: the transcript shows what a terminal without a size does. */
	if (ioctl(sd->m, TIOCSWINSZ, &ws))
		snprintf(b, sizeof(b), "TIOCSWINSZ 24x80 on the master: %s", strerror(errno));
	else
		snprintf(b, sizeof(b), "window size 24x80 set on the master");
	event(sd, b);
	event(sd, "shell started: sh +m -i");
	if (start_shell(sd, s)) {
		sd->failed = 1;
		snprintf(sd->why, sizeof(sd->why), "fork: %s", strerror(errno));
		close(s);
		return;
	}
	close(s);

	/* The banner and the first prompt. */
	expect(sd, PROMPT);
	/* A command line edited at the prompt (busybox's own line editor,
	 * which takes the terminal's VERASE): kill, then erase. */
	type(sd, "echo junk\025echo hellx\177o\r");
	expect(sd, PROMPT);
	keep(sd, sn->hello, sizeof(sn->hello));
	/* A line read in canonical mode, edited by the terminal (ldterm or
	 * n_tty) and echoed by it. "ready" says the line editor has given the
	 * terminal back its settings. */
	type(sd, "echo ready; read x; echo \"got [$x]\"\r");
	expect(sd, "ready\r\n");
	type(sd, "junk\025hellx\177o world\r");
	expect(sd, PROMPT);
	keep(sd, sn->readline, sizeof(sn->readline));
	type(sd, "tty\r");
	expect(sd, PROMPT);
	keep(sd, sn->tty, sizeof(sn->tty));
	type(sd, "stty -a\r");
	expect(sd, PROMPT);
	keep(sd, sn->stty, sizeof(sn->stty));
	type(sd, "o=$(stty -g); stty raw -echo; stty -a; stty $o\r");
	expect(sd, PROMPT);
	keep(sd, sn->raw, sizeof(sn->raw));
	type(sd, "stty -a\r");
	expect(sd, PROMPT);
	keep(sd, sn->restored, sizeof(sn->restored));
	/* ^C against a foreground `sleep 100`. */
	type(sd, "sleep 100\r");
	expect(sd, "sleep 100\r\n");
	sn->sleep_pid = wait_for_command(sd, "sleep");
	if (!sd->failed) {
		event(sd, "sleep is running");
		t0 = now_ms();
		type(sd, "\003");
		expect(sd, PROMPT);
		echo_first(sd, "^C");
		sn->intr_ms = now_ms() - t0;
		keep(sd, sn->intr, sizeof(sn->intr));
		sn->sleep_gone = kill(sn->sleep_pid, 0) < 0 && errno == ESRCH;
	}
	/* A window size change while the shell waits in `read`. */
	type(sd, "trap 'echo WINCH $(stty size)' WINCH; echo armed; read x\r");
	expect(sd, "armed\r\n");
	if (!wait_in_poll(sd)) {
		ws.ws_row = 30;
		ws.ws_col = 100;
		if (ioctl(sd->m, TIOCSWINSZ, &ws)) {
			snprintf(b, sizeof(b), "TIOCSWINSZ 30x100 on the master: %s", strerror(errno));
			event(sd, b);
			sd->failed = 1;
			snprintf(sd->why, sizeof(sd->why), "%s", b);
		} else {
			event(sd, "window size 30x100 set on the master");
		}
		expect(sd, PROMPT);
		keep(sd, sn->winch, sizeof(sn->winch));
	}
	/* The hangup: the master closes while `sleep 100` runs. */
	type(sd, "sleep 100\r");
	expect(sd, "sleep 100\r\n");
	sn->hup_sleep = wait_for_command(sd, "sleep");
	if (sn->hup_sleep) {
		flush_output(sd);
		close(sd->m);
		sd->m = -1;
		event(sd, "master closed");
		reap_shell(sd);
		describe_status(sd, b, sizeof(b));
		event(sd, b);
		/*
		 * The sleep must end too. If the shell died first, its orphan
		 * came to this process (a subreaper) and its status says why;
		 * if the sleep died first, the shell may have reaped it (on
		 * strclone the foreground group and the shell get SIGHUP at the
		 * same time), and all that can be known is that it is gone. So
		 * the transcript says only "ended"; check_side checks the
		 * signal when the status is known.
		 */
		if (sd->reaped) {
			long long end = now_ms() + STEP_MS;
			int st;
			pid_t r;

			while ((r = waitpid(sn->hup_sleep, &st, WNOHANG)) == 0 && now_ms() < end)
				usleep(10000);
			sn->hup_sleep_status = -1;
			if (r == sn->hup_sleep) {
				sn->hup_sleep_status = st;
				snprintf(b, sizeof(b), "sleep: ended");
			} else if (r < 0 && errno == ECHILD) {
				sn->hup_sleep_status = -2;	/* reaped by the shell */
				snprintf(b, sizeof(b), "sleep: ended");
			} else {
				snprintf(b, sizeof(b), "sleep: %s", r ? strerror(errno) : "still running");
			}
			event(sd, b);
		}
	}
}

/* Ends whatever is left: the shell's session, the master. */
static void cleanup(struct side *sd)
{
	if (sd->sh > 0) {
		kill(-sd->sh, SIGKILL);
		if (!sd->reaped && waitpid(sd->sh, &sd->status, 0) == sd->sh)
			sd->reaped = 1;
	}
	if (sd->m >= 0)
		close(sd->m);
	sd->m = -1;
	flush_output(sd);
}

static void print_transcript(struct side *sd)
{
	printf("# ---- %s transcript (%d lines)%s%s\n", sd->label, sd->nlines,
	       sd->failed ? ", stopped: " : "", sd->failed ? sd->why : "");
	for (int i = 0; i < sd->nlines; i++)
		printf("# %s\n", sd->lines[i]);
	fflush(stdout);
}

/* Checks of one side on its own: the transcript is right, not only equal. */
static void check_side(struct __test_metadata *_metadata, struct side *sd, struct seen *sn)
{
	const char *l = sd->label;

	EXPECT_FALSE(sd->failed) TH_LOG("%s: %s", l, sd->why);
	/* Edited at the prompt, and the command's output. */
	EXPECT_TRUE(contains(sn->hello, strlen(sn->hello), "\r\nhello\r\n")) TH_LOG("%s: echo hello", l);
	/* Edited by the terminal; its echo seen on the master. */
	EXPECT_TRUE(contains(sn->readline, strlen(sn->readline), "got [hello world]\r\n"))
		TH_LOG("%s: read x", l);
	EXPECT_TRUE(contains(sn->readline, strlen(sn->readline), "junk\b \b\b \b\b \b\b \bhellx\b \bo world\r\n"))
		TH_LOG("%s: the terminal's echo", l);
	EXPECT_TRUE(contains(sn->tty, strlen(sn->tty), sd->slave)) TH_LOG("%s: tty", l);
	/* stty -a: the size the master set, canonical mode with echo. */
	EXPECT_TRUE(contains(sn->stty, strlen(sn->stty), "speed 38400 baud; rows 24; columns 80;"))
		TH_LOG("%s: stty -a", l);
	EXPECT_TRUE(contains(sn->stty, strlen(sn->stty), " icanon ")) TH_LOG("%s: stty -a", l);
	EXPECT_TRUE(contains(sn->stty, strlen(sn->stty), " echo ")) TH_LOG("%s: stty -a", l);
	/* stty raw -echo took effect (and output processing is off: bare \n). */
	EXPECT_TRUE(contains(sn->raw, strlen(sn->raw), " -icanon ")) TH_LOG("%s: stty raw", l);
	EXPECT_TRUE(contains(sn->raw, strlen(sn->raw), " -echo ")) TH_LOG("%s: stty raw", l);
	EXPECT_TRUE(contains(sn->raw, strlen(sn->raw), "\n-opost ")) TH_LOG("%s: stty raw", l);
	/* ... and stty $(stty -g) put everything back. */
	{
		const char *a = strstr(sn->stty, "\r\n"), *b = strstr(sn->restored, "\r\n");

		EXPECT_TRUE(a && b && !strcmp(a, b)) TH_LOG("%s: settings not restored", l);
	}
	/* ^C: echoed, sleep gone long before its 100 s. */
	EXPECT_TRUE(!strncmp(sn->intr, "^C", 2)) TH_LOG("%s: ^C echo", l);
	EXPECT_TRUE(sn->sleep_gone) TH_LOG("%s: sleep survived ^C", l);
	EXPECT_GT(60000, sn->intr_ms);
	/* SIGWINCH reached the shell, which sees the new size. */
	EXPECT_TRUE(contains(sn->winch, strlen(sn->winch), "WINCH 30 100\r\n")) TH_LOG("%s: SIGWINCH", l);
	/* The hangup: the shell got SIGHUP, and so did its foreground
	 * command (Linux: when the session leader exits, kernel/exit.c ->
	 * disassociate_ctty(1) -> the group that was in the foreground), if
	 * its status came here (-2: the shell reaped it, see run_script). */
	EXPECT_TRUE(sd->reaped && WIFSIGNALED(sd->status) && WTERMSIG(sd->status) == SIGHUP)
		TH_LOG("%s: shell status %#x (reaped %d)", l, sd->status, sd->reaped);
	EXPECT_TRUE(sn->hup_sleep_status == -2 ||
		    (sn->hup_sleep_status != -1 && WIFSIGNALED(sn->hup_sleep_status) &&
		     WTERMSIG(sn->hup_sleep_status) == SIGHUP))
		TH_LOG("%s: sleep status %#x", l, sn->hup_sleep_status);
}

TEST(busybox_sh_same_as_native)
{
	static struct side st = { .label = "strclone", .ptmx = PTMX_NODE, .m = -1 };
	static struct side nt = { .label = "native", .ptmx = NATIVE_PTMX, .native = 1, .m = -1 };
	static struct seen sst, snt;
	int n, same, first = -1, old;

	sides[0] = &st;
	sides[1] = &nt;
	/* Orphans of the shells (the command running at the hangup) come here. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	signal(SIGALRM, on_alarm);
	alarm(TEST_WATCHDOG_S);
	ASSERT_EQ(0, access(SHELL, X_OK)) TH_LOG("%s: %s", SHELL, strerror(errno));
	/* The module's default, as a program finds it after insmod. */
	old = set_pts_autopush(1);
	ASSERT_LE(0, old) TH_LOG("pts_autopush: %s", strerror(-old));

	run_script(&nt, &snt);
	cleanup(&nt);
	run_script(&st, &sst);
	cleanup(&st);

	check_side(_metadata, &nt, &snt);
	check_side(_metadata, &st, &sst);

	n = st.nlines > nt.nlines ? st.nlines : nt.nlines;
	for (int i = 0; i < n && first < 0; i++)
		if (i >= st.nlines || i >= nt.nlines || strcmp(st.lines[i], nt.lines[i]))
			first = i;
	same = first < 0;
	EXPECT_TRUE(same) TH_LOG("transcripts differ from line %d: strclone \"%s\", native \"%s\"",
				 first + 1, first < st.nlines ? st.lines[first] : "(none)",
				 first < nt.nlines ? nt.lines[first] : "(none)");
	if (same)
		printf("# transcripts identical: %d lines (slave paths %s and %s shown as <slave>)\n",
		       st.nlines, st.slave, nt.slave);
	/* TERMINAL_SH_VERBOSE=1: both transcripts whatever the outcome. */
	if (!same || _metadata->exit_code != KSFT_PASS || getenv("TERMINAL_SH_VERBOSE")) {
		print_transcript(&st);
		print_transcript(&nt);
	}
	set_pts_autopush(old);
	alarm(0);
}

TEST_HARNESS_MAIN
