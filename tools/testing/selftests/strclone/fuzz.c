// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz: random system calls with random (mostly invalid) arguments against
 * every strclone node and every strclone file descriptor, for a fixed time.
 *
 *   fuzz [-d SECONDS] [-s SEED] [-p PROCS] [-t THREADS]
 *
 * SECONDS defaults to $FUZZ_SECONDS, else 15 (the smoke run of `make check`;
 * `make fuzz` passes 600); SEED to $FUZZ_SEED when it is not 0, else a seed
 * taken from the clock. The seed is printed first: the
 * same seed replays the same sequence of decisions in every thread (timing,
 * and so the interleaving, differ between runs).
 *
 * PROCS processes (default 3) of THREADS threads (default 2) share, per
 * process, a table of open strclone descriptors and pick at random: opens of
 * every node with random flags (the pts slave nodes /dev/strpts/N too, which
 * PTMGETPTN and GRANTPT make), close (also of closed descriptors), read,
 * write, readv/writev, pread/pwrite/lseek, mmap, every strclone ioctl and
 * random ioctl numbers with random arguments (NULL, unmapped, read-only,
 * kernel and misaligned pointers, pointers that run into an unmapped page),
 * putmsg/getmsg/I_STR with random structures, module pushes and pops
 * (I_PUSH, I_POP, I_LIST, I_ANCHOR with real and bad module names), the
 * sad nodes' SAD_SAP/SAD_GAP/SAD_VML with random structures (so streams
 * opened meanwhile get modules autopushed), poll, epoll, fcntl, dup, fork
 * with the streams open (the child does a few operations, maybe as an
 * unprivileged user, and exits without closing), reading fdinfo and the
 * debugfs files, and registering/unregistering targets; with the sample C
 * driver (samples/kmod/sloop.ko, loaded for the run when the VM has it)
 * its clone node and minor nodes among the nodes; with the sample
 * multiplexor (samples/kmod/router.ko, likewise) I_LINK, I_PLINK, I_UNLINK
 * and I_PUNLINK of any of the descriptors under router streams, by every
 * thread at once (its test knobs too: answers held, links refused). A
 * per-thread timer interrupts every blocking call (every 50 ms), so nothing
 * waits for long: a link whose answer is held is given up by a signal.
 *
 * The pass condition is that the kernel survives without a splat (the
 * console is scanned by tools/vm/results.py); this program checks that the
 * workers keep making progress, that they all die when killed (nothing
 * stuck in the kernel), and that afterwards every stream is closed and
 * every minor free (debugfs), with the clone table restored, every
 * autopush configuration the fuzzers set cleared again, and every
 * multiplexor link gone once the persistent ones are removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest.h"
#include "router.h"
#include "strclone_util.h"
#include "rel_util.h"
#include "kmod_util.h"

/* Bare pts slaves: these tests predate the ptem/ldterm autopush default. */
STRCLONE_BARE_PTS()

#define MAX_PROCS	8
#define MAX_THREADS	4
#define NSLOTS		48
#define BUFSZ		(128 * 1024)
#define NOPS		32

static const char *const nodes[] = {
	"/dev/clone-ptmx", "/dev/clone-echo", "/dev/ptmajor",
	"/dev/conslog", "/dev/strlog", "/dev/sad/admin", "/dev/sad/user",
	"/dev/clone-pipe", "/dev/clone-sloop", "/dev/sloop/0", "/dev/sloop/1",
	"/dev/clone-router",
};

/* The sample C driver: loaded for the run if the VM has it. */
#define SLOOP_KO	"/opt/strclone/kmod/sloop.ko"
/* The sample multiplexor, likewise. */
#define ROUTER_KO	"/opt/strclone/kmod/router.ko"
#define ROUTER_NODE	"/dev/clone-router"
#define DBG_MUXES	"/sys/kernel/debug/strclone/muxes"
#define NMUXIDS		64

/* The (major, minor) of every SAD_SAP set tried, for the final clear. */
#define MAX_APS	512

/* Shared between all fuzzing processes (MAP_SHARED). */
struct shared {
	atomic_long ops[NOPS];
	atomic_long calls;
	atomic_long errs[160];		/* by errno; [0] = success */
	atomic_long forks;
	atomic_llong beat[MAX_PROCS];	/* last progress, ms */
	/* Errnos no system call may return (kernel-internal ones leaking). */
	atomic_int nweird;
	struct { int op, err; unsigned long cmd; } weird[16];
	/*
	 * Recorded before each SAD_SAP set is tried (a SIGKILL may come right
	 * after it succeeds); no set is tried once the table is full.
	 */
	atomic_int naps;
	struct { uint32_t major, minor; } aps[MAX_APS];
	/* Mux ids I_LINK and I_PLINK returned lately, for the unlinks. */
	atomic_int muxids[NMUXIDS];
};

static __thread unsigned long cur_cmd;

static struct shared *sh;
static int opt_seconds = 15, opt_procs = 3, opt_threads = 2;
static uint64_t opt_seed;

/* ---- per process -------------------------------------------------------- */

static atomic_int slots[NSLOTS];	/* fd + 1, 0 = empty */
static int proc_idx;
/* The sample multiplexor is loaded: do_mux has a driver to link under. */
static int router_loaded;

struct thr {
	pthread_t t;
	uint64_t rs;
	int idx;
	int ep;			/* an epoll instance */
	uint8_t *buf;		/* BUFSZ read/write bytes */
	uint8_t *ro;		/* read-only page */
	uint8_t *none;		/* PROT_NONE page (right after ro) */
	uint8_t *edge;		/* last bytes of buf, then a PROT_NONE page */
};

static void count(long r, int op)
{
	int e = r < 0 ? errno : 0;

	/* EHWPOISON (133) is the last errno user space may see. */
	if (e > 133) {
		int i = atomic_fetch_add(&sh->nweird, 1);

		if (i < 16) {
			sh->weird[i].op = op;
			sh->weird[i].err = e;
			sh->weird[i].cmd = op == 5 ? cur_cmd : 0;
		}
	}

	atomic_fetch_add(&sh->ops[op], 1);
	atomic_fetch_add(&sh->calls, 1);
	atomic_fetch_add(&sh->errs[e < 160 ? e : 159], 1);
}

static int any_fd(struct thr *t)
{
	int v = 0;

	for (int i = 0; i < 4 && !v; i++)
		v = atomic_load(&slots[rnd_below(&t->rs, NSLOTS)]);
	if (v && rnd_below(&t->rs, 10))
		return v - 1;
	/* Sometimes a descriptor that is not (or no longer) ours. */
	switch (rnd_below(&t->rs, 4)) {
	case 0: return -1;
	case 1: return 100 + rnd_below(&t->rs, 64);
	case 2: return 0x7fffffff;
	default: return 3 + rnd_below(&t->rs, 60);
	}
}

