// SPDX-License-Identifier: GPL-2.0
/*
 * autopush's configuration parser (see parse.h). Strict: anything that the
 * sad driver would refuse for a reason visible in the file itself (a bad
 * number, a range that runs backwards, too many or too long module names)
 * is an error here, reported with its line, before anything is configured.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

/* strclone's STREAMS drivers, by the names the file may use for a major. */
static const struct {
	const char *name;
	__u32 major;
} drivers[] = {
	{ "ptm", STRCLONE_PTM_MAJOR },
	{ "pts", STRCLONE_PTS_MAJOR },
	{ "echo", STRCLONE_ECHO_MAJOR },
	{ "log", STRCLONE_LOG_MAJOR },
};

#define NDRIVERS (sizeof(drivers) / sizeof(drivers[0]))

/* Largest minor a file or -m can name: (__u32)-1 is "every minor". */
#define AP_MAXMINOR 0xfffffffeUL

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Decimal digits only, at most max. Returns 0, or -1 (not a number, too big). */
static int parse_number(const char *s, unsigned long max, unsigned long *out)
{
	const char *p;
	char *end;
	unsigned long v;

	if (!*s)
		return -1;
	for (p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

const char *ap_driver_name(__u32 major)
{
	size_t i;

	for (i = 0; i < NDRIVERS; i++)
		if (drivers[i].major == major)
			return drivers[i].name;
	return NULL;
}

int ap_parse_major(const char *word, __u32 *major, char *err, size_t errlen)
{
	unsigned long v;
	size_t i;

	if (isdigit((unsigned char)word[0])) {
		if (parse_number(word, STRCLONE_NMAJOR - 1, &v) < 0)
			return fail(err, errlen, "bad major \"%s\": a driver name or 0..%d",
				    word, STRCLONE_NMAJOR - 1);
		*major = (__u32)v;
		return 0;
	}
	for (i = 0; i < NDRIVERS; i++) {
		if (strcmp(word, drivers[i].name) == 0) {
			*major = drivers[i].major;
			return 0;
		}
	}
	return fail(err, errlen, "unknown driver \"%s\" (known: ptm, pts, echo, log; or a major number)",
		    word);
}

int ap_parse_minor(const char *word, __u32 *minor, char *err, size_t errlen)
{
	unsigned long v;

	if (parse_number(word, AP_MAXMINOR, &v) < 0)
		return fail(err, errlen, "bad minor \"%s\": 0..%lu", word, AP_MAXMINOR);
	*minor = (__u32)v;
	return 0;
}

/*
 * The next blank-separated word of *p, copied to buf, in *word; NULL at the
 * end of the line or at a comment ('#' starting a word). Returns 0, or -1
 * with a message in err when the word does not fit in buf (no field of a
 * valid line is that long).
 */
static int next_word(const char **p, char *buf, size_t len, const char **word,
		     const char *what, char *err, size_t errlen)
{
	const char *s = *p, *e;
	size_t n;

	*word = NULL;
	while (*s && isspace((unsigned char)*s))
		s++;
	if (!*s || *s == '#')
		return 0;
	for (e = s; *e && !isspace((unsigned char)*e); e++)
		;
	n = (size_t)(e - s);
	if (n >= len)
		return fail(err, errlen, "%s \"%.12s...\" is too long", what, s);
	memcpy(buf, s, n);
	buf[n] = '\0';
	*p = e;
	*word = buf;
	return 0;
}

int ap_parse_line(const char *line, struct strapush *sap, char *err, size_t errlen)
{
	char w[64];	/* longer than any valid field */
	const char *p = line, *word;
	unsigned long v;
	int all = 0;

	memset(sap, 0, sizeof(*sap));
	if (next_word(&p, w, sizeof(w), &word, "major", err, errlen) < 0)
		return -1;
	if (!word)
		return 0;	/* blank or comment */
	if (ap_parse_major(word, &sap->sap_major, err, errlen) < 0)
		return -1;

	if (next_word(&p, w, sizeof(w), &word, "minor", err, errlen) < 0)
		return -1;
	if (!word)
		return fail(err, errlen, "missing minor, lastminor and modules");
	if (strcmp(word, "-1") == 0)
		all = 1;
	else if (parse_number(word, AP_MAXMINOR, &v) < 0)
		return fail(err, errlen, "bad minor \"%s\": -1 (all minors) or 0..%lu", word,
			    AP_MAXMINOR);
	sap->sap_minor = all ? (__u32)-1 : (__u32)v;

	if (next_word(&p, w, sizeof(w), &word, "lastminor", err, errlen) < 0)
		return -1;
	if (!word)
		return fail(err, errlen, "missing lastminor and modules");
	if (parse_number(word, AP_MAXMINOR, &v) < 0)
		return fail(err, errlen, "bad lastminor \"%s\": 0 (one minor) or 1..%lu", word,
			    AP_MAXMINOR);
	sap->sap_lastminor = (__u32)v;
	if (all) {
		if (v != 0)
			return fail(err, errlen,
				    "lastminor must be 0 when minor is -1 (all minors), not %lu", v);
		sap->sap_cmd = SAP_ALL;
	} else if (v == 0) {
		sap->sap_cmd = SAP_ONE;
	} else if (v <= sap->sap_minor) {
		return fail(err, errlen,
			    "lastminor %lu must be greater than minor %u (or 0 for minor %u alone)",
			    v, sap->sap_minor, sap->sap_minor);
	} else {
		sap->sap_cmd = SAP_RANGE;
	}

	for (;;) {
		size_t len, i;

		if (next_word(&p, w, sizeof(w), &word, "module name", err, errlen) < 0)
			return -1;
		if (!word)
			break;
		len = strlen(word);
		if (strncasecmp(word, "[anchor]", 8) == 0)
			return fail(err, errlen,
				    "[anchor] is not supported (struct strapush has no sap_anchor)");
		if (sap->sap_npush == MAXAPUSH)
			return fail(err, errlen, "too many modules: at most %d", MAXAPUSH);
		if (len > FMNAMESZ)
			return fail(err, errlen,
				    "module name \"%s\" is longer than %d characters", word,
				    FMNAMESZ);
		for (i = 0; i < len; i++)
			if (!isgraph((unsigned char)word[i]))
				return fail(err, errlen, "module name with a non-printing character");
		memcpy(sap->sap_list[sap->sap_npush], word, len + 1);
		sap->sap_npush++;
	}
	if (sap->sap_npush == 0)
		return fail(err, errlen, "no modules to push");
	return 1;
}

int ap_parse_file(FILE *f, const char *name, const char *prog, struct ap_entry **out,
		  FILE *errf)
{
	struct ap_entry *v = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int n = 0, room = 0, lineno = 0, bad = 0;

	*out = NULL;
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct strapush sap;
		char err[AP_ERRLEN];
		int r;

		lineno++;
		if ((size_t)len != strlen(line)) {
			fprintf(errf, "%s: %s:%d: a NUL byte in the line\n", prog, name, lineno);
			bad++;
			continue;
		}
		r = ap_parse_line(line, &sap, err, sizeof(err));
		if (r < 0) {
			fprintf(errf, "%s: %s:%d: %s\n", prog, name, lineno, err);
			bad++;
			continue;
		}
		if (r == 0)
			continue;
		if (n == room) {
			int nroom = room ? 2 * room : 16;
			struct ap_entry *nv = realloc(v, (size_t)nroom * sizeof(*v));

			if (!nv) {
				fprintf(errf, "%s: %s: %s\n", prog, name, strerror(errno));
				bad++;
				break;
			}
			v = nv;
			room = nroom;
		}
		v[n].sap = sap;
		v[n].line = lineno;
		n++;
	}
	if (ferror(f)) {
		fprintf(errf, "%s: %s: read error: %s\n", prog, name, strerror(errno));
		bad++;
	}
	free(line);
	if (bad) {
		free(v);
		return -1;
	}
	*out = v;
	return n;
}

const char *ap_cmd_name(__u32 cmd)
{
	switch (cmd) {
	case SAP_CLEAR: return "SAP_CLEAR";
	case SAP_ONE: return "SAP_ONE";
	case SAP_RANGE: return "SAP_RANGE";
	case SAP_ALL: return "SAP_ALL";
	default: return "SAP_?";
	}
}

void ap_print_entry(FILE *f, const struct ap_entry *e)
{
	const struct strapush *s = &e->sap;
	__u32 i;

	fprintf(f, "line %d: sap_cmd=%s sap_major=%u sap_minor=%u sap_lastminor=%u sap_npush=%u",
		e->line, ap_cmd_name(s->sap_cmd), s->sap_major, s->sap_minor, s->sap_lastminor,
		s->sap_npush);
	for (i = 0; i < s->sap_npush && i < MAXAPUSH; i++)
		fprintf(f, "%s%s", i ? "," : " sap_list=", s->sap_list[i]);
	fputc('\n', f);
}
