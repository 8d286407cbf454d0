// Status module
