# Benchmarks of the grf module.
