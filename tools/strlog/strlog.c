// SPDX-License-Identifier: GPL-2.0
/*
 * strlog: read strclone's STREAMS log, like Solaris' strerr(1M)/strace(1M).
 *
 *   strlog -c                 print console messages (SL_CONSOLE)
 *   strlog -e                 print error messages (SL_ERROR)
 *   strlog -t MID,SID,LEVEL   print trace messages matching the filter
 *                             (-1 for any mid/sid; repeat -t for more)
 *   -n COUNT                  exit after COUNT messages
 *   -r FILE                   create FILE once registered (for scripts)
 *
 * Each message prints as: time(s.ms) seq level mid/sid flags text.
 * A reader that falls behind loses its oldest messages; the log tells it
 * with an SL_NOTE message, and strlog prints the total (LOG_GETLOST) at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/strclone.h>

static void usage(void)
{
	fprintf(stderr, "usage: strlog (-c | -e | -t MID,SID,LEVEL...) [-n COUNT] [-r READYFILE]\n");
	exit(2);
}

static const char *flagstr(int f, char *buf)
{
	buf[0] = '\0';
	if (f & SL_FATAL) strcat(buf, "F");
	if (f & SL_ERROR) strcat(buf, "E");
	if (f & SL_WARN) strcat(buf, "W");
	if (f & SL_NOTE) strcat(buf, "N");
	if (f & SL_TRACE) strcat(buf, "T");
	if (f & SL_CONSOLE) strcat(buf, "C");
	if (f & SL_NOTIFY) strcat(buf, "M");
	return buf;
}

int main(int argc, char **argv)
{
	struct trace_ids ids[64];
	int nids = 0, cmd = 0, opt;
	long count = -1;
	const char *ready = NULL;

	while ((opt = getopt(argc, argv, "cet:n:r:")) != -1) {
		switch (opt) {
		case 'c': cmd = I_CONSLOG; break;
		case 'e': cmd = I_ERRLOG; break;
		case 't': {
			int mid, sid, level;

			if (sscanf(optarg, "%d,%d,%d", &mid, &sid, &level) != 3 || nids == 64)
				usage();
			ids[nids].ti_mid = mid;
			ids[nids].ti_sid = sid;
			ids[nids].ti_level = level;
			nids++;
			cmd = I_TRCLOG;
			break;
		}
		case 'n': count = atol(optarg); break;
		case 'r': ready = optarg; break;
		default: usage();
		}
	}
	if (!cmd)
		usage();

	int fd = open("/dev/strlog", O_RDWR);
	if (fd < 0) {
		perror("strlog: open /dev/strlog");
		return 1;
	}
	struct strioctl s = {
		.ic_cmd = cmd,
		.ic_timout = 0,
		.ic_len = cmd == I_TRCLOG ? nids * (int)sizeof(ids[0]) : 0,
		.ic_dp = (char *)ids,
	};
	if (ioctl(fd, I_STR, &s) < 0) {
		fprintf(stderr, "strlog: registering as %s reader: %s\n",
			cmd == I_CONSLOG ? "console" : cmd == I_ERRLOG ? "error" : "trace",
			strerror(errno));
		return 1;
	}
	if (ready)
		close(open(ready, O_CREAT | O_WRONLY, 0644));

	while (count != 0) {
		struct log_ctl lc;
		char text[1100], fl[16];
		struct strbuf ctl = { .maxlen = sizeof(lc), .buf = (char *)&lc };
		struct strbuf dat = { .maxlen = sizeof(text) - 1, .buf = text };
		int flags = 0;

		if (strclone_getmsg(fd, &ctl, &dat, &flags) < 0) {
			if (errno == EINTR)
				continue;
			perror("strlog: getmsg");
			return 1;
		}
		if (ctl.len != (int)sizeof(lc))
			continue;
		text[dat.len > 0 ? dat.len : 0] = '\0';
		printf("%lld.%03lld seq=%d level=%d mid=%d sid=%d flags=%s %s\n",
		       (long long)lc.ltime / 1000, (long long)lc.ltime % 1000, lc.seq_no,
		       lc.level, lc.mid, lc.sid, flagstr(lc.flags, fl), text);
		fflush(stdout);
		if (count > 0)
			count--;
	}
	__u64 lost = 0;
	if (ioctl(fd, LOG_GETLOST, &lost) == 0 && lost)
		printf("strlog: %llu messages lost\n", (unsigned long long)lost);
	return 0;
}