/* An fd from the table that is ours for sure (for writes to it). */
static int our_fd(struct thr *t)
{
	for (int i = 0; i < 4; i++) {
		int v = atomic_load(&slots[rnd_below(&t->rs, NSLOTS)]);

		if (v)
			return v - 1;
	}
	return -1;
}

static void put_fd(struct thr *t, int fd)
{
	int i = rnd_below(&t->rs, NSLOTS);
	int old = atomic_exchange(&slots[i], fd + 1);

	if (old)
		close(old - 1);
}

static void *rnd_ptr(struct thr *t)
{
	switch (rnd_below(&t->rs, 14)) {
	case 0: return NULL;
	case 1: return KERNEL_PTR;
	case 2: return (void *)0xffff888000000000UL;
	case 3: return t->none;
	case 4: return t->ro + rnd_below(&t->rs, 4096);
	case 5: return t->edge + BUFSZ - 1 - rnd_below(&t->rs, 64);
	case 6: return (void *)(uintptr_t)rnd_next(&t->rs);
	case 7: return (void *)(uintptr_t)(rnd_next(&t->rs) & 0x7fffffffffffUL);
	case 8: return t->buf + 1 + rnd_below(&t->rs, 7);
	default: return t->buf + rnd_below(&t->rs, 256);
	}
}

static long rnd_len(struct thr *t)
{
	switch (rnd_below(&t->rs, 14)) {
	case 0: return 0;
	case 1: return -1;
	case 2: return 4096;
	case 3: return 4097;
	case 4: return STRCLONE_STRMSGSZ;
	case 5: return STRCLONE_STRMSGSZ + 1;
	case 6: return STRCLONE_STRCTLSZ + 1;
	case 7: return (long)(int)rnd_next(&t->rs);
	case 8: return (long)rnd_next(&t->rs);
	case 9: return 1 + rnd_below(&t->rs, 9000);
	default: return 1 + rnd_below(&t->rs, 200);
	}
}

static long rnd_size(struct thr *t)
{
	long l = rnd_len(t);

	/* Mostly sizes that fit the buffer, sometimes anything. */
	if (rnd_below(&t->rs, 4) && (l < 0 || l > BUFSZ - 256))
		l = rnd_below(&t->rs, 8192);
	return l;
}

static const unsigned long ioctls[] = {
	I_NREAD, I_FLUSH, I_STR, I_FIND, I_LOOK, I_CANPUT, I_PUTMSG, I_GETMSG,
	I_PUTPMSG, I_GETPMSG, I_FLUSHBAND, I_CKBAND, I_GETBAND, I_ATMARK,
	I_SRDOPT, I_GRDOPT, I_SWROPT, I_GWROPT, I_PEEK, I_FDINSERT,
	I_PUSH, I_POP, I_LIST, I_ANCHOR, I_SETSIG, I_GETSIG, I_SETCLTIME, I_GETCLTIME,
	SAD_GAP, SAD_VML,
	STRCLONE_GETDEV, ISPTM, UNLKPT, GRANTPT, PTMGETPEER, PTMGETPTN, LOG_GETLOST,
	TCGETS, TCSETS, TIOCGPTN, TIOCSPTLCK, TIOCGWINSZ, TIOCSCTTY, FIONREAD,
	FIONBIO, FIOCLEX, FIONCLEX, FIOASYNC, TIOCGPTPEER,
	I_SENDFD, I_RECVFD, STRCLONE_PIPEPEER, I_LINK, I_UNLINK, I_PLINK, I_PUNLINK,
};

static const int istr_cmds[] = {
	ECHO_SETQ, ECHO_STOP, ECHO_START, ECHO_NAK, ECHO_HANGUP, ECHO_ERROR, ECHO_SETOPTS,
	ECHO_REVERSE, ECHO_NOREPLY, ECHO_MREAD, ECHO_MREADS, ECHO_MARK, I_TRCLOG, I_ERRLOG,
	I_CONSLOG, ROUTER_SETDEST, ROUTER_REFUSE, ROUTER_STATS, 0, -1,
};

static unsigned long rnd_cmd(struct thr *t)
{
	unsigned long c = ioctls[rnd_below(&t->rs, ARRAY_LEN(ioctls))];

	switch (rnd_below(&t->rs, 8)) {
	case 0: return (unsigned int)rnd_next(&t->rs);
	case 1: return c ^ (1UL << rnd_below(&t->rs, 32));
	case 2: return __SID | rnd_below(&t->rs, 128);
	case 3: return _IOC(rnd_below(&t->rs, 4), 'C', rnd_below(&t->rs, 32), rnd_below(&t->rs, 64));
	default: return c;
	}
}

/* A mux id for an unlink: mostly one returned lately, or every link. */
static int rnd_muxid(struct thr *t)
{
	switch (rnd_below(&t->rs, 8)) {
	case 0: return MUXID_ALL;
	case 1: return (int)rnd_below(&t->rs, 3) - 1;
	case 2: return (int)rnd_next(&t->rs);
	default: return atomic_load(&sh->muxids[rnd_below(&t->rs, NMUXIDS)]);
	}
}

static void fill_istr(struct thr *t, struct strioctl *s)
{
	int small[2] = { (int)rnd_below(&t->rs, 300), (int)rnd_below(&t->rs, 9000) };

	s->ic_cmd = rnd_below(&t->rs, 5) ? istr_cmds[rnd_below(&t->rs, ARRAY_LEN(istr_cmds))]
					 : (int)rnd_next(&t->rs);
	switch (rnd_below(&t->rs, 10)) {
	case 0: s->ic_timout = -1; break;
	case 1: s->ic_timout = 0; break;
	case 2: s->ic_timout = (int)rnd_next(&t->rs); break;
	default: s->ic_timout = 1; break;
	}
	s->ic_len = rnd_below(&t->rs, 3) ? (int)rnd_below(&t->rs, 600) : (int)rnd_len(t);
	s->ic_dp = rnd_below(&t->rs, 3) ? (char *)t->buf : rnd_ptr(t);
	if (s->ic_dp == (char *)t->buf) {
		/* Plausible payloads: water marks, errnos, trace filters. */
		memcpy(t->buf, small, sizeof(small));
		if (rnd_below(&t->rs, 2))
			for (int i = 8; i < 600; i++)
				t->buf[i] = (uint8_t)rnd_next(&t->rs);
	}
	/*
	 * ECHO_NAK and ECHO_ERROR hand the errno in their data back to the
	 * caller: keep it a real errno (or an invalid 0/negative one), so that
	 * any other errno the fuzzer sees is one the kernel made up. (echo
	 * passes kernel-internal values such as 512 through: see badinput.)
	 */
	if (s->ic_cmd == ECHO_NAK || s->ic_cmd == ECHO_ERROR) {
		int e = (int)rnd_below(&t->rs, 140) - 6;

		if (e > 133)
			e = EPROTO;
		memcpy(t->buf, &e, sizeof(e));
		s->ic_dp = (char *)t->buf;
	}
}

