/* SPDX-License-Identifier: GPL-2.0 */
/*
 * autopush's configuration parser, apart from the program so that
 * test_parse.c can run it on the host (no /dev/sad needed).
 */
#ifndef STRCLONE_AUTOPUSH_PARSE_H
#define STRCLONE_AUTOPUSH_PARSE_H

#include <stddef.h>
#include <stdio.h>

#include <linux/strclone.h>

/* Room for any message the parser writes. */
#define AP_ERRLEN 160

/* One configuration line of a file, and where it came from. */
struct ap_entry {
	struct strapush sap;
	int line;
};

/*
 * A driver name or a major number (decimal, below STRCLONE_NMAJOR) to a
 * STREAMS major. Names come from a table built into autopush (ptm, echo,
 * log: strclone's targets), not from the running kernel. Returns 0, or -1
 * with a message in err.
 */
int ap_parse_major(const char *word, __u32 *major, char *err, size_t errlen);

/* A minor for -m: decimal digits only, 0..4294967294. Returns 0 or -1. */
int ap_parse_minor(const char *word, __u32 *minor, char *err, size_t errlen);

/* The name of a built-in driver's major, or NULL. */
const char *ap_driver_name(__u32 major);

/*
 * One line of a configuration file: "major minor lastminor module...".
 * Fields are separated by blanks; a word that starts with '#' starts a
 * comment that runs to the end of the line. minor -1 is every minor
 * (SAP_ALL, lastminor must be 0), lastminor 0 is minor alone (SAP_ONE),
 * otherwise minor..lastminor (SAP_RANGE, lastminor > minor). 1..MAXAPUSH
 * module names of 1..FMNAMESZ characters.
 *
 * Returns 1 with *sap filled (zeroed first) for a configuration line, 0 for
 * a blank or comment line, -1 with a message in err for a bad line.
 */
int ap_parse_line(const char *line, struct strapush *sap, char *err, size_t errlen);

/*
 * A whole file. Every bad line is reported to errf as
 * "<prog>: <name>:<line>: <message>". Returns the number of configuration
 * lines, with them in *out (malloc'ed, free it; NULL when there are none),
 * or -1 when any line is bad or the file cannot be read (then *out is
 * NULL and nothing is to be configured).
 */
int ap_parse_file(FILE *f, const char *name, const char *prog, struct ap_entry **out,
		  FILE *errf);

/* "SAP_ONE" etc., or "SAP_?" for anything else. */
const char *ap_cmd_name(__u32 cmd);

/* The dry-run form of one entry (autopush -n), one line on f. */
void ap_print_entry(FILE *f, const struct ap_entry *e);

#endif
