#ifndef INJECT_H
#define INJECT_H
/* qmail-inject's core, and the sendmail wrapper's command line
   (qmail-inject(8), sendmail(8)). */
#include <stddef.h>
#include <time.h>
#include "address.h"
#include "buffer.h"
#include "headers.h"
#include "stralloc.h"

/* Envelope recipients of one message, command line and header together. */
#define INJECT_RECIPIENTS_MAX 100000

/* ---- qmail-inject's command line ---- */
enum { RECIP_DEFAULT, RECIP_ARGS, RECIP_HEADER, RECIP_BOTH };  /* -A -a -h -H */
struct inject_opts {
  int recip;          /* RECIP_*; RECIP_DEFAULT is resolved by the caller */
  int queue;          /* -N (1) or -n (0) */
  const char *sender; /* -f, or 0 */
  char bad;           /* the unknown option, after a usage error */
};
/* The index of the first recipient argument, or -1 for a usage error. */
int inject_options(struct inject_opts *o, int argc, char *const *argv);

/* QMAILINJECT letters */
struct inject_flags {
  int namecomment;    /* c: From: box@host (Name) */
  int ignore_returnpath; /* s */
  int delete_from;    /* f */
  int delete_messageid; /* i */
  int verp_recip;     /* r: per-recipient VERP */
  int verp_mess;      /* m: per-message VERP */
};
void inject_flags(struct inject_flags *f, const char *letters);

/* ---- new fields and the sender ---- */
/* The value of a new From field, before qualification:
   "Name" <user@host>, or user@host (Name) with comment; no host: user
   alone (qualified later with defaulthost). name may be 0 or "". */
int inject_from(stralloc *out, const char *name, const char *user, const char *host, int comment);
/* The default envelope sender: user[-WHEN.PID][-]@host, qualified;
   "-@[]" appended for a per-recipient VERP. 1, 0 unparsable, -1 nomem. */
int inject_sender(stralloc *out, const char *user, const char *host, const struct inject_flags *f,
                  unsigned long when, unsigned long pid, const struct addr_qualify *q);
/* "<YYYYMMDDHHMMSS.USEC.PID.qmail@idhost>" (UTC): unique as long as a
   pid is not reused within a microsecond. 1, or 0 out of memory. */
int inject_messageid(stralloc *out, time_t sec, unsigned long usec, unsigned long pid,
                     const char *idhost);

/* ---- reading the header ---- */
enum { HEADER_END_BLANK, HEADER_END_BODY, HEADER_END_EOF };
#define INJECT_READERR (-10)
/* Read the header from in, CR LF taken as LF, each field given to h.
   It ends at a blank line (read), at a line that cannot belong to a
   header (it starts the body: bodystart holds it as read, with its line
   end; the rest of it may still be in the buffer), or at the end of the
   input. HEADER_OK with *end set, a HEADER_* error, or INJECT_READERR. */
int inject_readheader(buffer *in, struct header *h, stralloc *bodystart, int *end);

/* ---- the body: CR LF -> LF, a final line end added ---- */
struct inject_lf { int cr; int last; };
void inject_lf_init(struct inject_lf *c);
/* Convert len bytes of in into out, which has room for len + 1 bytes;
   returns the bytes written. A CR at the end is held for the next call. */
size_t inject_lf(struct inject_lf *c, const char *in, size_t len, char *out);
/* The end: a held CR, then "\n" if the text did not end with one (and
   was not empty). out has room for 2 bytes. */
size_t inject_lf_end(struct inject_lf *c, char *out);

/* ---- envelope recipients ---- */
/* Append to out the NUL-terminated addresses of in that are not already
   in out or earlier in in (local part exact, domain in any case).
   1, or 0 out of memory. */
int inject_dedupe(stralloc *out, const stralloc *in);
size_t inject_count(const stralloc *list);

/* ---- the sendmail wrapper ---- */
enum { SENDMAIL_SEND, SENDMAIL_QREAD, SENDMAIL_SMTP, SENDMAIL_NEWALIASES };
struct sendmail_args {
  int mode;
  int headers;          /* -t: recipients from the header as well */
  const char *sender;   /* -f or -r, or 0 */
  const char *fullname; /* -F, or 0 */
  int first;            /* argv index of the first recipient */
  char bad;             /* the option not understood */
};
/* 1, or 0 for a usage error (bad says which option). */
int sendmail_parse(struct sendmail_args *a, int argc, char *const *argv);
/* The From identity for -f sender: user (and host; empty when the sender
   has no @), NUL-terminated. 1 set them, 0 nothing to set ("", "<>"),
   -1 out of memory. */
int sendmail_identity(const char *sender, stralloc *user, stralloc *host);
/* qmail-inject's wait status as a sendmail exit code (sysexits.h). */
int sendmail_exitcode(int wstatus);
#endif
