// SPDX-License-Identifier: GPL-2.0
/*
 * stress: concurrency stress and fault injection for strclone.
 *
 *   stress [-n OPS] [-t THREADS] [-s SEED] [-f] [-p PCT] [-T TIMES]
 *
 * Worker threads (default 4) pick random slots of a shared table and do a
 * random operation on the stream(s) in it: clone opens of ptm masters, echo
 * streams (some of them streams of the sample C driver sloop, a loopback as
 * echo is, when the VM has samples/kmod/sloop.ko: loaded for the run) and
 * log writers, PTMGETPEER and /dev/strpts/N (slave opens), UNLKPT, writes and
 * putmsg, reads and getmsg, polls, ioctls, I_FLUSH, module pushes and pops
 * (I_PUSH, I_POP, I_LIST) and closes, until OPS operations have been done
 * (default: $STRESS_OPS, else 10000). Everything is non-blocking, so a
 * thread never sleeps holding a slot.
 *
 * What is checked:
 *  - no two live streams ever share a (major, minor): every open records its
 *    STRCLONE_GETDEV in a table, a close removes it *before* close(2);
 *  - no data corruption: ptm and echo data are frames (magic, id, sequence
 *    number, length, CRC-32); each reader verifies every frame and that the
 *    sequence has no gap (after I_FLUSH it skips damage until a frame built
 *    after the flush arrives, after a hangup a truncated tail is allowed);
 *  - nothing lost: at the end every frame written on a live pair arrives,
 *    and the survivor of a closed pair reads to end of file;
 *  - hangup: a close is seen by the peer (POLLHUP, end of file, EIO for
 *    write and ENXIO for putmsg) as soon
 *    as close(2) returned, and nothing arrives after end of file;
 *  - modules: every stream's module stack is what its pushes and pops made
 *    it (I_LIST, names and order), I_PUSH fails EINVAL only at nstrpush and
 *    I_POP only with nothing pushed, both ENXIO once the stream hung up;
 *    frames keep flowing, unchanged and in order, through the modules and
 *    across pushes and pops (the checks above);
 *  - the log loses nothing silently: a console reader and a trace reader
 *    (ptm's "minor N opened" messages) registered for the whole run must
 *    see, for every class, received + LOG_GETLOST == sent, every class
 *    sequence number at most once, and loss notices summing to the loss;
 *    and the class sequence numbers must arrive in increasing order (a
 *    result of its own);
 *  - after everything is closed, debugfs lists no stream and every target
 *    reports open=0, the lowest minors are handed out again, and a kmemleak
 *    scan reports nothing new.
 *
 * With -f (fault injection, failslab must be configured in the kernel):
 *  1. a systematic pass: for each of a list of single system calls, fail its
 *     1st, 2nd, 3rd ... slab allocation (/proc/thread-self/fail-nth) until
 *     the call no longer allocates; each outcome must be success or a clean,
 *     documented errno, with the documented effect (nothing half done, no
 *     leaked minor, a hangup never lost, a lost log message counted);
 *  2. the random workload with failslab (probability PCT %, at most TIMES
 *     failures, task-filter): one worker at a time holds a token and runs
 *     its operation with make-it-fail set, so injected failures (and the
 *     stacks failslab prints) never overlap; ENOMEM is then an accepted
 *     outcome of that operation's allocating calls, and every other check
 *     above still holds.
 *  failslab runs with verbose=2; a /dev/kmsg collector counts the injected
 *  failures and the distinct strclone functions (first strclone frame of
 *  each stack) that saw one, and prints them.
 *
 * Every check is a plain pass or fail. Run as root with strclone loaded and
 * debugfs mounted (and failslab configured for -f): without them the
 * program fails, it does not skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kselftest.h"
#include "strclone_util.h"
#include "rel_util.h"
#include "kmod_util.h"

/* Bare pts slaves: these tests predate the ptem/ldterm autopush default. */
STRCLONE_BARE_PTS()

#define CONSLOG_NODE	"/dev/conslog"
#define STRLOG_NODE	"/dev/strlog"

#define MAX_THREADS	16
#define SLOTS_PER_THREAD 6
#define MAX_SLOTS	(MAX_THREADS * SLOTS_PER_THREAD)
#define MAXPAY		3000	/* ptm/echo frame payload */
#define LOG_MAXPAY	(1000 - FRAME_HDR)	/* log text is cut at 1024 */
#define TXBUF		16384
#define RXBUF		(3 * 16384)
#define MAX_WRITERS	(1 << 18)
#define LOG_MID		100	/* module id of our log writers */

/* ---- configuration and global state ---------------------------------- */

static long opt_ops = 10000;
static int opt_threads = 4;
static uint64_t opt_seed;
static int opt_fault;
static int opt_pct = 10;
static int opt_times = 2000;

/*
 * In the random fault phase one worker at a time holds the fault token and
 * runs its operation with make-it-fail set, so that injected failures (and
 * the stacks failslab prints for them) never overlap; ENOMEM is a valid
 * outcome of that operation's allocating calls.
 */
static atomic_int faults_on;
static pthread_mutex_t fault_token = PTHREAD_MUTEX_INITIALIZER;
static __thread int tls_faulty;
static __thread int tls_mif_fd = -1;

static atomic_long ops_done;
static atomic_long errors;

/* What went wrong: each category is one KTAP result. */
enum cat {
	CAT_OP,		/* an unexpected errno or result */
	CAT_DATA,	/* a corrupt, repeated or missing frame */
	CAT_LOST,	/* data or a hangup that never arrived */
	CAT_HANGUP,	/* a hangup seen too late, or data after it */
	CAT_MINOR,	/* a (major, minor) handed out twice */
	CAT_LOG,	/* log accounting */
	CAT_ORDER,	/* log class sequence numbers out of order */
	NCAT
};
static atomic_long cat_errors[NCAT];

