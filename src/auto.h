#ifndef AUTO_H
#define AUTO_H
/* The configuration compiled in from the conf-* files (tools/mkauto). */
extern const char auto_qmail[];    /* home: queue, control, bin, users */
extern const unsigned int auto_split; /* queue subdirectory count */
extern const int auto_sandbox;     /* 1: one user owns everything, and
                                      /etc/passwd is never used for mail */
extern const char auto_usera[];    /* alias */
extern const char auto_userd[];    /* qmaild */
extern const char auto_userl[];    /* qmaill */
extern const char auto_usero[];    /* root */
extern const char auto_userp[];    /* qmailp */
extern const char auto_userq[];    /* qmailq */
extern const char auto_userr[];    /* qmailr */
extern const char auto_users[];    /* qmails */
extern const char auto_groupq[];   /* qmail */
extern const char auto_groupn[];   /* nofiles */
#endif
