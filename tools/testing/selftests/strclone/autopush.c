// SPDX-License-Identifier: GPL-2.0
/*
 * Autopush and the sad driver: /dev/sad/admin and /dev/sad/user, every
 * SAD_SAP/SAD_GAP/SAD_VML errno of modules.rst, the privilege checks, and
 * the pushes at open: onto /dev/clone-echo and /dev/clone-ptmx (clone
 * opens), /dev/conslog (the first open only; a reopen pushes nothing) and
 * /dev/strlog, for one minor, a range and every minor; a module that
 * refuses fails the open and leaves nothing behind; and the autopush(8)
 * tool (/opt/strclone/bin/autopush) against the real driver.
 *
 * Every configuration a test sets is recorded in the fixture and cleared by
 * the fixture's teardown, which runs in the parent process, so it also runs
 * when a test fails or is killed: no test leaves autopush configured for
 * the tests after it. The setup checks that no configuration is left over
 * on the majors used here. Documentation/strclone/modules.rst is the
 * contract checked here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "strclone_util.h"
#include "rel_util.h"

/* Bare pts slaves: these tests predate the ptem/ldterm autopush default. */
STRCLONE_BARE_PTS()

#define ADMIN_NODE	"/dev/sad/admin"
#define USER_NODE	"/dev/sad/user"
#define CONSLOG_NODE	"/dev/conslog"
#define STRLOG_NODE	"/dev/strlog"
#define AUTOPUSH_BIN	"/opt/strclone/bin/autopush"
#define NSTRPUSH_PARAM	"/sys/module/strclone/parameters/nstrpush"
#define DBG_MODULES	DBG_DIR "/modules"

#define ECHO	STRCLONE_ECHO_MAJOR
#define PTM	STRCLONE_PTM_MAJOR
#define LOG	STRCLONE_LOG_MAJOR
/* A major no driver has. */
#define NODRV	200
/* The table's bound (streams/autopush.rs, MAX_CONFIGS). */
#define MAX_CONFIGS	1024

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

static int istr_int(int fd, int cmd, int val)
{
	struct strioctl s = {
		.ic_cmd = cmd, .ic_timout = ISTR_TIMEOUT,
		.ic_len = sizeof(val), .ic_dp = (char *)&val,
	};

	return xioctl(fd, I_STR, &s);
}

/* open=<n> of one target in debugfs targets; -1 if absent. */
static long target_open(unsigned int major)
{
	char buf[4096], *p;
	char want[16];

	if (read_text(DBG_TARGETS, buf, sizeof(buf)) < 0)
		return -1;
	snprintf(want, sizeof(want), "%u ", major);
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		char *o;

		if (strncmp(p, want, strlen(want)))
			continue;
		o = strstr(p, "open=");
		return o ? strtol(o + 5, NULL, 10) : -1;
	}
	return -1;
}

static int minor_of(int fd)
{
	struct strclone_devinfo di;

	if (getdev(fd, &di) < 0)
		return -1;
	return (int)di.minor;
}

/* A struct strapush; @names is NULL-terminated, npush is their count. */
static struct strapush mk(unsigned int cmd, unsigned int major, unsigned int minor,
			  unsigned int last, const char *const *names)
{
	struct strapush s;

	memset(&s, 0, sizeof(s));
	s.sap_cmd = cmd;
	s.sap_major = major;
	s.sap_minor = minor;
	s.sap_lastminor = last;
	for (int i = 0; names && names[i] && i < MAXAPUSH; i++) {
		strncpy(s.sap_list[i], names[i], FMNAMESZ + 1);
		s.sap_npush++;
	}
	return s;
}

static const char *const NULLMOD[] = { "nullmod", NULL };
static const char *const TESTMOD[] = { "testmod", NULL };
static const char *const BOTH[] = { "nullmod", "testmod", NULL };

/* ---- the fixture: sad descriptors, and what a test configured ----------- */

#define NREC	(MAX_CONFIGS + 64)

FIXTURE(sad) {
	int admin, user;
	int nrec;
	struct { unsigned int major, minor; } rec[NREC];
	int nstrpush;		/* to restore, 0 if untouched */
};

/* Records (major, minor) for the teardown to clear. */
static void note(FIXTURE_DATA(sad) *self, unsigned int major, unsigned int minor)
{
	if (self->nrec < NREC) {
		self->rec[self->nrec].major = major;
		self->rec[self->nrec].minor = minor;
		self->nrec++;
	}
}

/* SAD_SAP on the admin node; a set that succeeds is recorded. */
static int sap(FIXTURE_DATA(sad) *self, struct strapush s)
{
	int r = xioctl(self->admin, SAD_SAP, &s);

	if (r == 0 && s.sap_cmd != SAP_CLEAR)
		note(self, s.sap_major, s.sap_cmd == SAP_ALL ? 0 : s.sap_minor);
	return r;
}

static int clear(int fd, unsigned int major, unsigned int minor)
{
	struct strapush s = mk(SAP_CLEAR, major, minor, 0, NULL);

	return xioctl(fd, SAD_SAP, &s);
}

static int gap(int fd, unsigned int major, unsigned int minor, struct strapush *out)
{
	memset(out, 0xa5, sizeof(*out));
	out->sap_major = major;
	out->sap_minor = minor;
	return xioctl(fd, SAD_GAP, out);
}

/* The minors the setup checks for leftovers, on echo, ptm and log. */
static const unsigned int probe_minors[] = { 0, 1, 2, 3, 5, 6, 7, 10, 100, 4095 };

