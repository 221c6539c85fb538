/*
 * compat.h: compiler attributes and small macros shared by every module.
 */
#ifndef REFUGE_CORE_COMPAT_H
#define REFUGE_CORE_COMPAT_H

/* Marks a printf-like function so -Wformat checks its callers. */
#define ATTR_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
/* Warns when a caller ignores the result (every fallible function). */
#define ATTR_NODISCARD __attribute__((warn_unused_result))
/* Functions that never return. */
#define ATTR_NORETURN __attribute__((noreturn))
/* Number of elements of a true array. */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