static void fail(enum cat cat, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(enum cat cat, const char *fmt, ...)
{
	va_list ap;
	long n = atomic_fetch_add(&errors, 1);

	long c = atomic_fetch_add(&cat_errors[cat], 1);
	long shown = cat == CAT_ORDER ? 3 : 10;

	(void)n;
	if (c >= shown) {
		if (c == shown)
			printf("# ERROR: (further errors of this kind not shown)\n");
		return;
	}
	va_start(ap, fmt);
	printf("# ERROR: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

/* Figures. */
static atomic_long n_open[4], n_open_fail[4], n_close, n_open_sloop;

/* The sample C driver's STREAMS major while it is loaded for the run; -1
 * when it is not (no sloop.ko in the VM). */
static int sloop_major = -1;
#define SLOOP_NODE	"/dev/clone-sloop"
#define SLOOP_GETMINOR	(('L' << 8) | 1)	/* samples/kmod/sloop.h */
static atomic_long n_getpeer, n_write, n_read, n_poll, n_ioctl, n_flush, n_istr;
static atomic_long n_plumb, n_push, n_pop;
static atomic_long frames_ok, bytes_rx, bytes_tx, resyncs;
static atomic_long enomem_seen[9];	/* by operation class */
static atomic_long collisions;
static atomic_long master_opens;	/* successful ptm master opens (trace messages) */
static atomic_int live_streams, max_live;
static const char *const op_class[9] = {
	"open", "getpeer", "write", "putmsg", "ioctl", "I_STR", "I_FLUSH", "other", "I_PUSH",
};
enum { C_OPEN, C_GETPEER, C_WRITE, C_PUTMSG, C_IOCTL, C_ISTR, C_FLUSH, C_OTHER, C_PUSH };

/* An error that is acceptable during the random fault phase. */
static int fault_ok(int err, int cls)
{
	if (err == ENOMEM && tls_faulty) {
		atomic_fetch_add(&enomem_seen[cls], 1);
		return 1;
	}
	return 0;
}

/* ---- live (major, minor) table -------------------------------------- */

struct key {
	uint32_t major, minor;
	int slot;
};

static pthread_mutex_t keys_lock = PTHREAD_MUTEX_INITIALIZER;
static struct key keys[MAX_SLOTS];
static int nkeys;

static void key_add(uint32_t major, uint32_t minor, int slot)
{
	int live;

	pthread_mutex_lock(&keys_lock);
	for (int i = 0; i < nkeys; i++) {
		if (keys[i].major == major && keys[i].minor == minor) {
			atomic_fetch_add(&collisions, 1);
			fail(CAT_MINOR, "(%u, %u) handed out to slot %d while slot %d still has it open",
			     major, minor, slot, keys[i].slot);
		}
	}
	if (nkeys < MAX_SLOTS)
		keys[nkeys++] = (struct key){ major, minor, slot };
	pthread_mutex_unlock(&keys_lock);
	live = atomic_fetch_add(&live_streams, 1) + 1;
	for (int m = atomic_load(&max_live); live > m;)
		if (atomic_compare_exchange_weak(&max_live, &m, live))
			break;
}

static void key_del(uint32_t major, uint32_t minor, int slot)
{
	int found = 0;

	pthread_mutex_lock(&keys_lock);
	for (int i = 0; i < nkeys; i++) {
		if (keys[i].major == major && keys[i].minor == minor && keys[i].slot == slot) {
			keys[i] = keys[--nkeys];
			found = 1;
			break;
		}
	}
	pthread_mutex_unlock(&keys_lock);
	if (!found)
		fail(CAT_MINOR, "slot %d: (%u, %u) missing from the live table", slot, major, minor);
	atomic_fetch_sub(&live_streams, 1);
}

/* ---- one direction of a byte stream ----------------------------------- */

static atomic_uint next_dir_id = 1;

struct dir {
	uint32_t id;
	uint32_t tx_seq;		/* next frame to build */
	uint8_t *tx;
	uint32_t txlen, txoff;		/* built, and written so far */
	uint32_t rx_seq;		/* next frame expected */
	uint8_t *rx;
	uint32_t rxlen;
	/*
	 * After I_FLUSH any frame built so far (seq < resync_until) may have
	 * lost pieces: skip over damage until a valid frame built after the
	 * flush arrives, then every frame must follow without a gap again.
	 */
	int resync;
	uint32_t resync_until;
	int tail_ok;			/* the writer closed: a cut tail is fine */
	int eof;
};

static void dir_reset(struct dir *d)
{
	d->id = atomic_fetch_add(&next_dir_id, 1);
	d->tx_seq = d->rx_seq = 0;
	d->txlen = d->txoff = d->rxlen = 0;
	d->resync = d->tail_ok = d->eof = 0;
	d->resync_until = 0;
}

/* Appends 1..3 frames to the tx buffer if it is empty. */
static void dir_refill(struct dir *d, uint64_t *rs)
{
	int k = 1 + rnd_below(rs, 3);

	if (d->txoff < d->txlen)
		return;
	d->txoff = d->txlen = 0;
	while (k--) {
		uint32_t len = rnd_below(rs, 8) ? rnd_below(rs, 400) : rnd_below(rs, MAXPAY + 1);

		if (d->txlen + FRAME_HDR + len > TXBUF)
			break;
		d->txlen += frame_make(d->tx + d->txlen, d->id, d->tx_seq++, len);
	}
}

/* Feeds received bytes to the frame checker. */
static void dir_feed(struct dir *d, const char *who, const uint8_t *p, size_t n)
{
	if (n > RXBUF - d->rxlen) {
		fail(CAT_DATA, "%s: receive buffer overflow (%u + %zu)", who, d->rxlen, n);
		d->rxlen = 0;
		return;
	}
	memcpy(d->rx + d->rxlen, p, n);
	d->rxlen += n;
	atomic_fetch_add(&bytes_rx, n);
	for (;;) {
		struct frame_hdr h;
		long r = frame_check(d->rx, d->rxlen, MAXPAY, &h);
		uint32_t skip;

		if (r == 0)
			break;
		if (r > 0 && h.id != d->id)
			r = -1;
		if (r < 0) {
			uint8_t *m;

			if (!d->resync) {
				struct frame_hdr raw;

				memcpy(&raw, d->rx, d->rxlen < FRAME_HDR ? d->rxlen : FRAME_HDR);
				fail(CAT_DATA, "%s: corrupt frame (expected id %u seq %u; got magic %08x id %u seq %u len %u, %u bytes buffered)",
				     who, d->id, d->rx_seq, raw.magic, raw.id, raw.seq, raw.len, d->rxlen);
				d->resync = 1;
				d->resync_until = d->rx_seq + 1;
			}
			/* Resynchronise: drop up to the next magic. */
			m = memmem(d->rx + 1, d->rxlen - 1, &(uint32_t){ FRAME_MAGIC }, 4);
			skip = m ? (uint32_t)(m - d->rx) : d->rxlen - (d->rxlen > 3 ? 3 : d->rxlen);
			if (!skip)
				skip = 1;
			memmove(d->rx, d->rx + skip, d->rxlen - skip);
			d->rxlen -= skip;
			continue;
		}
		if (d->resync) {
			if (h.seq < d->rx_seq)
				fail(CAT_DATA, "%s: frame %u after a flush went backwards (expected >= %u)",
				     who, h.seq, d->rx_seq);
			d->rx_seq = h.seq;
			if (h.seq >= d->resync_until)
				d->resync = 0;
		} else if (h.seq != d->rx_seq) {
			fail(CAT_DATA, "%s: frame sequence %u, expected %u (id %u)", who, h.seq, d->rx_seq, d->id);
			d->rx_seq = h.seq;
		}
		d->rx_seq++;
		atomic_fetch_add(&frames_ok, 1);
		memmove(d->rx, d->rx + r, d->rxlen - r);
		d->rxlen -= r;
	}
}

/* ---- slots ------------------------------------------------------------- */

enum kind { K_EMPTY, K_PTM, K_ECHO, K_LOGW };

/*
 * The modules pushed on one stream, bottom first (what I_LIST must show,
 * top down). nullmod is pushed on echo streams only: on a ptm side its read
 * queue may hold data back while the peer's M_HANGUP (high priority) passes
 * it, so data could legitimately arrive after end of file, which the hangup
 * checks forbid; testmod passes everything on at once.
 */
#define NSTRPUSH	9	/* the module parameter's default */
enum { MOD_NULL, MOD_TEST };
static const char *const mod_name[] = { "nullmod", "testmod" };

struct mstack {
	int n;
	uint8_t mods[NSTRPUSH];
};

static int mstack_has(const struct mstack *ms, int mod)
{
	for (int i = 0; i < ms->n; i++)
		if (ms->mods[i] == mod)
			return 1;
	return 0;
}

struct slot {
	pthread_mutex_t lock;
	int idx;
	enum kind kind;
	int m, s;		/* PTM: master, slave fds (-1 when closed); ECHO/LOGW: m */
	int locked, had_slave, mclosed, sclosed;
	uint32_t major, minor;
	struct dir a, b;	/* PTM: a master->slave, b slave->master; ECHO: a */
	struct mstack ms_m, ms_s;	/* modules on m's and s's streams */
	uint32_t wid, wseq;	/* LOGW */
	int conslog;
	int sloop;		/* ECHO: a stream of the C driver sloop */
};

static struct slot slots[MAX_SLOTS];
static int nslots;

/* ---- the log readers ---------------------------------------------------- */

#define SEQ_BITS	(1 << 23)

struct reader {
	pthread_mutex_t lock;
	int fd;
	const char *name;
	int trace;
	int32_t base;		/* class sequence number of the marker */
	int32_t last_seq;	/* of the last message read */
	int32_t max_seq;
	uint8_t *seen;		/* bitmap of sequence numbers read, from base */
	long rx, notes_sum, bad, reorders;
};

static struct reader rcons = { .name = "console reader" };
static struct reader rtrace = { .name = "trace reader", .trace = 1 };
static uint32_t *writer_next;	/* per writer id: next sequence expected */
static atomic_long log_sent;	/* log frames accepted by write/putmsg */
static atomic_uint next_wid = 1;

/* Reads what is queued for a reader (at most @max messages). */
static int reader_drain(struct reader *r, int max)
{
	struct log_ctl lc;
	static __thread uint8_t data[2048];
	int got = 0;

	for (; got < max; got++) {
		struct strbuf c = { .maxlen = sizeof(lc), .len = 0, .buf = (char *)&lc };
		struct strbuf d = { .maxlen = sizeof(data), .len = 0, .buf = (char *)data };
		int flags = 0, ret;

		memset(&lc, 0, sizeof(lc));
		ret = strclone_getmsg(r->fd, &c, &d, &flags);
		if (ret < 0) {
			if (errno != EAGAIN)
				fail(CAT_LOG, "%s: getmsg: %s", r->name, errname(errno));
			break;
		}
		if (ret != 0 || c.len != (int)sizeof(lc)) {
			fail(CAT_LOG, "%s: getmsg returned %d with control length %d", r->name, ret, c.len);
			r->bad++;
			continue;
		}
		if (lc.flags & SL_NOTE && lc.seq_no == 0) {
			long n = -1;

			if (d.len > 0 && d.len < (int)sizeof(data)) {
				data[d.len] = 0;
				sscanf((char *)data, "strlog: %ld messages lost", &n);
			}
			if (n <= 0) {
				fail(CAT_LOG, "%s: malformed loss notice", r->name);
				r->bad++;
			} else {
				r->notes_sum += n;
			}
			continue;
		}
		if (lc.seq_no <= r->last_seq) {
			r->reorders++;
			fail(CAT_ORDER, "%s: class sequence number %d read after %d", r->name,
			     lc.seq_no, r->last_seq);
		}
		if (lc.seq_no <= r->base || lc.seq_no - r->base >= SEQ_BITS) {
			fail(CAT_LOG, "%s: sequence number %d out of range (marker %d)", r->name,
			     lc.seq_no, r->base);
		} else {
			uint32_t off = lc.seq_no - r->base;

			if (r->seen[off / 8] & (1 << off % 8))
				fail(CAT_LOG, "%s: sequence number %d read twice", r->name, lc.seq_no);
			r->seen[off / 8] |= 1 << off % 8;
		}
		r->last_seq = lc.seq_no;
		if (lc.seq_no > r->max_seq)
			r->max_seq = lc.seq_no;
		r->rx++;
		if (r->trace) {
			if (lc.mid != STRCLONE_PTM_MAJOR || !(lc.flags & SL_TRACE) || d.len <= 0 ||
			    memcmp(data, "ptm: minor ", 11)) {
				fail(CAT_LOG, "%s: unexpected message mid %d flags %#x", r->name, lc.mid, lc.flags);
				r->bad++;
			}
			continue;
		}
		{
			struct frame_hdr h = { 0 };
			long fl = d.len > 0 ? frame_check(data, d.len, LOG_MAXPAY, &h) : -1;

			if (d.len == 11 && !memcmp(data, "stress: end", 11))
				continue;
			if (!(lc.flags & SL_CONSOLE) || fl != d.len || h.id >= MAX_WRITERS) {
				fail(CAT_DATA, "%s: corrupt log message (flags %#x, %d bytes)", r->name, lc.flags, d.len);
				r->bad++;
				continue;
			}
			if (h.seq + 1 <= writer_next[h.id]) {
				fail(CAT_DATA, "%s: writer %u frame %u repeated or out of order (next %u)",
				     r->name, h.id, h.seq, writer_next[h.id]);
				r->bad++;
			}
			writer_next[h.id] = h.seq + 1;
			atomic_fetch_add(&frames_ok, 1);
		}
	}
	return got;
}

static int reader_open(struct reader *r)
{
	struct trace_ids ti = { .ti_mid = STRCLONE_PTM_MAJOR, .ti_sid = -1, .ti_level = 1 };
	int ret;

	pthread_mutex_init(&r->lock, NULL);
	r->seen = calloc(SEQ_BITS / 8, 1);
	if (!r->seen)
		return -1;
	r->fd = open(STRLOG_NODE, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (r->fd < 0)
		return -1;
	if (r->trace)
		ret = istr(r->fd, I_TRCLOG, &ti, sizeof(ti), NULL);
	else
		ret = istr(r->fd, I_CONSLOG, &ti, 0, NULL);
	return ret;
}

/*
 * Class sequence numbers count every message since the module loaded: one
 * marker message per class, read before the workload, is the baseline.
 */
static int reader_marks(void)
{
	char ctl[64], data[256];
	struct strbuf c = { sizeof(ctl), 0, ctl }, d = { sizeof(data), 0, data };
	struct log_ctl lc;
	int fd, flags = 0;

	fd = open(CONSLOG_NODE, O_WRONLY);
	if (fd < 0 || write(fd, "stress: marker", 14) != 14)
		return -1;
	close(fd);
	fd = open(PTMX_NODE, O_RDWR);
	if (fd < 0)
		return -1;
	close(fd);
	if (!(poll_fd(rcons.fd, POLLIN, WAIT_MS) & POLLIN) || strclone_getmsg(rcons.fd, &c, &d, &flags) < 0)
		return -1;
	memcpy(&lc, ctl, sizeof(lc));
	rcons.base = rcons.last_seq = rcons.max_seq = lc.seq_no;
	c.len = d.len = 0;
	if (!(poll_fd(rtrace.fd, POLLIN, WAIT_MS) & POLLIN) || strclone_getmsg(rtrace.fd, &c, &d, &flags) < 0)
		return -1;
	memcpy(&lc, ctl, sizeof(lc));
	rtrace.base = rtrace.last_seq = rtrace.max_seq = lc.seq_no;
	return 0;
}

/* ---- operations --------------------------------------------------------- */

struct worker {
	pthread_t thr;
	int idx;
	uint64_t rs;
	uint8_t buf[RXBUF];
};

static int open_flags(uint64_t *rs)
{
	return O_RDWR | O_NONBLOCK | O_NOCTTY | (rnd_below(rs, 2) ? O_CLOEXEC : 0);
}

static int getdev_ok(int fd, uint32_t *major, uint32_t *minor)
{
	struct strclone_devinfo di;

	*major = *minor = 0xffffffffu;
	if (getdev(fd, &di) < 0)
		return -1;
	*major = di.major;
	*minor = di.minor;
	return 0;
}

static void op_open(struct worker *w, struct slot *s)
{
	uint32_t r = rnd_below(&w->rs, 100), major, minor;
	int fd, k;
	const char *node;

	if (r < 40) {
		k = K_PTM;
		node = PTMX_NODE;
	} else if (r < 75) {
		k = K_ECHO;
		s->sloop = sloop_major >= 0 && r >= 65;
		node = s->sloop ? SLOOP_NODE : ECHO_NODE;
	} else {
		k = K_LOGW;
		s->conslog = rnd_below(&w->rs, 2);
		node = s->conslog ? CONSLOG_NODE : STRLOG_NODE;
	}
	fd = open(node, s->conslog && k == K_LOGW ? O_WRONLY | O_NONBLOCK : open_flags(&w->rs));
	if (fd < 0) {
		atomic_fetch_add(&n_open_fail[k], 1);
		if (!fault_ok(errno, C_OPEN))
			fail(CAT_OP, "open %s: %s", node, errname(errno));
		return;
	}
	atomic_fetch_add(&n_open[k], 1);
	if (getdev_ok(fd, &major, &minor) < 0) {
		fail(CAT_OP, "STRCLONE_GETDEV on a new %s fd: %s", node, errname(errno));
		close(fd);
		return;
	}
	s->kind = k;
	s->m = fd;
	s->s = -1;
	s->ms_m.n = s->ms_s.n = 0;
	s->major = major;
	s->minor = minor;
	switch (k) {
	case K_PTM:
		atomic_fetch_add(&master_opens, 1);
		if (major != STRCLONE_PTM_MAJOR)
			fail(CAT_OP, "ptm master has major %u", major);
		s->locked = 1;
		s->had_slave = s->mclosed = s->sclosed = 0;
		dir_reset(&s->a);
		dir_reset(&s->b);
		key_add(major, minor, s->idx);
		break;
	case K_ECHO:
		if (major != (s->sloop ? (uint32_t)sloop_major : STRCLONE_ECHO_MAJOR))
			fail(CAT_OP, "%s stream has major %u", s->sloop ? "sloop" : "echo", major);
		if (s->sloop)
			atomic_fetch_add(&n_open_sloop, 1);
		dir_reset(&s->a);
		key_add(major, minor, s->idx);
		break;
	case K_LOGW:
		if (major != STRCLONE_LOG_MAJOR || (s->conslog ? minor != CONSWMIN : minor <= CLONEMIN))
			fail(CAT_OP, "log writer on (%u, %u)", major, minor);
		s->wid = atomic_fetch_add(&next_wid, 1) % MAX_WRITERS;
		s->wseq = 0;
		/* conslog is one shared stream: not a distinct minor. */
		if (!s->conslog)
			key_add(major, minor, s->idx);
		break;
	}
}

/* Closes one fd of the slot, dropping its key first if it was the last. */
static void slot_close_fd(struct slot *s, int *fd, int last)
{
	if (last && !(s->kind == K_LOGW && s->conslog))
		key_del(s->major, s->minor, s->idx);
	if (close(*fd) < 0)
		fail(CAT_OP, "close: %s", errname(errno));
	*fd = -1;
	atomic_fetch_add(&n_close, 1);
}

static void op_close_master(struct slot *s)
{
	int last = !s->had_slave || s->sclosed;

	slot_close_fd(s, &s->m, last);
	s->mclosed = 1;
	s->b.eof = 1;	/* nobody reads slave->master any more */
	s->a.tail_ok = 1;
	if (last)
		s->kind = K_EMPTY;
}

static void op_close_slave(struct slot *s)
{
	int last = s->mclosed;

	slot_close_fd(s, &s->s, last);
	s->sclosed = 1;
	s->a.eof = 1;
	s->b.tail_ok = 1;
	if (last)
		s->kind = K_EMPTY;
}

/* write(2) or putmsg of the next bytes of @d on @fd. */
static void op_write(struct worker *w, struct slot *s, struct dir *d, int fd, int hung)
{
	uint32_t left, len, cap;
	int use_putmsg = rnd_below(&w->rs, 4) == 0;
	ssize_t n;

	dir_refill(d, &w->rs);
	left = d->txlen - d->txoff;
	/*
	 * One write(2) of more than maxpsz (4096) bytes becomes several
	 * messages; during fault injection only single-message writes are
	 * used (the systematic pass covers the multi-message case).
	 */
	cap = opt_fault || use_putmsg ? 4096 : 3 * 4096;
	len = 1 + rnd_below(&w->rs, left < cap ? left : cap);
	if (use_putmsg) {
		n = putmsg_parts(fd, NULL, -1, d->tx + d->txoff, len, 0);
		if (n == 0)
			n = len;
	} else {
		n = write(fd, d->tx + d->txoff, len);
	}
	atomic_fetch_add(&n_write, 1);
	if (n > 0) {
		if (hung)
			fail(CAT_OP, "slot %d: %s of %u bytes succeeded after hangup", s->idx,
			     use_putmsg ? "putmsg" : "write", len);
		if ((size_t)n > len)
			fail(CAT_OP, "write returned %zd for %u bytes", n, len);
		d->txoff += n;
		atomic_fetch_add(&bytes_tx, n);
		return;
	}
	if (n == 0) {
		fail(CAT_OP, "write of %u bytes returned 0", len);
		return;
	}
	if (errno == EAGAIN && !hung)
		return;
	/* After a hangup write(2) fails EIO, putmsg ENXIO (streamio.rst). */
	if (errno == (use_putmsg ? ENXIO : EIO) && hung)
		return;
	if (fault_ok(errno, use_putmsg ? C_PUTMSG : C_WRITE))
		return;
	fail(CAT_OP, "slot %d (%s): %s of %u bytes: %s", s->idx, s->kind == K_PTM ? "ptm" : "echo",
	     use_putmsg ? "putmsg" : "write", len, errname(errno));
}

/* read(2) or getmsg on @fd into @d. @peer_gone: EOF is allowed. */
static void op_read(struct worker *w, struct slot *s, struct dir *d, int fd, int peer_gone,
		    const char *who)
{
	uint32_t space = RXBUF - d->rxlen;
	uint32_t want = 1 + rnd_below(&w->rs, 8192);
	ssize_t n;

	if (want > space)
		want = space;
	if (!want)
		return;
	atomic_fetch_add(&n_read, 1);
	if (rnd_below(&w->rs, 4) == 0) {
		char ctl[64];
		struct strbuf c = { .maxlen = sizeof(ctl), .len = 0, .buf = ctl };
		struct strbuf dd = { .maxlen = (int)want, .len = 0, .buf = (char *)w->buf };
		int flags = 0;
		int r = strclone_getmsg(fd, &c, &dd, &flags);

		if (r < 0) {
			n = -1;
		} else if (c.len == 0 && dd.len == 0 && r == 0) {
			n = 0;	/* end of file */
		} else {
			if (c.len != -1 || flags != 0 || (r & ~MOREDATA) || dd.len < 0)
				fail(CAT_OP, "%s: getmsg of data: ret %d ctl %d data %d flags %d", who, r,
				     c.len, dd.len, flags);
			n = dd.len > 0 ? dd.len : 0;
			if (n == 0) {
				fail(CAT_OP, "%s: getmsg returned an empty data part", who);
				return;
			}
		}
	} else {
		n = read(fd, w->buf, want);
	}
	if (n > 0) {
		if (d->eof)
			fail(CAT_HANGUP, "%s: data after end of file", who);
		dir_feed(d, who, w->buf, n);
		return;
	}
	if (n == 0) {
		if (!peer_gone)
			fail(CAT_OP, "%s: end of file without a hangup", who);
		d->eof = 1;
		return;
	}
	if (errno == EAGAIN && !peer_gone)
		return;
	if (errno == EAGAIN)
		fail(CAT_HANGUP, "%s: EAGAIN after the peer closed (no hangup seen)", who);
	else
		fail(CAT_OP, "%s: read: %s", who, errname(errno));
	(void)s;
}

static void op_poll(struct slot *s, int fd, int hup_expected, const char *who)
{
	int rev = poll_fd(fd, POLLIN | POLLOUT | POLLPRI, 0);
	int b;

	atomic_fetch_add(&n_poll, 1);
	if (rev & (POLLNVAL | POLLERR))
		fail(CAT_OP, "%s: poll revents %#x", who, rev);
	if (!!(rev & POLLHUP) != !!hup_expected)
		fail(CAT_HANGUP, "%s: poll revents %#x, hangup %s", who, rev, hup_expected ? "expected" : "not expected");
	if ((rev & POLLHUP) && (rev & POLLOUT))
		fail(CAT_OP, "%s: POLLOUT with POLLHUP", who);
	if ((rev & POLLIN) && nread(fd, &b) < 1)
		fail(CAT_OP, "%s: POLLIN but I_NREAD says %d", who, nread(fd, &b));
	(void)s;
}

static void op_ioctl(struct worker *w, struct slot *s, int fd, int is_master, int hung,
		     const char *who)
{
	uint32_t major, minor;
	int b, r;

	atomic_fetch_add(&n_ioctl, 1);
	switch (rnd_below(&w->rs, 6)) {
	case 0:
		if (nread(fd, &b) < 0)
			fail(CAT_OP, "%s: I_NREAD: %s", who, errname(errno));
		break;
	case 1:
		/* ENXIO once hung up (SVR4); a hangup may also be on its way. */
		r = ioctl(fd, I_CANPUT, 0);
		if (hung ? !(r == -1 && errno == ENXIO)
			 : !(r == 0 || r == 1 || (r == -1 && errno == ENXIO)))
			fail(CAT_OP, "%s: I_CANPUT returned %d, %s (hung up: %d)", who, r,
			     r < 0 ? errname(errno) : "-", hung);
		break;
	case 2: {
		/* A ptm slave is the pts driver's minor of the same number. */
		uint32_t want = s->kind == K_PTM && !is_master ? STRCLONE_PTS_MAJOR : s->major;

		if (getdev_ok(fd, &major, &minor) < 0 || major != want || minor != s->minor)
			fail(CAT_OP, "%s: STRCLONE_GETDEV gives (%u, %u), expected (%u, %u)", who,
			     major, minor, want, s->minor);
		break;
	}
	case 3:
		r = ioctl(fd, ISPTM, 0);
		if (is_master ? r != 0 : !(r == -1 && (errno == ENOTTY || fault_ok(errno, C_IOCTL))))
			fail(CAT_OP, "%s: ISPTM returned %d (%s)", who, r, errname(errno));
		break;
	case 4:
		/* On a master it makes the slave node, which may fail ENOMEM. */
		r = ioctl(fd, GRANTPT, 0);
		if (is_master ? r != 0 && !fault_ok(errno, C_IOCTL)
			      : !(r == -1 && (errno == ENOTTY || fault_ok(errno, C_IOCTL))))
			fail(CAT_OP, "%s: GRANTPT returned %d (%s)", who, r, errname(errno));
		break;
	case 5:
		if (s->kind == K_ECHO && mstack_has(&s->ms_m, MOD_NULL)) {
			/*
			 * The M_IOCTL would wait in nullmod's write queue
			 * behind the data the stream holds back until someone
			 * reads, and this thread holds the slot: ask the head.
			 */
			if (nread(fd, &b) < 0)
				fail(CAT_OP, "%s: I_NREAD: %s", who, errname(errno));
		} else if (s->kind == K_ECHO && s->sloop) {
			uint32_t v = 0;

			atomic_fetch_add(&n_istr, 1);
			r = istr(fd, SLOOP_GETMINOR, &v, sizeof(v), NULL);
			if (r < 0) {
				if (!fault_ok(errno, C_ISTR))
					fail(CAT_OP, "%s: SLOOP_GETMINOR: %s", who, errname(errno));
			} else if (v != s->minor) {
				fail(CAT_OP, "%s: SLOOP_GETMINOR says %u", who, v);
			}
		} else if (s->kind == K_ECHO) {
			uint8_t in[200], out[200];
			int len = 1 + rnd_below(&w->rs, sizeof(in)), olen = -1;

			for (int i = 0; i < len; i++)
				in[i] = out[i] = (uint8_t)rnd_next(&w->rs);
			atomic_fetch_add(&n_istr, 1);
			r = istr(fd, ECHO_REVERSE, out, len, &olen);
			if (r < 0) {
				if (!fault_ok(errno, C_ISTR))
					fail(CAT_OP, "%s: ECHO_REVERSE: %s", who, errname(errno));
				break;
			}
			if (r != len || olen != len) {
				fail(CAT_OP, "%s: ECHO_REVERSE of %d bytes answered rval %d ic_len %d", who,
				     len, r, olen);
				break;
			}
			for (int i = 0; i < len; i++)
				if (out[i] != in[len - 1 - i]) {
					fail(CAT_OP, "%s: ECHO_REVERSE data wrong at %d", who, i);
					break;
				}
		} else {
			r = ioctl(fd, UNLKPT, 0);
			if (is_master ? r != 0 : !(r == -1 && (errno == ENOTTY || fault_ok(errno, C_IOCTL))))
				fail(CAT_OP, "%s: UNLKPT returned %d (%s)", who, r, errname(errno));
			if (is_master)
				s->locked = 0;
		}
		break;
	}
}

static void op_flush(struct worker *w, struct slot *s, int fd, struct dir *rx, struct dir *tx,
		     int hung, const char *who)
{
	static const int fl[] = { FLUSHR, FLUSHW, FLUSHRW };
	int f = fl[rnd_below(&w->rs, 3)];

	atomic_fetch_add(&n_flush, 1);
	/* Whatever the outcome, data may be gone: resynchronise. */
	if (f & FLUSHR && rx) {
		rx->resync = 1;
		rx->resync_until = rx->tx_seq;
	}
	if (f & FLUSHW && tx && !hung) {
		tx->resync = 1;
		tx->resync_until = tx->tx_seq;
	}
	atomic_fetch_add(&resyncs, 1);
	/* ENXIO once hung up (SVR4); a hangup may also be on its way. */
	if (ioctl(fd, I_FLUSH, f) == 0) {
		if (hung)
			fail(CAT_OP, "%s: I_FLUSH %d succeeded after hangup", who, f);
	} else if (errno != ENXIO && !fault_ok(errno, C_FLUSH)) {
		fail(CAT_OP, "%s: I_FLUSH %d: %s", who, f, errname(errno));
	}
	(void)s;
}

/*
 * I_PUSH (40%), I_POP (40%) or I_LIST (20%) on @fd, whose stream has the
 * modules @ms; @hung: the stream has hung up. nullmod only if @nullmod_ok.
 * With nothing pushed, three pops in four become pushes: streams live for
 * a few operations, and pops should mostly find something to pop.
 */
static void op_plumb(struct worker *w, int fd, struct mstack *ms, int hung, int nullmod_ok,
		     const char *who)
{
	uint32_t r = rnd_below(&w->rs, 100);

	atomic_fetch_add(&n_plumb, 1);
	if (r < 40 || (r < 70 && !ms->n)) {
		int mod = nullmod_ok && rnd_below(&w->rs, 2) ? MOD_NULL : MOD_TEST;

		if (ioctl(fd, I_PUSH, mod_name[mod]) == 0) {
			atomic_fetch_add(&n_push, 1);
			if (hung)
				fail(CAT_OP, "%s: I_PUSH %s succeeded after hangup", who, mod_name[mod]);
			if (ms->n >= NSTRPUSH)
				fail(CAT_OP, "%s: I_PUSH %s succeeded with %d modules pushed", who,
				     mod_name[mod], ms->n);
			else
				ms->mods[ms->n++] = mod;
			return;
		}
		/* A clean refusal pushes nothing. */
		if (hung ? errno == ENXIO : ms->n >= NSTRPUSH && errno == EINVAL)
			return;
		if (!fault_ok(errno, C_PUSH))
			fail(CAT_OP, "%s: I_PUSH %s with %d modules pushed%s: %s", who, mod_name[mod],
			     ms->n, hung ? " (hung up)" : "", errname(errno));
	} else if (r < 80) {
		if (ioctl(fd, I_POP, 0) == 0) {
			atomic_fetch_add(&n_pop, 1);
			if (hung || !ms->n)
				fail(CAT_OP, "%s: I_POP succeeded with %d modules pushed%s", who, ms->n,
				     hung ? " (hung up)" : "");
			else
				ms->n--;
			return;
		}
		if (hung ? errno == ENXIO : !ms->n && errno == EINVAL)
			return;
		fail(CAT_OP, "%s: I_POP with %d modules pushed%s: %s", who, ms->n,
		     hung ? " (hung up)" : "", errname(errno));
	} else {
		struct str_mlist names[NSTRPUSH + 2];
		struct str_list l = { .sl_nmods = NSTRPUSH + 2, .sl_modlist = names };
		int n = ioctl(fd, I_LIST, NULL);

		if (n != ms->n + 1) {
			fail(CAT_OP, "%s: I_LIST counts %d, %d modules pushed (%s)", who, n, ms->n,
			     n < 0 ? errname(errno) : "ok");
			return;
		}
		if (ioctl(fd, I_LIST, &l) < 0 || l.sl_nmods != n) {
			fail(CAT_OP, "%s: I_LIST of %d names: %d (%s)", who, n, l.sl_nmods,
			     errname(errno));
			return;
		}
		for (int i = 0; i < ms->n; i++) {
			const char *want = mod_name[ms->mods[ms->n - 1 - i]];

			if (strcmp(names[i].l_name, want)) {
				fail(CAT_OP, "%s: I_LIST: module %d from the top is \"%.9s\", expected %s",
				     who, i, names[i].l_name, want);
				break;
			}
		}
	}
}

/*
 * The slave through its node: PTMGETPTN (which makes /dev/strpts/N), then
 * open(2). Errnos as PTMGETPEER's, except EAGAIN (not EIO) while locked.
 */
static int open_slave_node(struct worker *w, struct slot *s, const char **what)
{
	char path[64];
	unsigned int n;
	int fd;

	*what = "PTMGETPTN";
	if (ioctl(s->m, PTMGETPTN, &n) < 0)
		return -1;
	if (n != s->minor) {
		fail(CAT_OP, "slot %d: PTMGETPTN gives %u, the minor is %u", s->idx, n, s->minor);
		errno = EPROTO;
		return -1;
	}
	*what = "open /dev/strpts/N";
	snprintf(path, sizeof(path), "/dev/strpts/%u", n);
	/*
	 * The node must be there once PTMGETPTN succeeded, also under fault
	 * injection: strclone allocates the node's name itself, where a
	 * failure is its ENOMEM, not the driver core's unreported one (which
	 * left the node missing).
	 */
	fd = open(path, open_flags(&w->rs));
	if (fd < 0 && errno == EAGAIN && s->locked)
		errno = EIO;	/* the node's errno for what PTMGETPEER calls EIO */
	return fd;
}

static void op_getpeer(struct worker *w, struct slot *s)
{
	int fd, expect_eio = s->locked || s->sclosed;
	const char *what = "PTMGETPEER";
	uint32_t major, minor;

	atomic_fetch_add(&n_getpeer, 1);
	if (rnd_below(&w->rs, 3) == 0)
		fd = open_slave_node(w, s, &what);
	else
		fd = ioctl(s->m, PTMGETPEER, open_flags(&w->rs));
	if (fd < 0) {
		if (expect_eio && errno == EIO)
			return;
		if (fault_ok(errno, C_GETPEER))
			return;
		fail(CAT_OP, "slot %d: %s (locked %d, slave closed %d): %s", s->idx, what,
		     s->locked, s->sclosed, errname(errno));
		return;
	}
	if (expect_eio) {
		char link[64] = "?", lp[40];
		struct stat st = { 0 };
		ssize_t ln;

		snprintf(lp, sizeof(lp), "/proc/self/fd/%d", fd);
		ln = readlink(lp, link, sizeof(link) - 1);
		link[ln > 0 ? ln : 0] = 0;
		fstat(fd, &st);
		getdev_ok(fd, &major, &minor);
		fail(CAT_OP, "slot %d: %s succeeded (locked %d, slave closed %d): %s rdev %u:%u, "
		     "stream (%u, %u)", s->idx, what, s->locked, s->sclosed, link,
		     major(st.st_rdev), minor(st.st_rdev), major, minor);
		close(fd);
		return;
	}
	if (getdev_ok(fd, &major, &minor) < 0 || major != STRCLONE_PTS_MAJOR || minor != s->minor)
		fail(CAT_OP, "slot %d: slave is (%u, %u), master (%u, %u)", s->idx, major, minor,
		     s->major, s->minor);
	if (s->s >= 0) {
		/* A second fd on the same slave stream: check it, close it. */
		if (close(fd) < 0)
			fail(CAT_OP, "close of a second slave fd: %s", errname(errno));
		return;
	}
	s->s = fd;
	s->ms_s.n = 0;
	s->had_slave = 1;
}

/* One random operation on slot @s (locked by the caller). */
static void slot_op(struct worker *w, struct slot *s)
{
	uint32_t r = rnd_below(&w->rs, 100);
	char who[48];

	switch (s->kind) {
	case K_EMPTY:
		op_open(w, s);
		break;
	case K_ECHO:
		snprintf(who, sizeof(who), "echo %u", s->minor);
		if (r < 30)
			op_write(w, s, &s->a, s->m, 0);
		else if (r < 62)
			op_read(w, s, &s->a, s->m, 0, who);
		else if (r < 72)
			op_poll(s, s->m, 0, who);
		else if (r < 80)
			op_ioctl(w, s, s->m, 0, 0, who);
		else if (r < 88)
			op_plumb(w, s->m, &s->ms_m, 0, 1, who);
		else if (r < 93)
			op_flush(w, s, s->m, &s->a, &s->a, 0, who);
		else
			slot_close_fd(s, &s->m, 1), s->kind = K_EMPTY;
		break;
	case K_LOGW: {
		uint8_t frame[1024];
		uint32_t len = frame_make(frame, s->wid, s->wseq, rnd_below(&w->rs, LOG_MAXPAY + 1));
		int ret;

		if (r >= 90) {
			slot_close_fd(s, &s->m, 1);
			s->kind = K_EMPTY;
			break;
		}
		atomic_fetch_add(&n_write, 1);
		if (r < 60) {
			ret = write(s->m, frame, len) == (ssize_t)len ? 0 : -1;
			if (ret < 0 && !fault_ok(errno, C_WRITE))
				fail(CAT_OP, "log write of %u bytes: %s", len, errname(errno));
		} else {
			struct log_ctl lc = { .mid = LOG_MID, .sid = (int16_t)(s->wid & 0x7fff),
					      .level = 0, .flags = SL_CONSOLE };

			ret = putmsg_parts(s->m, &lc, sizeof(lc), frame, len, 0);
			if (ret < 0 && !fault_ok(errno, C_PUTMSG))
				fail(CAT_OP, "log putmsg of %u bytes: %s", len, errname(errno));
		}
		if (ret == 0) {
			s->wseq++;
			atomic_fetch_add(&log_sent, 1);
		}
		break;
	}
	case K_PTM: {
		int m_ok = !s->mclosed, s_ok = s->s >= 0;
		char wm[48], ws[48];

		snprintf(wm, sizeof(wm), "ptm %u master", s->minor);
		snprintf(ws, sizeof(ws), "ptm %u slave", s->minor);
		if (r < 4) {
			if (m_ok && s->locked) {
				if (ioctl(s->m, UNLKPT, 0))
					fail(CAT_OP, "%s: UNLKPT: %s", wm, errname(errno));
				else
					s->locked = 0;
			} else if (m_ok) {
				op_ioctl(w, s, s->m, 1, s->sclosed, wm);
			}
		} else if (r < 10) {
			if (m_ok && !s_ok)
				op_getpeer(w, s);
			else if (m_ok && s_ok && rnd_below(&w->rs, 4) == 0)
				op_getpeer(w, s);
		} else if (r < 26) {
			if (m_ok)
				op_write(w, s, &s->a, s->m, s->sclosed);
		} else if (r < 42) {
			if (s_ok)
				op_write(w, s, &s->b, s->s, s->mclosed);
		} else if (r < 58) {
			if (m_ok && s->had_slave)
				op_read(w, s, &s->b, s->m, s->sclosed, wm);
		} else if (r < 74) {
			if (s_ok)
				op_read(w, s, &s->a, s->s, s->mclosed, ws);
		} else if (r < 80) {
			if (m_ok)
				op_poll(s, s->m, s->sclosed, wm);
			if (s_ok)
				op_poll(s, s->s, s->mclosed, ws);
		} else if (r < 85) {
			if (m_ok && (!s_ok || rnd_below(&w->rs, 2)))
				op_ioctl(w, s, s->m, 1, s->sclosed, wm);
			else if (s_ok)
				op_ioctl(w, s, s->s, 0, s->mclosed, ws);
		} else if (r < 88) {
			if (m_ok && (!s_ok || rnd_below(&w->rs, 2)))
				op_plumb(w, s->m, &s->ms_m, s->sclosed, 0, wm);
			else if (s_ok)
				op_plumb(w, s->s, &s->ms_s, s->mclosed, 0, ws);
		} else if (r < 92) {
			if (m_ok && (!s_ok || rnd_below(&w->rs, 2)))
				op_flush(w, s, s->m, s->had_slave ? &s->b : NULL, &s->a, s->sclosed, wm);
			else if (s_ok)
				op_flush(w, s, s->s, &s->a, &s->b, s->mclosed, ws);
		} else if (r < 96) {
			if (m_ok)
				op_close_master(s);
		} else {
			if (s_ok)
				op_close_slave(s);
			else if (m_ok && !s->had_slave)
				op_close_master(s);
		}
		break;
	}
	}
}

/* ---- workers -------------------------------------------------------------- */

static pthread_barrier_t start_barrier, fault_barrier;

static void *worker_fn(void *p)
{
	struct worker *w = p;

	volatile char prefault[64 * 1024];

	/* Fault the stack in now, not while allocations are being failed. */
	memset((char *)prefault, 0, sizeof(prefault));
	if (opt_fault) {
		tls_mif_fd = open("/proc/thread-self/make-it-fail", O_WRONLY | O_CLOEXEC);
		if (tls_mif_fd < 0)
			fail(CAT_OP, "worker %d: no make-it-fail: %s", w->idx, strerror(errno));
	}
	pthread_barrier_wait(&start_barrier);
	while (atomic_fetch_add(&ops_done, 1) < opt_ops) {
		uint32_t r = rnd_below(&w->rs, 100);

		if (tls_faulty) {
			pwrite(tls_mif_fd, "0", 1, 0);
			tls_faulty = 0;
			pthread_mutex_unlock(&fault_token);
		}
		if (tls_mif_fd >= 0 && atomic_load(&faults_on) &&
		    pthread_mutex_trylock(&fault_token) == 0) {
			tls_faulty = 1;
			pwrite(tls_mif_fd, "1", 1, 0);
		}

		if (r < 3) {
			struct reader *rd = rnd_below(&w->rs, 3) ? &rcons : &rtrace;

			pthread_mutex_lock(&rd->lock);
			reader_drain(rd, 32);
			pthread_mutex_unlock(&rd->lock);
			continue;
		}
		{
			struct slot *s = &slots[rnd_below(&w->rs, nslots)];

			pthread_mutex_lock(&s->lock);
			slot_op(w, s);
			pthread_mutex_unlock(&s->lock);
		}
	}
	if (tls_faulty) {
		pwrite(tls_mif_fd, "0", 1, 0);
		tls_faulty = 0;
		pthread_mutex_unlock(&fault_token);
	}
	if (opt_fault) {
		pthread_barrier_wait(&fault_barrier);	/* the controller turns failslab off */
		pthread_barrier_wait(&fault_barrier);
		close(tls_mif_fd);
	}
	return NULL;
}

/* ---- the end: drain, close, account --------------------------------------- */

/* Finishes writing @d on @wfd and reads it all on @rfd. */
static void drain_dir(struct worker *w, struct dir *d, int wfd, int rfd, const char *who)
{
	long long end = rel_now_ms() + 20000;

	while (d->txoff < d->txlen || d->rx_seq < d->tx_seq || d->resync) {
		if (rel_now_ms() > end) {
			fail(CAT_LOST, "%s: lost data: %u of %u frames arrived (%u bytes unsent, resync %d)",
			     who, d->rx_seq, d->tx_seq, d->txlen - d->txoff, d->resync);
			return;
		}
		if (d->txoff < d->txlen) {
			ssize_t n = write(wfd, d->tx + d->txoff, d->txlen - d->txoff);

			if (n > 0)
				d->txoff += n;
			else if (n < 0 && errno != EAGAIN) {
				fail(CAT_LOST, "%s: final write: %s", who, errname(errno));
				return;
			}
		}
		if (poll_fd(rfd, POLLIN, d->txoff < d->txlen ? 0 : 100) & POLLIN) {
			ssize_t n = read(rfd, w->buf, 8192);

			if (n > 0)
				dir_feed(d, who, w->buf, n);
			else if (n < 0 && errno != EAGAIN) {
				fail(CAT_LOST, "%s: final read: %s", who, errname(errno));
				return;
			}
		}
		/*
		 * A resync needs a frame after the flush point, and a cut frame
		 * left in the receive buffer may claim more bytes than follow.
		 */
		if (d->resync && d->txoff == d->txlen &&
		    !(poll_fd(rfd, POLLIN, 50) & POLLIN)) {
			uint64_t rs = d->id;

			d->txoff = d->txlen = 0;
			dir_refill(d, &rs);
		}
	}
}

/* Reads a hung-up side until end of file (the hangup must arrive). */
static void drain_to_eof(struct worker *w, struct dir *d, int fd, const char *who)
{
	long long end = rel_now_ms() + 10000;

	while (!d->eof) {
		ssize_t n;

		if (rel_now_ms() > end) {
			fail(CAT_LOST, "%s: no end of file after the peer closed (hangup lost?)", who);
			return;
		}
		poll_fd(fd, POLLIN, 100);
		n = read(fd, w->buf, 8192);
		if (n > 0)
			dir_feed(d, who, w->buf, n);
		else if (n == 0)
			d->eof = 1;
		else if (errno != EAGAIN) {
			fail(CAT_LOST, "%s: read: %s", who, errname(errno));
			return;
		}
	}
	if (d->rxlen && !d->tail_ok)
		fail(CAT_LOST, "%s: %u bytes of a cut frame at end of file", who, d->rxlen);
}

static void finish_all(struct worker *w)
{
	for (int i = 0; i < nslots; i++) {
		struct slot *s = &slots[i];
		char who[48];

		switch (s->kind) {
		case K_EMPTY:
			break;
		case K_ECHO:
			snprintf(who, sizeof(who), "echo %u (final)", s->minor);
			drain_dir(w, &s->a, s->m, s->m, who);
			slot_close_fd(s, &s->m, 1);
			break;
		case K_LOGW:
			slot_close_fd(s, &s->m, 1);
			break;
		case K_PTM:
			if (s->s >= 0 && !s->mclosed) {
				snprintf(who, sizeof(who), "ptm %u master->slave (final)", s->minor);
				drain_dir(w, &s->a, s->m, s->s, who);
				snprintf(who, sizeof(who), "ptm %u slave->master (final)", s->minor);
				drain_dir(w, &s->b, s->s, s->m, who);
			} else if (s->s >= 0) {
				snprintf(who, sizeof(who), "ptm %u slave after hangup", s->minor);
				drain_to_eof(w, &s->a, s->s, who);
			} else if (!s->mclosed && s->sclosed) {
				snprintf(who, sizeof(who), "ptm %u master after hangup", s->minor);
				drain_to_eof(w, &s->b, s->m, who);
			}
			if (!s->mclosed)
				op_close_master(s);
			if (s->s >= 0)
				op_close_slave(s);
			break;
		}
		s->kind = K_EMPTY;
	}
}

/* Drains a reader until nothing more arrives for a while. */
static void reader_final(struct reader *r)
{
	int quiet = 0;

	while (quiet < 3) {
		if (reader_drain(r, 1000) > 0) {
			quiet = 0;
			continue;
		}
		quiet++;
		poll_fd(r->fd, POLLIN, 300);
	}
}

/* ---- the systematic fault pass (fail-nth) --------------------------------- */

static int nth_fd = -1;
static long sys_injections;

struct sys_ctx {
	int m, s, e, r;		/* master, slave, echo, reader */
	char err[256];		/* a wrong outcome */
};

static void ctx_close(struct sys_ctx *c)
{
	if (c->s >= 0)
		close(c->s);
	if (c->m >= 0)
		close(c->m);
	if (c->e >= 0)
		close(c->e);
	if (c->r >= 0)
		close(c->r);
	c->m = c->s = c->e = c->r = -1;
}

static int pair_open(struct sys_ctx *c, int unlock, int slave)
{
	c->m = open(PTMX_NODE, O_RDWR | O_NONBLOCK | O_NOCTTY);
	if (c->m < 0)
		return -1;
	if (unlock && ioctl(c->m, UNLKPT, 0))
		return -1;
	if (slave) {
		c->s = ioctl(c->m, PTMGETPEER, O_RDWR | O_NONBLOCK | O_NOCTTY);
		if (c->s < 0)
			return -1;
	}
	return 0;
}

/* Runs @op with its @nth allocation failing; *@injected says if it was. */
#define ARMED(nth, injected, expr) ({					\
	__typeof__(expr) __r;						\
	int __e;							\
	fail_nth_arm(nth_fd, (nth));					\
	__r = (expr);							\
	__e = errno;							\
	*(injected) = fail_nth_left(nth_fd) == 0;			\
	fail_nth_arm(nth_fd, 0);					\
	errno = __e;							\
	__r;								\
})

/* How long the systematic pass watches for something that must not arrive. */
#define SYS_QUIET_MS	100

/* Expects exactly @len bytes equal to @buf on @fd, then nothing more. */
static int expect_bytes(int fd, const uint8_t *buf, size_t len, char *err, size_t esz)
{
	uint8_t got[8192];
	ssize_t n = len ? read_exact(fd, got, len, WAIT_MS) : 0;

	if (n != (ssize_t)len) {
		snprintf(err, esz, "%zd of %zu bytes arrived", n, len);
		return -1;
	}
	if (len && memcmp(got, buf, len)) {
		snprintf(err, esz, "the %zu bytes that arrived differ", len);
		return -1;
	}
	if (poll_fd(fd, POLLIN, SYS_QUIET_MS) & POLLIN) {
		n = read(fd, got, sizeof(got));
		snprintf(err, esz, "%zd unexpected bytes arrived after %zu", n, len);
		return -1;
	}
	return 0;
}

static uint64_t lost_of(int fd)
{
	uint64_t v = 0;

	ioctl(fd, LOG_GETLOST, &v);
	return v;
}

/*
 * Waits up to @ms for a log message containing @text on reader @fd (reading
 * the others that come first); 1 if it came, 0 if not.
 */
static int log_arrived_ms(int fd, const char *text, int ms)
{
	char ctl[64], data[2048];
	struct strbuf c = { sizeof(ctl), 0, ctl }, d = { sizeof(data) - 1, 0, data };
	int flags = 0;

	while (poll_fd(fd, POLLIN, ms) & POLLIN) {
		if (strclone_getmsg(fd, &c, &d, &flags) < 0)
			return 0;
		if (d.len >= 0) {
			data[d.len] = 0;
			if (strstr(data, text))
				return 1;
		}
	}
	return 0;
}

static int log_arrived(int fd, const char *text)
{
	return log_arrived_ms(fd, text, SYS_QUIET_MS);
}

/* One scenario step: 1 = fault injected, 0 = the call did not allocate that often. */
typedef int (*scen_fn)(int nth, struct sys_ctx *c, int *outcome_enomem);

static int sc_open(int nth, struct sys_ctx *c, int *enomem, const char *node, int flags)
{
	int inj;
	int fd = ARMED(nth, &inj, open(node, flags));

	if (fd < 0) {
		if (errno != ENOMEM)
			snprintf(c->err, sizeof(c->err), "open %s: %s", node, errname(errno));
		*enomem = 1;
	} else {
		struct strclone_devinfo di;

		if (getdev(fd, &di) < 0)
			snprintf(c->err, sizeof(c->err), "GETDEV on the new fd: %s", errname(errno));
		close(fd);
	}
	return inj;
}

static int sc_open_ptm(int n, struct sys_ctx *c, int *e)
{
	return sc_open(n, c, e, PTMX_NODE, O_RDWR);
}

static int sc_open_echo(int n, struct sys_ctx *c, int *e)
{
	return sc_open(n, c, e, ECHO_NODE, O_RDWR);
}

static int sc_open_strlog(int n, struct sys_ctx *c, int *e)
{
	return sc_open(n, c, e, STRLOG_NODE, O_RDWR);
}

static int sc_open_conslog(int n, struct sys_ctx *c, int *e)
{
	return sc_open(n, c, e, CONSLOG_NODE, O_WRONLY);
}

static int sc_getpeer(int nth, struct sys_ctx *c, int *enomem, int second)
{
	int inj, s;

	if (pair_open(c, 1, second) < 0) {
		snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno));
		return 0;
	}
	s = ARMED(nth, &inj, ioctl(c->m, PTMGETPEER, O_RDWR | O_NONBLOCK));
	if (s < 0) {
		*enomem = 1;
		if (errno != ENOMEM) {
			snprintf(c->err, sizeof(c->err), "PTMGETPEER: %s", errname(errno));
			return inj;
		}
		/* Nothing changed: the next call works. */
		s = ioctl(c->m, PTMGETPEER, O_RDWR | O_NONBLOCK);
		if (s < 0) {
			snprintf(c->err, sizeof(c->err), "PTMGETPEER after an ENOMEM: %s",
				 errname(errno));
			return inj;
		}
	}
	/* The slave works both ways. */
	if (write(c->m, "ping", 4) != 4 || expect_bytes(s, (const uint8_t *)"ping", 4, c->err,
							 sizeof(c->err)) ||
	    write(s, "pong", 4) != 4 ||
	    expect_bytes(c->m, (const uint8_t *)"pong", 4, c->err, sizeof(c->err)))
		if (!c->err[0])
			snprintf(c->err, sizeof(c->err), "data after PTMGETPEER: %s", errname(errno));
	close(s);
	return inj;
}