FIXTURE_SETUP(sad)
{
	struct strapush s;

	watchdog(WATCHDOG_S);
	self->admin = open(ADMIN_NODE, O_RDWR);
	ASSERT_LE(0, self->admin) TH_LOG("open %s: %s", ADMIN_NODE, strerror(errno));
	self->user = open(USER_NODE, O_RDWR);
	ASSERT_LE(0, self->user) TH_LOG("open %s: %s", USER_NODE, strerror(errno));
	for (size_t i = 0; i < ARRAY_LEN(probe_minors); i++) {
		ASSERT_EQ(-ENODEV, gap(self->user, ECHO, probe_minors[i], &s))
			TH_LOG("autopush left configured for echo minor %u", probe_minors[i]);
		ASSERT_EQ(-ENODEV, gap(self->user, PTM, probe_minors[i], &s))
			TH_LOG("autopush left configured for ptm minor %u", probe_minors[i]);
		ASSERT_EQ(-ENODEV, gap(self->user, LOG, probe_minors[i], &s))
			TH_LOG("autopush left configured for log minor %u", probe_minors[i]);
	}
}

/* In the parent, whatever happened to the test: clear what it set. */
FIXTURE_TEARDOWN_PARENT(sad)
{
	int fd = open(ADMIN_NODE, O_RDWR);
	char v[16];

	if (self->nstrpush > 0) {
		snprintf(v, sizeof(v), "%d", self->nstrpush);
		write_text(NSTRPUSH_PARAM, v);
	}
	if (fd < 0)
		return;
	for (int i = 0; i < self->nrec; i++) {
		struct strapush s;

		/* Already cleared by the test (or never set): ENODEV. */
		if (gap(fd, self->rec[i].major, self->rec[i].minor, &s) == 0)
			clear(fd, s.sap_major, s.sap_cmd == SAP_ALL ? 0 : s.sap_minor);
	}
	close(fd);
}

/* ---- the nodes ------------------------------------------------------------ */

TEST_F(sad, nodes_and_modes)
{
	struct stat st;
	char buf[8];

	ASSERT_EQ(0, stat(ADMIN_NODE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	ASSERT_EQ(0, stat(USER_NODE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
	/* Control files, not streams: no read, no write, no stream ioctls. */
	EXPECT_EQ(-1, read(self->user, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(self->admin, "x", 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EINVAL, xioctl(self->user, I_NREAD, &(int){ 0 }));
	EXPECT_EQ(-EINVAL, xioctl(self->user, I_LIST, NULL));
	EXPECT_EQ(-EINVAL, xioctl(self->admin, STRCLONE_GETDEV, &(struct strclone_devinfo){ 0 }));
}

/* ---- SAD_SAP and SAD_GAP ---------------------------------------------------- */

TEST_F(sad, set_get_clear_round_trip)
{
	struct strapush s, g;

	/* One minor; sap_lastminor is ignored but kept. */
	s = mk(SAP_ONE, ECHO, 3, 77, NULLMOD);
	ASSERT_EQ(0, sap(self, s));
	ASSERT_EQ(0, gap(self->user, ECHO, 3, &g));
	/* Every byte comes back: the unused names are zeroed. */
	EXPECT_EQ(0, memcmp(&s, &g, sizeof(s)));
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 2, &g));
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 4, &g));

	/* A range: any minor in it finds it; both ends included. */
	s = mk(SAP_RANGE, ECHO, 10, 20, BOTH);
	ASSERT_EQ(0, sap(self, s));
	for (unsigned int m = 10; m <= 20; m += 5) {
		ASSERT_EQ(0, gap(self->admin, ECHO, m, &g));
		EXPECT_EQ(0, memcmp(&s, &g, sizeof(s))) TH_LOG("minor %u", m);
	}
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 9, &g));
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 21, &g));

	/* Every minor, sent as autopush(8) sends it (sap_minor -1). */
	s = mk(SAP_ALL, PTM, 0xffffffff, 0, TESTMOD);
	ASSERT_EQ(0, sap(self, s));
	ASSERT_EQ(0, gap(self->user, PTM, 12345, &g));
	EXPECT_EQ(0, memcmp(&s, &g, sizeof(s)));
	ASSERT_EQ(0, gap(self->user, PTM, 0, &g));
	EXPECT_EQ(SAP_ALL, g.sap_cmd);

	/* A name with bytes after its NUL comes back without them. */
	s = mk(SAP_ONE, ECHO, 30, 0, NULL);
	s.sap_npush = 1;
	memcpy(s.sap_list[0], "testmod\0z", FMNAMESZ + 1);
	ASSERT_EQ(0, sap(self, s));
	ASSERT_EQ(0, gap(self->user, ECHO, 30, &g));
	EXPECT_EQ(0, memcmp(g.sap_list[0], "testmod\0\0", FMNAMESZ + 1));

	/* Cleared: gone, and clearing again finds nothing. */
	EXPECT_EQ(0, clear(self->admin, ECHO, 3));
	EXPECT_EQ(0, clear(self->admin, ECHO, 10));
	EXPECT_EQ(0, clear(self->admin, ECHO, 30));
	EXPECT_EQ(0, clear(self->admin, PTM, 0));
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 3, &g));
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 15, &g));
	EXPECT_EQ(-ENODEV, gap(self->user, PTM, 7, &g));
	EXPECT_EQ(-ENODEV, clear(self->admin, ECHO, 3));
}

