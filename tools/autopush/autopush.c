// SPDX-License-Identifier: GPL-2.0
/*
 * autopush: configure STREAMS autopush through strclone's sad driver, with
 * the interface of Solaris' autopush(8).
 *
 *   autopush -f FILE           configure every line of FILE (SAD_SAP)
 *   autopush -n -f FILE        check FILE and print what would be sent
 *   autopush -g -M MAJOR -m MINOR   print the configuration (SAD_GAP)
 *   autopush -r -M MAJOR -m MINOR   remove it (SAD_SAP with SAP_CLEAR)
 *
 * A line of FILE is "major minor lastminor module...": major is a number
 * or one of the driver names built into this program (ptm, pts, echo, log:
 * strclone's targets; the running kernel is not asked); minor -1 means
 * every minor (SAP_ALL), lastminor 0 means minor alone (SAP_ONE),
 * otherwise minor..lastminor (SAP_RANGE); 1 to 8 module names, pushed in
 * the order given. '#' starts a comment. The whole file is checked before
 * anything is configured: one bad line and nothing is sent.
 *
 * -f and -r open /dev/sad/admin (root), -g opens /dev/sad/user. Any error
 * is reported with its reason, and the exit status is 1.
 * Documentation/strclone/modules.rst has the details and every errno.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "parse.h"

#define ADMINDEV "/dev/sad/admin"
#define USERDEV "/dev/sad/user"

static const char *prog = "autopush";

static void usage(void)
{
	fprintf(stderr,
		"usage: %s -f FILE          configure autopush from FILE\n"
		"       %s -n -f FILE       check FILE, print what would be configured\n"
		"       %s -g -M MAJOR -m MINOR   show the configuration of a device\n"
		"       %s -r -M MAJOR -m MINOR   remove it\n"
		"MAJOR: a number or ptm, pts, echo, log. FILE lines: major minor lastminor module...\n",
		prog, prog, prog, prog);
	exit(1);
}

static int open_sad(const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0)
		fprintf(stderr, "%s: cannot open %s: %s%s\n", prog, path, strerror(errno),
			errno == ENOENT ? " (is strclone.ko loaded with autopush support?)" : "");
	return fd;
}

/* What an errno from SAD_SAP/SAD_GAP means here (modules.rst lists them). */
static const char *sad_hint(int cmd, __u32 sap_cmd, int err)
{
	switch (err) {
	case EPERM:
		return "changing autopush needs /dev/sad/admin and privilege";
	case EINVAL:
		if (cmd == (int)SAD_SAP && sap_cmd != SAP_CLEAR)
			return "no driver with that major, an unknown module, or too many modules";
		return "no driver with that major (or, when removing an all-minors "
		       "configuration, a minor other than 0)";
	case EEXIST:
		return "a configuration already covers one of these minors (remove it first)";
	case ENODEV:
		return "that major and minor have no autopush configuration";
	case ERANGE:
		return sap_cmd == SAP_CLEAR ? "remove a range with its first minor"
					    : "lastminor must be greater than minor";
	case ENOSR:
		return "the autopush table is full";
	case ENOSTR:
		return "that major is not a STREAMS driver";
	default:
		return NULL;
	}
}

static void report(const char *what, int cmd, const struct strapush *sap, int err)
{
	const char *hint = sad_hint(cmd, sap->sap_cmd, err);

	fprintf(stderr, "%s: %s: %s%s%s%s\n", prog, what, strerror(err), hint ? " (" : "",
		hint ? hint : "", hint ? ")" : "");
}

