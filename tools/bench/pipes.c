// SPDX-License-Identifier: GPL-2.0
/*
 * The pipes group of the benchmark (included by bench.c, whose helpers it
 * uses): STREAMS pipes against their native counterparts, in the same boot.
 *
 *   throughput  end 0 -> end 1 of a STREAMS pipe (open /dev/clone-pipe,
 *               STRCLONE_PIPEPEER: what s_pipe() does) against a Linux
 *               pipe(2), 64 B, 4 KiB and 64 KiB writes, a writer and a
 *               reader thread, a fixed byte count per run (calibrated as
 *               the throughput group's)
 *   msgrate     messages with a control and a data part (16 + 64 bytes):
 *               putmsg(2)/getmsg(2) over a STREAMS pipe against
 *               sendmsg(2)/recvmsg(2) of one 80-byte record over an
 *               AF_UNIX SOCK_SEQPACKET socketpair (which keeps record
 *               boundaries as a stream keeps messages), a writer and a
 *               reader thread, a fixed message count per run
 *
 * The series are pipes/throughput/{spipe,pipe}/<size> (MB/s) and
 * pipes/msgrate/{spipe,seqpacket} (messages/s); report.py compares them.
 *
 * Both are measured as the drivers group's rows: the writer pinned to CPU 0
 * and the reader to CPU 1 for every mechanism (left to the scheduler, the
 * two threads sometimes share a CPU and sometimes not, and a Linux pipe's
 * 64-byte rate is then either about 12-25 or about 45 MB/s in one boot),
 * and each repetition split in PIPE_SLICES slices, the two mechanisms
 * taking turns (the guest's speed drifts over seconds under TCG).
 */
#include <sys/socket.h>

#ifndef PIPE_SLICES
#define PIPE_SLICES 5
#endif
#ifndef PIPE_PIN
#define PIPE_PIN 1
#endif

#define PIPE_SIZES_N 3
static const size_t PIPE_SIZES[PIPE_SIZES_N] = { 64, 4096, 65536 };

enum pmech { P_SPIPE, P_PIPE, NPMECH };
static const char *PMECH[] = { "spipe", "pipe" };

/* A STREAMS pipe as a pair: end 0 writes, end 1 reads. */
static int open_spipe(struct pair *p)
{
	int a, b;

	memset(p, 0, sizeof(*p));
	a = open("/dev/clone-pipe", O_RDWR | O_CLOEXEC);
	if (a < 0) {
		fail("open /dev/clone-pipe: %s", strerror(errno));
		return -1;
	}
	b = ioctl(a, STRCLONE_PIPEPEER, O_RDWR | O_CLOEXEC);
	if (b < 0) {
		fail("STRCLONE_PIPEPEER: %s", strerror(errno));
		close(a);
		return -1;
	}
	p->fds[0] = a;
	p->fds[1] = b;
	p->nfds = 2;
	p->a_w = a;
	p->b_r = b;
	p->b_w = b;
	p->a_r = a;
	return 0;
}

static int open_pmech(enum pmech m, struct pair *p)
{
	int pp[2];

	if (m == P_SPIPE)
		return open_spipe(p);
	memset(p, 0, sizeof(*p));
	if (pipe2(pp, O_CLOEXEC)) {
		fail("pipe2: %s", strerror(errno));
		return -1;
	}
	p->fds[0] = pp[0];
	p->fds[1] = pp[1];
	p->nfds = 2;
	p->a_w = pp[1];
	p->b_r = pp[0];
	p->a_r = pp[0];
	p->b_w = pp[1];
	return 0;
}

static double pipe_xfer_run(enum pmech m, size_t size, size_t nmax, double cap_s, int *capped)
{
	struct pair p;
	char what[64], sid[64];

	if (open_pmech(m, &p))
		return 0;
	snprintf(what, sizeof(what), "pipes throughput %s %zu B", PMECH[m], size);
	snprintf(sid, sizeof(sid), "pipes/throughput/%s/%zu", PMECH[m], size);
	return xfer_pair(&p, what, sid, size, nmax, cap_s, capped);
}

/* ---- message rate ------------------------------------------------------- */

#define MSG_CTL 16
#define MSG_DATA 64

enum mmech { MM_SPIPE, MM_SEQPACKET, NMMECH };
static const char *MMECH[] = { "spipe", "seqpacket" };

struct mrate {
	int wfd, rfd;
	enum mmech m;
	long nmax;
	double cap_s;
	_Atomic long total;	/* messages the reader waits for */
	double t0, t1;
	long sent, got;
	int werr, rerr, bad, capped, pin;
	volatile int stop;
	pthread_barrier_t bar;
};