TEST_F(sad, set_errnos)
{
	struct strapush s;

	/* sap_cmd. */
	s = mk(4, ECHO, 0, 0, NULLMOD);
	EXPECT_EQ(-EINVAL, sap(self, s));
	s.sap_cmd = 0x1234;
	EXPECT_EQ(-EINVAL, sap(self, s));
	/* sap_npush: 0, above MAXAPUSH. */
	s = mk(SAP_ONE, ECHO, 0, 0, NULL);
	EXPECT_EQ(-EINVAL, sap(self, s));
	s = mk(SAP_ONE, ECHO, 0, 0, NULLMOD);
	s.sap_npush = MAXAPUSH + 1;
	EXPECT_EQ(-EINVAL, sap(self, s));
	s.sap_npush = 0xffffffff;
	EXPECT_EQ(-EINVAL, sap(self, s));
	/* The range. */
	s = mk(SAP_RANGE, ECHO, 5, 5, NULLMOD);
	EXPECT_EQ(-ERANGE, sap(self, s));
	s = mk(SAP_RANGE, ECHO, 5, 4, NULLMOD);
	EXPECT_EQ(-ERANGE, sap(self, s));
	/* The names: unknown, empty, no NUL within FMNAMESZ + 1, a later one bad. */
	s = mk(SAP_ONE, ECHO, 0, 0, (const char *const[]){ "nosuchmd", NULL });
	EXPECT_EQ(-EINVAL, sap(self, s));
	s = mk(SAP_ONE, ECHO, 0, 0, (const char *const[]){ "", NULL });
	s.sap_npush = 1;
	EXPECT_EQ(-EINVAL, sap(self, s));
	s = mk(SAP_ONE, ECHO, 0, 0, NULL);
	s.sap_npush = 1;
	memcpy(s.sap_list[0], "nullmodxy", FMNAMESZ + 1);
	EXPECT_EQ(-EINVAL, sap(self, s));
	s = mk(SAP_ONE, ECHO, 0, 0, (const char *const[]){ "nullmod", "testmod", "nullmodd", NULL });
	EXPECT_EQ(-EINVAL, sap(self, s));
	/* Names past sap_npush are not looked at. */
	s = mk(SAP_ONE, ECHO, 0, 0, (const char *const[]){ "nullmod", "nosuchmd", NULL });
	s.sap_npush = 1;
	EXPECT_EQ(0, sap(self, s));
	EXPECT_EQ(0, clear(self->admin, ECHO, 0));
	/* The major: no driver, beyond the table, NODEV. */
	s = mk(SAP_ONE, NODRV, 0, 0, NULLMOD);
	EXPECT_EQ(-EINVAL, sap(self, s));
	s.sap_major = STRCLONE_NMAJOR;
	EXPECT_EQ(-EINVAL, sap(self, s));
	s.sap_major = 0xffffffff;
	EXPECT_EQ(-EINVAL, sap(self, s));
	/* Nothing was configured by any of these. */
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 0, &s));
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 5, &s));
}

TEST_F(sad, set_checks_in_illumos_order)
{
	struct strapush s;

	/* sap_npush before the range, the range before the names ... */
	s = mk(SAP_RANGE, ECHO, 5, 1, NULL);
	EXPECT_EQ(-EINVAL, sap(self, s));
	s = mk(SAP_RANGE, ECHO, 5, 1, (const char *const[]){ "nosuchmd", NULL });
	EXPECT_EQ(-ERANGE, sap(self, s));
	/* ... and the range before the major; NODEV is refused first. */
	s = mk(SAP_RANGE, NODRV, 5, 1, NULLMOD);
	EXPECT_EQ(-ERANGE, sap(self, s));
	s.sap_major = 0xffffffff;
	EXPECT_EQ(-EINVAL, sap(self, s));
	/* A bad sap_cmd before anything else in the structure. */
	s = mk(7, NODRV, 5, 1, NULL);
	EXPECT_EQ(-EINVAL, sap(self, s));
	/* EPERM on the user node before the argument is even read. */
	EXPECT_EQ(-EPERM, xioctl(self->user, SAD_SAP, NULL));
	EXPECT_EQ(-EPERM, xioctl(self->user, SAD_SAP, KERNEL_PTR));
	s = mk(7, NODRV, 5, 1, NULL);
	EXPECT_EQ(-EPERM, xioctl(self->user, SAD_SAP, &s));
}

TEST_F(sad, overlaps_are_refused)
{
	struct strapush s;

	ASSERT_EQ(0, sap(self, mk(SAP_RANGE, ECHO, 10, 20, NULLMOD)));
	EXPECT_EQ(-EEXIST, sap(self, mk(SAP_ONE, ECHO, 10, 0, TESTMOD)));
	EXPECT_EQ(-EEXIST, sap(self, mk(SAP_ONE, ECHO, 20, 0, TESTMOD)));
	EXPECT_EQ(-EEXIST, sap(self, mk(SAP_RANGE, ECHO, 5, 10, TESTMOD)));
	EXPECT_EQ(-EEXIST, sap(self, mk(SAP_RANGE, ECHO, 20, 25, TESTMOD)));
	EXPECT_EQ(-EEXIST, sap(self, mk(SAP_RANGE, ECHO, 12, 13, TESTMOD)));
	EXPECT_EQ(-EEXIST, sap(self, mk(SAP_RANGE, ECHO, 0, 100, TESTMOD)));
	EXPECT_EQ(-EEXIST, sap(self, mk(SAP_ALL, ECHO, 0, 0, TESTMOD)));
	/* Next to it is free. */
	EXPECT_EQ(0, sap(self, mk(SAP_ONE, ECHO, 9, 0, TESTMOD)));
	EXPECT_EQ(0, sap(self, mk(SAP_RANGE, ECHO, 21, 22, TESTMOD)));
	/* Every minor of a major overlaps anything of that major. */
	ASSERT_EQ(0, sap(self, mk(SAP_ALL, PTM, 0, 0, TESTMOD)));
	EXPECT_EQ(-EEXIST, sap(self, mk(SAP_ONE, PTM, 4000, 0, NULLMOD)));
	EXPECT_EQ(-EEXIST, sap(self, mk(SAP_ALL, PTM, 0, 0, NULLMOD)));
	/* The refused ones changed nothing. */
	ASSERT_EQ(0, gap(self->user, ECHO, 10, &s));
	EXPECT_EQ(SAP_RANGE, s.sap_cmd);
	EXPECT_STREQ("nullmod", s.sap_list[0]);
	ASSERT_EQ(0, gap(self->user, PTM, 4000, &s));
	EXPECT_STREQ("testmod", s.sap_list[0]);
	EXPECT_EQ(0, clear(self->admin, ECHO, 9));
	EXPECT_EQ(0, clear(self->admin, ECHO, 10));
	EXPECT_EQ(0, clear(self->admin, ECHO, 21));
	EXPECT_EQ(0, clear(self->admin, PTM, 0));
}

