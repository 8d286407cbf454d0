// SwiftPM needs one source file per C target; the declaration in include/CFuzzer.h is the
// whole of this module, its definition comes from libFuzzer (-sanitize=fuzzer).
#include "CFuzzer.h"
