#ifndef IPSECD_SHIM_SHIM_INT_H
#define IPSECD_SHIM_SHIM_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "shim/shim.h"

/*
 * What shim.c and shim_io.c share: the kind of each descriptor and the
 * real C library functions.  Only the interposed functions are exported
 * (SHIM_EXPORT); the library is built with -fvisibility=hidden so that
 * nothing else of ours can clash with the host program's symbols.
 */
#define SHIM_EXPORT __attribute__((visibility("default")))

/* Kind bits of a descriptor. */
#define SHIM_FD_PFKEY 0x01u   /* an emulated PF_KEY socket */
#define SHIM_FD_SOCKPOL 0x02u /* has a socket policy recorded in ipsecd */
#define SHIM_FD_MARKED 0x04u  /* we set SO_MARK (outbound bypass) */

/* The kind bits of fd; 0 for descriptors out of range. */
unsigned shim_fd_kind(int fd);
void shim_fd_set(int fd, unsigned kind);
/* Forget fd and return what it was. */
unsigned shim_fd_take(int fd);

/*
 * The next definition of name after this library (dlsym RTLD_NEXT),
 * cached in *slot.  Aborts when there is none: every name asked for is
 * the C library's own.
 */
void *shim_real(const char *name, void *_Atomic *slot);

/*
 * Resolve shim_io.c's real functions now (the library's constructor calls
 * it), so that no dlsym runs later inside, say, a signal handler's
 * write().
 */
void shim_io_resolve(void);

/* Call the real function name with the given pointer type. */
#define SHIM_REAL(name, type) ((type)shim_real(#name, &shim_real_##name))
#define SHIM_REAL_SLOT(name) static void *_Atomic shim_real_##name

#endif