TEST_F(sad, clear_errnos)
{
	ASSERT_EQ(0, sap(self, mk(SAP_RANGE, ECHO, 10, 20, NULLMOD)));
	ASSERT_EQ(0, sap(self, mk(SAP_ALL, PTM, 0xffffffff, 0, NULLMOD)));
	EXPECT_EQ(-ENODEV, clear(self->admin, ECHO, 9));
	EXPECT_EQ(-ENODEV, clear(self->admin, LOG, 0));
	/* A range by its first minor only; every minor by minor 0 only. */
	EXPECT_EQ(-ERANGE, clear(self->admin, ECHO, 15));
	EXPECT_EQ(-ERANGE, clear(self->admin, ECHO, 20));
	EXPECT_EQ(-EINVAL, clear(self->admin, PTM, 5));
	EXPECT_EQ(-EINVAL, clear(self->admin, PTM, 0xffffffff));
	/* The major first: no driver is EINVAL even where nothing is set. */
	EXPECT_EQ(-EINVAL, clear(self->admin, NODRV, 0));
	EXPECT_EQ(-EINVAL, clear(self->admin, STRCLONE_NMAJOR, 0));
	EXPECT_EQ(0, clear(self->admin, ECHO, 10));
	EXPECT_EQ(0, clear(self->admin, PTM, 0));
	EXPECT_EQ(-ENODEV, clear(self->admin, PTM, 0));
}

TEST_F(sad, gap_errnos)
{
	struct strapush s, *ro;

	EXPECT_EQ(-EINVAL, gap(self->user, NODRV, 0, &s));
	EXPECT_EQ(-EINVAL, gap(self->user, STRCLONE_NMAJOR, 0, &s));
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 0, &s));
	EXPECT_EQ(-EFAULT, xioctl(self->user, SAD_GAP, NULL));
	EXPECT_EQ(-EFAULT, xioctl(self->user, SAD_GAP, KERNEL_PTR));
	/* Readable but not writable: the copy-out fails. */
	ASSERT_EQ(0, sap(self, mk(SAP_ONE, ECHO, 0, 0, NULLMOD)));
	ro = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	memset(ro, 0, sizeof(*ro));
	ro->sap_major = ECHO;
	ro->sap_minor = 0;
	ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));
	ASSERT_EQ(0, mprotect((char *)ro + 4096, 4096, PROT_NONE));
	EXPECT_EQ(-EFAULT, xioctl(self->user, SAD_GAP, ro));
	/* A structure that runs into an inaccessible page. */
	EXPECT_EQ(-EFAULT, xioctl(self->user, SAD_GAP, (char *)ro + 4096 - 40));
	munmap(ro, 8192);
	/* SAD_SAP's own EFAULT. */
	EXPECT_EQ(-EFAULT, xioctl(self->admin, SAD_SAP, NULL));
	EXPECT_EQ(-EFAULT, xioctl(self->admin, SAD_SAP, KERNEL_PTR));
	EXPECT_EQ(0, clear(self->admin, ECHO, 0));
}

TEST_F(sad, other_commands_are_einval)
{
	struct strapush s = mk(SAP_ONE, ECHO, 0, 0, NULLMOD);
	struct strioctl si = {
		.ic_cmd = SAD_SAP, .ic_timout = ISTR_TIMEOUT,
		.ic_len = sizeof(s), .ic_dp = (char *)&s,
	};

	/* Through I_STR: EINVAL, and nothing set. */
	EXPECT_EQ(-EINVAL, xioctl(self->admin, I_STR, &si));
	si.ic_cmd = SAD_GAP;
	EXPECT_EQ(-EINVAL, xioctl(self->user, I_STR, &si));
	si.ic_cmd = SAD_VML;
	EXPECT_EQ(-EINVAL, xioctl(self->user, I_STR, &si));
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 0, &s));
	/* Solaris' AP_VERSION 1 commands, and anything else. */
	s = mk(SAP_ONE, ECHO, 0, 0, NULLMOD);
	EXPECT_EQ(-EINVAL, xioctl(self->admin, SADIOC | 0x11, &s));
	EXPECT_EQ(-EINVAL, xioctl(self->admin, SADIOC | 0x12, &s));
	EXPECT_EQ(-EINVAL, xioctl(self->admin, SADIOC | 4, &s));
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 0, &s));
}

