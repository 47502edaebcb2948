# Real frames under xvfb-run.