static int sc_getpeer1(int n, struct sys_ctx *c, int *e)
{
	return sc_getpeer(n, c, e, 0);
}

static int sc_getpeer2(int n, struct sys_ctx *c, int *e)
{
	return sc_getpeer(n, c, e, 1);
}

/* write(2) of @len bytes from @wfd, read back on @rfd. */
static int sc_write(int nth, struct sys_ctx *c, int *enomem, int wfd, int rfd, size_t len)
{
	uint8_t buf[8192];
	int inj;
	ssize_t n, ret;

	fill_pat(buf, nth, len);
	n = ARMED(nth, &inj, write(wfd, buf, len));
	ret = n;
	if (n < 0) {
		*enomem = 1;
		if (errno != ENOMEM)
			snprintf(c->err, sizeof(c->err), "write: %s", errname(errno));
		n = 0;	/* nothing may arrive */
	}
	if (!c->err[0]) {
		char e2[128] = "";

		/* A write that sent part of the data returns that part's size. */
		if (expect_bytes(rfd, buf, n, e2, sizeof(e2)) < 0)
			snprintf(c->err, sizeof(c->err), "write of %zu bytes returned %zd%s: %s",
				 len, ret, ret < 0 ? " (ENOMEM)" : "", e2);
	}
	return inj;
}