TEST_F(sad, npush_is_bounded_by_nstrpush)
{
	char v[16] = "";
	struct strapush s;
	long before;
	int fd;

	ASSERT_LT(0, read_text(NSTRPUSH_PARAM, v, sizeof(v)));
	self->nstrpush = atoi(v);
	ASSERT_EQ(9, self->nstrpush);
	ASSERT_EQ(0, write_text(NSTRPUSH_PARAM, "2"));
	s = mk(SAP_ONE, ECHO, 0, 0, (const char *const[]){ "nullmod", "testmod", "nullmod", NULL });
	EXPECT_EQ(-EINVAL, sap(self, s));
	s.sap_npush = 2;
	EXPECT_EQ(0, sap(self, s));
	/* Lowered below a configuration after it was set: the push beyond
	 * nstrpush fails the open with EINVAL, as I_PUSH would. */
	before = uses_of("nullmod");
	ASSERT_EQ(0, write_text(NSTRPUSH_PARAM, "1"));
	fd = open(ECHO_NODE, O_RDWR);
	EXPECT_EQ(-1, fd) TH_LOG("opened echo minor %d", minor_of(fd));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(before, uses_of("nullmod"));
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(0, write_text(NSTRPUSH_PARAM, v));
	self->nstrpush = 0;
	EXPECT_EQ(0, clear(self->admin, ECHO, 0));
}

TEST_F(sad, the_table_is_bounded)
{
	int n = 0, r = 0;

	/* Single minors of echo far above any minor in use. */
	while (n <= MAX_CONFIGS) {
		r = sap(self, mk(SAP_ONE, ECHO, 100000 + n, 0, NULLMOD));
		if (r)
			break;
		n++;
	}
	EXPECT_EQ(MAX_CONFIGS, n);
	EXPECT_EQ(-ENOSR, r);
	/* Room again after a clear. */
	ASSERT_EQ(0, clear(self->admin, ECHO, 100000));
	EXPECT_EQ(0, sap(self, mk(SAP_ONE, ECHO, 100000, 0, NULLMOD)));
	for (int i = 0; i < n; i++) {
		ASSERT_EQ(0, clear(self->admin, ECHO, 100000 + i)) TH_LOG("minor %d", 100000 + i);
	}
}

/* ---- SAD_VML ------------------------------------------------------------------ */

static int vml(int fd, const char *const *names, int n)
{
	struct str_mlist l[16];
	struct str_list sl = { .sl_nmods = n, .sl_modlist = l };

	memset(l, 0, sizeof(l));
	for (int i = 0; i < n && i < 16; i++)
		strncpy(l[i].l_name, names[i], FMNAMESZ + 1);
	return xioctl(fd, SAD_VML, &sl);
}

TEST_F(sad, vml)
{
	const char *const good[] = { "nullmod", "testmod", "nullmod" };
	const char *const bad[] = { "nullmod", "nosuchmd", "testmod" };
	struct str_mlist raw[2];
	struct str_list sl = { .sl_nmods = 2, .sl_modlist = raw };

	EXPECT_EQ(0, vml(self->user, good, 3));
	EXPECT_EQ(0, vml(self->admin, good, 1));
	EXPECT_EQ(1, vml(self->user, bad, 3));
	EXPECT_EQ(1, vml(self->user, (const char *const[]){ "" }, 1));
	EXPECT_EQ(1, vml(self->user, (const char *const[]){ "NULLMOD" }, 1));
	/* Counts: none, negative, more than nstrpush (9). */
	EXPECT_EQ(-EINVAL, vml(self->user, good, 0));
	EXPECT_EQ(-EINVAL, vml(self->user, good, -1));
	EXPECT_EQ(-EINVAL, vml(self->user, good, 10));
	sl.sl_nmods = 0x7fffffff;
	EXPECT_EQ(-EINVAL, xioctl(self->user, SAD_VML, &sl));
	/* A name without its NUL, even after an unknown one. */
	memcpy(raw[0].l_name, "nosuchmd", FMNAMESZ + 1);
	memcpy(raw[1].l_name, "testmodxy", FMNAMESZ + 1);
	sl.sl_nmods = 2;
	EXPECT_EQ(-EINVAL, xioctl(self->user, SAD_VML, &sl));
	/* Bad pointers. */
	EXPECT_EQ(-EFAULT, xioctl(self->user, SAD_VML, NULL));
	EXPECT_EQ(-EFAULT, xioctl(self->user, SAD_VML, KERNEL_PTR));
	sl.sl_modlist = NULL;
	EXPECT_EQ(-EFAULT, xioctl(self->user, SAD_VML, &sl));
	sl.sl_modlist = KERNEL_PTR;
	EXPECT_EQ(-EFAULT, xioctl(self->user, SAD_VML, &sl));
}

/* ---- privilege --------------------------------------------------------------- */

/* Child side: the checks of an unprivileged user; exit status = first failure. */
static int as_user_checks(int admin_fd)
{
	struct strapush s = mk(SAP_ONE, ECHO, 0, 0, NULLMOD);
	int fd;

	if (drop_to(1000))
		return 10;
	/* The mode stops the open first. */
	if (open(ADMIN_NODE, O_RDWR) != -1 || errno != EACCES)
		return 11;
	/* An admin descriptor inherited from root cannot change autopush. */
	if (xioctl(admin_fd, SAD_SAP, &s) != -EPERM)
		return 12;
	s.sap_cmd = SAP_CLEAR;
	s.sap_minor = 50;
	if (xioctl(admin_fd, SAD_SAP, &s) != -EPERM)
		return 13;
	/* The user node: reading and checking work, setting does not. */
	fd = open(USER_NODE, O_RDWR);
	if (fd < 0)
		return 14;
	if (xioctl(fd, SAD_SAP, &s) != -EPERM)
		return 15;
	if (gap(fd, ECHO, 50, &s) != 0 || s.sap_cmd != SAP_ONE || strcmp(s.sap_list[0], "testmod"))
		return 16;
	if (vml(fd, (const char *const[]){ "nullmod" }, 1) != 0)
		return 17;
	if (gap(admin_fd, ECHO, 50, &s) != 0)
		return 18;
	return 0;
}

