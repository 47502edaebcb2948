"""examples/dask_shards.py on a small graph with a LocalCluster of two worker processes: the
assembled shards equal the single-process features bit for bit (the example checks and exits 1
otherwise; this test checks again from the saved archive)."""
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import scipy.sparse as sp

import topomask

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "dask_shards.py")


class DaskShards(unittest.TestCase):
    def test_two_workers_bit_for_bit(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "grid.edges")
            w, h = 30, 20
            with open(path, "w") as f:
                for y in range(h):
                    for x in range(w):
                        i = y * w + x
                        if x + 1 < w:
                            f.write(f"{i} {i + 1}\n")
                        if y + 1 < h:
                            f.write(f"{i} {i + w}\n")
            for extra in ([], ["--keys", "--ensembles", "independent", "--norm", "rw"]):
                with self.subTest(extra=extra):
                    out = os.path.join(folder, "assembled.npz")
                    result = subprocess.run(
                        [sys.executable, EXAMPLE, path, "--workers", "2", "--shards", "7", "--walkers", "8",
                         "--seed", "13", "--out", out, *extra],
                        capture_output=True, text=True, timeout=300)
                    self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                    self.assertIn("bit for bit: True", result.stdout)
                    self.assertIn("on 2 workers", result.stdout)
                    options = dict(walkers=8, seed=13)
                    if extra:
                        options.update(ensembles="independent", norm="rw")
                    single = (topomask.grf_keys if extra else topomask.grf_features)(path, **options)
                    assembled = sp.load_npz(out).tocsr()
                    self.assertEqual(assembled.shape, (w * h, w * h))
                    self.assertTrue(np.array_equal(assembled.indptr, single.indptr))
                    self.assertTrue(np.array_equal(assembled.indices, single.indices))
                    self.assertTrue(np.array_equal(assembled.data.view(np.uint32), single.data.view(np.uint32)))


if __name__ == "__main__":
    unittest.main()
