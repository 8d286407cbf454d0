// GitSync module