/* Child side: root without CAP_SYS_ADMIN. */
static int no_cap_checks(int admin_fd)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	struct strapush s = mk(SAP_ONE, ECHO, 51, 0, NULLMOD);
	int fd;

	if (syscall(SYS_capget, &h, d))
		return 20;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	d[CAP_SYS_ADMIN / 32].permitted &= ~(1u << (CAP_SYS_ADMIN % 32));
	if (syscall(SYS_capset, &h, d))
		return 21;
	/* uid 0 passes the mode; the privilege check refuses. */
	fd = open(ADMIN_NODE, O_RDWR);
	if (fd != -1 || errno != EPERM)
		return 22;
	if (xioctl(admin_fd, SAD_SAP, &s) != -EPERM)
		return 23;
	fd = open(USER_NODE, O_RDWR);
	if (fd < 0)
		return 24;
	close(fd);
	return 0;
}

static int run_child(int (*fn)(int), int arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		alarm(10);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(sad, privilege)
{
	struct strapush s;

	ASSERT_EQ(0, sap(self, mk(SAP_ONE, ECHO, 50, 0, TESTMOD)));
	/* What the children must fail to set, for the teardown if they do. */
	note(self, ECHO, 0);
	note(self, ECHO, 51);
	EXPECT_EQ(0, run_child(as_user_checks, self->admin));
	EXPECT_EQ(0, run_child(no_cap_checks, self->admin));
	/* Nothing the children tried changed anything. */
	ASSERT_EQ(0, gap(self->user, ECHO, 50, &s));
	EXPECT_STREQ("testmod", s.sap_list[0]);
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 51, &s));
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 0, &s));
	EXPECT_EQ(0, clear(self->admin, ECHO, 50));
}

/* ---- autopush at open ---------------------------------------------------------- */

