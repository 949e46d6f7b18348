#include <unistd.h>
#include "bufwrite.h"

ssize_t bufwrite(int fd, const char *buf, size_t len) { return write(fd, buf, len); }