static void fill_pmsg(struct thr *t, struct strpmsg *m)
{
	m->ctlbuf.maxlen = rnd_below(&t->rs, 3) ? (int)rnd_below(&t->rs, 2048) : (int)rnd_len(t);
	m->ctlbuf.len = rnd_below(&t->rs, 3) ? (int)rnd_below(&t->rs, 1100) - 1 : (int)rnd_len(t);
	m->ctlbuf.buf = rnd_below(&t->rs, 3) ? (char *)t->buf : rnd_ptr(t);
	m->databuf.maxlen = rnd_below(&t->rs, 3) ? (int)rnd_below(&t->rs, 9000) : (int)rnd_len(t);
	m->databuf.len = rnd_below(&t->rs, 3) ? (int)rnd_below(&t->rs, 5000) - 1 : (int)rnd_len(t);
	m->databuf.buf = rnd_below(&t->rs, 3) ? (char *)t->buf + 2048 : rnd_ptr(t);
	switch (rnd_below(&t->rs, 4)) {
	case 0: m->band = (int)rnd_next(&t->rs); break;
	case 1: m->band = (int)rnd_below(&t->rs, 300); break;
	default: m->band = 0; break;
	}
	switch (rnd_below(&t->rs, 7)) {
	case 0: m->flags = RS_HIPRI; break;
	case 1: m->flags = MSG_ANY; break;
	case 2: m->flags = (int)rnd_next(&t->rs); break;
	case 3: m->flags = MSG_BAND; break;
	default: m->flags = 0; break;
	}
}

/* I_FDINSERT: a putmsg structure, any descriptor, offsets near the rules. */
static void fill_fdinsert(struct thr *t, struct strfdinsert *f)
{
	struct strpmsg m;

	fill_pmsg(t, &m);
	f->ctlbuf = m.ctlbuf;
	f->databuf = m.databuf;
	f->flags = rnd_below(&t->rs, 4) ? 0 : (rnd_below(&t->rs, 2) ? RS_HIPRI : (uint32_t)rnd_next(&t->rs));
	f->fildes = rnd_below(&t->rs, 6) ? any_fd(t) : (int)rnd_next(&t->rs);
	f->offset = rnd_below(&t->rs, 4) ? (int)rnd_below(&t->rs, 5) * 8 : (int)rnd_len(t);
}

/* Module names for I_PUSH, I_FIND, SAD_SAP and SAD_VML: real ones mostly. */
static const char *rnd_modname(struct thr *t)
{
	static const char *const names[] = {
		"nullmod", "testmod", "nullmod", "testmod", "", "nosuchmd", "nullmodx", "ldterm",
	};

	return names[rnd_below(&t->rs, ARRAY_LEN(names))];
}

/* A struct str_list for I_LIST/SAD_VML in @sl, its names in @ml. */
static void fill_list(struct thr *t, struct str_list *sl, struct str_mlist *ml, int room)
{
	for (int i = 0; i < room; i++) {
		memset(ml[i].l_name, rnd_below(&t->rs, 8) ? 0 : 'x', FMNAMESZ + 1);
		strncpy(ml[i].l_name, rnd_modname(t), FMNAMESZ);
	}
	switch (rnd_below(&t->rs, 6)) {
	case 0: sl->sl_nmods = (int)rnd_next(&t->rs); break;
	case 1: sl->sl_nmods = -(int)rnd_below(&t->rs, 3); break;
	default: sl->sl_nmods = 1 + rnd_below(&t->rs, room); break;
	}
	sl->sl_modlist = rnd_below(&t->rs, 5) ? ml : rnd_ptr(t);
}

/*
 * SAD_SAP, SAD_GAP or SAD_VML on @fd with plausible arguments: a real
 * major and small minors mostly, so that the configurations that get set
 * autopush modules onto the streams the other threads open.
 */
static void do_sad(struct thr *t, int fd)
{
	static const uint32_t majors[] = { STRCLONE_ECHO_MAJOR, STRCLONE_PTM_MAJOR, STRCLONE_LOG_MAJOR };
	struct str_mlist ml[12];
	struct str_list sl;
	struct strapush sap;
	void *arg = &sap;
	unsigned long cmd;
	long r;

	memset(&sap, 0, sizeof(sap));
	sap.sap_major = rnd_below(&t->rs, 8) ? majors[rnd_below(&t->rs, 3)]
					     : (uint32_t)rnd_next(&t->rs);
	sap.sap_minor = rnd_below(&t->rs, 4) ? rnd_below(&t->rs, 8) : (uint32_t)rnd_next(&t->rs);
	sap.sap_lastminor = sap.sap_minor + rnd_below(&t->rs, 8) - 2;
	sap.sap_npush = rnd_below(&t->rs, 8) ? 1 + rnd_below(&t->rs, 3) : (uint32_t)rnd_next(&t->rs);
	for (int i = 0; i < MAXAPUSH; i++)
		strncpy(sap.sap_list[i], rnd_modname(t), FMNAMESZ + 1);
	switch (rnd_below(&t->rs, 4)) {
	case 0: {
		int i;

		cmd = SAD_SAP;
		sap.sap_cmd = rnd_below(&t->rs, 10) ? rnd_below(&t->rs, 4) : (uint32_t)rnd_next(&t->rs);
		if (sap.sap_cmd != SAP_CLEAR) {
			/* Record the key first; no set once the record is full. */
			i = atomic_fetch_add(&sh->naps, 1);
			if (i >= MAX_APS) {
				sap.sap_cmd = SAP_CLEAR;
			} else {
				sh->aps[i].major = sap.sap_major;
				sh->aps[i].minor = sap.sap_cmd == SAP_ALL ? 0 : sap.sap_minor;
			}
		}
		break;
	}
	case 1:
		cmd = SAD_GAP;
		if (rnd_below(&t->rs, 6) == 0)
			arg = rnd_ptr(t);
		break;
	default:
		cmd = SAD_VML;
		fill_list(t, &sl, ml, 12);
		arg = rnd_below(&t->rs, 8) ? (void *)&sl : rnd_ptr(t);
		break;
	}
	/* Other 'D' numbers now and then, but never an unrecorded SAD_SAP. */
	if (cmd != SAD_SAP && rnd_below(&t->rs, 8) == 0) {
		cmd = SADIOC | rnd_below(&t->rs, 0x20);
		if (cmd == SAD_SAP)
			cmd = SAD_GAP;
	}
	if (cmd == SAD_SAP && sap.sap_cmd != SAP_CLEAR && rnd_below(&t->rs, 8) == 0)
		sap.sap_list[0][rnd_below(&t->rs, FMNAMESZ + 1)] = 'y';
	cur_cmd = cmd;
	r = ioctl(fd, cmd, arg);
	count(r, 5);
}

