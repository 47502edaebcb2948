# Tests of the mask module.
