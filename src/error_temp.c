#include <errno.h>
#include "error_temp.h"

int error_temp(int e)
{
  switch (e) {
    case ENAMETOOLONG:
    case ELOOP:
      return 0;
    default:
      return 1;
  }
}
