# Tests of the attention module.