static int sc_write_ptm(int nth, struct sys_ctx *c, int *e)
{
	if (pair_open(c, 1, 1) < 0)
		return snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno)), 0;
	return sc_write(nth, c, e, c->m, c->s, 100);
}

static int sc_write_echo_big(int nth, struct sys_ctx *c, int *e)
{
	c->e = open(ECHO_NODE, O_RDWR | O_NONBLOCK);
	if (c->e < 0)
		return snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno)), 0;
	return sc_write(nth, c, e, c->e, c->e, 6000);
}

static int sc_putmsg_echo(int nth, struct sys_ctx *c, int *enomem)
{
	char ctl[16] = "control", data[100], gc[64], gd[200];
	struct strbuf bc = { sizeof(gc), 0, gc }, bd = { sizeof(gd), 0, gd };
	int inj, r, flags = 0;

	fill_pat((unsigned char *)data, 7, sizeof(data));
	c->e = open(ECHO_NODE, O_RDWR | O_NONBLOCK);
	if (c->e < 0)
		return snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno)), 0;
	r = ARMED(nth, &inj, putmsg_parts(c->e, ctl, sizeof(ctl), data, sizeof(data), 0));
	if (r < 0) {
		*enomem = 1;
		if (errno != ENOMEM)
			snprintf(c->err, sizeof(c->err), "putmsg: %s", errname(errno));
		else if (poll_fd(c->e, POLLIN, SYS_QUIET_MS) & POLLIN)
			snprintf(c->err, sizeof(c->err), "putmsg failed ENOMEM but a message arrived");
		return inj;
	}
	if (!(poll_fd(c->e, POLLIN, WAIT_MS) & POLLIN) || strclone_getmsg(c->e, &bc, &bd, &flags) != 0 ||
	    bc.len != (int)sizeof(ctl) || bd.len != (int)sizeof(data) ||
	    memcmp(gc, ctl, sizeof(ctl)) || memcmp(gd, data, sizeof(data)))
		snprintf(c->err, sizeof(c->err), "putmsg succeeded, message came back wrong (%d/%d)",
			 bc.len, bd.len);
	return inj;
}

