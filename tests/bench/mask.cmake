# Benchmarks of the mask module.