static int set_file(const char *path, int dry_run)
{
	struct ap_entry *v;
	FILE *f;
	int n, i, fd, rc = 0;

	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: cannot open %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	n = ap_parse_file(f, path, prog, &v, stderr);
	if (f != stdin)
		fclose(f);
	if (n < 0) {
		fprintf(stderr, "%s: %s: nothing configured\n", prog, path);
		return 1;
	}
	if (dry_run) {
		for (i = 0; i < n; i++)
			ap_print_entry(stdout, &v[i]);
		free(v);
		return 0;
	}
	if (n == 0) {
		free(v);
		return 0;
	}
	fd = open_sad(ADMINDEV);
	if (fd < 0) {
		free(v);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (ioctl(fd, SAD_SAP, &v[i].sap) < 0) {
			char what[64 + 4096];

			snprintf(what, sizeof(what), "%s:%d: cannot configure major %u", path,
				 v[i].line, v[i].sap.sap_major);
			report(what, SAD_SAP, &v[i].sap, errno);
			rc = 1;	/* go on with the other lines, as Solaris does */
		}
	}
	close(fd);
	free(v);
	return rc;
}

static int remove_one(__u32 major, __u32 minor)
{
	struct strapush sap;
	int fd = open_sad(ADMINDEV);

	if (fd < 0)
		return 1;
	memset(&sap, 0, sizeof(sap));
	sap.sap_cmd = SAP_CLEAR;
	sap.sap_major = major;
	sap.sap_minor = minor;
	if (ioctl(fd, SAD_SAP, &sap) < 0) {
		char what[96];

		snprintf(what, sizeof(what), "cannot remove autopush for major %u minor %u",
			 major, minor);
		report(what, SAD_SAP, &sap, errno);
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

static int show_one(__u32 major, __u32 minor)
{
	struct strapush sap;
	int fd = open_sad(USERDEV);
	__u32 i;

	if (fd < 0)
		return 1;
	memset(&sap, 0, sizeof(sap));
	sap.sap_major = major;
	sap.sap_minor = minor;
	if (ioctl(fd, SAD_GAP, &sap) < 0) {
		char what[96];

		snprintf(what, sizeof(what), "cannot get autopush for major %u minor %u", major,
			 minor);
		report(what, SAD_GAP, &sap, errno);
		close(fd);
		return 1;
	}
	close(fd);
	if (sap.sap_npush > MAXAPUSH) {
		fprintf(stderr, "%s: the driver answered sap_npush %u (more than %d)\n", prog,
			sap.sap_npush, MAXAPUSH);
		return 1;
	}
	/* Solaris' layout: three right-aligned columns, a tab, the modules. */
	printf("%10s %10s %10s\t%s\n", "Major", "Minor", "Lastminor", "Modules");
	switch (sap.sap_cmd) {
	case SAP_ONE:
		printf("%10u %10u %10s\t", sap.sap_major, sap.sap_minor, "-");
		break;
	case SAP_RANGE:
		printf("%10u %10u %10u\t", sap.sap_major, sap.sap_minor, sap.sap_lastminor);
		break;
	case SAP_ALL:
		printf("%10u %10s %10s\t", sap.sap_major, "ALL", "-");
		break;
	default:
		fprintf(stderr, "%s: the driver answered an unknown sap_cmd %u\n", prog,
			sap.sap_cmd);
		return 1;
	}
	for (i = 0; i < sap.sap_npush; i++) {
		sap.sap_list[i][FMNAMESZ] = '\0';
		printf("%s%s", i ? " " : "", sap.sap_list[i]);
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *file = NULL, *majs = NULL, *mins = NULL;
	int gflag = 0, rflag = 0, nflag = 0, opt;
	char err[AP_ERRLEN];
	__u32 major, minor;

	while ((opt = getopt(argc, argv, "f:gM:m:nr")) != -1) {
		switch (opt) {
		case 'f': file = optarg; break;
		case 'g': gflag = 1; break;
		case 'M': majs = optarg; break;
		case 'm': mins = optarg; break;
		case 'n': nflag = 1; break;
		case 'r': rflag = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (file) {
		if (gflag || rflag || majs || mins)
			usage();
		return set_file(file, nflag);
	}
	if (gflag + rflag != 1 || nflag || !majs || !mins)
		usage();
	if (ap_parse_major(majs, &major, err, sizeof(err)) < 0 ||
	    ap_parse_minor(mins, &minor, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	return gflag ? show_one(major, minor) : remove_one(major, minor);
}
