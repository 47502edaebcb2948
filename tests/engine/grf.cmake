# Tests of the grf module.
