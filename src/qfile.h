#ifndef QFILE_H
#define QFILE_H
#include "stralloc.h"
/* Queue file names, relative to the queue directory (man 5 qmail-queue-
   layout). Split directories (mess, info, local, remote, bounce) get the
   subdirectory id % auto_split: "mess/17/1234567". Others: "todo/1234567".
   The result is NUL-terminated. 1 ok, 0 out of memory. */
int qfile_name(stralloc *sa, const char *dir, unsigned long id);
int qfile_is_split(const char *dir);
#endif
