#ifndef SMTPCMD_H
#define SMTPCMD_H
/* SMTP command lines as qmail-smtpd reads them (RFC 5321 4.1): the verb,
   the path of MAIL FROM and RCPT TO, and their ESMTP parameters. Pure
   functions on one line (without its CR LF), for the unit tests.
   Man page: qmail-smtpd(8). */
#include <stddef.h>
#include "stralloc.h"

/* The longest command line, CR LF included; longer lines are refused
   whole (RFC 5321 asks for at least 512; 1000 leaves room for long
   addresses and parameters). */
#define SMTP_LINE_MAX 1000
/* The longest envelope address qmail-smtpd accepts (RFC 5321 4.5.3.1.3
   allows 256 for a path; qmail's queue allows more). */
#define SMTP_ADDR_MAX 900

enum smtp_verb {
  SMTP_UNKNOWN, SMTP_HELO, SMTP_EHLO, SMTP_MAIL, SMTP_RCPT, SMTP_DATA,
  SMTP_RSET, SMTP_NOOP, SMTP_VRFY, SMTP_QUIT, SMTP_HELP
};
/* The verb (any case), ended by a space or the end of the line. *arg is
   set to the first byte of the argument, spaces skipped. */
enum smtp_verb smtpcmd_verb(const char *s, size_t len, size_t *arg);

/* Results of the path and parameter parsers. */
enum smtp_parse {
  SMTP_OK = 0,
  SMTP_SYNTAX,     /* 501: not a path, or bad parameter syntax */
  SMTP_TOOLONG,    /* 553: longer than SMTP_ADDR_MAX */
  SMTP_BADPARAM,   /* 555: a parameter we do not know */
  SMTP_NOMEM       /* 451 */
};

/* The argument of MAIL or RCPT: prefix ("from:" or "to:", any case), then
   white space, then "<path>" (or, as qmail allows, a bare path without
   brackets and without spaces), then the parameters. The path's source
   route (@a,@b:) is dropped (RFC 5321 4.1.1.3 and appendix C); a quoted
   local part is unquoted, so "a b"@c becomes a b@c, the form qmail's
   envelope uses; one trailing dot of the domain is dropped (a second is
   refused). A path without a domain may not hold '@' ("a@b" would read
   as domain b once unquoted). <> gives an empty address. *params is set to the first byte after the path. */
enum smtp_parse smtpcmd_path(stralloc *addr, const char *s, size_t len,
                             const char *prefix, size_t *params);

/* MAIL's parameters: SIZE=n (saturated, never overflows; *size stays
   0 when absent) and BODY=7BIT|8BITMIME. Anything else: SMTP_BADPARAM. */
enum smtp_parse smtpcmd_mailparams(const char *s, size_t len, unsigned long long *size);
/* RCPT takes no parameter yet. */
enum smtp_parse smtpcmd_rcptparams(const char *s, size_t len);

/* Where the domain of an envelope address starts: after its last '@';
   len when there is none. */
size_t smtpcmd_domainpos(const char *addr, size_t len);
/* 1 when the local part of addr (before its last '@') holds '@', '%' or
   '!': sender-specified routing, which only relay clients may use. */
int smtpcmd_routed(const char *addr, size_t len);
#endif
