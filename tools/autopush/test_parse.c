// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side test of autopush's parser (parse.c): good lines give the
 * struct strapush that SAD_SAP would get, bad lines give an error whose
 * message names the problem, whole files are all-or-nothing. Run by
 * `make -C tools/autopush test` (and by `make check` before the VM boots).
 * The configuration files in tests/ are checked through `autopush -n` by
 * the same make target.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static int failed, passed;

static void check(int ok, const char *line, const char *what)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "FAIL: \"%s\": %s\n", line, what);
}

/* A good line: its command, numbers and modules (comma-separated). */
static void good(const char *line, __u32 cmd, __u32 major, __u32 minor, __u32 last,
		 const char *mods)
{
	struct strapush sap;
	char err[AP_ERRLEN] = "", list[MAXAPUSH * (FMNAMESZ + 1) + 1] = "";
	__u32 i;
	int r = ap_parse_line(line, &sap, err, sizeof(err));

	if (r != 1) {
		check(0, line, r == 0 ? "taken as blank" : err);
		return;
	}
	for (i = 0; i < sap.sap_npush; i++) {
		if (i)
			strcat(list, ",");
		strcat(list, sap.sap_list[i]);
	}
	check(sap.sap_cmd == cmd, line, "sap_cmd");
	check(sap.sap_major == major, line, "sap_major");
	check(sap.sap_minor == minor, line, "sap_minor");
	check(sap.sap_lastminor == last, line, "sap_lastminor");
	check(strcmp(list, mods) == 0, line, "sap_list");
	/* Unused slots stay zero: the kernel gets no stale bytes. */
	for (i = sap.sap_npush; i < MAXAPUSH; i++)
		check(sap.sap_list[i][0] == '\0', line, "unused sap_list slot not zero");
}

static void blank(const char *line)
{
	struct strapush sap;
	char err[AP_ERRLEN];

	check(ap_parse_line(line, &sap, err, sizeof(err)) == 0, line, "not taken as blank");
}

/* A bad line: refused, with msg somewhere in the message. */
static void bad(const char *line, const char *msg)
{
	struct strapush sap;
	char err[AP_ERRLEN] = "";
	int r = ap_parse_line(line, &sap, err, sizeof(err));

	check(r == -1, line, "accepted");
	if (r == -1 && !strstr(err, msg)) {
		fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err, msg);
		check(0, line, "wrong message");
	}
}

static void files(void)
{
	static const char ok[] = "# a comment\n\n72 0 0 nullmod\n\tptm -1 0 a b # trailing\n";
	static const char mixed[] = "72 0 0 nullmod\n72 0 0 toolongname\n21 1 0 x\n72 x 0 y\n";
	struct ap_entry *v;
	char errs[512] = "";
	FILE *f, *ef;
	int n;

	f = fmemopen((void *)ok, sizeof(ok) - 1, "r");
	ef = fmemopen(errs, sizeof(errs), "w");
	if (!f || !ef) {
		check(0, "fmemopen", "failed");
		return;
	}
	n = ap_parse_file(f, "ok.conf", "autopush", &v, ef);
	fclose(f);
	fflush(ef);
	check(n == 2, "ok.conf", "two entries");
	if (n == 2) {
		check(v[0].line == 3 && v[0].sap.sap_cmd == SAP_ONE, "ok.conf", "line 3");
		check(v[1].line == 4 && v[1].sap.sap_cmd == SAP_ALL &&
		      v[1].sap.sap_major == STRCLONE_PTM_MAJOR && v[1].sap.sap_npush == 2,
		      "ok.conf", "line 4");
	}
	check(errs[0] == '\0', "ok.conf", "no messages");
	free(v);
	fclose(ef);

	memset(errs, 0, sizeof(errs));
	f = fmemopen((void *)mixed, sizeof(mixed) - 1, "r");
	ef = fmemopen(errs, sizeof(errs), "w");
	if (!f || !ef) {
		check(0, "fmemopen", "failed");
		return;
	}
	n = ap_parse_file(f, "mixed.conf", "autopush", &v, ef);
	fclose(f);
	fclose(ef);
	/* One bad line spoils the file, and every bad line is reported. */
	check(n == -1 && v == NULL, "mixed.conf", "accepted");
	check(strstr(errs, "autopush: mixed.conf:2: module name") != NULL, "mixed.conf",
	      "line 2 not reported");
	check(strstr(errs, "autopush: mixed.conf:4: bad minor") != NULL, "mixed.conf",
	      "line 4 not reported");
	check(strstr(errs, ":1:") == NULL && strstr(errs, ":3:") == NULL, "mixed.conf",
	      "a good line reported");
}