static int sc_istr_reverse(int nth, struct sys_ctx *c, int *enomem)
{
	char buf[64], want[64];
	int inj, r, olen = -1;

	for (int i = 0; i < 64; i++)
		buf[i] = (char)i, want[63 - i] = (char)i;
	c->e = open(ECHO_NODE, O_RDWR);
	if (c->e < 0)
		return snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno)), 0;
	r = ARMED(nth, &inj, istr(c->e, ECHO_REVERSE, buf, 64, &olen));
	if (r < 0) {
		*enomem = 1;
		if (errno != ENOMEM)
			snprintf(c->err, sizeof(c->err), "I_STR ECHO_REVERSE: %s", errname(errno));
	} else if (r != 64 || olen != 64 || memcmp(buf, want, 64)) {
		snprintf(c->err, sizeof(c->err),
			 "I_STR ECHO_REVERSE of 64 bytes succeeded with rval %d, ic_len %d%s", r,
			 olen, olen == 64 && memcmp(buf, want, 64) ? ", wrong data" : "");
	}
	return inj;
}

static int sc_flush_echo(int nth, struct sys_ctx *c, int *enomem)
{
	int inj, r;

	c->e = open(ECHO_NODE, O_RDWR | O_NONBLOCK);
	if (c->e < 0 || write(c->e, "abc", 3) != 3)
		return snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno)), 0;
	wait_nread(c->e, 1, WAIT_MS, NULL);
	r = ARMED(nth, &inj, ioctl(c->e, I_FLUSH, FLUSHRW));
	if (r < 0) {
		*enomem = 1;
		if (errno != ENOMEM)
			snprintf(c->err, sizeof(c->err), "I_FLUSH: %s", errname(errno));
	} else if (nread(c->e, NULL) != 0) {
		snprintf(c->err, sizeof(c->err), "I_FLUSH FLUSHRW returned 0, data still queued");
	}
	/* The stream still works. */
	if (!c->err[0] && (write(c->e, "xyz", 3) != 3 ||
			   expect_bytes(c->e, (const uint8_t *)"xyz", 3, c->err, sizeof(c->err))))
		if (!c->err[0])
			snprintf(c->err, sizeof(c->err), "write after I_FLUSH: %s", errname(errno));
	return inj;
}

