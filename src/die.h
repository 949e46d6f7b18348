#ifndef DIE_H
#define DIE_H
/* Messages to stderr that name the program: "PROG: fatal: ...",
   "PROG: warning: ...". Arguments are strings, as many as needed. */
void die_program(const char *name);
void fatal_(int code, ...) __attribute__((noreturn, sentinel));
void warning_(int unused, ...) __attribute__((sentinel));
#define fatal(code, ...) fatal_((code), __VA_ARGS__, (const char *)0)
#define warning(...) warning_(0, __VA_ARGS__, (const char *)0)
/* errno as text */
const char *error_str(int e);
#endif
