#ifndef HEADERS_H
#define HEADERS_H
/* The header of a message being injected: which fields carry addresses,
   rewriting them, the envelope recipients found in them, and the fields
   qmail-inject drops or adds (qmail-header(5)). Lines reach this module
   with LF endings only. */
#include <stddef.h>
#include "address.h"
#include "constmap.h"
#include "stralloc.h"

/* One field, continuation lines included; also bounds one line. */
#define HEADER_FIELD_MAX (256UL * 1024)
/* The whole header as read, and its number of fields. */
#define HEADER_BYTES_MAX (1024UL * 1024)
#define HEADER_FIELDS_MAX 10000

enum hfield {
  H_OTHER, H_SENDER, H_FROM, H_REPLYTO, H_TO, H_CC, H_BCC, H_DATE, H_MESSAGEID,
  H_R_SENDER, H_R_FROM, H_R_REPLYTO, H_R_TO, H_R_CC, H_R_BCC, H_R_DATE, H_R_MESSAGEID,
  H_RETURNRECEIPTTO, H_ERRORSTO, H_APPARENTLYTO, H_RETURNPATH, H_CONTENTLENGTH,
  H_MAILFOLLOWUPTO, H_MAILREPLYTO, H_DISPNOTIFTO,
  H_NUM
};

/* The field's type from its text ("To :" counts), H_OTHER if unknown. */
int hfield_known(const char *s, size_t len);
/* Does the line start a header field: a name of printable non-space
   characters, optional blanks, a colon? */
int hfield_valid(const char *s, size_t len);

/* What a line of input is, read in the header */
enum { HLINE_END, HLINE_CONT, HLINE_MBOX, HLINE_FIELD, HLINE_BODY };
int header_linetype(const char *s, size_t len);

struct header_conf {
  const struct addr_qualify *q;
  int delete_from;        /* QMAILINJECT=f */
  int delete_messageid;   /* QMAILINJECT=i */
  int ignore_returnpath;  /* QMAILINJECT=s */
  int sender_given;       /* -f: Return-Path sets nothing */
  int strict_recipients;  /* the envelope comes from the header: its
                             recipient fields must parse */
};

struct header {
  const struct header_conf *conf;
  unsigned char seen[H_NUM];
  size_t fields, bytes;
  stralloc kept;          /* the fields that stay, rewritten, in order */
  stralloc hr;            /* To, Cc, Bcc, Apparently-To: NUL-terminated */
  stralloc hrr;           /* Resent-To, Resent-Cc, Resent-Bcc */
  stralloc tocc;          /* To and Cc, for Mail-Followup-To */
  int returnpath_set;     /* returnpath holds the sender from Return-Path */
  stralloc returnpath;
  int bad_hr, bad_hrr;    /* a recipient field of that list did not parse */
  stralloc bad;           /* the first such field, for the error message */
};

enum {
  HEADER_OK = 1,
  HEADER_NOMEM = -1,
  HEADER_BADADDR = -2,    /* an address field that must parse does not */
  HEADER_TOOBIG = -3,     /* a field or the header over its limit */
  HEADER_TOOMANY = -4,    /* more than HEADER_FIELDS_MAX fields */
  HEADER_ADDRLONG = -5    /* an envelope address over ADDRESS_MAX */
};

/* Start a new header; the strallocs are kept for reuse. */
void header_init(struct header *h, const struct header_conf *c);
/* Give back the strallocs (a program that reads one header and exits
   need not; a caller that reads many headers, as a fuzzer does, must). */
void header_free(struct header *h);
/* One complete field: its lines, each ending in "\n". */
int header_field(struct header *h, const char *f, size_t len);
/* Any Resent- field seen: the message is being forwarded. */
int header_resent(const struct header *h);
/* The recipient addresses of the header (hr or hrr), and whether all
   fields of that list parsed (if not, h->bad holds the first bad one). */
const stralloc *header_recipients(const struct header *h);
int header_recipients_ok(const struct header *h);

struct header_add {
  const char *date;       /* for a new Date field */
  const char *messageid;  /* for a new Message-ID, "<...>" */
  const char *from;       /* for a new From, an address list (qualified here) */
  const struct constmap *mft; /* QMAILMFTFILE lists, or 0 */
};
/* The fields qmail-inject puts above the kept ones: Date, Message-ID,
   From, "Cc: recipient list not shown: ;", Mail-Followup-To (their
   Resent- forms for a forwarded message), each when missing. Written to
   top. HEADER_OK, HEADER_NOMEM, HEADER_BADADDR (from does not parse). */
int header_top(stralloc *top, const struct header *h, const struct header_add *a);
#endif
