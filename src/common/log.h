#ifndef IPSECD_COMMON_LOG_H
#define IPSECD_COMMON_LOG_H

#include <stdbool.h>

/*
 * Logging for the programs (never for the pure core, which returns
 * verdicts).  log_init() chooses stderr (foreground) or syslog and the
 * verbosity: 0 = warnings and info, 1 = debug too.  The *_warn variants
 * append ": strerror(errno)"; the *x variants do not.  fatal and fatalx log
 * and exit(1); use them only at start-up (STYLE.md section 5).
 */
void log_init(const char *ident, bool to_stderr, int verbose);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
