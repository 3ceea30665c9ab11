/* One hexadecimal digit's value, for the parsers of JSON escapes, IP addresses and GUIDs (the
 * library's, and the recording DLL's, which compiles this header in too). */
#ifndef HCSOCI_HEX_DIGIT_H
#define HCSOCI_HEX_DIGIT_H

/* 0 to 15 for '0'-'9', 'a'-'f' and 'A'-'F'; -1 for any other character. */
static inline int hex_digit_value(int character)
{
    if (character >= '0' && character <= '9')
        return character - '0';
    if (character >= 'a' && character <= 'f')
        return character - 'a' + 10;
    if (character >= 'A' && character <= 'F')
        return character - 'A' + 10;
    return -1;
}

#endif
