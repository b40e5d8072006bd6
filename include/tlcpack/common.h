/*
 * Shared attributes for libtlcpack's public headers.
 */
#ifndef TLC_COMMON_H
#define TLC_COMMON_H

#if defined(__GNUC__) || defined(__clang__)
#define TLC_WARN_UNUSED __attribute__((warn_unused_result))
#define TLC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TLC_WARN_UNUSED
#define TLC_PRINTF(f, a)
#endif

#endif