static int sc_flush_ptm(int nth, struct sys_ctx *c, int *enomem)
{
	int inj, r;

	if (pair_open(c, 1, 1) < 0)
		return snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno)), 0;
	r = ARMED(nth, &inj, ioctl(c->m, I_FLUSH, FLUSHRW));
	if (r < 0) {
		*enomem = 1;
		if (errno != ENOMEM)
			snprintf(c->err, sizeof(c->err), "I_FLUSH: %s", errname(errno));
	}
	if (!c->err[0] && (write(c->m, "xyz", 3) != 3 ||
			   expect_bytes(c->s, (const uint8_t *)"xyz", 3, c->err, sizeof(c->err))))
		if (!c->err[0])
			snprintf(c->err, sizeof(c->err), "data after I_FLUSH: %s", errname(errno));
	return inj;
}

static int sc_register(int nth, struct sys_ctx *c, int *enomem, int trace)
{
	struct trace_ids ti[2] = { { 23, -1, 1 }, { 100, -1, 5 } };
	int inj, r;

	c->r = open(STRLOG_NODE, O_RDWR | O_NONBLOCK);
	if (c->r < 0)
		return snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno)), 0;
	r = ARMED(nth, &inj, istr(c->r, trace ? I_TRCLOG : I_CONSLOG, ti, trace ? sizeof(ti) : 0,
				  NULL));
	if (r < 0) {
		*enomem = 1;
		if (errno != ENOMEM)
			snprintf(c->err, sizeof(c->err), "%s with %s: %s",
				 trace ? "I_TRCLOG" : "I_CONSLOG",
				 trace ? "two valid filters" : "no data", errname(errno));
	}
	return inj;
}

static int sc_reg_cons(int n, struct sys_ctx *c, int *e)
{
	return sc_register(n, c, e, 0);
}

static int sc_reg_trace(int n, struct sys_ctx *c, int *e)
{
	return sc_register(n, c, e, 1);
}

/* A log message written with the fault: it arrives, or it is counted lost. */
static int sc_logmsg(int nth, struct sys_ctx *c, int *enomem, int how)
{
	char text[64];
	int inj, r, w;
	uint64_t lost0;
	struct trace_ids ti = { 23, -1, 1 };

	c->r = open(STRLOG_NODE, O_RDWR | O_NONBLOCK);
	if (c->r < 0 || istr(c->r, how == 2 ? I_TRCLOG : I_CONSLOG, &ti, how == 2 ? 8 : 0, NULL))
		return snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno)), 0;
	lost0 = lost_of(c->r);
	snprintf(text, sizeof(text), "systematic %d/%d", how, nth);
	if (how == 0) {
		w = open(CONSLOG_NODE, O_WRONLY);
		if (w < 0)
			return snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno)), 0;
		r = ARMED(nth, &inj, (int)write(w, text, strlen(text)));
		close(w);
		if (r >= 0 && r != (int)strlen(text))
			snprintf(c->err, sizeof(c->err), "conslog write returned %d", r);
	} else if (how == 1) {
		struct log_ctl lc = { .mid = LOG_MID, .flags = SL_CONSOLE };

		w = open(STRLOG_NODE, O_RDWR);
		if (w < 0)
			return snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno)), 0;
		r = ARMED(nth, &inj, putmsg_parts(w, &lc, sizeof(lc), text, strlen(text), 0));
		close(w);
	} else {
		w = ARMED(nth, &inj, open(PTMX_NODE, O_RDWR));
		r = w;
		if (w >= 0) {
			struct strclone_devinfo di;

			getdev(w, &di);
			snprintf(text, sizeof(text), "ptm: minor %u opened", di.minor);
			close(w);
		}
	}
	if (r < 0) {
		*enomem = 1;
		if (errno != ENOMEM)
			snprintf(c->err, sizeof(c->err), "%s: %s",
				 how == 0 ? "conslog write" : how == 1 ? "strlog putmsg" : "ptm open",
				 errname(errno));
		else if (log_arrived(c->r, text))
			snprintf(c->err, sizeof(c->err), "the call failed ENOMEM but its message arrived");
		return inj;
	}
	if (c->err[0])
		return inj;
	/* Not counted lost: it must arrive (the reader's service procedure
	 * may take a while to run). */
	if (lost_of(c->r) == lost0 && log_arrived_ms(c->r, text, 500))
		return inj;
	if (lost_of(c->r) != lost0 + 1) {
		snprintf(c->err, sizeof(c->err),
			 "%s succeeded; its log message neither arrived nor was counted lost (LOG_GETLOST %llu -> %llu)",
			 how == 0 ? "conslog write" : how == 1 ? "strlog putmsg" : "ptm open",
			 (unsigned long long)lost0, (unsigned long long)lost_of(c->r));
		return inj;
	}
	/*
	 * Counted lost: the reader, caught up, gets a loss notice without
	 * waiting for another message.
	 */
	if (!log_arrived_ms(c->r, "strlog: 1 messages lost", QUIET_MS))
		snprintf(c->err, sizeof(c->err),
			 "a message was counted lost, no loss notice came within %d ms", QUIET_MS);
	return inj;
}

static int sc_log_conslog(int n, struct sys_ctx *c, int *e)
{
	return sc_logmsg(n, c, e, 0);
}

static int sc_log_putmsg(int n, struct sys_ctx *c, int *e)
{
	return sc_logmsg(n, c, e, 1);
}

static int sc_log_ptmopen(int n, struct sys_ctx *c, int *e)
{
	return sc_logmsg(n, c, e, 2);
}

/* Closing one side with the fault: the other side must still see the hangup. */
static int sc_close_side(int nth, struct sys_ctx *c, int *enomem, int master)
{
	int inj, r, *closing, other;
	char buf[8];

	(void)enomem;
	if (pair_open(c, 1, 1) < 0)
		return snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno)), 0;
	closing = master ? &c->m : &c->s;
	other = master ? c->s : c->m;
	r = ARMED(nth, &inj, close(*closing));
	*closing = -1;
	if (r < 0)
		snprintf(c->err, sizeof(c->err), "close: %s", errname(errno));
	else if (!(poll_fd(other, POLLIN, WAIT_MS) & POLLHUP))
		snprintf(c->err, sizeof(c->err), "the %s closed, the %s sees no POLLHUP (hangup lost)",
			 master ? "master" : "slave", master ? "slave" : "master");
	else if (read(other, buf, sizeof(buf)) != 0)
		snprintf(c->err, sizeof(c->err), "read after hangup is not end of file");
	else if (write(other, "x", 1) != -1 || errno != EIO)
		snprintf(c->err, sizeof(c->err), "write after hangup is not EIO");
	return inj;
}

static int sc_close_master(int n, struct sys_ctx *c, int *e)
{
	return sc_close_side(n, c, e, 1);
}

static int sc_close_slave(int n, struct sys_ctx *c, int *e)
{
	return sc_close_side(n, c, e, 0);
}

static int sc_echo_cmd(int nth, struct sys_ctx *c, int *enomem, int cmd)
{
	int inj, r, v = EPROTO;
	struct echo_qopts q = { 8192, 1024 };
	void *arg = cmd == ECHO_SETOPTS ? (void *)&q : (void *)&v;
	int len = cmd == ECHO_SETOPTS ? (int)sizeof(q) : cmd == ECHO_ERROR ? 4 : 0;

	c->e = open(ECHO_NODE, O_RDWR | O_NONBLOCK);
	if (c->e < 0)
		return snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno)), 0;
	r = ARMED(nth, &inj, istr(c->e, cmd, arg, len, NULL));
	if (r < 0) {
		*enomem = 1;
		if (errno != ENOMEM)
			snprintf(c->err, sizeof(c->err), "I_STR: %s", errname(errno));
		return inj;
	}
	if (cmd == ECHO_HANGUP && !(poll_fd(c->e, POLLIN, WAIT_MS) & POLLHUP))
		snprintf(c->err, sizeof(c->err), "ECHO_HANGUP succeeded, no POLLHUP (hangup lost)");
	return inj;
}

static int sc_echo_hangup(int n, struct sys_ctx *c, int *e)
{
	return sc_echo_cmd(n, c, e, ECHO_HANGUP);
}

static int sc_echo_error(int n, struct sys_ctx *c, int *e)
{
	return sc_echo_cmd(n, c, e, ECHO_ERROR);
}

static int sc_echo_setopts(int n, struct sys_ctx *c, int *e)
{
	return sc_echo_cmd(n, c, e, ECHO_SETOPTS);
}

/* I_PUSH nullmod on an echo stream; the stream works either way. */
static int sc_push(int nth, struct sys_ctx *c, int *enomem)
{
	long before = dbg_module_uses("nullmod");
	int inj, r, e, n;

	c->e = open(ECHO_NODE, O_RDWR | O_NONBLOCK);
	if (c->e < 0 || before < 0)
		return snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno)), 0;
	r = ARMED(nth, &inj, ioctl(c->e, I_PUSH, "nullmod"));
	e = errno;
	n = ioctl(c->e, I_LIST, NULL);
	if (r < 0) {
		*enomem = 1;
		if (e != ENOMEM)
			snprintf(c->err, sizeof(c->err), "I_PUSH: %s", errname(e));
		else if (n != 1 || dbg_module_uses("nullmod") != before)
			snprintf(c->err, sizeof(c->err),
				 "I_PUSH failed ENOMEM, yet I_LIST counts %d and nullmod uses %ld (were %ld)",
				 n, dbg_module_uses("nullmod"), before);
	} else if (n != 2 || dbg_module_uses("nullmod") != before + 1) {
		snprintf(c->err, sizeof(c->err), "I_PUSH succeeded, I_LIST counts %d, nullmod uses %ld (were %ld)",
			 n, dbg_module_uses("nullmod"), before);
	}
	if (!c->err[0] && (write(c->e, "xyz", 3) != 3 ||
			   expect_bytes(c->e, (const uint8_t *)"xyz", 3, c->err, sizeof(c->err))))
		if (!c->err[0])
			snprintf(c->err, sizeof(c->err), "write after I_PUSH: %s", errname(errno));
	return inj;
}

/* SAD_SAP on /dev/sad/admin with up to two module names; 0, or -1 and errno. */
static int sad_sap(int admin, unsigned int cmd, unsigned int major, unsigned int minor,
		   const char *m1, const char *m2)
{
	struct strapush sap = { .sap_cmd = cmd, .sap_major = major, .sap_minor = minor };

	if (m1) {
		strcpy(sap.sap_list[sap.sap_npush++], m1);
		if (m2)
			strcpy(sap.sap_list[sap.sap_npush++], m2);
	}
	return ioctl(admin, SAD_SAP, &sap);
}

/*
 * A clone open of echo with nullmod and testmod configured for autopush:
 * it fails ENOMEM with nothing left (no stream, no module, the minor
 * free: the pass checks debugfs after each run), or opens with both.
 */
static int sc_open_autopush(int nth, struct sys_ctx *c, int *enomem)
{
	long nm = dbg_module_uses("nullmod"), tm = dbg_module_uses("testmod");
	int admin = open("/dev/sad/admin", O_RDWR), inj, e, n = -1, r, re;

	if (admin < 0 || sad_sap(admin, SAP_ALL, STRCLONE_ECHO_MAJOR, 0, "nullmod", "testmod")) {
		snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno));
		if (admin >= 0)
			close(admin);
		return 0;
	}
	c->e = ARMED(nth, &inj, open(ECHO_NODE, O_RDWR));
	e = errno;
	if (c->e >= 0)
		n = ioctl(c->e, I_LIST, NULL);
	r = sad_sap(admin, SAP_CLEAR, STRCLONE_ECHO_MAJOR, 0, NULL, NULL);
	re = errno;
	close(admin);
	if (c->e < 0) {
		*enomem = 1;
		if (e != ENOMEM)
			snprintf(c->err, sizeof(c->err), "open: %s", errname(e));
		else if (dbg_module_uses("nullmod") != nm || dbg_module_uses("testmod") != tm)
			snprintf(c->err, sizeof(c->err),
				 "open failed ENOMEM with modules left pushed (nullmod %ld, testmod %ld; were %ld, %ld)",
				 dbg_module_uses("nullmod"), dbg_module_uses("testmod"), nm, tm);
	} else if (n != 3) {
		snprintf(c->err, sizeof(c->err), "open succeeded with %d entries on I_LIST, not 3", n);
	}
	if (r && !c->err[0])
		snprintf(c->err, sizeof(c->err), "clearing the configuration: %s", errname(re));
	return inj;
}

