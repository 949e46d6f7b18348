#ifndef CDBFILE_H
#define CDBFILE_H
/* Replacing a cdb (or any generated file) so that readers see the old
   one or the new one, never half of one, even after a crash: write
   NAME.tmp, fsync it, rename it over NAME, fsync the directory (the disk
   has no journal: the rename is durable only then). Used by qmail-newu
   and qmail-newmrh. Every failure is fatal (exit 111) with a message
   naming the file and the step, and removes the temporary file. */
struct cdbfile {
  const char *dir;     /* "control" */
  const char *name;    /* "control/morercpthosts.cdb" */
  const char *tmp;     /* "control/morercpthosts.tmp" */
  int fd;
};
/* Create tmp (mode 0644 whatever the umask) and return its fd. */
int cdbfile_open(struct cdbfile *f);
/* fsync and close tmp, rename it to name, fsync dir. */
void cdbfile_commit(struct cdbfile *f);
/* Fatal: "unable to write TMP: <errno>", tmp removed. */
void cdbfile_die_write(struct cdbfile *f) __attribute__((noreturn));
/* Remove tmp if we made it (call before any other fatal exit). */
void cdbfile_abort(struct cdbfile *f);
#endif
