// The functions are static inline in include/cthread.h; SwiftPM needs one source file.
