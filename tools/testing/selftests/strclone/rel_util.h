/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the strclone reliability tests (stress, fuzz, badinput,
 * perms, lifecycle_helper): errno names, framed messages with a CRC and a
 * sequence number, debugfs and sysfs access, kmemleak scans, and the fault
 * injection controls (failslab knobs, fail-nth, make-it-fail) with a
 * /dev/kmsg collector that turns the injected-failure stacks into figures.
 *
 * Nothing here prints KTAP results: the helpers return what they saw.
 */
#ifndef STRCLONE_REL_UTIL_H
#define STRCLONE_REL_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <grp.h>
#include <unistd.h>
#include <sys/syscall.h>

#define DBG_DIR		"/sys/kernel/debug/strclone"
#define DBG_STREAMS	DBG_DIR "/streams"
#define DBG_TARGETS	DBG_DIR "/targets"
#define DBG_REGISTER	DBG_DIR "/register"
#define DBG_UNREGISTER	DBG_DIR "/unregister"
#define KMEMLEAK	"/sys/kernel/debug/kmemleak"
#define FAILSLAB	"/sys/kernel/debug/failslab"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- errno names --------------------------------------------------- */

static const struct { int e; const char *n; } rel_errnames[] = {
	{ 0, "0" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" },
	{ EIO, "EIO" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { EBADF, "EBADF" },
	{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
	{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
	{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { ENFILE, "ENFILE" },
	{ EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" }, { ENOSPC, "ENOSPC" },
	{ ESPIPE, "ESPIPE" }, { EROFS, "EROFS" }, { EPIPE, "EPIPE" },
	{ EDOM, "EDOM" }, { ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" },
	{ EBADMSG, "EBADMSG" }, { ETIME, "ETIME" }, { EPROTO, "EPROTO" }, { ENODATA, "ENODATA" },
	{ EOVERFLOW, "EOVERFLOW" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { ECHILD, "ECHILD" }, { ESRCH, "ESRCH" },
	{ EISDIR, "EISDIR" }, { ENOTDIR, "ENOTDIR" }, { EXDEV, "EXDEV" },
	{ ENOEXEC, "ENOEXEC" }, { ETXTBSY, "ETXTBSY" }, { EFBIG, "EFBIG" },
	{ EMLINK, "EMLINK" }, { ENOLINK, "ENOLINK" }, { EKEYREJECTED, "EKEYREJECTED" },
	{ ENOTCONN, "ENOTCONN" }, { ECONNRESET, "ECONNRESET" }, { ENOTSUP, "ENOTSUP" },
	{ ETOOMANYREFS, "ETOOMANYREFS" },
};

static inline const char *errname(int e)
{
	static __thread char buf[16];

	for (size_t i = 0; i < ARRAY_LEN(rel_errnames); i++)
		if (rel_errnames[i].e == e)
			return rel_errnames[i].n;
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

static inline long long rel_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void rel_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- a small, fast, seedable PRNG (xorshift64*) ---------------------- */

static inline uint64_t rnd_next(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static inline uint32_t rnd_below(uint64_t *s, uint32_t n)
{
	return n ? (uint32_t)(rnd_next(s) % n) : 0;
}

/* ---- CRC-32 (IEEE) ------------------------------------------------- */

static inline uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
	static uint32_t table[256];
	static int ready;
	const uint8_t *p = data;

	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
		__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	}
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/*
 * A frame: header + payload. The CRC covers id, seq, len and the payload;
 * the payload is derived from (id, seq) so a frame cannot be mistaken for
 * another one even if the CRC collided.
 */
#define FRAME_MAGIC	0x46525453u	/* "STRF" */

struct frame_hdr {
	uint32_t magic;
	uint32_t id;	/* which stream direction / writer */
	uint32_t seq;	/* 0, 1, 2 ... per id */
	uint32_t len;	/* payload bytes */
	uint32_t crc;
};

#define FRAME_HDR	((uint32_t)sizeof(struct frame_hdr))

static inline uint32_t frame_crc(const struct frame_hdr *h, const uint8_t *payload)
{
	uint32_t c = crc32_update(0, &h->id, 12);

	return crc32_update(c, payload, h->len);
}

/* Writes a frame of @len payload bytes into @out; returns its total size. */
static inline uint32_t frame_make(uint8_t *out, uint32_t id, uint32_t seq, uint32_t len)
{
	struct frame_hdr h = { FRAME_MAGIC, id, seq, len, 0 };
	uint64_t s = ((uint64_t)id << 32 | seq) * 0x9e3779b97f4a7c15ull + 1;
	uint8_t *p = out + FRAME_HDR;

	for (uint32_t i = 0; i < len; i += 8) {
		uint64_t r = rnd_next(&s);

		memcpy(p + i, &r, len - i < 8 ? len - i : 8);
	}
	h.crc = frame_crc(&h, p);
	memcpy(out, &h, FRAME_HDR);
	return FRAME_HDR + len;
}

/*
 * Checks a complete frame at @p (@avail bytes available). Returns the frame
 * size, 0 if more bytes are needed, or -1 if this is not a valid frame.
 */
static inline long frame_check(const uint8_t *p, size_t avail, uint32_t maxpay,
			       struct frame_hdr *out)
{
	struct frame_hdr h;

	if (avail < FRAME_HDR)
		return 0;
	memcpy(&h, p, FRAME_HDR);
	if (h.magic != FRAME_MAGIC || h.len > maxpay)
		return -1;
	if (avail < FRAME_HDR + h.len)
		return 0;
	if (frame_crc(&h, p + FRAME_HDR) != h.crc)
		return -1;
	if (out)
		*out = h;
	return FRAME_HDR + h.len;
}

/* ---- files ---------------------------------------------------------- */

/* Copies as much of @src as fits (always terminated). */
static inline void copy_str(char *dst, size_t size, const char *src)
{
	size_t l = strlen(src);

	if (!size)
		return;
	if (l >= size)
		l = size - 1;
	memcpy(dst, src, l);
	dst[l] = 0;
}

/* Reads a whole (small) file into @buf; returns bytes or -errno. */
static inline long read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -errno;
	while (got + 1 < size) {
		ssize_t n = read(fd, buf + got, size - 1 - got);

		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		got += n;
	}
	buf[got] = 0;
	close(fd);
	return (long)got;
}

/* Writes @s to @path; 0 or -errno. */
static inline int write_text(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int e;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	return 0;
}

static inline int write_textf(const char *path, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return write_text(path, buf);
}

/* Drops every privilege for good: only @uid is left. */
static inline int drop_to(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		return -1;
	/* Really gone: root's files are out of reach, setuid(0) fails. */
	if (getuid() != uid || geteuid() != uid || setuid(0) == 0)
		return -1;
	return 0;
}

/* Number of lines in debugfs `streams` (open streams), -1 if unreadable. */
static inline int dbg_stream_count(char *copy, size_t size)
{
	static char buf[1 << 16];
	long n = read_text(DBG_STREAMS, buf, sizeof(buf));
	int lines = 0;

	if (n < 0)
		return -1;
	/* A line starting with '#' is a note (a listing cut short), not a stream. */
	for (long i = 0; i < n; i++)
		lines += (i == 0 || buf[i - 1] == '\n') && buf[i] != '#';
	if (copy)
		copy_str(copy, size, buf);
	return lines;
}

/* Sum of open=<n> over debugfs `targets`; -1 if unreadable. */
static inline long dbg_open_sum(char *copy, size_t size)
{
	char buf[4096];
	long n = read_text(DBG_TARGETS, buf, sizeof(buf)), sum = 0;
	char *p = buf;

	if (n < 0)
		return -1;
	while ((p = strstr(p, "open="))) {
		sum += strtol(p + 5, &p, 10);
	}
	if (copy)
		copy_str(copy, size, buf);
	return sum;
}

/* "<name> uses=<n>" of debugfs `modules`: modules pushed now; -1 if absent. */
static inline long dbg_module_uses(const char *name)
{
	char buf[4096], want[40];
	const char *p;

	if (read_text(DBG_DIR "/modules", buf, sizeof(buf)) < 0)
		return -1;
	snprintf(want, sizeof(want), "%s uses=", name);
	for (p = buf; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, want, strlen(want)))
			return strtol(p + strlen(want), NULL, 10);
	return -1;
}

/*
 * Waits until debugfs shows no open stream and every target reports
 * open=0. Returns 0 when idle, -1 on timeout (@what gets the listing).
 */
static inline int wait_idle(int timeout_ms, char *what, size_t size)
{
	long long end = rel_now_ms() + timeout_ms;

	for (;;) {
		int n = dbg_stream_count(what, size);
		long o = dbg_open_sum(NULL, 0);

		if (n == 0 && o == 0)
			return 0;
		if (rel_now_ms() >= end) {
			if (what && n == 0 && size)
				dbg_open_sum(what, size);
			return -1;
		}
		rel_sleep_ms(20);
	}
}

/* ---- kmemleak ------------------------------------------------------- */

#define KML_MAX	4096

struct kml_set {
	int n;
	unsigned long addr[KML_MAX];
};

static inline int kmemleak_available(void)
{
	return access(KMEMLEAK, R_OK | W_OK) == 0;
}

/*
 * Scans (twice: a new object is reported only by its second scan) and
 * collects the addresses of the reported objects. Returns the number of
 * reports, -1 if kmemleak is unavailable. The report text goes to @text.
 */
static inline int kmemleak_collect(struct kml_set *set, char *text, size_t size)
{
	static char buf[1 << 20];
	long n;
	char *p;

	set->n = 0;
	if (write_text(KMEMLEAK, "scan") < 0 || write_text(KMEMLEAK, "scan") < 0)
		return -1;
	n = read_text(KMEMLEAK, buf, sizeof(buf));
	if (n < 0)
		return -1;
	for (p = buf; (p = strstr(p, "unreferenced object 0x")); p++) {
		if (set->n < KML_MAX)
			set->addr[set->n++] = strtoul(p + 20, NULL, 16);
	}
	if (text)
		copy_str(text, size, buf);
	return set->n;
}

/*
 * Prints (as KTAP comments) the report blocks of objects in @now that are
 * not in @before; returns how many there are.
 */
static inline int kmemleak_new(const struct kml_set *before, const struct kml_set *now,
			       const char *text)
{
	int fresh = 0;

	for (int i = 0; i < now->n; i++) {
		int old = 0;

		for (int j = 0; j < before->n && !old; j++)
			old = before->addr[j] == now->addr[i];
		if (old)
			continue;
		fresh++;
		if (fresh <= 5 && text) {
			char key[40];
			const char *b, *e;

			snprintf(key, sizeof(key), "unreferenced object 0x%lx", now->addr[i]);
			b = strstr(text, key);
			if (!b)
				continue;
			e = strstr(b + 1, "unreferenced object 0x");
			printf("# kmemleak: %.*s\n", (int)(e ? e - b : (long)strlen(b)), b);
		}
	}
	return fresh;
}

/* ---- fault injection -------------------------------------------------- */

static inline int tid_self(void)
{
	return (int)syscall(SYS_gettid);
}

/* /proc/thread-self/make-it-fail for the calling thread. */
static inline int make_it_fail(int on)
{
	return write_text("/proc/thread-self/make-it-fail", on ? "1" : "0");
}

/* An open /proc/thread-self/fail-nth of the calling thread. */
static inline int fail_nth_open(void)
{
	return open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
}

static inline int fail_nth_arm(int fd, int nth)
{
	char b[16];
	int l = snprintf(b, sizeof(b), "%d", nth);

	return pwrite(fd, b, l, 0) == l ? 0 : -1;
}

/* What is left of the armed count: 0 means the fault was injected. */
static inline int fail_nth_left(int fd)
{
	char b[16] = "";
	ssize_t n = pread(fd, b, sizeof(b) - 1, 0);

	if (n <= 0)
		return -1;
	b[n] = 0;
	return atoi(b);
}

struct fs_knob {
	const char *name;
	char saved[64];
	int have;
};

/* The failslab knobs the tests change (restored by failslab_restore). */
static struct fs_knob failslab_knobs[] = {
	{ "probability" }, { "interval" }, { "times" }, { "space" }, { "verbose" },
	{ "verbose_ratelimit_interval_ms" }, { "verbose_ratelimit_burst" },
	{ "task-filter" }, { "ignore-gfp-wait" }, { "cache-filter" },
};

static inline int failslab_available(void)
{
	return access(FAILSLAB "/probability", W_OK) == 0;
}

static inline void failslab_save(void)
{
	char p[128];

	for (size_t i = 0; i < ARRAY_LEN(failslab_knobs); i++) {
		long n;

		snprintf(p, sizeof(p), FAILSLAB "/%s", failslab_knobs[i].name);
		n = read_text(p, failslab_knobs[i].saved, sizeof(failslab_knobs[i].saved));
		failslab_knobs[i].have = n > 0;
	}
}

static inline int failslab_set(const char *knob, const char *val)
{
	char p[128];

	snprintf(p, sizeof(p), FAILSLAB "/%s", knob);
	return write_text(p, val);
}

static inline void failslab_restore(void)
{
	/* Probability first, so nothing fires while the rest is restored. */
	failslab_set("probability", "0");
	for (size_t i = 0; i < ARRAY_LEN(failslab_knobs); i++) {
		if (failslab_knobs[i].have)
			failslab_set(failslab_knobs[i].name, failslab_knobs[i].saved);
	}
}

/*
 * The /dev/kmsg collector. With failslab's verbose=2 every injected failure
 * prints "FAULT_INJECTION: forcing a failure." and a stack; the collector
 * counts them, and for each one records the first reliable stack frame
 * that lies in strclone (the first "[strclone]" frame not marked "?").
 */
#define FI_MAXSYM	160
#define FI_MAXPATHS	256

struct fi_path {
	char sym[FI_MAXSYM];	/* function (mangled) */
	char site[FI_MAXSYM + 24];	/* function+offset */
	int hits;
};

struct fi_stats {
	int injected;		/* "FAULT_INJECTION: forcing a failure" records */
	int with_strclone;	/* ... whose stack has a strclone frame */
	int npaths;		/* distinct first strclone frames (functions) */
	int nsites;		/* distinct first strclone frames with offset */
	int nchains;		/* distinct first two strclone frames (with offsets) */
	struct fi_path paths[FI_MAXPATHS];
	char sites[FI_MAXPATHS][FI_MAXSYM + 24];
	char chains[FI_MAXPATHS * 2][2 * (FI_MAXSYM + 24)];
};

struct fi_collector {
	int fd;
	pthread_t thr;
	volatile int stop;
	pthread_mutex_t lock;
	struct fi_stats st;
	/* parser state */
	int in_stack;
	int have_frame;
	char first[FI_MAXSYM + 24];
};

static inline void fi_note_frame(struct fi_collector *c, const char *site)
{
	struct fi_stats *st = &c->st;
	char sym[FI_MAXSYM];
	const char *plus = strchr(site, '+');
	size_t l = plus ? (size_t)(plus - site) : strlen(site);
	int i;

	if (l >= sizeof(sym))
		l = sizeof(sym) - 1;
	memcpy(sym, site, l);
	sym[l] = 0;
	st->with_strclone++;
	for (i = 0; i < st->npaths; i++)
		if (!strcmp(st->paths[i].sym, sym))
			break;
	if (i == st->npaths && st->npaths < FI_MAXPATHS) {
		snprintf(st->paths[i].sym, FI_MAXSYM, "%s", sym);
		snprintf(st->paths[i].site, sizeof(st->paths[i].site), "%s", site);
		st->paths[i].hits = 0;
		st->npaths++;
	}
	if (i < st->npaths)
		st->paths[i].hits++;
	for (i = 0; i < st->nsites; i++)
		if (!strcmp(st->sites[i], site))
			break;
	if (i == st->nsites && st->nsites < FI_MAXPATHS) {
		snprintf(st->sites[i], sizeof(st->sites[i]), "%s", site);
		st->nsites++;
	}
}

static inline void fi_note_chain(struct fi_collector *c, const char *second)
{
	struct fi_stats *st = &c->st;
	char chain[sizeof(st->chains[0])];
	int i;

	copy_str(chain, sizeof(chain), c->first);
	copy_str(chain + strlen(chain), sizeof(chain) - strlen(chain), " < ");
	copy_str(chain + strlen(chain), sizeof(chain) - strlen(chain), second);
	for (i = 0; i < st->nchains; i++)
		if (!strcmp(st->chains[i], chain))
			return;
	if (st->nchains < (int)ARRAY_LEN(st->chains))
		copy_str(st->chains[st->nchains++], sizeof(chain), chain);
}

static inline void fi_end_stack(struct fi_collector *c)
{
	if (c->in_stack && c->have_frame == 1)
		fi_note_chain(c, "(none)");
	c->in_stack = 0;
	c->have_frame = 0;
}

static inline void fi_parse_record(struct fi_collector *c, char *rec)
{
	char *text = strchr(rec, ';');
	char *nl;

	if (!text)
		return;
	text++;
	nl = strchr(text, '\n');
	if (nl)
		*nl = 0;
	if (strstr(text, "FAULT_INJECTION: forcing a failure")) {
		fi_end_stack(c);
		c->in_stack = 1;
		c->st.injected++;
		return;
	}
	if (!c->in_stack)
		return;
	while (*text == ' ' || *text == '\t')
		text++;
	if (!strncmp(text, "</TASK>", 7)) {
		fi_end_stack(c);
		return;
	}
	if (!strncmp(text, "? ", 2))
		return;	/* unreliable frame */
	if (strstr(text, "[strclone]") && c->have_frame < 2) {
		char site[FI_MAXSYM + 24];
		char *sp = strchr(text, ' ');
		size_t l = sp ? (size_t)(sp - text) : strlen(text);

		if (l >= sizeof(site))
			l = sizeof(site) - 1;
		memcpy(site, text, l);
		site[l] = 0;
		/* Strip the "/0x<size>" part: function+offset identifies the site. */
		sp = strchr(site, '/');
		if (sp)
			*sp = 0;
		if (!c->have_frame) {
			fi_note_frame(c, site);
			snprintf(c->first, sizeof(c->first), "%s", site);
		} else {
			fi_note_chain(c, site);
		}
		c->have_frame++;
	}
}

static inline void fi_drain(struct fi_collector *c)
{
	char rec[8192];

	for (;;) {
		ssize_t n = read(c->fd, rec, sizeof(rec) - 1);

		if (n < 0) {
			if (errno == EPIPE)	/* overrun: records were lost */
				continue;
			break;
		}
		if (n == 0)
			break;
		rec[n] = 0;
		pthread_mutex_lock(&c->lock);
		fi_parse_record(c, rec);
		pthread_mutex_unlock(&c->lock);
	}
}

static inline void *fi_thread(void *p)
{
	struct fi_collector *c = p;

	while (!c->stop) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

		poll(&pfd, 1, 100);
		fi_drain(c);
	}
	return NULL;
}

/* Starts collecting from now on (older records are skipped). */
static inline int fi_start(struct fi_collector *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (c->fd < 0)
		return -1;
	lseek(c->fd, 0, SEEK_END);
	if (pthread_create(&c->thr, NULL, fi_thread, c)) {
		close(c->fd);
		return -1;
	}
	return 0;
}

/* Stops after reading what the kernel logged so far; fills @out. */
static inline void fi_stop(struct fi_collector *c, struct fi_stats *out)
{
	rel_sleep_ms(300);
	c->stop = 1;
	pthread_join(c->thr, NULL);
	fi_drain(c);
	fi_end_stack(c);
	close(c->fd);
	*out = c->st;
}

/* A snapshot of the running totals. */
static inline void fi_peek(struct fi_collector *c, struct fi_stats *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->st;
	pthread_mutex_unlock(&c->lock);
}

/*
 * Best-effort readable name for a Rust v0 symbol: the length-prefixed
 * identifiers from the crate name on ("strclone::streams::head::do_write").
 * C symbols are returned unchanged.
 */
static inline const char *fi_pretty(const char *sym, char *out, size_t size)
{
	static const char *const crates[] = { "8strclone", "6kernel", "4core", "5alloc" };
	char clean[FI_MAXSYM * 2];
	const char *p = NULL;
	size_t o = 0, k = 0;

	if (strncmp(sym, "_R", 2)) {
		snprintf(out, size, "%s", sym);
		return out;
	}
	/* Drop the crate disambiguators ("Cs<hash>_"): their digits mislead. */
	for (const char *q = sym; *q && k + 1 < sizeof(clean);) {
		if (q[0] == 'C' && q[1] == 's') {
			const char *e = q + 2;

			while ((*e >= '0' && *e <= '9') || (*e >= 'a' && *e <= 'z') ||
			       (*e >= 'A' && *e <= 'Z'))
				e++;
			if (*e == '_') {
				q = e + 1;
				continue;
			}
		}
		clean[k++] = *q++;
	}
	clean[k] = 0;
	for (size_t i = 0; i < ARRAY_LEN(crates); i++) {
		const char *q = strstr(clean, crates[i]);

		if (q && (!p || q < p))
			p = q;
	}
	if (!p) {
		snprintf(out, size, "%s", sym);
		return out;
	}
	out[0] = 0;
	while (*p && o + 2 < size) {
		if (*p >= '1' && *p <= '9' && (p[-1] < '0' || p[-1] > '9') && p[-1] != 'B') {
			char *end;
			long n = strtol(p, &end, 10);

			if (n > 0 && *end != '_' && (long)strlen(end) >= n) {
				int ok = 1;

				for (long i = 0; i < n; i++) {
					char ch = end[i];

					if (!(ch == '_' || (ch >= 'a' && ch <= 'z') ||
					      (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
						ok = 0;
				}
				if (ok) {
					o += snprintf(out + o, size - o, "%s%.*s", o ? "::" : "",
						      (int)n, end);
					if (o >= size)
						o = size - 1;
					p = end + n;
					continue;
				}
			}
		}
		p++;
	}
	return out;
}

#endif /* STRCLONE_REL_UTIL_H */
