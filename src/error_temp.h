#ifndef ERROR_TEMP_H
#define ERROR_TEMP_H
/* Is this errno a temporary condition? Unknown errors are temporary:
   mail must never bounce because of a passing fault. */
int error_temp(int e);
#endif