static int mr_send(struct mrate *x, char *ctl, char *data)
{
	if (x->m == MM_SPIPE) {
		struct strbuf c = { .len = MSG_CTL, .buf = ctl };
		struct strbuf d = { .len = MSG_DATA, .buf = data };

		return strclone_putmsg(x->wfd, &c, &d, 0);
	} else {
		struct iovec iov[2] = { { ctl, MSG_CTL }, { data, MSG_DATA } };
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

		return sendmsg(x->wfd, &mh, 0) == MSG_CTL + MSG_DATA ? 0 : -1;
	}
}

/* 1 for a whole message, 0 for a short or mangled one, -1 on error. */
static int mr_recv(struct mrate *x, char *ctl, char *data)
{
	if (x->m == MM_SPIPE) {
		struct strbuf c = { .maxlen = MSG_CTL, .buf = ctl };
		struct strbuf d = { .maxlen = MSG_DATA, .buf = data };
		int flags = 0;

		if (strclone_getmsg(x->rfd, &c, &d, &flags))
			return -1;
		return c.len == MSG_CTL && d.len == MSG_DATA;
	} else {
		struct iovec iov[2] = { { ctl, MSG_CTL }, { data, MSG_DATA } };
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
		ssize_t k = recvmsg(x->rfd, &mh, 0);

		if (k < 0)
			return -1;
		return k == MSG_CTL + MSG_DATA && !(mh.msg_flags & MSG_TRUNC);
	}
}

static void *mr_writer(void *arg)
{
	struct mrate *x = arg;
	char ctl[MSG_CTL], data[MSG_DATA];
	long i;

	if (x->pin)
		pin_cpu(0);
	memset(ctl, 'c', sizeof(ctl));
	memset(data, 'd', sizeof(data));
	pthread_barrier_wait(&x->bar);
	x->t0 = now();
	for (i = 0; i < x->nmax && !x->stop; i++) {
		if (i % 64 == 0 && now() - x->t0 > x->cap_s) {
			/* Time is up: one last message, and the reader knows the end. */
			x->capped = 1;
			atomic_store(&x->total, i + 1);
			x->nmax = i + 1;
		}
		while (mr_send(x, ctl, data)) {
			if (errno == EINTR && !x->stop)
				continue;
			x->werr = errno;
			goto out;
		}
	}
out:
	x->sent = i;
	return NULL;
}

static void *mr_reader(void *arg)
{
	struct mrate *x = arg;
	char ctl[MSG_CTL], data[MSG_DATA];
	long n = 0;

	if (x->pin)
		pin_cpu(1);
	pthread_barrier_wait(&x->bar);
	while (n < atomic_load(&x->total)) {
		int r = mr_recv(x, ctl, data);

		if (r < 0) {
			if (errno == EINTR) {
				if (x->stop)
					break;
				continue;
			}
			x->rerr = errno;
			break;
		}
		if (!r)
			x->bad++;
		n++;
	}
	x->t1 = now();
	x->got = n;
	return NULL;
}

/* One run; messages per second, 0 on failure (recorded). */
static double mr_run(enum mmech m, long nmax, double cap_s, int *capped)
{
	struct mrate *x = calloc(1, sizeof(*x));
	struct pair p;
	pthread_t tw, tr;
	double rate = 0;
	int sv[2];

	if (m == MM_SPIPE) {
		if (open_spipe(&p)) {
			free(x);
			return 0;
		}
		x->wfd = p.a_w;
		x->rfd = p.b_r;
	} else {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
			fail("socketpair(AF_UNIX, SOCK_SEQPACKET): %s", strerror(errno));
			free(x);
			return 0;
		}
		x->wfd = sv[0];
		x->rfd = sv[1];
	}
	x->m = m;
	x->nmax = nmax;
	x->cap_s = cap_s;
	x->pin = xfer_pin;
	atomic_store(&x->total, nmax);
	pthread_barrier_init(&x->bar, NULL, 2);
	if (start_thread(&tr, mr_reader, x) || start_thread(&tw, mr_writer, x))
		abort();
	join_or_kick(tw, &x->stop, 10 + 2 * cap_s);
	/* A capped writer lowered the count after the reader may have
	 * blocked on the old one: the reader ends at the new one. */
	join_or_kick(tr, &x->stop, x->stop ? 1 : 10 + 2 * cap_s);
	if (x->werr || x->rerr || x->bad || x->got != atomic_load(&x->total)) {
		fail("pipes msgrate %s: %ssent %ld received %ld of %ld, %d bad (%s / %s)", MMECH[m],
		     x->stop ? "stalled, stopped after the grace time: " : "", x->sent, x->got,
		     (long)atomic_load(&x->total), x->bad, x->werr ? strerror(x->werr) : "-",
		     x->rerr ? strerror(x->rerr) : "-");
	} else {
		rate = x->got / (x->t1 - x->t0);
	}
	if (capped)
		*capped = x->capped;
	close(x->wfd);
	close(x->rfd);
	pthread_barrier_destroy(&x->bar);
	free(x);
	return rate;
}

