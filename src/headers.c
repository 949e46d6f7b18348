/* Header fields of an injected message: recognise, rewrite, collect
   recipients, drop and add (qmail-header(5)). */
#include "byte.h"
#include "headers.h"
#include "str.h"

/* what a field holds */
enum { K_NONE, K_SENDER, K_TOCC, K_HR, K_HRR, K_RETURN };

static const struct { const char *name; unsigned char kind, drop; } hf[H_NUM] = {
  [H_OTHER] = { "", K_NONE, 0 },
  [H_SENDER] = { "sender", K_SENDER, 0 },
  [H_FROM] = { "from", K_SENDER, 0 },
  [H_REPLYTO] = { "reply-to", K_SENDER, 0 },
  [H_TO] = { "to", K_TOCC, 0 },
  [H_CC] = { "cc", K_TOCC, 0 },
  [H_BCC] = { "bcc", K_HR, 1 },
  [H_DATE] = { "date", K_NONE, 0 },
  [H_MESSAGEID] = { "message-id", K_NONE, 0 },
  [H_R_SENDER] = { "resent-sender", K_SENDER, 0 },
  [H_R_FROM] = { "resent-from", K_SENDER, 0 },
  [H_R_REPLYTO] = { "resent-reply-to", K_SENDER, 0 },
  [H_R_TO] = { "resent-to", K_HRR, 0 },
  [H_R_CC] = { "resent-cc", K_HRR, 0 },
  [H_R_BCC] = { "resent-bcc", K_HRR, 1 },
  [H_R_DATE] = { "resent-date", K_NONE, 0 },
  [H_R_MESSAGEID] = { "resent-message-id", K_NONE, 0 },
  [H_RETURNRECEIPTTO] = { "return-receipt-to", K_SENDER, 0 },
  [H_ERRORSTO] = { "errors-to", K_SENDER, 0 },
  [H_APPARENTLYTO] = { "apparently-to", K_HR, 0 },
  [H_RETURNPATH] = { "return-path", K_RETURN, 1 },
  /* a length that no longer matches after rewriting is worse than none */
  [H_CONTENTLENGTH] = { "content-length", K_NONE, 1 },
  [H_MAILFOLLOWUPTO] = { "mail-followup-to", K_SENDER, 0 },
  [H_MAILREPLYTO] = { "mail-reply-to", K_SENDER, 0 },
  [H_DISPNOTIFTO] = { "disposition-notification-to", K_SENDER, 0 },
};

static int blank(char c) { return c == ' ' || c == '\t'; }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

static int hmatch(const char *s, size_t len, const char *name)
{
  size_t k;
  for (k = 0; name[k]; ++k)
    if (k >= len || lower(s[k]) != name[k]) return 0;
  while (k < len && blank(s[k])) ++k;
  return k < len && s[k] == ':';
}

int hfield_known(const char *s, size_t len)
{
  int t;
  for (t = 1; t < H_NUM; ++t)
    if (hmatch(s, len, hf[t].name)) return t;
  return H_OTHER;
}

int hfield_valid(const char *s, size_t len)
{
  size_t colon = byte_chr(s, len, ':'), k;
  if (colon >= len) return 0;
  while (colon > 0 && blank(s[colon - 1])) --colon;
  if (!colon) return 0;
  for (k = 0; k < colon; ++k)
    if ((unsigned char)s[k] <= 32 || (unsigned char)s[k] >= 127) return 0;
  return 1;
}

int header_linetype(const char *s, size_t len)
{
  if (!len) return HLINE_END;
  if (blank(s[0])) return HLINE_CONT;
  if (len >= 5 && byte_equal(s, 5, "From ")) return HLINE_MBOX;
  return hfield_valid(s, len) ? HLINE_FIELD : HLINE_BODY;
}

void header_init(struct header *h, const struct header_conf *c)
{
  h->conf = c;
  byte_zero(h->seen, sizeof h->seen);
  h->fields = h->bytes = 0;
  stralloc_zero(&h->kept);
  stralloc_zero(&h->hr);
  stralloc_zero(&h->hrr);
  stralloc_zero(&h->tocc);
  stralloc_zero(&h->returnpath);
  h->returnpath_set = 0;
  h->bad_hr = h->bad_hrr = 0;
  stralloc_zero(&h->bad);
}