static void do_ioctl(struct thr *t, int fd)
{
	unsigned long cmd = rnd_cmd(t);
	struct str_mlist ml[12];
	struct strioctl si;
	struct str_list sl;
	struct strpmsg pm;
	struct strfdinsert fi;
	struct strpeek pk;
	struct bandinfo bi;
	void *arg = rnd_ptr(t);
	long r;

	if ((cmd == I_PUSH || cmd == I_FIND) && rnd_below(&t->rs, 4)) {
		arg = (void *)rnd_modname(t);
	} else if (cmd == I_LIST && rnd_below(&t->rs, 3)) {
		fill_list(t, &sl, ml, 12);
		arg = rnd_below(&t->rs, 3) ? (void *)&sl : NULL;
	} else if (cmd == I_STR && rnd_below(&t->rs, 4)) {
		fill_istr(t, &si);
		arg = &si;
	} else if ((cmd == I_PUTMSG || cmd == I_GETMSG || cmd == I_PUTPMSG || cmd == I_GETPMSG) &&
		   rnd_below(&t->rs, 4)) {
		fill_pmsg(t, &pm);
		arg = &pm;
	} else if (cmd == I_FDINSERT && rnd_below(&t->rs, 4)) {
		fill_fdinsert(t, &fi);
		arg = &fi;
	} else if (cmd == I_PEEK && rnd_below(&t->rs, 4)) {
		fill_pmsg(t, &pm);
		pk.ctlbuf = pm.ctlbuf;
		pk.databuf = pm.databuf;
		pk.flags = rnd_below(&t->rs, 3) ? 0 : (rnd_below(&t->rs, 2) ? RS_HIPRI : (uint32_t)rnd_next(&t->rs));
		arg = &pk;
	} else if (cmd == I_FLUSHBAND && rnd_below(&t->rs, 4)) {
		bi.bi_pri = (unsigned char)rnd_next(&t->rs);
		bi.bi_flag = rnd_below(&t->rs, 4) ? 1 + (int)rnd_below(&t->rs, 3) : (int)rnd_next(&t->rs);
		arg = &bi;
	} else if (cmd == I_FLUSH || cmd == PTMGETPEER || cmd == I_CANPUT || cmd == I_CKBAND ||
		   cmd == I_ATMARK || cmd == I_SRDOPT || cmd == I_SWROPT || rnd_below(&t->rs, 6) == 0) {
		arg = (void *)(uintptr_t)(rnd_below(&t->rs, 2) ? rnd_below(&t->rs, 8)
							 : rnd_next(&t->rs));
		if (cmd == PTMGETPEER && rnd_below(&t->rs, 2))
			arg = (void *)(uintptr_t)(O_RDWR | (rnd_below(&t->rs, 2) ? O_NONBLOCK : 0) |
						  (rnd_below(&t->rs, 2) ? O_CLOEXEC : 0));
	} else if (cmd == I_SETSIG && rnd_below(&t->rs, 2)) {
		/* Mostly valid events (every one, and S_BANDURG alone). */
		arg = (void *)(uintptr_t)rnd_below(&t->rs, 0x400);
	} else if (cmd == I_SETCLTIME) {
		/*
		 * A close time of 0 to 63 ms (see do_open), negative (EINVAL) or
		 * above STRCLONE_CLTIME_MAX (EINVAL); or a bad pointer.
		 */
		int ms = (int)rnd_below(&t->rs, 64);

		if (rnd_below(&t->rs, 8) == 0)
			ms = rnd_below(&t->rs, 2) ? -(int)rnd_below(&t->rs, 100) - 1
						  : STRCLONE_CLTIME_MAX + 1 + (int)rnd_below(&t->rs, 1000);
		memcpy(t->buf, &ms, sizeof(ms));
		if (rnd_below(&t->rs, 8))
			arg = t->buf;
		else if (rnd_below(&t->rs, 2))
			arg = t->ro;
	} else if ((cmd == I_GETCLTIME || cmd == I_GETSIG) && rnd_below(&t->rs, 2)) {
		arg = t->buf;
	} else if (cmd == I_SENDFD && rnd_below(&t->rs, 4)) {
		/* Mostly one of our descriptors: pipe ends, streams, anything. */
		arg = (void *)(uintptr_t)any_fd(t);
	} else if (cmd == I_RECVFD && rnd_below(&t->rs, 2)) {
		arg = t->buf;
	} else if ((cmd == I_LINK || cmd == I_PLINK) && rnd_below(&t->rs, 4)) {
		arg = (void *)(uintptr_t)any_fd(t);
	} else if ((cmd == I_UNLINK || cmd == I_PUNLINK) && rnd_below(&t->rs, 4)) {
		arg = (void *)(uintptr_t)(long)rnd_muxid(t);
	} else if (cmd == STRCLONE_PIPEPEER && rnd_below(&t->rs, 2)) {
		arg = (void *)(uintptr_t)(O_RDWR | (rnd_below(&t->rs, 2) ? O_NONBLOCK : 0) |
					  (rnd_below(&t->rs, 2) ? O_CLOEXEC : 0));
	} else if (cmd == PTMGETPTN && rnd_below(&t->rs, 2)) {
		/* Mostly a good pointer: the slave nodes get made. */
		arg = t->buf;
	}
	/* A set may only be tried by do_sad, which records it. */
	if ((cmd & 0xffff) == SAD_SAP)
		cmd = SAD_GAP;
	cur_cmd = cmd;
	r = ioctl(fd, cmd, arg);
	count(r, 5);
	if (r >= 0 && (cmd == PTMGETPEER || cmd == STRCLONE_PIPEPEER))
		put_fd(t, (int)r);
	if (r > 0 && (cmd == I_LINK || cmd == I_PLINK))
		atomic_store(&sh->muxids[rnd_below(&t->rs, NMUXIDS)], (int)r);
	if (r == 0 && cmd == I_RECVFD && arg == t->buf) {
		struct strrecvfd rf;

		memcpy(&rf, t->buf, sizeof(rf));
		put_fd(t, rf.fd);
	}
}

/*
 * Multiplexor plumbing (with the sample router loaded): a router stream
 * now and then, links of our descriptors under one of ours (mostly
 * streams, some linked already, some routers: cycles), unlinks of the ids
 * returned lately, persistent ones, an answer held or a link refused.
 */
