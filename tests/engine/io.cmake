# Tests of the io module.