TEST_F(sad, clone_echo_gets_its_modules_at_open)
{
	long nm = uses_of("nullmod"), tm = uses_of("testmod");
	struct testmod_counts c;
	char names[128], buf[16];
	int fd, fd2;

	ASSERT_LE(0, nm);
	ASSERT_EQ(0, sap(self, mk(SAP_ALL, ECHO, 0xffffffff, 0, BOTH)));
	fd = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", ECHO_NODE, strerror(errno));
	/* sap_list[0] was pushed first: it sits just above the driver. */
	EXPECT_EQ(3, nlist(fd));
	ASSERT_EQ(3, list_names(fd, names, sizeof(names)));
	EXPECT_STREQ("testmod,nullmod,echo", names);
	EXPECT_EQ(nm + 1, uses_of("nullmod"));
	EXPECT_EQ(tm + 1, uses_of("testmod"));
	/* Data goes down through both and comes back up. */
	ASSERT_EQ(5, write(fd, "hello", 5));
	ASSERT_EQ(5, read_exact(fd, buf, 5, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	/* testmod was opened once, by the push, and saw the data both ways. */
	ASSERT_EQ(0, counts(fd, &c));
	EXPECT_EQ(1, c.opens);
	EXPECT_EQ(0, c.reopens);
	EXPECT_EQ(2, c.msgs);
	/* Another clone open is another first open. */
	fd2 = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(3, nlist(fd2));
	EXPECT_NE(minor_of(fd), minor_of(fd2));
	close(fd2);
	close(fd);
	EXPECT_EQ(nm, uses_of("nullmod"));
	EXPECT_EQ(tm, uses_of("testmod"));
	/* Cleared: the next stream has nothing pushed; open streams never change. */
	fd = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(3, nlist(fd));
	EXPECT_EQ(0, clear(self->admin, ECHO, 0));
	EXPECT_EQ(3, nlist(fd));
	fd2 = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(1, nlist(fd2));
	close(fd2);
	close(fd);
}

TEST_F(sad, one_minor_and_a_range)
{
	int fd[5], expect[5], m;
	int in = 0, out = 0;

	ASSERT_EQ(0, sap(self, mk(SAP_RANGE, ECHO, 1, 2, NULLMOD)));
	ASSERT_EQ(0, sap(self, mk(SAP_ONE, ECHO, 3, 0, BOTH)));
	for (int i = 0; i < 5; i++) {
		fd[i] = open(ECHO_NODE, O_RDWR);
		ASSERT_LE(0, fd[i]);
		m = minor_of(fd[i]);
		expect[i] = m == 1 || m == 2 ? 2 : m == 3 ? 3 : 1;
		in += expect[i] > 1;
		out += expect[i] == 1;
		EXPECT_EQ(expect[i], nlist(fd[i])) TH_LOG("echo minor %d", m);
	}
	/* The lowest free minors were handed out: both kinds were seen. */
	EXPECT_EQ(3, in);
	EXPECT_LE(1, out);
	for (int i = 0; i < 5; i++)
		close(fd[i]);
	EXPECT_EQ(0, clear(self->admin, ECHO, 1));
	EXPECT_EQ(0, clear(self->admin, ECHO, 3));
}

TEST_F(sad, clone_ptmx_gets_its_modules_at_open)
{
	long tm = uses_of("testmod");
	char names[128], buf[8];
	struct testmod_counts c;
	int m, s;

	ASSERT_EQ(0, sap(self, mk(SAP_ALL, PTM, 0, 0, TESTMOD)));
	m = open(PTMX_NODE, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, m) TH_LOG("open %s: %s", PTMX_NODE, strerror(errno));
	ASSERT_EQ(2, list_names(m, names, sizeof(names)));
	EXPECT_STREQ("testmod,ptm", names);
	EXPECT_EQ(tm + 1, uses_of("testmod"));
	/* ptm's own ioctls still work; the slave (not opened through a node,
	 * see modules.rst) has nothing pushed. */
	ASSERT_EQ(0, ioctl(m, UNLKPT, 0));
	s = ioctl(m, PTMGETPEER, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s);
	EXPECT_EQ(1, nlist(s));
	ASSERT_EQ(4, write(m, "ping", 4));
	ASSERT_EQ(4, read_exact(s, buf, 4, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	ASSERT_EQ(4, write(s, "pong", 4));
	ASSERT_EQ(4, read_exact(m, buf, 4, WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "pong", 4));
	ASSERT_EQ(0, counts(m, &c));
	EXPECT_EQ(1, c.opens);
	EXPECT_EQ(2, c.msgs);
	close(s);
	close(m);
	EXPECT_EQ(tm, uses_of("testmod"));
	EXPECT_EQ(0, clear(self->admin, PTM, 0));
}

TEST_F(sad, conslog_first_open_only_and_strlog_clones)
{
	struct testmod_counts c;
	char names[128];
	int a, b, l;

	ASSERT_EQ(0, sap(self, mk(SAP_ONE, LOG, 0, 0, TESTMOD)));
	ASSERT_EQ(0, sap(self, mk(SAP_RANGE, LOG, 6, 4095, NULLMOD)));
	a = open(CONSLOG_NODE, O_WRONLY);
	ASSERT_LE(0, a) TH_LOG("open %s: %s", CONSLOG_NODE, strerror(errno));
	ASSERT_EQ(2, list_names(a, names, sizeof(names)));
	EXPECT_STREQ("testmod,log", names);
	/* The second open joins the same stream: a reopen, nothing pushed. */
	b = open(CONSLOG_NODE, O_WRONLY);
	ASSERT_LE(0, b);
	EXPECT_EQ(2, nlist(b));
	ASSERT_EQ(0, counts(b, &c));
	EXPECT_EQ(1, c.opens);
	EXPECT_EQ(1, c.reopens);
	EXPECT_EQ(4, write(b, "log\n", 4));
	close(b);
	close(a);
	/* A strlog clone (minor 6 and up). */
	l = open(STRLOG_NODE, O_RDWR);
	ASSERT_LE(0, l);
	EXPECT_LE(6, minor_of(l));
	ASSERT_EQ(2, list_names(l, names, sizeof(names)));
	EXPECT_STREQ("nullmod,log", names);
	close(l);
	EXPECT_EQ(0, clear(self->admin, LOG, 0));
	EXPECT_EQ(0, clear(self->admin, LOG, 6));
	/* The last close popped testmod: a fresh conslog stream is bare. */
	a = open(CONSLOG_NODE, O_WRONLY);
	ASSERT_LE(0, a);
	EXPECT_EQ(1, nlist(a));
	close(a);
}

/*
 * A module that refuses its push fails the open with its errno; the
 * stream is gone, its minor free, every module it had popped.
 */
static void refused_open(struct __test_metadata *_metadata, FIXTURE_DATA(sad) *self,
			 const char *node, unsigned int major)
{
	long nm, tm, topen;
	int h, fd, m0, streams;
	char what[4096];

	/* A stream to give the testmod command on, opened before autopush. */
	h = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, xioctl(h, I_PUSH, "testmod"));
	/* The minor the next open gets. */
	fd = open(node, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, fd);
	m0 = minor_of(fd);
	close(fd);
	ASSERT_EQ(0, sap(self, mk(SAP_ALL, major, 0, 0, BOTH)));
	nm = uses_of("nullmod");
	tm = uses_of("testmod");
	topen = target_open(major);
	streams = dbg_stream_count(NULL, 0);
	ASSERT_LE(0, topen);
	ASSERT_LT(0, streams);
	ASSERT_EQ(0, istr_int(h, TESTMOD_REFUSE_PUSH, EACCES));
	fd = open(node, O_RDWR | O_NOCTTY);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EACCES, errno);
	if (fd >= 0)
		close(fd);
	/* nullmod was pushed and popped again; the stream was released. */
	EXPECT_EQ(nm, uses_of("nullmod"));
	EXPECT_EQ(tm, uses_of("testmod"));
	EXPECT_EQ(topen, target_open(major));
	EXPECT_EQ(streams, dbg_stream_count(what, sizeof(what))) TH_LOG("streams:\n%s", what);
	/* One-shot: the next open works, on the same (freed) minor. */
	fd = open(node, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(m0, minor_of(fd));
	EXPECT_EQ(3, nlist(fd));
	close(fd);
	close(h);
	EXPECT_EQ(0, clear(self->admin, major, 0));
}

TEST_F(sad, refusing_module_fails_echo_open_leaving_nothing)
{
	refused_open(_metadata, self, ECHO_NODE, ECHO);
}

TEST_F(sad, refusing_module_fails_ptmx_open_leaving_nothing)
{
	refused_open(_metadata, self, PTMX_NODE, PTM);
}

TEST_F(sad, refusing_module_fails_conslog_first_open)
{
	long tm;
	int h, fd;

	h = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, xioctl(h, I_PUSH, "testmod"));
	ASSERT_EQ(0, sap(self, mk(SAP_ONE, LOG, 0, 0, BOTH)));
	tm = uses_of("testmod");
	ASSERT_EQ(0, istr_int(h, TESTMOD_REFUSE_PUSH, ENOLINK));
	fd = open(CONSLOG_NODE, O_WRONLY);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENOLINK, errno);
	EXPECT_EQ(tm, uses_of("testmod"));
	/* No half-made conslog stream was left for the next open to join. */
	fd = open(CONSLOG_NODE, O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(3, nlist(fd));
	close(fd);
	close(h);
	EXPECT_EQ(0, clear(self->admin, LOG, 0));
}

/* ---- autopush(8) ------------------------------------------------------------------ */

/* Runs a shell command; its output (stdout and stderr) into @out. */
static int run(const char *cmd, char *out, size_t len)
{
	char full[512];
	FILE *p;
	size_t n;
	int st;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	p = popen(full, "r");
	if (!p)
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

#define CONF	"/tmp/autopush-selftest.conf"

TEST_F(sad, autopush_tool)
{
	static const char conf[] =
		"# written by the autopush selftest\n"
		"echo 0 0 nullmod        # one minor\n"
		"72   5 7 nullmod testmod\n"
		"\n"
		"ptm  -1 0 testmod\n";
	char out[2048], want[256], names[128];
	struct strapush s;
	FILE *f;
	int fd;

	ASSERT_EQ(0, access(AUTOPUSH_BIN, X_OK)) TH_LOG("no %s", AUTOPUSH_BIN);
	f = fopen(CONF, "w");
	ASSERT_NE(NULL, f);
	fputs(conf, f);
	fclose(f);
	/* The recorded keys, so the teardown clears them whatever happens. */
	note(self, ECHO, 0);
	note(self, ECHO, 5);
	note(self, PTM, 0);

	EXPECT_EQ(0, run(AUTOPUSH_BIN " -f " CONF, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_STREQ("", out);
	ASSERT_EQ(0, gap(self->user, ECHO, 0, &s));
	EXPECT_EQ(SAP_ONE, s.sap_cmd);
	EXPECT_EQ(1, s.sap_npush);
	EXPECT_STREQ("nullmod", s.sap_list[0]);
	ASSERT_EQ(0, gap(self->user, ECHO, 6, &s));
	EXPECT_EQ(SAP_RANGE, s.sap_cmd);
	EXPECT_EQ(5, s.sap_minor);
	EXPECT_EQ(7, s.sap_lastminor);
	EXPECT_EQ(2, s.sap_npush);
	ASSERT_EQ(0, gap(self->user, PTM, 99, &s));
	EXPECT_EQ(SAP_ALL, s.sap_cmd);
	EXPECT_EQ(0xffffffffu, s.sap_minor);

	/* -g prints Solaris' columns. */
	EXPECT_EQ(0, run(AUTOPUSH_BIN " -g -M echo -m 6", out, sizeof(out))) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "%10s %10s %10s\t%s\n%10u %10u %10u\t%s\n", "Major", "Minor",
		 "Lastminor", "Modules", 72, 5, 7, "nullmod testmod");
	EXPECT_STREQ(want, out);
	EXPECT_EQ(0, run(AUTOPUSH_BIN " -g -M 23 -m 12", out, sizeof(out))) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "%10s %10s %10s\t%s\n%10u %10s %10s\t%s\n", "Major", "Minor",
		 "Lastminor", "Modules", 23, "ALL", "-", "testmod");
	EXPECT_STREQ(want, out);
	EXPECT_EQ(1, run(AUTOPUSH_BIN " -g -M echo -m 4", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, strerror(ENODEV))) TH_LOG("%s", out);

	/* The configuration is live: an echo stream on minor 5..7 gets both. */
	{
		int e[8], n = 0, got = -1;

		for (; n < 8; n++) {
			e[n] = open(ECHO_NODE, O_RDWR);
			if (e[n] < 0)
				break;
			if (minor_of(e[n]) == 6)
				got = nlist(e[n]);
			if (minor_of(e[n]) == 0)
				EXPECT_EQ(2, nlist(e[n]));
			if (minor_of(e[n]) == 6 && list_names(e[n], names, sizeof(names)) == 3)
				EXPECT_STREQ("testmod,nullmod,echo", names);
		}
		EXPECT_EQ(3, got);
		while (n-- > 0)
			close(e[n]);
	}

	/* Again: every line is refused (EEXIST), reported, exit status 1. */
	EXPECT_EQ(1, run(AUTOPUSH_BIN " -f " CONF, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, strerror(EEXIST))) TH_LOG("%s", out);

	/* -r: a range by its first minor (ERANGE otherwise), all by minor 0. */
	EXPECT_EQ(1, run(AUTOPUSH_BIN " -r -M echo -m 6", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, strerror(ERANGE))) TH_LOG("%s", out);
	EXPECT_EQ(0, run(AUTOPUSH_BIN " -r -M echo -m 5", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(0, run(AUTOPUSH_BIN " -r -M echo -m 0", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(0, run(AUTOPUSH_BIN " -r -M ptm -m 0", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 6, &s));
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 0, &s));
	EXPECT_EQ(-ENODEV, gap(self->user, PTM, 0, &s));
	EXPECT_EQ(1, run(AUTOPUSH_BIN " -r -M ptm -m 0", out, sizeof(out)));
	/* A bad file configures nothing at all. */
	f = fopen(CONF, "w");
	ASSERT_NE(NULL, f);
	fputs("echo 0 0 nullmod\necho 1 0 nosuchmodule\n", f);
	fclose(f);
	EXPECT_EQ(1, run(AUTOPUSH_BIN " -f " CONF, out, sizeof(out)));
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 0, &s));
	/* A module the kernel does not know: the driver refuses that line. */
	f = fopen(CONF, "w");
	ASSERT_NE(NULL, f);
	fputs("echo 0 0 nosuchmd\necho 1 0 nullmod\n", f);
	fclose(f);
	note(self, ECHO, 1);
	EXPECT_EQ(1, run(AUTOPUSH_BIN " -f " CONF, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, strerror(EINVAL))) TH_LOG("%s", out);
	EXPECT_EQ(-ENODEV, gap(self->user, ECHO, 0, &s));
	EXPECT_EQ(0, gap(self->user, ECHO, 1, &s));
	EXPECT_EQ(0, clear(self->admin, ECHO, 1));
	unlink(CONF);
	fd = open(ECHO_NODE, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, nlist(fd));
	close(fd);
}

TEST_HARNESS_MAIN