static void do_mux(struct thr *t)
{
	static const int cmds[] = { I_LINK, I_LINK, I_PLINK, I_UNLINK, I_UNLINK, I_PUNLINK };
	int up = our_fd(t), cmd = cmds[rnd_below(&t->rs, ARRAY_LEN(cmds))];
	long r;

	if (rnd_below(&t->rs, 4) == 0) {
		int fd = open(ROUTER_NODE, O_RDWR | O_NONBLOCK);

		count(fd, 15);
		if (fd < 0)
			return;
		put_fd(t, fd);
		up = fd;
	}
	if (rnd_below(&t->rs, 16) == 0) {
		/* One answer held (the link ioctl then ends in a signal), or refused. */
		int v = rnd_below(&t->rs, 2) ? 1 : (int)rnd_below(&t->rs, 3) + EPERM;
		struct strioctl si = { .ic_cmd = v == 1 ? ROUTER_HOLD : ROUTER_REFUSE,
				       .ic_len = sizeof(v), .ic_dp = (char *)&v };

		cur_cmd = I_STR;
		count(ioctl(up, I_STR, &si), 15);
	}
	cur_cmd = cmd;
	if (cmd == I_LINK || cmd == I_PLINK) {
		r = ioctl(up, cmd, any_fd(t));
		if (r > 0)
			atomic_store(&sh->muxids[rnd_below(&t->rs, NMUXIDS)], (int)r);
	} else {
		r = ioctl(up, cmd, rnd_muxid(t));
	}
	count(r, 15);
}

static void do_open(struct thr *t)
{
	static const int accmode[] = { O_RDONLY, O_WRONLY, O_RDWR, O_RDWR, O_RDWR, 3 };
	static const int extra[] = { O_NONBLOCK, O_CLOEXEC, O_NOCTTY, O_APPEND, O_TRUNC,
				     O_CREAT, O_EXCL, O_PATH, O_DIRECTORY, O_SYNC, O_NOFOLLOW };
	int flags = accmode[rnd_below(&t->rs, ARRAY_LEN(accmode))];
	const char *node;
	char path[64];
	int fd;

	for (int i = rnd_below(&t->rs, 3); i > 0; i--)
		flags |= extra[rnd_below(&t->rs, ARRAY_LEN(extra))];
	/* Mostly non-blocking: a blocked call costs a timer period. */
	if (rnd_below(&t->rs, 4))
		flags |= O_NONBLOCK;
	if (rnd_below(&t->rs, 10) == 0) {
		/* Reopen one of our descriptors through /proc. */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", any_fd(t));
		node = path;
	} else if (rnd_below(&t->rs, 6) == 0) {
		/*
		 * A slave node of one of the lowest minors, the ones our
		 * masters hold: opens race with the masters' closes, UNLKPT,
		 * GRANTPT and the nodes' removal (ENOENT, ENXIO, EAGAIN, EIO).
		 */
		snprintf(path, sizeof(path), "/dev/strpts/%u", (unsigned int)rnd_below(&t->rs, 24));
		node = path;
		/*
		 * Never O_CREAT here: where a pair has no node yet it would
		 * make a regular file in devtmpfs, which devtmpfs would then
		 * keep instead of the pair's node (it makes a node only where
		 * the name is free), for every later test.
		 */
		flags &= ~(O_CREAT | O_EXCL);
	} else {
		node = nodes[rnd_below(&t->rs, ARRAY_LEN(nodes))];
		/* Mostly the nodes that give streams. */
		if (rnd_below(&t->rs, 3))
			node = nodes[rnd_below(&t->rs, 2)];
		if (rnd_below(&t->rs, 3) == 0)
			flags = (flags & ~O_ACCMODE) | O_RDWR;
		/* A clone node is gone while its target is unregistered (the
		 * debugfs hook): O_CREAT would leave a regular file there,
		 * which devtmpfs would keep instead of the node. */
		flags &= ~(O_CREAT | O_EXCL);
	}
	fd = open(node, flags, 0600);
	count(fd, 0);
	if (fd >= 0) {
		/*
		 * A short close time (0 to 63 ms): the forked children exit
		 * with whatever is open, and an exiting process cannot be
		 * interrupted while its last close waits for output to drain
		 * (streamio_async tests that wait).
		 */
		int ms = (int)rnd_below(&t->rs, 64);

		ioctl(fd, I_SETCLTIME, &ms);
		put_fd(t, fd);
	}
}

static void do_close(struct thr *t)
{
	int i = rnd_below(&t->rs, NSLOTS);
	int v = atomic_exchange(&slots[i], 0);
	long r;

	if (v) {
		r = close(v - 1);
	} else {
		/* A descriptor number we may just have closed. */
		r = close(100 + rnd_below(&t->rs, 64));
	}
	count(r, 1);
}

static void do_rw(struct thr *t, int write_side)
{
	int fd = write_side ? our_fd(t) : any_fd(t);
	void *p = rnd_ptr(t);
	long n = rnd_size(t), r;

	if (write_side && fd < 3)
		return;
	if (p == t->buf + 0 || rnd_below(&t->rs, 3))
		p = t->buf;
	if (write_side) {
		for (long i = 0; i < 64; i++)
			t->buf[i] = (uint8_t)rnd_next(&t->rs);
		r = syscall(SYS_write, fd, p, n);
	} else {
		r = syscall(SYS_read, fd, p, n);
	}
	count(r, write_side ? 3 : 2);
}

static void do_rwv(struct thr *t, int write_side)
{
	struct iovec iov[8];
	int fd = write_side ? our_fd(t) : any_fd(t);
	int cnt = rnd_below(&t->rs, 9);
	long r;

	if (write_side && fd < 3)
		return;
	for (int i = 0; i < cnt; i++) {
		iov[i].iov_base = rnd_below(&t->rs, 3) ? t->buf + 4096 * i : rnd_ptr(t);
		iov[i].iov_len = rnd_below(&t->rs, 4) ? rnd_below(&t->rs, 5000) : (size_t)rnd_len(t);
	}
	r = write_side ? writev(fd, iov, cnt) : readv(fd, iov, cnt);
	count(r, write_side ? 7 : 6);
}

static void do_poll(struct thr *t)
{
	struct pollfd p[8];
	int n = 1 + rnd_below(&t->rs, 8);
	long r;

	for (int i = 0; i < n; i++) {
		p[i].fd = any_fd(t);
		p[i].events = (short)rnd_next(&t->rs);
	}
	r = poll(p, n, rnd_below(&t->rs, 3) ? 0 : rnd_below(&t->rs, 30));
	count(r, 8);
}

