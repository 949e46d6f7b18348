#ifndef TODOENV_H
#define TODOENV_H
#include <stddef.h>
/* The envelope as qmail-queue leaves it in intd/ID and todo/ID:
   u<uid>\0 p<pid>\0 F<sender>\0 then T<recipient>\0 for each recipient.
   Parsing never copies: fields point into the caller's buffer. */
struct todoenv {
  unsigned long uid, pid;
  const char *sender; size_t senderlen;
  const char *rcpts; size_t rcptslen; /* the T fields, as stored */
};
/* 1 when s[0..len) is a well-formed envelope, 0 when not */
int todoenv_parse(struct todoenv *e, const char *s, size_t len);
/* Step through the recipients: *pos starts at 0; returns 1 with the next
   address (without T and NUL) or 0 at the end. */
int todoenv_next(const struct todoenv *e, size_t *pos, const char **addr, size_t *len);
#endif