/* SAD_SAP set: ENOMEM sets nothing; success sets exactly that. */
static int sc_sad_sap(int nth, struct sys_ctx *c, int *enomem)
{
	struct strapush g = { .sap_major = STRCLONE_ECHO_MAJOR, .sap_minor = 7 };
	int admin = open("/dev/sad/admin", O_RDWR), inj, r, e, found;

	if (admin < 0)
		return snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno)), 0;
	r = ARMED(nth, &inj, sad_sap(admin, SAP_ONE, STRCLONE_ECHO_MAJOR, 7, "nullmod", NULL));
	e = errno;
	found = ioctl(admin, SAD_GAP, &g) == 0;
	if (r < 0) {
		*enomem = 1;
		if (e != ENOMEM)
			snprintf(c->err, sizeof(c->err), "SAD_SAP: %s", errname(e));
		else if (found)
			snprintf(c->err, sizeof(c->err), "SAD_SAP failed ENOMEM, the configuration is set");
	} else if (!found || g.sap_cmd != SAP_ONE || strcmp(g.sap_list[0], "nullmod")) {
		snprintf(c->err, sizeof(c->err), "SAD_SAP succeeded, SAD_GAP does not find it");
	}
	if (found && sad_sap(admin, SAP_CLEAR, STRCLONE_ECHO_MAJOR, 7, NULL, NULL) && !c->err[0])
		snprintf(c->err, sizeof(c->err), "SAP_CLEAR: %s", errname(errno));
	close(admin);
	return inj;
}

static int sc_debugfs(int nth, struct sys_ctx *c, int *enomem)
{
	char buf[4096];
	int inj, fd;
	ssize_t r;

	if (pair_open(c, 0, 0) < 0)
		return snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno)), 0;
	fd = open(DBG_STREAMS, O_RDONLY);
	if (fd < 0)
		return snprintf(c->err, sizeof(c->err), "open streams: %s", errname(errno)), 0;
	r = ARMED(nth, &inj, read(fd, buf, sizeof(buf)));
	if (r < 0) {
		*enomem = 1;
		if (errno != ENOMEM)
			snprintf(c->err, sizeof(c->err), "read debugfs streams: %s", errname(errno));
	}
	close(fd);
	return inj;
}

/* ---- drivers from other kernel modules (the samples and ddidrv) ---- */

#define DDIDRV_PARAMS	"/sys/module/ddidrv/parameters/"

/* The name of -@r, a negative errno. */
static const char *nerr(int r)
{
	return errname(r < 0 && r > -4096 ? -r : EIO);
}

/* Loads the test module @name (from KMOD_DIR) unless it is loaded. */
static int kmod_ready(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (access(path, F_OK) == 0)
		return 0;
	snprintf(path, sizeof(path), KMOD_DIR "%s.ko", name);
	return load_kmod(path);
}

static int sc_open_sloop(int n, struct sys_ctx *c, int *e)
{
	int r = kmod_ready("sloop");

	if (r)
		return snprintf(c->err, sizeof(c->err), "setup: load sloop: %s", nerr(r)), 0;
	return sc_open(n, c, e, "/dev/clone-sloop", O_RDWR);
}

/*
 * PTMGETPTN with a fault: it makes /dev/strpts/N. Success means the node is
 * there (and opens the slave); ENOMEM means it is not, and the next call
 * makes it.
 */
static int sc_getptn(int nth, struct sys_ctx *c, int *enomem)
{
	char path[64];
	unsigned int n;
	int inj, r, s;

	if (pair_open(c, 1, 0) < 0) {
		snprintf(c->err, sizeof(c->err), "setup: %s", errname(errno));
		return 0;
	}
	r = ARMED(nth, &inj, ioctl(c->m, PTMGETPTN, &n));
	if (r < 0) {
		*enomem = 1;
		if (errno != ENOMEM) {
			snprintf(c->err, sizeof(c->err), "PTMGETPTN: %s", errname(errno));
			return inj;
		}
		if (ioctl(c->m, PTMGETPTN, &n) < 0) {
			snprintf(c->err, sizeof(c->err), "PTMGETPTN after an ENOMEM: %s",
				 errname(errno));
			return inj;
		}
	}
	snprintf(path, sizeof(path), "/dev/strpts/%u", n);
	s = open(path, O_RDWR | O_NONBLOCK | O_NOCTTY);
	if (s < 0) {
		snprintf(c->err, sizeof(c->err), "open %s after PTMGETPTN%s: %s", path,
			 r < 0 ? " (ENOMEM, then success)" : "", errname(errno));
		return inj;
	}
	close(s);
	return inj;
}

/*
 * strclone_register_driver() with a fault: ddidrv registers its driver
 * again when "2" is written to its drvunreg parameter, in the writer's
 * context. The result is 0 (and the clone node is there) or -ENOMEM (and
 * neither the node nor the driver is).
 */
static int sc_register_driver(int nth, struct sys_ctx *c, int *enomem)
{
	char buf[32], targets[4096];
	int r, inj, fd;
	ssize_t w;

	r = kmod_ready("ddidrv");
	if (r)
		return snprintf(c->err, sizeof(c->err), "setup: load ddidrv: %s", nerr(r)), 0;
	/* Unregistered first (ENOENT if it already is). */
	if (write_param(DDIDRV_PARAMS "drvunreg", "1") ||
	    read_param(DDIDRV_PARAMS "drvunregistered", buf, sizeof(buf)) ||
	    (atoi(buf) != 0 && atoi(buf) != -ENOENT))
		return snprintf(c->err, sizeof(c->err), "setup: unregister ddidrv: %s", buf), 0;
	fd = open(DDIDRV_PARAMS "drvunreg", O_WRONLY);
	if (fd < 0)
		return snprintf(c->err, sizeof(c->err), "setup: open drvunreg: %s", errname(errno)), 0;
	w = ARMED(nth, &inj, write(fd, "2", 1));
	close(fd);
	if (w < 0) {
		/* The parameter write itself failed, before strclone ran. */
		if (errno != ENOMEM)
			snprintf(c->err, sizeof(c->err), "write drvunreg: %s", errname(errno));
		*enomem = 1;
		return inj;
	}
	if (read_param(DDIDRV_PARAMS "drvunregistered", buf, sizeof(buf)))
		return snprintf(c->err, sizeof(c->err), "read drvunregistered"), inj;
	r = atoi(buf);
	if (r == 0) {
		if (access("/dev/clone-ddidrv", F_OK))
			snprintf(c->err, sizeof(c->err), "registered, but no /dev/clone-ddidrv");
	} else if (r == -ENOMEM) {
		*enomem = 1;
		if (access("/dev/clone-ddidrv", F_OK) == 0)
			snprintf(c->err, sizeof(c->err), "ENOMEM, but /dev/clone-ddidrv is there");
		else if (read_text(DBG_TARGETS, targets, sizeof(targets)) >= 0 &&
			 strstr(targets, "ddidrv"))
			snprintf(c->err, sizeof(c->err), "ENOMEM, but the clone table has ddidrv");
	} else {
		snprintf(c->err, sizeof(c->err), "register: %s", nerr(r));
	}
	return inj;
}

static const struct {
	const char *name;
	scen_fn fn;
} scenarios[] = {
	{ "open /dev/clone-ptmx", sc_open_ptm },
	{ "open /dev/clone-echo", sc_open_echo },
	{ "open /dev/strlog", sc_open_strlog },
	{ "open /dev/conslog", sc_open_conslog },
	{ "PTMGETPEER (creates the slave)", sc_getpeer1 },
	{ "PTMGETPEER (second fd on the slave)", sc_getpeer2 },
	{ "PTMGETPTN (makes /dev/strpts/N)", sc_getptn },
	{ "write 100 bytes master to slave", sc_write_ptm },
	{ "write 6000 bytes (two messages) on echo", sc_write_echo_big },
	{ "putmsg control+data on echo", sc_putmsg_echo },
	{ "I_STR ECHO_REVERSE", sc_istr_reverse },
	{ "I_FLUSH FLUSHRW on echo", sc_flush_echo },
	{ "I_FLUSH FLUSHRW on a ptm master", sc_flush_ptm },
	{ "I_STR I_CONSLOG", sc_reg_cons },
	{ "I_STR I_TRCLOG with two filters", sc_reg_trace },
	{ "conslog write to a console reader", sc_log_conslog },
	{ "strlog putmsg to a console reader", sc_log_putmsg },
	{ "ptm open logged to a trace reader", sc_log_ptmopen },
	{ "close a master whose slave is open", sc_close_master },
	{ "close a slave whose master is open", sc_close_slave },
	{ "I_STR ECHO_HANGUP", sc_echo_hangup },
	{ "I_STR ECHO_ERROR", sc_echo_error },
	{ "I_STR ECHO_SETOPTS", sc_echo_setopts },
	{ "read debugfs streams", sc_debugfs },
	{ "I_PUSH nullmod on echo", sc_push },
	{ "open /dev/clone-echo with autopush of two modules", sc_open_autopush },
	{ "SAD_SAP (set one minor)", sc_sad_sap },
	{ "open /dev/clone-sloop (a C driver)", sc_open_sloop },
	{ "strclone_register_driver (ddidrv)", sc_register_driver },
};

#define NTH_MAX	64

static void systematic_pass(void)
{
	nth_fd = fail_nth_open();
	if (nth_fd < 0)
		ksft_exit_fail_msg("systematic fault pass: no /proc/thread-self/fail-nth: %s\n",
				   strerror(errno));
	for (size_t i = 0; i < ARRAY_LEN(scenarios); i++) {
		int points = 0, nomem = 0, bad = 0, leak = 0;
		char first[300] = "";

		for (int nth = 1; nth <= NTH_MAX; nth++) {
			struct sys_ctx c = { .m = -1, .s = -1, .e = -1, .r = -1 };
			int enomem = 0, inj;
			char what[512];

			inj = scenarios[i].fn(nth, &c, &enomem);
			ctx_close(&c);
			if (c.err[0]) {
				bad++;
				if (!first[0])
					snprintf(first, sizeof(first), "fault %d: %s", nth, c.err);
			}
			if (wait_idle(2000, what, sizeof(what)) < 0) {
				leak++;
				if (!first[0])
					snprintf(first, sizeof(first),
						 "fault %d: streams left open after close: %.200s", nth, what);
			}
			if (!inj)
				break;
			points++;
			nomem += enomem;
		}
		sys_injections += points;
		if (bad || leak)
			ksft_test_result_fail("failslab: %s: %d faults injected, %d wrong outcomes, %d leaks; %s\n",
					      scenarios[i].name, points, bad, leak, first);
		else
			ksft_test_result_pass("failslab: %s: %d faults injected (%d ENOMEM, %d absorbed)\n",
					      scenarios[i].name, points, nomem, points - nomem);
	}
	close(nth_fd);
	/* The test provider the registration scenario loaded goes again
	 * (sloop stays for the random workload; main unloads it). */
	unload_kmod_settled("ddidrv");
}