static void do_epoll(struct thr *t)
{
	struct epoll_event ev = { .events = (uint32_t)rnd_next(&t->rs) &
					    (EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLERR | EPOLLHUP |
					     EPOLLET | EPOLLONESHOT | EPOLLRDNORM | EPOLLWRNORM) };
	struct epoll_event out[8];
	long r;

	switch (rnd_below(&t->rs, 4)) {
	case 0: r = epoll_ctl(t->ep, EPOLL_CTL_ADD, any_fd(t), &ev); break;
	case 1: r = epoll_ctl(t->ep, EPOLL_CTL_MOD, any_fd(t), &ev); break;
	case 2: r = epoll_ctl(t->ep, EPOLL_CTL_DEL, any_fd(t), &ev); break;
	default: r = epoll_wait(t->ep, out, 8, rnd_below(&t->rs, 20)); break;
	}
	count(r, 9);
}

static void do_fcntl(struct thr *t)
{
	static const int fl[] = { O_NONBLOCK, O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME };
	int fd = our_fd(t);
	long r;

	if (fd < 3)
		return;
	switch (rnd_below(&t->rs, 5)) {
	case 0: r = fcntl(fd, F_SETFL, fl[rnd_below(&t->rs, 5)] | (rnd_below(&t->rs, 2) ? O_NONBLOCK : 0)); break;
	case 1: r = fcntl(fd, F_GETFL); break;
	case 2: r = fcntl(fd, F_SETFD, rnd_below(&t->rs, 2)); break;
	case 3:
		r = fcntl(fd, F_DUPFD_CLOEXEC, 100);
		if (r >= 0)
			put_fd(t, (int)r);
		break;
	default: r = fcntl(fd, F_SETFL, 0); break;
	}
	count(r, 10);
}

static void do_dup(struct thr *t)
{
	int fd = our_fd(t);
	long r;

	if (fd < 3)
		return;
	if (rnd_below(&t->rs, 2)) {
		r = dup(fd);
		if (r >= 0)
			put_fd(t, (int)r);
	} else {
		int to = 100 + rnd_below(&t->rs, 64);

		/* The slot that held @to (if any) now refers to the new file. */
		r = dup3(fd, to, rnd_below(&t->rs, 2) ? O_CLOEXEC : 0);
	}
	count(r, 11);
}

static void do_misc(struct thr *t)
{
	int fd = any_fd(t);
	struct stat st;
	char path[64];
	long r;
	void *p;

	switch (rnd_below(&t->rs, 7)) {
	case 0: r = fstat(fd, &st); break;
	case 1: r = lseek(fd, (off_t)rnd_next(&t->rs), rnd_below(&t->rs, 5)); break;
	case 2: r = pread(fd, t->buf, rnd_below(&t->rs, 100), (off_t)rnd_below(&t->rs, 100)); break;
	case 3:
		fd = our_fd(t);
		r = fd >= 3 ? pwrite(fd, t->buf, rnd_below(&t->rs, 100), 0) : 0;
		break;
	case 4:
		p = mmap(NULL, 4096, PROT_READ | (rnd_below(&t->rs, 2) ? PROT_WRITE : 0),
			 rnd_below(&t->rs, 2) ? MAP_SHARED : MAP_PRIVATE, fd, 0);
		r = p == MAP_FAILED ? -1 : 0;
		if (p != MAP_FAILED)
			munmap(p, 4096);
		break;
	case 5:
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
		r = read_text(path, (char *)t->buf, 4096);
		if (r < 0) {
			errno = -r;
			r = -1;
		}
		break;
	default: r = syncfs(fd); break;
	}
	count(r, 12);
}

static void do_debugfs(struct thr *t)
{
	static const char *const texts[] = { "21", "23", "72", "73", "0", "255", "256", "-1", "abc",
					     " 23 ", "23\n", "99999999999999999999", "" };
	long r;

	switch (rnd_below(&t->rs, 5)) {
	case 0: r = read_text(DBG_STREAMS, (char *)t->buf, 64 * 1024); break;
	case 1: r = read_text(DBG_TARGETS, (char *)t->buf, 4096); break;
	case 2:
	case 3:
		/* Unregister rarely; register (put back) more often. */
		r = write_text(rnd_below(&t->rs, 3) ? DBG_REGISTER : DBG_UNREGISTER,
			       texts[rnd_below(&t->rs, ARRAY_LEN(texts))]);
		break;
	default: r = write_text(DBG_REGISTER, texts[rnd_below(&t->rs, 3)]); break;
	}
	if (r < 0) {
		errno = -r;
		r = -1;
	}
	count(r, 13);
}

static void one_op(struct thr *t);

/* A child with the streams inherited: a few operations, then _exit. */
static void do_fork(struct thr *t)
{
	pid_t pid;

	if (atomic_load(&sh->forks) > 100000)
		return;
	pid = fork();
	if (pid < 0) {
		count(-1, 14);
		return;
	}
	atomic_fetch_add(&sh->forks, 1);
	if (pid == 0) {
		int n = rnd_below(&t->rs, 30);

		/* Blocking calls are not interrupted here: die after 3 s at most. */
		signal(SIGALRM, SIG_DFL);
		alarm(3);
		if (rnd_below(&t->rs, 3) == 0) {
			uid_t u = rnd_below(&t->rs, 2) ? 1000 : 65534;

			if (setgroups(0, NULL) || setresgid(u, u, u) || setresuid(u, u, u))
				_exit(1);
		}
		for (int i = 0; i < n; i++) {
			uint32_t op = rnd_below(&t->rs, 100);

			/* No fork, no thread: just system calls. */
			if (op < 98)
				one_op(t);
		}
		/* Exit with whatever is still open, sometimes by a signal. */
		if (rnd_below(&t->rs, 4) == 0)
			raise(SIGKILL);
		_exit(0);
	}
	count(0, 14);
}

