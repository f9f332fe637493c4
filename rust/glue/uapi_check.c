// SPDX-License-Identifier: GPL-2.0
/*
 * The uapi header checked against strclone's Rust side (rust/uapi.rs).
 *
 * The static_asserts below hold the header's structure layouts and ioctl
 * numbers to the same x86_64 numbers that rust/uapi/layout.rs asserts for its
 * #[repr(C)] mirrors, so neither side can change alone without a build
 * failure: change a structure or an ioctl, and both files must follow.
 * strclone_uapi_table[] is the same facts (and the constants) computed from
 * the header, which the KUnit suite strclone_uapi compares with the Rust
 * values entry by entry, in the order of CHECKED in rust/uapi/check.rs.
 */
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/stddef.h>
#include <linux/types.h>

#include "../../include/uapi/linux/strclone.h"

#define ASSERT_LAYOUT(type, size) \
	static_assert(sizeof(struct type) == (size), "struct " #type " changed size")
#define ASSERT_OFFSET(type, field, off) \
	static_assert(offsetof(struct type, field) == (off), #type "." #field " moved")

ASSERT_LAYOUT(strbuf, 16);
ASSERT_OFFSET(strbuf, maxlen, 0);
ASSERT_OFFSET(strbuf, len, 4);
ASSERT_OFFSET(strbuf, buf, 8);

ASSERT_LAYOUT(strioctl, 24);
ASSERT_OFFSET(strioctl, ic_cmd, 0);
ASSERT_OFFSET(strioctl, ic_timout, 4);
ASSERT_OFFSET(strioctl, ic_len, 8);
ASSERT_OFFSET(strioctl, ic_dp, 16);

ASSERT_LAYOUT(strpmsg, 40);
ASSERT_OFFSET(strpmsg, ctlbuf, 0);
ASSERT_OFFSET(strpmsg, databuf, 16);
ASSERT_OFFSET(strpmsg, band, 32);
ASSERT_OFFSET(strpmsg, flags, 36);

ASSERT_LAYOUT(strclone_devinfo, 8);
ASSERT_OFFSET(strclone_devinfo, major, 0);
ASSERT_OFFSET(strclone_devinfo, minor, 4);

ASSERT_LAYOUT(log_ctl, 32);
ASSERT_OFFSET(log_ctl, mid, 0);
ASSERT_OFFSET(log_ctl, sid, 2);
ASSERT_OFFSET(log_ctl, level, 4);
ASSERT_OFFSET(log_ctl, __pad, 5);
ASSERT_OFFSET(log_ctl, flags, 6);
ASSERT_OFFSET(log_ctl, ltime, 8);
ASSERT_OFFSET(log_ctl, ttime, 16);
ASSERT_OFFSET(log_ctl, seq_no, 24);
ASSERT_OFFSET(log_ctl, pri, 28);

ASSERT_LAYOUT(trace_ids, 8);
ASSERT_OFFSET(trace_ids, ti_mid, 0);
ASSERT_OFFSET(trace_ids, ti_sid, 2);
ASSERT_OFFSET(trace_ids, ti_level, 4);
ASSERT_OFFSET(trace_ids, __pad, 5);

ASSERT_LAYOUT(echo_qopts, 8);
ASSERT_OFFSET(echo_qopts, hiwat, 0);
ASSERT_OFFSET(echo_qopts, lowat, 4);

ASSERT_LAYOUT(str_mlist, 9);
ASSERT_OFFSET(str_mlist, l_name, 0);

ASSERT_LAYOUT(str_list, 16);
ASSERT_OFFSET(str_list, sl_nmods, 0);
ASSERT_OFFSET(str_list, sl_modlist, 8);

ASSERT_LAYOUT(strapush, 92);
ASSERT_OFFSET(strapush, sap_cmd, 0);
ASSERT_OFFSET(strapush, sap_major, 4);
ASSERT_OFFSET(strapush, sap_minor, 8);
ASSERT_OFFSET(strapush, sap_lastminor, 12);
ASSERT_OFFSET(strapush, sap_npush, 16);
ASSERT_OFFSET(strapush, sap_list, 20);

ASSERT_LAYOUT(bandinfo, 8);
ASSERT_OFFSET(bandinfo, bi_pri, 0);
ASSERT_OFFSET(bandinfo, bi_flag, 4);

ASSERT_LAYOUT(strpeek, 40);
ASSERT_OFFSET(strpeek, ctlbuf, 0);
ASSERT_OFFSET(strpeek, databuf, 16);
ASSERT_OFFSET(strpeek, flags, 32);

ASSERT_LAYOUT(strfdinsert, 48);
ASSERT_OFFSET(strfdinsert, ctlbuf, 0);
ASSERT_OFFSET(strfdinsert, databuf, 16);
ASSERT_OFFSET(strfdinsert, flags, 32);
ASSERT_OFFSET(strfdinsert, fildes, 36);
ASSERT_OFFSET(strfdinsert, offset, 40);

/* The ioctl numbers rust/uapi.rs asserts for its constants. */
static_assert(I_NREAD == 0x5301 && I_LOOK == 0x5304 && I_FLUSH == 0x5305 && I_STR == 0x5308);
static_assert(I_FIND == 0x530b && I_CANPUT == 0x5322 && I_PUTMSG == 0x5340 &&
	      I_GETMSG == 0x5341);
static_assert(I_PUSH == 0x5302 && I_POP == 0x5303 && I_LIST == 0x5315 && I_ANCHOR == 0x5318);
static_assert(SAD_SAP == 0x4401 && SAD_GAP == 0x4402 && SAD_VML == 0x4403);
static_assert(STRCLONE_GETDEV == 0x80084301 && LOG_GETLOST == 0x80084310);
static_assert(ISPTM == 0x5001 && UNLKPT == 0x5002 && GRANTPT == 0x5005 && PTMGETPEER == 0x5010);
static_assert(I_RECVFD == 0x530e && I_SENDFD == 0x5311 && STRCLONE_PIPEPEER == 0x4330);
static_assert(sizeof(struct strrecvfd) == 20);
static_assert(I_LINK == 0x530c && I_UNLINK == 0x530d && I_PLINK == 0x5316 && I_PUNLINK == 0x5317);
static_assert(PTMGETPTN == 0x80045030);
static_assert(I_TRCLOG == 0x4c01 && I_ERRLOG == 0x4c02 && I_CONSLOG == 0x4c03);
static_assert(ECHO_SETQ == 0x4501 && ECHO_MREADS == 0x450b && ECHO_MARK == 0x450c);
static_assert(I_PUTPMSG == 0x5342 && I_GETPMSG == 0x5343 && I_SRDOPT == 0x5306);
static_assert(I_GRDOPT == 0x5307 && I_PEEK == 0x530f && I_FDINSERT == 0x5310);
static_assert(I_SWROPT == 0x5313 && I_GWROPT == 0x5314 && I_FLUSHBAND == 0x531c);
static_assert(I_CKBAND == 0x531d && I_GETBAND == 0x531e && I_ATMARK == 0x531f);
static_assert(ECHO_SETQ == 0x4501 && ECHO_MREADS == 0x450b);
static_assert(I_SETSIG == 0x5309 && I_GETSIG == 0x530a);
static_assert(I_SETCLTIME == 0x5320 && I_GETCLTIME == 0x5321);

ASSERT_LAYOUT(testmod_xchg, 8);
ASSERT_OFFSET(testmod_xchg, a, 0);
ASSERT_OFFSET(testmod_xchg, b, 4);

ASSERT_LAYOUT(testmod_xvec, 16);
ASSERT_OFFSET(testmod_xvec, n, 0);
ASSERT_OFFSET(testmod_xvec, sum, 4);
ASSERT_OFFSET(testmod_xvec, vec, 8);

static_assert(TESTMOD_XCHG == 0xc0084320 && TESTMOD_XVEC == 0xc0104321 &&
	      TESTMOD_XHOLD == 0x40044322);

ASSERT_LAYOUT(sgttyb, 8);
ASSERT_OFFSET(sgttyb, sg_ispeed, 0);
ASSERT_OFFSET(sgttyb, sg_ospeed, 1);
ASSERT_OFFSET(sgttyb, sg_erase, 2);
ASSERT_OFFSET(sgttyb, sg_kill, 3);
ASSERT_OFFSET(sgttyb, sg_flags, 4);
ASSERT_LAYOUT(tchars, 6);
ASSERT_LAYOUT(ltchars, 6);
ASSERT_OFFSET(ltchars, t_dsuspc, 1);
ASSERT_OFFSET(ltchars, t_lnextc, 5);
ASSERT_OFFSET(tchars, t_brkc, 5);

static_assert(TIOCHPCL == 0x7402 && TIOCGETP == 0x7408 && TIOCSETP == 0x7409);
static_assert(TIOCSETN == 0x740a && TIOCFLUSH == 0x7410 && TIOCSETC == 0x7411);
static_assert(TIOCGETC == 0x7412 && TIOCSTART == 0x746e && TIOCSTOP == 0x746f);
static_assert(TIOCGLTC == 0x7474 && TIOCSLTC == 0x7475 && TIOCLGET == 0x747c);
static_assert(TIOCLSET == 0x747d && TIOCLBIC == 0x747e && TIOCLBIS == 0x747f);

/* In the order of CHECKED in rust/uapi/check.rs. */
static const u32 strclone_uapi_table[] = {
	sizeof(struct strbuf),
	offsetof(struct strbuf, maxlen),
	offsetof(struct strbuf, len),
	offsetof(struct strbuf, buf),
	sizeof(struct strioctl),
	offsetof(struct strioctl, ic_cmd),
	offsetof(struct strioctl, ic_timout),
	offsetof(struct strioctl, ic_len),
	offsetof(struct strioctl, ic_dp),
	sizeof(struct strpmsg),
	offsetof(struct strpmsg, ctlbuf),
	offsetof(struct strpmsg, databuf),
	offsetof(struct strpmsg, band),
	offsetof(struct strpmsg, flags),
	sizeof(struct strclone_devinfo),
	offsetof(struct strclone_devinfo, major),
	offsetof(struct strclone_devinfo, minor),
	sizeof(struct log_ctl),
	offsetof(struct log_ctl, mid),
	offsetof(struct log_ctl, sid),
	offsetof(struct log_ctl, level),
	offsetof(struct log_ctl, __pad),
	offsetof(struct log_ctl, flags),
	offsetof(struct log_ctl, ltime),
	offsetof(struct log_ctl, ttime),
	offsetof(struct log_ctl, seq_no),
	offsetof(struct log_ctl, pri),
	sizeof(struct trace_ids),
	offsetof(struct trace_ids, ti_mid),
	offsetof(struct trace_ids, ti_sid),
	offsetof(struct trace_ids, ti_level),
	offsetof(struct trace_ids, __pad),
	sizeof(struct echo_qopts),
	offsetof(struct echo_qopts, hiwat),
	offsetof(struct echo_qopts, lowat),
	sizeof(struct str_mlist),
	offsetof(struct str_mlist, l_name),
	sizeof(struct str_list),
	offsetof(struct str_list, sl_nmods),
	offsetof(struct str_list, sl_modlist),
	sizeof(struct strapush),
	offsetof(struct strapush, sap_cmd),
	offsetof(struct strapush, sap_major),
	offsetof(struct strapush, sap_minor),
	offsetof(struct strapush, sap_lastminor),
	offsetof(struct strapush, sap_npush),
	offsetof(struct strapush, sap_list),
	I_NREAD, I_LOOK, I_FLUSH, I_STR, I_FIND, I_CANPUT, I_PUTMSG, I_GETMSG,
	I_PUSH, I_POP, I_LIST, I_ANCHOR, SAD_SAP, SAD_GAP, SAD_VML,
	STRCLONE_GETDEV, LOG_GETLOST,
	ISPTM, UNLKPT, GRANTPT, PTMGETPEER,
	I_TRCLOG, I_ERRLOG, I_CONSLOG,
	ECHO_SETQ, ECHO_STOP, ECHO_START, ECHO_NAK, ECHO_HANGUP, ECHO_ERROR,
	ECHO_SETOPTS, ECHO_REVERSE, ECHO_NOREPLY, ECHO_MREAD, ECHO_MREADS,
	TESTMOD_COUNTS, TESTMOD_REFUSE_REOPEN, TESTMOD_REFUSE_PUSH, TESTMOD_NAK,
	sizeof(struct testmod_counts),
	RS_HIPRI, MSG_ANY, MORECTL, MOREDATA,
	STRCLONE_STRMSGSZ, STRCLONE_STRCTLSZ, STRCLONE_STR_DEFAULT_TIMEOUT,
	STRCLONE_PTM_MAJOR, STRCLONE_ECHO_MAJOR, STRCLONE_LOG_MAJOR, STRCLONE_NMAJOR,
	FMNAMESZ, MAXAPUSH, SAP_CLEAR, SAP_ONE, SAP_RANGE, SAP_ALL,
	MODOPEN, CLONEOPEN, TRANSPARENT,
	M_DATA, M_PROTO, M_IOCTL, M_SETOPTS, M_IOCACK, M_IOCNAK, M_PCPROTO,
	M_READ, M_FLUSH, M_HANGUP, M_ERROR, QPCTL,
	FLUSHR, FLUSHW, FLUSHRW,
	SO_HIWAT, SO_LOWAT, SO_MREADON, SO_MREADOFF,
	SL_ERROR, SL_TRACE, SL_CONSOLE, SL_FATAL, SL_WARN, SL_NOTE,
	M_COPYIN, M_COPYOUT, M_IOCDATA,
	sizeof(struct testmod_xchg),
	offsetof(struct testmod_xchg, a),
	offsetof(struct testmod_xchg, b),
	sizeof(struct testmod_xvec),
	offsetof(struct testmod_xvec, n),
	offsetof(struct testmod_xvec, sum),
	offsetof(struct testmod_xvec, vec),
	TESTMOD_XCHG, TESTMOD_XVEC, TESTMOD_XHOLD, TESTMOD_XVEC_MAX,
	PTMGETPTN, STRCLONE_PTS_MAJOR,
	sizeof(struct sgttyb),
	offsetof(struct sgttyb, sg_ispeed),
	offsetof(struct sgttyb, sg_ospeed),
	offsetof(struct sgttyb, sg_erase),
	offsetof(struct sgttyb, sg_kill),
	offsetof(struct sgttyb, sg_flags),
	sizeof(struct tchars), sizeof(struct ltchars),
	TIOCHPCL, TIOCGETP, TIOCSETP, TIOCSETN, TIOCFLUSH, TIOCSETC, TIOCGETC,
	TIOCSTART, TIOCSTOP, TIOCGLTC, TIOCSLTC, TIOCLGET, TIOCLSET, TIOCLBIC,
	TIOCLBIS, FREAD, FWRITE,
	O_TANDEM, O_CBREAK, O_LCASE, O_ECHO, O_CRMOD, O_RAW, O_ODDP, O_EVENP,
	O_NLDELAY, O_NL1, O_NL2, O_TBDELAY, O_TAB1, O_TAB2, O_XTABS, O_CRDELAY, O_CR1,
	O_CR2, O_VTDELAY, O_BSDELAY, O_CRTBS, O_PRTERA, O_CRTERA, O_LITOUT, O_TOSTOP,
	O_FLUSHO, O_NOHANG, O_CRTKIL, O_PASS8, O_CTLECH, O_PENDIN, O_DECCTQ, O_NOFLSH,
	LCRTBS, LNOFLSH,
	I_PUTPMSG, I_GETPMSG, I_SRDOPT, I_GRDOPT, I_PEEK, I_FDINSERT, I_SWROPT, I_GWROPT,
	I_FLUSHBAND, I_CKBAND, I_GETBAND, I_ATMARK, ECHO_MARK,
	MSG_HIPRI, MSG_BAND, STRCLONE_MAXBAND,
	RNORM, RMSGD, RMSGN, RMODEMASK, RPROTDAT, RPROTDIS, RPROTNORM, RPROTMASK,
	SNDZERO, SNDPIPE, ANYMARK, LASTMARK, MSGMARK, FLUSHBAND,
	sizeof(struct bandinfo),
	offsetof(struct bandinfo, bi_pri),
	offsetof(struct bandinfo, bi_flag),
	sizeof(struct strpeek),
	offsetof(struct strpeek, ctlbuf),
	offsetof(struct strpeek, databuf),
	offsetof(struct strpeek, flags),
	sizeof(struct strfdinsert),
	offsetof(struct strfdinsert, ctlbuf),
	offsetof(struct strfdinsert, databuf),
	offsetof(struct strfdinsert, flags),
	offsetof(struct strfdinsert, fildes),
	offsetof(struct strfdinsert, offset),
	I_SETSIG, I_GETSIG, I_SETCLTIME, I_GETCLTIME,
	S_INPUT, S_HIPRI, S_OUTPUT, S_MSG, S_ERROR, S_HANGUP, S_RDNORM, S_WRNORM,
	S_RDBAND, S_WRBAND, S_BANDURG, STRCLONE_DEFAULT_CLTIME, STRCLONE_CLTIME_MAX,
	I_RECVFD, I_SENDFD, M_PASSFP,
	sizeof(struct strrecvfd),
	offsetof(struct strrecvfd, fd),
	offsetof(struct strrecvfd, uid),
	offsetof(struct strrecvfd, gid),
	offsetof(struct strrecvfd, fill),
	STRCLONE_PIPE_MAJOR, STRCLONE_PIPEPEER,
	I_LINK, I_UNLINK, I_PLINK, I_PUNLINK, (u32)MUXID_ALL,
};

/* Called from rust/glue/uapi_check.rs (the KUnit cross-check). */
const u32 *strclone_uapi_values(unsigned int *n);

const u32 *strclone_uapi_values(unsigned int *n)
{
	*n = ARRAY_SIZE(strclone_uapi_table);
	return strclone_uapi_table;
}
