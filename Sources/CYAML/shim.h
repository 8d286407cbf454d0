#ifndef ALMANAC_CYAML_SHIM_H
#define ALMANAC_CYAML_SHIM_H
#include <yaml.h>
#endif
