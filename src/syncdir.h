#ifndef SYNCDIR_H
#define SYNCDIR_H
/* Linux does not make a link, rename or unlink durable until the directory
   itself is fsynced (and this project's disks run ext4 without a journal).
   fsync_dir(path) fsyncs a directory; fsync_parent(file) the directory
   that holds file. 0 or -1 (errno). */
int fsync_dir(const char *path);
int fsync_parent(const char *file);
#endif
