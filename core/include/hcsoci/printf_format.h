/* HCSOCI_PRINTF_FORMAT(format_index, first_argument): GCC's check of printf-style arguments.
 * The library formats with C99 printf on every platform (on mingw-w64 its own stdio, which
 * knows %zu and %jd), so the check is gnu_printf there rather than Microsoft's ms_printf. */
#ifndef HCSOCI_PRINTF_FORMAT_H
#define HCSOCI_PRINTF_FORMAT_H

#if defined(__MINGW32__)
#define HCSOCI_PRINTF_FORMAT(format_index, first_argument) \
    __attribute__((format(gnu_printf, format_index, first_argument)))
#elif defined(__GNUC__)
#define HCSOCI_PRINTF_FORMAT(format_index, first_argument) \
    __attribute__((format(printf, format_index, first_argument)))
#else
#define HCSOCI_PRINTF_FORMAT(format_index, first_argument)
#endif

#endif
