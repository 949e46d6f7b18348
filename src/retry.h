#ifndef RETRY_H
#define RETRY_H
/* qmail's retry schedule: after an attempt at `now' on a message born at
   `birth', the next attempt is at birth + (floor(sqrt(now - birth)) + skip)^2
   seconds; skip is 10 for local and 20 for remote deliveries. */
long long retry_next(long long birth, long long now, unsigned int skip);
#define RETRY_SKIP_LOCAL 10
#define RETRY_SKIP_REMOTE 20
#endif