int main(void)
{
	__u32 M = (__u32)-1;

	/* Commands from minor and lastminor, as Solaris' autopush(8). */
	good("72 0 0 nullmod", SAP_ONE, 72, 0, 0, "nullmod");
	good("72 3 9 nullmod pipemod", SAP_RANGE, 72, 3, 9, "nullmod,pipemod");
	good("72 -1 0 nullmod", SAP_ALL, 72, M, 0, "nullmod");
	good("72 4294967293 4294967294 m", SAP_RANGE, 72, 4294967293u, 4294967294u, "m");
	/* Driver names and numbers for the major. */
	good("ptm 0 0 ptem ldterm ttcompat", SAP_ONE, STRCLONE_PTM_MAJOR, 0, 0,
	     "ptem,ldterm,ttcompat");
	good("echo 1 2 m", SAP_RANGE, STRCLONE_ECHO_MAJOR, 1, 2, "m");
	good("log -1 0 m", SAP_ALL, STRCLONE_LOG_MAJOR, M, 0, "m");
	good("0 0 0 m", SAP_ONE, 0, 0, 0, "m");
	good("255 0 0 m", SAP_ONE, 255, 0, 0, "m");
	good("007 010 0 m", SAP_ONE, 7, 10, 0, "m");	/* decimal, not octal */
	/* Blanks, tabs, comments, exactly MAXAPUSH names of exactly FMNAMESZ. */
	good("  \t72\t0 0\tm1   m2  \r\n", SAP_ONE, 72, 0, 0, "m1,m2");
	good("72 0 0 m # not a module", SAP_ONE, 72, 0, 0, "m");
	good("72 0 0 a b c d e f g h", SAP_ONE, 72, 0, 0, "a,b,c,d,e,f,g,h");
	good("72 0 0 12345678", SAP_ONE, 72, 0, 0, "12345678");
	good("72 0 0 a#b", SAP_ONE, 72, 0, 0, "a#b");
	blank("");
	blank("\n");
	blank("   \t  \n");
	blank("# major minor lastminor modules");
	blank("   # indented comment");

	/* Too many modules, names too long. */
	bad("72 0 0 a b c d e f g h i", "too many modules");
	bad("72 0 0 123456789", "longer than 8");
	bad("72 0 0 ok waytoolongmodulename", "longer than 8");
	bad("72 0 0 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "too long");
	bad("72 0 0 [anchor] m", "[anchor] is not supported");
	bad("72 0", "missing lastminor");
	bad("72 0 0", "no modules");
	bad("72 0 0 # only a comment", "no modules");
	/* Ranges. */
	bad("72 5 3 m", "greater than minor");
	bad("72 5 5 m", "greater than minor");
	bad("72 -1 4 m", "lastminor must be 0");
	/* Majors. */
	bad("nosuch 0 0 m", "unknown driver \"nosuch\"");
	bad("PTM 0 0 m", "unknown driver");
	bad("256 0 0 m", "bad major");
	bad("72x 0 0 m", "bad major");
	bad("-72 0 0 m", "unknown driver");
	bad("0x48 0 0 m", "bad major");
	bad("99999999999999999999999999 0 0 m", "bad major");
	bad("0000000000000000000000000000000000000000000000000000000000000000000072 0 0 m",
	    "major");
	/* Minors and lastminors: garbage, signs, overflow, (__u32)-1 itself. */
	bad("72", "missing minor");
	bad("72 x 0 m", "bad minor");
	bad("72 -2 0 m", "bad minor");
	bad("72 +1 0 m", "bad minor");
	bad("72 1.5 0 m", "bad minor");
	bad("72 4294967295 0 m", "bad minor");
	bad("72 4294967296 0 m", "bad minor");
	bad("72 0 -1 m", "bad lastminor");
	bad("72 0 0x10 m", "bad lastminor");
	bad("72 0 4294967295 m", "bad lastminor");
	bad("72 0 1e3 m", "bad lastminor");

	/* -M and -m. */
	{
		char err[AP_ERRLEN];
		__u32 v;

		check(ap_parse_major("echo", &v, err, sizeof(err)) == 0 && v == 72, "-M echo",
		      "not 72");
		check(ap_parse_major("", &v, err, sizeof(err)) < 0, "-M ''", "accepted");
		check(ap_parse_minor("12", &v, err, sizeof(err)) == 0 && v == 12, "-m 12",
		      "not 12");
		check(ap_parse_minor("-1", &v, err, sizeof(err)) < 0, "-m -1", "accepted");
		check(ap_parse_minor("", &v, err, sizeof(err)) < 0, "-m ''", "accepted");
		check(ap_driver_name(23) && strcmp(ap_driver_name(23), "ptm") == 0, "23",
		      "not ptm");
		check(ap_parse_major("pts", &v, err, sizeof(err)) == 0 && v == 24, "-M pts",
		      "not 24");
		check(ap_driver_name(24) && strcmp(ap_driver_name(24), "pts") == 0, "24",
		      "not pts");
		check(ap_driver_name(1) == NULL, "1", "has a name");
	}

	files();

	printf("test_parse: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
