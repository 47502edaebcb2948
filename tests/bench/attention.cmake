# Benchmarks of the attention module.