static double pipe_xfer_of(int m, size_t size, size_t nmax, double cap_s, int *capped)
{
	return pipe_xfer_run((enum pmech)m, size, nmax, cap_s, capped);
}

static void pipe_sid(int m, size_t size, char *buf, size_t len)
{
	snprintf(buf, len, "pipes/throughput/%s/%zu", PMECH[m], size);
}

static void g_pipes(void)
{
	int mok[NMMECH];
	long nmsg[NMMECH];
	unsigned si;
	char key[96];
	int m, rep, k, i;

	phase("pipes", 120 + (NPMECH * PIPE_SIZES_N + NMMECH) * (1 + 8 * REPS) * RUN_S);
	xfer_pin = PIPE_PIN;
	xnum("pipes/pinned", PIPE_PIN);
	for (si = 0; si < PIPE_SIZES_N; si++) {
		size_t size = PIPE_SIZES[si];

		measure_xfers_sliced(NPMECH, size, pipe_xfer_of, pipe_sid, PIPE_SLICES);
		note("pipes throughput %zu B: STREAMS pipe %.2f MB/s, pipe(2) %.2f MB/s", size,
		     median(ser("MB/s", "pipes/throughput/spipe/%zu", size)),
		     median(ser("MB/s", "pipes/throughput/pipe/%zu", size)));
	}
	/* The message rate the same way: the message count that takes about
	 * RUN_S, cut in PIPE_SLICES slices, the two taking turns. */
	for (m = 0; m < NMMECH; m++) {
		double r = mr_run(m, 1L << 40, 0.3 * RUN_S, NULL);
		long n = (long)(r * RUN_S / PIPE_SLICES);

		mok[m] = r > 0;
		nmsg[m] = n < 1000 ? 1000 : n;
	}
	for (rep = 0; rep < REPS; rep++) {
		double secs[NMMECH] = { 0 };
		int capped[NMMECH] = { 0 };

		for (k = 0; k < PIPE_SLICES; k++) {
			for (i = 0; i < NMMECH; i++) {
				double r;

				m = (k + i) % NMMECH;
				if (!mok[m])
					continue;
				r = mr_run(m, nmsg[m], 5 * RUN_S, &capped[m]);
				if (r <= 0) {
					mok[m] = 0;
					continue;
				}
				secs[m] += nmsg[m] / r;
			}
		}
		for (m = 0; m < NMMECH; m++) {
			if (!mok[m])
				continue;
			put(ser("msg/s", "pipes/msgrate/%s", MMECH[m]), PIPE_SLICES * nmsg[m] / secs[m]);
			if (capped[m]) {
				snprintf(key, sizeof(key), "pipes/msgrate/%s/capped_runs", MMECH[m]);
				xnum(key, 1);
			}
		}
	}
	for (m = 0; m < NMMECH; m++) {
		snprintf(key, sizeof(key), "pipes/msgrate/%s/slices", MMECH[m]);
		xnum(key, PIPE_SLICES);
	}
	xfer_pin = 0;
	note("pipes msgrate (16 B control + 64 B data): STREAMS pipe %.0f msg/s, seqpacket %.0f msg/s",
	     median(ser("msg/s", "pipes/msgrate/spipe")), median(ser("msg/s", "pipes/msgrate/seqpacket")));
}

/* The profiles of the pipes group (g_profile, when both groups run): 64 B
 * writes and the message rate, each against its native counterpart. */
static void profile_pipes(struct prof *p, double secs)
{
	char id[64];
	int m;

	xfer_pin = PIPE_PIN;	/* placed as the pipes group measures them */
	for (m = 0; m < NPMECH; m++) {
		snprintf(id, sizeof(id), "pipes/throughput/%s/64", PMECH[m]);
		if (prof_start(p))
			return;
		pipe_xfer_run(m, 64, (size_t)1 << 40, secs, NULL);
		prof_stop(p, id, "64 B writes end 0 -> end 1, writer and reader threads");
	}
	for (m = 0; m < NMMECH; m++) {
		snprintf(id, sizeof(id), "pipes/msgrate/%s", MMECH[m]);
		if (prof_start(p))
			return;
		mr_run(m, 1L << 40, secs, NULL);
		prof_stop(p, id, "putmsg/getmsg (sendmsg/recvmsg), 16 + 64 B, writer and reader threads");
	}
	xfer_pin = 0;
}