void header_free(struct header *h)
{
  stralloc_free(&h->kept);
  stralloc_free(&h->hr);
  stralloc_free(&h->hrr);
  stralloc_free(&h->tocc);
  stralloc_free(&h->returnpath);
  stralloc_free(&h->bad);
}

static int check_lengths(const stralloc *addrs)
{
  size_t k = 0;
  while (k < addrs->len) {
    size_t n = byte_chr(addrs->s + k, addrs->len - k, 0);
    if (n > ADDRESS_MAX) return 0;
    k += n + 1;
  }
  return 1;
}

static int is_recipient_kind(int kind) { return kind == K_TOCC || kind == K_HR || kind == K_HRR; }

/* A recipient field that does not parse stays as it is; it is an error
   only if the envelope is to come from that list (header_recipients_ok). */
static int unparsable(struct header *h, int kind, const char *f, size_t len)
{
  if (kind == K_RETURN && !h->conf->sender_given) return HEADER_BADADDR;
  if (is_recipient_kind(kind)) {
    int *bad = kind == K_HRR ? &h->bad_hrr : &h->bad_hr;
    if (!*bad && !h->bad_hr && !h->bad_hrr && !stralloc_copyb(&h->bad, f, len)) return HEADER_NOMEM;
    *bad = 1;
  }
  return HEADER_OK;
}

static int collect(struct header *h, int kind, const stralloc *addrs)
{
  if (kind == K_RETURN) {
    size_t n;
    if (h->returnpath_set || h->conf->sender_given || !addrs->len) return 1;
    n = byte_chr(addrs->s, addrs->len, 0);
    h->returnpath_set = 1;
    return stralloc_copyb(&h->returnpath, addrs->s, n);
  }
  if (kind == K_TOCC && !stralloc_cat(&h->tocc, addrs)) return 0;
  if (kind == K_TOCC || kind == K_HR) return stralloc_cat(&h->hr, addrs);
  if (kind == K_HRR) return stralloc_cat(&h->hrr, addrs);
  return 1;
}

/* Rewrite an address field; *out is the field to keep (unless drop). */
static int address_field(struct header *h, int type, const char *f, size_t len, stralloc *out, int *gone)
{
  static stralloc value, addrs;
  int kind = hf[type].kind;
  size_t colon = byte_chr(f, len, ':'), name = colon, vlen;
  int r;
  while (name > 0 && blank(f[name - 1])) --name;
  vlen = len - colon - 1;
  if (vlen && f[len - 1] == '\n') --vlen;
  stralloc_zero(&addrs);
  r = addr_rewrite(&value, f + colon + 1, vlen, name + 1, h->conf->q, &addrs,
                   kind == K_RETURN ? ADDR_KEEPEMPTY : 0);
  if (r == -1) return HEADER_NOMEM;
  if (r == 0) {
    r = unparsable(h, kind, f, len);
    if (r != HEADER_OK) return r;
    h->seen[type] = 1;
    return stralloc_copyb(out, f, len) ? HEADER_OK : HEADER_NOMEM;
  }
  if ((is_recipient_kind(kind) || kind == K_RETURN) && !check_lengths(&addrs)) return HEADER_ADDRLONG;
  /* From: without an address is no From: at all; a new one is made */
  if ((type == H_FROM || type == H_R_FROM) && !addrs.len) { *gone = 1; return HEADER_OK; }
  if (!collect(h, kind, &addrs)) return HEADER_NOMEM;
  if (!stralloc_copyb(out, f, name) || !stralloc_append(out, ":")) return HEADER_NOMEM;
  if (!stralloc_cat(out, &value) || !stralloc_append(out, "\n")) return HEADER_NOMEM;
  h->seen[type] = 1;
  return HEADER_OK;
}

