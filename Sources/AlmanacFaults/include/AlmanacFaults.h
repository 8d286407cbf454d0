// The fault-injection shim has no API: it is loaded with LD_PRELOAD and replaces a few libc
// calls (see faults.c). This header only gives the C target its public include directory.
#ifndef ALMANAC_FAULTS_H
#define ALMANAC_FAULTS_H
#endif