static void one_op(struct thr *t)
{
	uint32_t r = rnd_below(&t->rs, 1000);

	if (r < 110)
		do_open(t);
	else if (r < 190)
		do_close(t);
	else if (r < 330)
		do_rw(t, 0);
	else if (r < 470)
		do_rw(t, 1);
	else if (r < 510)
		do_rwv(t, rnd_below(&t->rs, 2));
	else if (r < 760)
		do_ioctl(t, any_fd(t));
	else if (r < 810)
		do_poll(t);
	else if (r < 850)
		do_epoll(t);
	else if (r < 880)
		do_fcntl(t);
	else if (r < 910)
		do_dup(t);
	else if (r < 950)
		do_misc(t);
	else if (r < 970)
		do_debugfs(t);
	else if (r < 985)
		do_sad(t, any_fd(t));
	else
		do_ioctl(t, our_fd(t));
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void *thread_fn(void *p)
{
	struct thr *t = p;
	struct sigevent sev = { 0 };
	struct itimerspec its = { { 0, 50 * 1000000 }, { 0, 50 * 1000000 } };
	timer_t tm;
	uint8_t *m;

	/* Buffer, a read-only page, an inaccessible page. */
	m = mmap(NULL, BUFSZ + 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	memset(m, 0, BUFSZ + 3 * 4096);
	t->buf = m;
	t->edge = m;
	mprotect(m + BUFSZ, 4096, PROT_NONE);
	t->ro = m + BUFSZ + 4096;
	mprotect(t->ro, 4096, PROT_READ);
	t->none = m + BUFSZ + 2 * 4096;
	mprotect(t->none, 4096, PROT_NONE);
	t->ep = epoll_create1(EPOLL_CLOEXEC);

	/* Interrupt this thread's blocking calls every 50 ms. */
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev._sigev_un._tid = tid_self();
	if (timer_create(CLOCK_MONOTONIC, &sev, &tm) == 0)
		timer_settime(tm, 0, &its, NULL);

	for (;;) {
		uint32_t r = rnd_below(&t->rs, 1000);

		if (r == 0)
			do_fork(t);
		else if (r < 40 && router_loaded)
			do_mux(t);
		else
			one_op(t);
		atomic_store(&sh->beat[proc_idx], rel_now_ms());
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	return NULL;
}

static void worker(int idx)
{
	struct thr thr[MAX_THREADS];
	struct sigaction sa;
	uint64_t rs = opt_seed ^ (0x9e3779b97f4a7c15ull * (idx + 1));

	proc_idx = idx;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: blocking calls fail EINTR */
	signal(SIGPIPE, SIG_IGN);
	/* I_SETSIG and O_ASYNC send these; SIGPOLL would end the worker. */
	signal(SIGIO, SIG_IGN);
	signal(SIGURG, SIG_IGN);
	for (int i = 0; i < opt_threads; i++) {
		thr[i].idx = i;
		thr[i].rs = rnd_next(&rs) | 1;
		if (i)
			pthread_create(&thr[i].t, NULL, thread_fn, &thr[i]);
	}
	thread_fn(&thr[0]);
	_exit(0);
}

static const char *const op_names[NOPS] = {
	"open", "close", "read", "write", "", "ioctl", "readv", "writev", "poll", "epoll",
	"fcntl", "dup", "misc", "debugfs", "fork", "mux",
};

int main(int argc, char **argv)
{
	pid_t pids[MAX_PROCS];
	const char *env;
	long long t0, deadline;
	int ch, stuck = 0, stalled = 0, idle, sloop, router, nolinks;
	char what[8192];

	env = getenv("FUZZ_SECONDS");
	if (env && atoi(env) > 0)
		opt_seconds = atoi(env);
	env = getenv("FUZZ_SEED");
	if (env && strtoull(env, NULL, 0))
		opt_seed = strtoull(env, NULL, 0);
	while ((ch = getopt(argc, argv, "d:s:p:t:")) != -1) {
		switch (ch) {
		case 'd': opt_seconds = atoi(optarg); break;
		case 's': opt_seed = strtoull(optarg, NULL, 0); break;
		case 'p': opt_procs = atoi(optarg); break;
		case 't': opt_threads = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: fuzz [-d SECONDS] [-s SEED] [-p PROCS] [-t THREADS]\n");
			return KSFT_FAIL;
		}
	}
	if (opt_procs < 1 || opt_procs > MAX_PROCS || opt_threads < 1 || opt_threads > MAX_THREADS ||
	    opt_seconds < 1)
		return KSFT_FAIL;
	if (!opt_seed)
		opt_seed = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ (uint64_t)rel_now_ms();

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	/* The seed first, so a crash still leaves it in the log. */
	ksft_print_msg("fuzz: seed %#llx, %d s, %d processes x %d threads (replay: FUZZ_SEED=%#llx)\n",
		       (unsigned long long)opt_seed, opt_seconds, opt_procs, opt_threads,
		       (unsigned long long)opt_seed);
	if (access(ECHO_NODE, F_OK))
		ksft_exit_fail_msg("no %s: strclone not loaded\n", ECHO_NODE);
	ksft_set_plan(9);
	/* Loaded here (and unloaded at the end) unless it already is. */
	sloop = access(SLOOP_KO, R_OK) == 0 ? load_kmod(SLOOP_KO) : 1;
	if (sloop < 0 && sloop != -EEXIST)
		ksft_exit_fail_msg("loading %s: %s\n", SLOOP_KO, strerror(-sloop));
	router = access(ROUTER_KO, R_OK) == 0 ? load_kmod(ROUTER_KO) : 1;
	if (router < 0 && router != -EEXIST)
		ksft_exit_fail_msg("loading %s: %s\n", ROUTER_KO, strerror(-router));
	router_loaded = access(ROUTER_NODE, F_OK) == 0;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	memset(sh, 0, sizeof(*sh));
	t0 = rel_now_ms();
	for (int i = 0; i < opt_procs; i++) {
		atomic_store(&sh->beat[i], t0);
		pids[i] = fork();
		if (pids[i] == 0) {
			/* Each worker its own process group: the kill reaches its children. */
			setpgid(0, 0);
			worker(i);
		}
		if (pids[i] < 0)
			ksft_exit_fail_msg("fork: %s\n", strerror(errno));
		setpgid(pids[i], pids[i]);
	}

	deadline = t0 + opt_seconds * 1000LL;
	for (long long next = t0 + 60000; rel_now_ms() < deadline;) {
		rel_sleep_ms(1000);
		for (int i = 0; i < opt_procs; i++) {
			if (rel_now_ms() - atomic_load(&sh->beat[i]) > 60000 && !(stalled & 1 << i)) {
				char path[64];

				stalled |= 1 << i;
				ksft_print_msg("worker %d made no progress for 60 s\n", i);
				snprintf(path, sizeof(path), "/proc/%d/stack", pids[i]);
				if (read_text(path, what, sizeof(what)) > 0)
					ksft_print_msg("its kernel stack:\n%s", what);
			}
		}
		if (rel_now_ms() >= next) {
			ksft_print_msg("%lld s: %ld calls, %ld forks\n", (rel_now_ms() - t0) / 1000,
				       atomic_load(&sh->calls), atomic_load(&sh->forks));
			next += 60000;
		}
	}

	/* Stop: every worker and its children must die at SIGKILL. */
	for (int i = 0; i < opt_procs; i++)
		kill(-pids[i], SIGKILL);
	for (int i = 0; i < opt_procs; i++) {
		long long end = rel_now_ms() + 20000;
		int status;

		while (waitpid(pids[i], &status, WNOHANG) == 0) {
			if (rel_now_ms() > end) {
				char p[64];

				stuck++;
				snprintf(p, sizeof(p), "/proc/%d/stack", pids[i]);
				if (read_text(p, what, sizeof(what)) > 0)
					ksft_print_msg("worker %d stuck in the kernel:\n%s", i, what);
				break;
			}
			rel_sleep_ms(50);
		}
	}
	/* Grandchildren (forked by the workers) exit by themselves (alarm). */
	while (waitpid(-1, NULL, 0) > 0)
		;

	ksft_print_msg("%ld system calls in %d s (%ld/s), %ld forks\n", atomic_load(&sh->calls),
		       opt_seconds, atomic_load(&sh->calls) / opt_seconds, atomic_load(&sh->forks));
	ksft_print_msg("calls:");
	for (int i = 0; i < NOPS; i++)
		if (op_names[i] && op_names[i][0] && atomic_load(&sh->ops[i]))
			printf(" %s %ld", op_names[i], atomic_load(&sh->ops[i]));
	printf("\n");
	ksft_print_msg("results:");
	for (int e = 0; e < 160; e++)
		if (atomic_load(&sh->errs[e]))
			printf(" %s %ld", e ? errname(e) : "ok", atomic_load(&sh->errs[e]));
	printf("\n");
	printf("FUZZ-FIGURES seed=%#llx seconds=%d calls=%ld forks=%ld\n",
	       (unsigned long long)opt_seed, opt_seconds, atomic_load(&sh->calls),
	       atomic_load(&sh->forks));

	ksft_test_result(!stalled && atomic_load(&sh->calls) > 0,
			 "fuzzed for %d s with seed %#llx: %ld system calls, every worker kept going\n",
			 opt_seconds, (unsigned long long)opt_seed, atomic_load(&sh->calls));
	ksft_test_result(!stuck, "every fuzzing process died at SIGKILL (nothing stuck in the kernel)\n");
	for (int i = 0; i < atomic_load(&sh->nweird) && i < 16; i++)
		ksft_print_msg("errno %d from %s%s%#lx\n", sh->weird[i].err,
			       op_names[sh->weird[i].op], sh->weird[i].cmd ? " cmd " : "",
			       sh->weird[i].cmd);
	ksft_test_result(atomic_load(&sh->nweird) == 0,
			 "no kernel-internal errno reached user space (%d seen)\n",
			 atomic_load(&sh->nweird));

	/* Put every target back, then nothing may be left open. */
	write_text(DBG_REGISTER, "21");
	write_text(DBG_REGISTER, "23");
	write_text(DBG_REGISTER, "72");
	write_text(DBG_REGISTER, "73");
	read_text(DBG_TARGETS, what, sizeof(what));
	ksft_test_result(strstr(what, "21 strlog") && strstr(what, "23 ptmx") && strstr(what, "72 echo") &&
			 strstr(what, "73 pipe"),
			 "clone table restored (21, 23, 72, 73 registered)\n");
	/* Clear every autopush configuration the fuzzers may have set. */
	{
		int admin = open("/dev/sad/admin", O_RDWR), n = atomic_load(&sh->naps), left = 0;
		int cleared = 0;

		if (n > MAX_APS)
			n = MAX_APS;
		for (int i = 0; admin >= 0 && i < n; i++) {
			struct strapush g = { .sap_major = sh->aps[i].major,
					      .sap_minor = sh->aps[i].minor };

			if (ioctl(admin, SAD_GAP, &g))
				continue;
			g.sap_minor = g.sap_cmd == SAP_ALL ? 0 : g.sap_minor;
			g.sap_cmd = SAP_CLEAR;
			if (ioctl(admin, SAD_SAP, &g) == 0)
				cleared++;
		}
		for (int i = 0; admin >= 0 && i < n; i++) {
			struct strapush g = { .sap_major = sh->aps[i].major,
					      .sap_minor = sh->aps[i].minor };

			left += ioctl(admin, SAD_GAP, &g) == 0;
		}
		ksft_print_msg("autopush: %d sets tried, %d configurations cleared afterwards\n", n,
			       cleared);
		ksft_test_result(admin >= 0 && !left,
				 "every autopush configuration cleared (%d left)\n", left);
		if (admin >= 0)
			close(admin);
	}
	/*
	 * The persistent links outlive the fuzzers: removed from a new router
	 * stream (each removal waits for the router's answer; a refusal or a
	 * lost answer is retried). Then nothing may be linked, once every
	 * upper stream has closed: a killed fuzzer's upper may still be
	 * closing when it is reaped (its file passed with I_SENDFD and freed
	 * with the message that held it, on the kernel's delayed fput), and its
	 * close removes its links one at a time, each waiting for the router's
	 * answer (up to 15 s when the router was told to hold it).
	 */
	nolinks = 1;
	if (router_loaded) {
		int fd = open(ROUTER_NODE, O_RDWR);
		long long end = rel_now_ms() + 40000;
		int tries = 0;

		do {
			if (fd >= 0 && ioctl(fd, I_PUNLINK, MUXID_ALL) && tries++ < 8)
				ksft_print_msg("I_PUNLINK MUXID_ALL: %s\n", strerror(errno));
			what[0] = 0;
			nolinks = fd >= 0 && read_text(DBG_MUXES, what, sizeof(what)) == 0;
			if (!nolinks)
				rel_sleep_ms(100);
		} while (!nolinks && fd >= 0 && rel_now_ms() < end);
		if (fd >= 0)
			close(fd);
		if (!nolinks)
			ksft_print_msg("links left after 40 s:\n%s", what);
	}
	ksft_test_result(nolinks, "every multiplexor link removed afterwards (debugfs muxes)\n");
	idle = wait_idle(20000, what, sizeof(what)) == 0;
	if (!idle)
		ksft_print_msg("still open after every fuzzer exited:\n%s", what);
	ksft_test_result(idle, "every stream closed and every minor free afterwards (debugfs)\n");
	if (sloop == 0) {
		int r = unload_kmod_settled("sloop");

		ksft_test_result(r == 0 && access("/dev/clone-sloop", F_OK),
				 "the sample driver unloads afterwards, its nodes gone (%d)\n", r);
	} else {
		ksft_test_result_skip("%s not loaded by this run\n", SLOOP_KO);
	}
	if (router == 0) {
		int r = unload_kmod_settled("router");

		ksft_test_result(r == 0 && access(ROUTER_NODE, F_OK),
				 "the sample multiplexor unloads afterwards, its node gone (%d)\n", r);
	} else {
		ksft_test_result_skip("%s not loaded by this run\n", ROUTER_KO);
	}
	ksft_finished();
}