int header_field(struct header *h, const char *f, size_t len)
{
  static stralloc line;
  const struct header_conf *c = h->conf;
  int type = hfield_known(f, len), gone = 0, r;
  if (h->fields >= HEADER_FIELDS_MAX) return HEADER_TOOMANY;
  if (len > HEADER_FIELD_MAX || len > HEADER_BYTES_MAX - h->bytes) return HEADER_TOOBIG;
  ++h->fields;
  h->bytes += len;
  if (type == H_FROM && c->delete_from) return HEADER_OK;
  if (type == H_MESSAGEID && c->delete_messageid) return HEADER_OK;
  if (type == H_RETURNPATH && c->ignore_returnpath) return HEADER_OK;
  if (hf[type].kind == K_NONE) {
    h->seen[type] = 1;
    if (hf[type].drop) return HEADER_OK;
    return stralloc_catb(&h->kept, f, len) ? HEADER_OK : HEADER_NOMEM;
  }
  r = address_field(h, type, f, len, &line, &gone);
  if (r != HEADER_OK || gone || hf[type].drop) return r;
  return stralloc_cat(&h->kept, &line) ? HEADER_OK : HEADER_NOMEM;
}

int header_resent(const struct header *h)
{
  static const int resent[] = { H_R_SENDER, H_R_FROM, H_R_REPLYTO, H_R_TO, H_R_CC, H_R_BCC,
                                H_R_DATE, H_R_MESSAGEID };
  size_t k;
  for (k = 0; k < sizeof resent / sizeof resent[0]; ++k)
    if (h->seen[resent[k]]) return 1;
  return 0;
}

const stralloc *header_recipients(const struct header *h)
{
  return header_resent(h) ? &h->hrr : &h->hr;
}

int header_recipients_ok(const struct header *h)
{
  return header_resent(h) ? !h->bad_hrr : !h->bad_hr;
}

static int cat_field(stralloc *top, const char *pre, const char *name, const char *value)
{
  return stralloc_cats(top, pre) && stralloc_cats(top, name) && stralloc_cats(top, value)
         && stralloc_append(top, "\n");
}

/* Mail-Followup-To: when To or Cc names one of the lists */
static int add_mft(stralloc *top, const struct header *h, const struct constmap *mft)
{
  static stralloc list, value;
  size_t k = 0;
  int found = 0, r;
  if (!mft || h->seen[H_MAILFOLLOWUPTO]) return HEADER_OK;
  stralloc_zero(&list);
  while (k < h->tocc.len) {
    size_t n = byte_chr(h->tocc.s + k, h->tocc.len - k, 0);
    if (constmap_lookup(mft, h->tocc.s + k, n)) found = 1;
    if (list.len && !stralloc_cats(&list, ", ")) return HEADER_NOMEM;
    if (!addr_quote(&list, h->tocc.s + k, n)) return HEADER_NOMEM;
    k += n + 1;
  }
  if (!found) return HEADER_OK;
  r = addr_rewrite(&value, list.s, list.len, 17, h->conf->q, 0, 0);
  if (r == -1) return HEADER_NOMEM;
  if (r == 0) return HEADER_OK; /* cannot happen: the addresses came from a parse */
  if (!stralloc_cats(top, "Mail-Followup-To:") || !stralloc_cat(top, &value)) return HEADER_NOMEM;
  return stralloc_append(top, "\n") ? HEADER_OK : HEADER_NOMEM;
}

int header_top(stralloc *top, const struct header *h, const struct header_add *a)
{
  static stralloc value;
  int resent = header_resent(h);
  const char *pre = resent ? "Resent-" : "";
  stralloc_zero(top);
  if (!h->seen[resent ? H_R_DATE : H_DATE] && !cat_field(top, pre, "Date: ", a->date))
    return HEADER_NOMEM;
  if (!h->seen[resent ? H_R_MESSAGEID : H_MESSAGEID] && !cat_field(top, pre, "Message-ID: ", a->messageid))
    return HEADER_NOMEM;
  if (!h->seen[resent ? H_R_FROM : H_FROM]) {
    int r = addr_rewrite(&value, a->from, str_len(a->from), str_len(pre) + 5, h->conf->q, 0, 0);
    if (r == -1) return HEADER_NOMEM;
    if (r == 0 || !value.len) return HEADER_BADADDR;
    if (!stralloc_0(&value)) return HEADER_NOMEM;
    if (!cat_field(top, pre, "From:", value.s)) return HEADER_NOMEM;
  }
  if (!h->seen[resent ? H_R_TO : H_TO] && !h->seen[resent ? H_R_CC : H_CC])
    if (!cat_field(top, pre, "Cc: ", "recipient list not shown: ;")) return HEADER_NOMEM;
  return resent ? HEADER_OK : add_mft(top, h, a->mft);
}