/* ---- main ------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
		"usage: stress [-n OPS] [-t THREADS] [-s SEED] [-f [-p PCT] [-T TIMES]]\n");
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	static struct worker workers[MAX_THREADS];
	static struct worker final_w;
	struct kml_set kml_before, kml_after;
	static char kml_text[1 << 16];
	struct fi_collector fic;
	struct fi_stats fis;
	char what[4096];
	const char *env = getenv("STRESS_OPS");
	long long t0, t_work;
	int ch, kml = 0, kml_final, nplan;
	struct rlimit rl;

	if (env && atol(env) > 0)
		opt_ops = atol(env);
	opt_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((ch = getopt(argc, argv, "n:t:s:fp:T:")) != -1) {
		switch (ch) {
		case 'n': opt_ops = atol(optarg); break;
		case 't': opt_threads = atoi(optarg); break;
		case 's': opt_seed = strtoull(optarg, NULL, 0); break;
		case 'f': opt_fault = 1; break;
		case 'p': opt_pct = atoi(optarg); break;
		case 'T': opt_times = atoi(optarg); break;
		default: usage();
		}
	}
	if (opt_threads < 1 || opt_threads > MAX_THREADS || opt_ops < 1)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	/* A test VM without these is set up wrong: fail, do not skip. */
	if (geteuid() != 0)
		ksft_exit_fail_msg("must run as root (debugfs, kmemleak, failslab)\n");
	if (access(DBG_STREAMS, R_OK))
		ksft_exit_fail_msg("no %s: strclone not loaded or debugfs not mounted\n", DBG_STREAMS);
	if (opt_fault && !failslab_available())
		ksft_exit_fail_msg("no %s: kernel without CONFIG_FAILSLAB/FAULT_INJECTION_DEBUG_FS\n",
				   FAILSLAB);
	kml_final = getenv("STRCLONE_KMEMLEAK") && !strcmp(getenv("STRCLONE_KMEMLEAK"), "final");
	/*
	 * 9 checks, the kmemleak check unless kmemleak.sh makes it
	 * (STRCLONE_KMEMLEAK=final), and with -f one per systematic scenario
	 * and the failslab figures.
	 */
	nplan = 9 + !kml_final + (opt_fault ? (int)ARRAY_LEN(scenarios) + 1 : 0);
	ksft_set_plan(nplan);
	ksft_print_msg("%s: %ld operations, %d threads, seed %#llx%s\n",
		       opt_fault ? "failslab" : "stress", opt_ops, opt_threads,
		       (unsigned long long)opt_seed,
		       opt_fault ? " (fault injection)" : "");
	/* Room for every slot's fds and the readers. */
	rl.rlim_cur = rl.rlim_max = 4096;
	setrlimit(RLIMIT_NOFILE, &rl);
	signal(SIGPIPE, SIG_IGN);

	writer_next = calloc(MAX_WRITERS, sizeof(*writer_next));
	nslots = opt_threads * SLOTS_PER_THREAD;
	for (int i = 0; i < nslots; i++) {
		struct slot *s = &slots[i];

		pthread_mutex_init(&s->lock, NULL);
		s->idx = i;
		s->kind = K_EMPTY;
		s->m = s->s = -1;
		s->a.tx = malloc(TXBUF);
		s->a.rx = malloc(RXBUF);
		s->b.tx = malloc(TXBUF);
		s->b.rx = malloc(RXBUF);
		if (!writer_next || !s->a.tx || !s->a.rx || !s->b.tx || !s->b.rx)
			ksft_exit_fail_msg("out of memory\n");
	}

	if (wait_idle(5000, what, sizeof(what)) < 0)
		ksft_print_msg("warning: streams open before the run:\n%s", what);
	/* STRCLONE_KMEMLEAK=final: kmemleak.sh checks once after the whole run. */
	if (kml_final) {
		ksft_print_msg("kmemleak: left to the final check of this run (STRCLONE_KMEMLEAK=final)\n");
	} else if (!kmemleak_available()) {
		ksft_exit_fail_msg("no /sys/kernel/debug/kmemleak (CONFIG_DEBUG_KMEMLEAK); set STRCLONE_KMEMLEAK=final to leave the check to kmemleak.sh\n");
	} else {
		kml = 1;
		if (kmemleak_collect(&kml_before, NULL, 0) < 0)
			ksft_exit_fail_msg("the kmemleak scan before the run failed\n");
	}

	if (opt_fault) {
		failslab_save();
		atexit(failslab_restore);
		failslab_set("probability", "0");
		failslab_set("interval", "1");
		failslab_set("times", "-1");
		failslab_set("space", "0");
		failslab_set("verbose", "2");
		failslab_set("verbose_ratelimit_interval_ms", "0");
		failslab_set("task-filter", "Y");
		failslab_set("ignore-gfp-wait", "N");
		failslab_set("cache-filter", "N");
		if (fi_start(&fic) < 0)
			ksft_exit_fail_msg("cannot read /dev/kmsg: %s\n", strerror(errno));
		t0 = rel_now_ms();
		systematic_pass();
		ksft_print_msg("systematic pass: %ld faults injected in %lld ms\n", sys_injections,
			       rel_now_ms() - t0);
	}

	/* The sample C driver, for a share of the echo-like streams. */
	if (access(KMOD_DIR "sloop.ko", R_OK) == 0) {
		char buf[16];
		int r = kmod_ready("sloop");

		if (r)
			ksft_exit_fail_msg("loading sloop.ko: %s\n", strerror(-r));
		if (read_param("/sys/module/sloop/parameters/registered", buf, sizeof(buf)))
			ksft_exit_fail_msg("no sloop major\n");
		sloop_major = atoi(buf);
	}

	/* The log readers, registered for the whole workload. */
	if (reader_open(&rcons) < 0 || reader_open(&rtrace) < 0)
		ksft_exit_fail_msg("cannot set up the log readers: %s\n", strerror(errno));
	if (reader_marks() < 0)
		ksft_exit_fail_msg("the log readers do not receive their first message\n");

	pthread_barrier_init(&start_barrier, NULL, opt_threads + 1);
	pthread_barrier_init(&fault_barrier, NULL, opt_threads + 1);
	for (int i = 0; i < opt_threads; i++) {
		workers[i].idx = i;
		workers[i].rs = opt_seed + 0x9e3779b97f4a7c15ull * (i + 1);
		if (pthread_create(&workers[i].thr, NULL, worker_fn, &workers[i]))
			ksft_exit_fail_msg("pthread_create failed\n");
	}
	pthread_barrier_wait(&start_barrier);
	t0 = rel_now_ms();
	if (opt_fault) {
		char v[16];

		snprintf(v, sizeof(v), "%d", opt_times);
		failslab_set("times", v);
		snprintf(v, sizeof(v), "%d", opt_pct);
		atomic_store(&faults_on, 1);
		failslab_set("probability", v);
		pthread_barrier_wait(&fault_barrier);	/* workers are done */
		failslab_set("probability", "0");
		pthread_barrier_wait(&fault_barrier);
	}
	for (int i = 0; i < opt_threads; i++)
		pthread_join(workers[i].thr, NULL);
	t_work = rel_now_ms() - t0;
	atomic_store(&faults_on, 0);
	if (atomic_load(&ops_done) > opt_ops)
		atomic_store(&ops_done, opt_ops);

	ksft_test_result(atomic_load(&cat_errors[CAT_OP]) == 0,
			 "%s workload: %ld operations by %d threads in %lld ms, every result as documented\n",
			 opt_fault ? "failslab" : "stress", opt_ops, opt_threads, t_work);
	final_w.rs = opt_seed;
	finish_all(&final_w);
	ksft_test_result(atomic_load(&cat_errors[CAT_LOST]) == 0,
			 "nothing lost: every frame written on a live stream arrived, every hangup arrived\n");
	ksft_test_result(atomic_load(&cat_errors[CAT_HANGUP]) == 0,
			 "hangup: seen by the peer as soon as close(2) returned, nothing after end of file\n");
	ksft_test_result(atomic_load(&collisions) == 0,
			 "no (major, minor) shared by two live streams (%ld collisions, at most %d streams at once)\n",
			 atomic_load(&collisions), atomic_load(&max_live));
	ksft_test_result(atomic_load(&cat_errors[CAT_DATA]) == 0,
			 "no data corruption: %ld frames (%ld bytes) verified by CRC and sequence\n",
			 atomic_load(&frames_ok), atomic_load(&bytes_rx));

	/* Log accounting. */
	{
		uint64_t lc, lt;
		long deficit;
		int fd;

		/*
		 * One more message per class, written after the workload: its
		 * arrival shows the readers' queues have been served.
		 */
		fd = open(CONSLOG_NODE, O_WRONLY);
		if (fd >= 0 && write(fd, "stress: end", 11) == 11)
			atomic_fetch_add(&log_sent, 1);
		if (fd >= 0)
			close(fd);
		fd = open(PTMX_NODE, O_RDWR);
		if (fd >= 0) {
			atomic_fetch_add(&master_opens, 1);
			close(fd);
		}
		reader_final(&rcons);
		reader_final(&rtrace);
		lc = lost_of(rcons.fd);
		lt = lost_of(rtrace.fd);
		/*
		 * Every message of the class after the marker was numbered:
		 * the numbers not read are exactly the ones LOG_GETLOST counts.
		 */
		ksft_print_msg("log: console %ld received + %llu lost of %ld sent (highest sequence +%d, notices %ld, read out of order %ld); trace %ld received + %llu lost of %ld ptm opens (highest +%d, notices %ld, out of order %ld)\n",
			       rcons.rx, (unsigned long long)lc, atomic_load(&log_sent),
			       rcons.max_seq - rcons.base, rcons.notes_sum, rcons.reorders,
			       rtrace.rx, (unsigned long long)lt, atomic_load(&master_opens),
			       rtrace.max_seq - rtrace.base, rtrace.notes_sum, rtrace.reorders);
		deficit = atomic_load(&log_sent) - (rcons.rx + (long)lc);
		if (deficit)
			fail(CAT_LOG, "console class: %ld received + %llu lost != %ld sent", rcons.rx,
			     (unsigned long long)lc, atomic_load(&log_sent));
		if (rtrace.rx + (long)lt != atomic_load(&master_opens))
			fail(CAT_LOG, "trace class: %ld received + %llu lost != %ld ptm opens", rtrace.rx,
			     (unsigned long long)lt, atomic_load(&master_opens));
		if (rcons.max_seq - rcons.base > atomic_load(&log_sent) ||
		    rtrace.max_seq - rtrace.base > atomic_load(&master_opens))
			fail(CAT_LOG, "more messages numbered than sent (console +%d of %ld, trace +%d of %ld)",
			     rcons.max_seq - rcons.base, atomic_load(&log_sent),
			     rtrace.max_seq - rtrace.base, atomic_load(&master_opens));
		if (rcons.notes_sum != (long)lc || rtrace.notes_sum != (long)lt)
			fail(CAT_LOG, "loss notices (console %ld, trace %ld) differ from LOG_GETLOST (%llu, %llu)",
			     rcons.notes_sum, rtrace.notes_sum, (unsigned long long)lc,
			     (unsigned long long)lt);
		ksft_test_result(atomic_load(&cat_errors[CAT_LOG]) == 0 && !rcons.bad && !rtrace.bad,
				 "log: received + LOG_GETLOST == sent for the console (%ld) and trace (%ld) classes\n",
				 atomic_load(&log_sent), atomic_load(&master_opens));
		ksft_test_result(atomic_load(&cat_errors[CAT_ORDER]) == 0,
				 "log: class sequence numbers arrive in increasing order (%ld console, %ld trace messages read after a higher number)\n",
				 rcons.reorders, rtrace.reorders);
		close(rcons.fd);
		close(rtrace.fd);
	}

	/* Every minor free again. */
	{
		int idle = wait_idle(5000, what, sizeof(what)) == 0;

		if (!idle)
			ksft_print_msg("still open after everything was closed:\n%s", what);
		ksft_test_result(idle, "every minor is free after close (debugfs: no stream, open=0)\n");
	}
	{
		int m = open(PTMX_NODE, O_RDWR), e = open(ECHO_NODE, O_RDWR);
		int l = open(STRLOG_NODE, O_RDWR);
		uint32_t a = 99, b = 99, c = 99, maj;

		if (m >= 0)
			getdev_ok(m, &maj, &a);
		if (e >= 0)
			getdev_ok(e, &maj, &b);
		if (l >= 0)
			getdev_ok(l, &maj, &c);
		ksft_test_result(a == 0 && b == 0 && c == CLONEMIN + 1,
				 "lowest minors handed out again: ptm %u, echo %u, strlog %u\n", a, b, c);
		close(m);
		close(e);
		close(l);
	}

	if (opt_fault) {
		char pretty[200];

		fi_stop(&fic, &fis);
		ksft_print_msg("random phase: ENOMEM returned by");
		for (int i = 0; i < 9; i++)
			printf(" %s %ld", op_class[i], atomic_load(&enomem_seen[i]));
		printf("\n");
		ksft_print_msg("injected failures reported by the kernel: %d (%d with a strclone frame); distinct first strclone frames: %d functions, %d call sites; distinct two-frame strclone call chains: %d\n",
			       fis.injected, fis.with_strclone, fis.npaths, fis.nsites, fis.nchains);
		for (int i = 0; i < fis.npaths; i++)
			ksft_print_msg("  %5d  %s\n", fis.paths[i].hits,
				       fi_pretty(fis.paths[i].sym, pretty, sizeof(pretty)));
		ksft_test_result(fis.injected > 0 && fis.npaths > 0,
				 "failslab figures: %d injected failures, %d distinct strclone code paths\n",
				 fis.injected, fis.npaths);
		printf("FAILSLAB-FIGURES injected=%d strclone=%d paths=%d sites=%d chains=%d systematic=%ld ops=%ld\n",
		       fis.injected, fis.with_strclone, fis.npaths, fis.nsites, fis.nchains,
		       sys_injections, opt_ops);
	}

	if (kml) {
		int fresh;

		rel_sleep_ms(5500);	/* kmemleak reports objects older than 5 s */
		if (kmemleak_collect(&kml_after, kml_text, sizeof(kml_text)) < 0) {
			ksft_test_result_fail("kmemleak: the scan after the run failed\n");
		} else {
			fresh = kmemleak_new(&kml_before, &kml_after, kml_text);
			ksft_test_result(fresh == 0, "kmemleak: %d new suspected leaks after the run\n",
					 fresh);
		}
	}
	if (sloop_major >= 0 && unload_kmod_settled("sloop"))
		ksft_print_msg("warning: sloop could not be unloaded after the run\n");
	printf("STRESS-FIGURES ops=%ld threads=%d ms=%lld frames=%ld bytes=%ld opens_ptm=%ld opens_echo=%ld opens_sloop=%ld opens_log=%ld getpeer=%ld writes=%ld reads=%ld polls=%ld ioctls=%ld flushes=%ld plumbing=%ld pushes=%ld pops=%ld max_live=%d log_sent=%ld errors=%ld\n",
	       opt_ops, opt_threads, t_work, atomic_load(&frames_ok), atomic_load(&bytes_rx),
	       atomic_load(&n_open[K_PTM]), atomic_load(&n_open[K_ECHO]), atomic_load(&n_open_sloop),
	       atomic_load(&n_open[K_LOGW]), atomic_load(&n_getpeer), atomic_load(&n_write),
	       atomic_load(&n_read), atomic_load(&n_poll), atomic_load(&n_ioctl),
	       atomic_load(&n_flush), atomic_load(&n_plumb), atomic_load(&n_push),
	       atomic_load(&n_pop), atomic_load(&max_live), atomic_load(&log_sent),
	       atomic_load(&errors));
	ksft_finished();
}
