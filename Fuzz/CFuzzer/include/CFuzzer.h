#ifndef ALMANAC_CFUZZER_H
#define ALMANAC_CFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs with a main of their own (compiler-rt's
/// FuzzerDriver.cpp): parses libFuzzer's flags from argv and calls UserCb once per input.
/// Swift cannot export LLVMFuzzerTestOneInput beside its own main, so the harnesses call this.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
