"""The Python module against the command line: the same features, estimates, rows and attention,
bit for bit; shards; errors as Python exceptions. Run by CTest (label python) with PYTHONPATH at the
built module and TOPOMASK_BIN at the topomask executable."""
import os
import subprocess
import tempfile
import threading
import time
import unittest

import numpy as np
import scipy.sparse as sp

import topomask

BIN = os.environ.get("TOPOMASK_BIN", "topomask")


def grid_edges(w, h, diagonal_weight=0.5):
    """A w x h grid with weighted diagonals every fifth cell (irregular degrees): E x 3."""
    edges = []
    for y in range(h):
        for x in range(w):
            i = y * w + x
            if x + 1 < w:
                edges.append((i, i + 1, 1.0))
            if y + 1 < h:
                edges.append((i, i + w, 1.0))
            if (x + y) % 5 == 0 and x + 1 < w and y + 1 < h:
                edges.append((i, i + w + 1, diagonal_weight))
    return np.array(edges)


def cli_args(options):
    args = []
    for name, value in options.items():
        args += ["--" + name.replace("_", "-"), str(value)]
    return args


def same_bits(a, b):
    """Two CSR matrices with the same shape, structure and float32 bits."""
    a, b = sp.csr_matrix(a), sp.csr_matrix(b)
    return (a.shape == b.shape and np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
            and a.data.dtype == np.float32 and b.data.dtype == np.float32
            and np.array_equal(a.data.view(np.uint32), b.data.view(np.uint32)))


OPTION_SETS = [
    dict(walkers=8, seed=3),
    dict(walkers=6, seed=9, ensembles="independent", norm="rw", sampling="repelling"),
    dict(walkers=4, seed=1, ensembles="asymmetric", kernel="reglap1", beta=0.5, p_halt=0.3),
    dict(walkers=10, seed=5, ensembles="shared", norm="rw", sampling="antithetic", max_len=6),
]


class ModuleAgainstCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.edges = grid_edges(9, 7)
        cls.path = os.path.join(cls.dir.name, "grid.edges")
        np.savetxt(cls.path, cls.edges, fmt=["%d", "%d", "%.17g"])
        cls.n = 63

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def cli(self, *args):
        result = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def out(self, name):
        return os.path.join(self.dir.name, name)

    def test_cli_archive_equals_module(self):
        for k, options in enumerate(OPTION_SETS):
            with self.subTest(options=options):
                for what, function in (("grf", topomask.grf_features), ("grf_keys", topomask.grf_keys)):
                    npz = self.out(f"{what}{k}.npz")
                    self.cli("export", self.path, "--what", what, "--out", npz, *cli_args(options))
                    from_cli = sp.load_npz(npz)
                    self.assertEqual(from_cli.format, "csr")
                    self.assertEqual(from_cli.shape, (self.n, self.n))
                    self.assertEqual(from_cli.dtype, np.float32)
                    from_module = function(self.path, **options)
                    self.assertIsInstance(from_module, sp.csr_matrix)
                    self.assertTrue(same_bits(from_cli, from_module), what)

    def test_product_equals_mask_dense_estimate(self):
        for k, options in enumerate(OPTION_SETS):
            with self.subTest(options=options):
                prefix = self.out(f"mask{k}")
                self.cli("mask", self.path, "--dense", "--out-prefix", prefix, *cli_args(options))
                estimate = np.load(prefix + "_grf.npy")
                q = topomask.grf_features(self.path, **options).astype(np.float64)
                keys = topomask.grf_keys(self.path, **options).astype(np.float64)
                product = (q @ keys.T).toarray()
                self.assertEqual(product.shape, estimate.shape)
                scale = np.abs(estimate).max()
                self.assertGreater(scale, 0)
                self.assertLessEqual(np.abs(product - estimate).max(), 1e-6 * scale)
                if options.get("ensembles") == "asymmetric":
                    self.assertTrue(same_bits(keys.astype(np.float32), sp.identity(self.n, dtype=np.float32, format="csr")))

    def test_shards_equal_rows(self):
        for options in OPTION_SETS:
            for function in (topomask.grf_features, topomask.grf_keys):
                with self.subTest(options=options, side=function.__name__):
                    full = function(self.path, **options)
                    bounds = [0, 1, 20, 40, 62, 63]
                    shards = [function(self.path, nodes=(a, b), threads=1, **options) for a, b in zip(bounds, bounds[1:])]
                    for (a, b), shard in zip(zip(bounds, bounds[1:]), shards):
                        self.assertEqual(shard.shape, (b - a, self.n))
                        self.assertTrue(same_bits(shard, full[a:b]), f"rows {a}:{b}")
                    self.assertTrue(same_bits(sp.vstack(shards, format="csr"), full))
        # The string form and the command line's shard agree too.
        npz = self.out("shard.npz")
        self.cli("export", self.path, "--what", "grf", "--out", npz, "--nodes", "10:30", "--walkers", "8")
        self.assertTrue(same_bits(sp.load_npz(npz), topomask.grf_features(self.path, nodes="10:30", walkers=8)))

    def test_arrays_equal_a_path(self):
        options = dict(walkers=8, seed=2, norm="rw")
        from_path = topomask.grf_features(self.path, **options)
        self.assertTrue(same_bits(topomask.grf_features(self.edges, **options), from_path))
        self.assertTrue(same_bits(topomask.grf_features((self.edges[:, :2].astype(np.int64), self.edges[:, 2]), **options),
                                  from_path))
        i, j, w = self.edges[:, 0].astype(int), self.edges[:, 1].astype(int), self.edges[:, 2]
        adjacency = sp.csr_matrix((np.r_[w, w], (np.r_[i, j], np.r_[j, i])), shape=(self.n, self.n))
        self.assertTrue(same_bits(topomask.grf_features(adjacency, **options), from_path))
        self.assertTrue(np.array_equal(topomask.exact_rows(adjacency, [0, 5], norm="rw"),
                                       topomask.exact_rows(self.path, [0, 5], norm="rw")))

    def test_exact_rows_and_attention_equal_cli(self):
        rows_npy = self.out("rows.npy")
        self.cli("export", self.path, "--what", "mask", "--query", "0", "--query", "17", "--beta", "0.7",
                 "--out", rows_npy)
        rows = topomask.exact_rows(self.path, [0, 17], beta=0.7)
        self.assertEqual(rows.shape, (2, self.n))
        self.assertTrue(np.array_equal(rows, np.load(rows_npy)))
        for method in ("exact_masked", "grf_masked", "linear", "dense"):
            with self.subTest(method=method):
                npy = self.out(f"att_{method}.npy")
                self.cli("export", self.path, "--what", "attention", "--method", method, "--walkers", "8",
                         "--seed", "4", "--d", "8", "--out", npy)
                mine = topomask.attention(self.path, method, walkers=8, seed=4, d=8)
                self.assertTrue(np.array_equal(mine, np.load(npy)), method)

    def test_user_tokens(self):
        rng = np.random.default_rng(0)
        q, k, v = rng.normal(size=(self.n, 4)), rng.normal(size=(self.n, 4)), rng.normal(size=(self.n, 3))
        out = topomask.attention(self.path, "linear", q=q, k=k, v=v)
        # Unmasked linear attention with the ReLU feature map phi(x) = max(x, 0) + 1e-6: the formula, in numpy.
        fq, fk = np.maximum(q, 0) + 1e-6, np.maximum(k, 0) + 1e-6
        scores = fq @ fk.T
        expected = (scores @ v) / scores.sum(axis=1, keepdims=True)
        guarded = scores.sum(axis=1) > 1e-12 * scores.sum(axis=1).max()
        self.assertEqual(out.shape, (self.n, 3))
        np.testing.assert_allclose(out[guarded], expected[guarded], rtol=1e-9, atol=1e-12)
        with self.assertRaisesRegex(ValueError, "rows"):
            topomask.attention(self.path, "linear", q=q[:5], k=k[:5], v=v[:5])
        with self.assertRaisesRegex(ValueError, "q, k, v"):
            topomask.attention(self.path, "linear", q=q)

    def test_savez_tokens_give_the_same_attention_from_cli_and_module(self):
        # A model's own tokens saved by numpy (stored and deflated, one head and three): the command line's
        # --tokens / --head and the module's q, k, v or tokens= give the same outputs, bit for bit.
        rng = np.random.default_rng(7)
        q, k, v = rng.normal(size=(self.n, 5)), rng.normal(size=(self.n, 5)), rng.normal(size=(self.n, 3))
        single = self.out("tokens.npz")
        np.savez(single, q=q, k=k, v=v)
        heads = self.out("heads.npz")
        qh, kh, vh = (rng.normal(size=(3, self.n, 4)).astype(np.float32) for _ in range(3))
        np.savez_compressed(heads, q=qh, k=kh, v=vh)
        for method in ("exact_masked", "grf_masked", "linear", "dense"):
            with self.subTest(method=method):
                npy = self.out(f"tok_{method}.npy")
                self.cli("export", self.path, "--what", "attention", "--method", method, "--tokens", single,
                         "--walkers", "8", "--seed", "2", "--out", npy)
                from_cli = np.load(npy)
                self.assertEqual(from_cli.shape, (self.n, 3))
                self.assertTrue(np.array_equal(topomask.attention(self.path, method, q=q, k=k, v=v, walkers=8, seed=2),
                                               from_cli))
                self.assertTrue(np.array_equal(topomask.attention(self.path, method, tokens=single, walkers=8, seed=2),
                                               from_cli))
                npy = self.out(f"tok_{method}_head1.npy")
                self.cli("export", self.path, "--what", "attention", "--method", method, "--tokens", heads,
                         "--head", "1", "--walkers", "8", "--seed", "2", "--out", npy)
                from_cli = np.load(npy)
                self.assertTrue(np.array_equal(topomask.attention(self.path, method, q=qh, k=kh, v=vh, head=1,
                                                                  walkers=8, seed=2), from_cli))
                self.assertTrue(np.array_equal(
                    topomask.attention(self.path, method, q=qh[1], k=kh[1], v=vh[1], walkers=8, seed=2), from_cli))
                self.assertFalse(np.array_equal(
                    topomask.attention(self.path, method, q=qh[0], k=kh[0], v=vh[0], walkers=8, seed=2), from_cli))
        # The tokens the command line reads are the file's.
        npy = self.out("tok_tokens.npy")
        self.cli("export", self.path, "--what", "tokens", "--tokens", heads, "--head", "2", "--out", npy)
        self.assertTrue(np.array_equal(np.load(npy), np.hstack([qh[2], kh[2], vh[2]]).astype(np.float64)))
        # Errors: a file's are topomask.Error (exit 3 on the command line), arguments' ValueError.
        bad = self.out("bad_tokens.npz")
        np.savez(bad, q=q, k=k[:, :4], v=v)
        with self.assertRaisesRegex(topomask.Error, "array 'k'"):
            topomask.attention(self.path, "linear", tokens=bad)
        result = subprocess.run([BIN, "attention", self.path, "--tokens", bad], capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn("array 'k'", result.stderr)
        with self.assertRaisesRegex(ValueError, "head 3"):
            topomask.attention(self.path, "linear", tokens=heads, head=3)
        with self.assertRaisesRegex(ValueError, "non-finite"):
            topomask.attention(self.path, "linear", q=np.full_like(q, np.nan), k=k, v=v)
        with self.assertRaisesRegex(ValueError, "not both"):
            topomask.attention(self.path, "linear", q=q, k=k, v=v, tokens=single)

    def test_bad_options_raise(self):
        cases = [
            # GRF options: the engine's rule, worded with this module's keyword (not a CLI flag)
            (dict(walkers=0), ValueError, "^walkers: must be between 1 and"),
            (dict(p_halt=1.5), ValueError, r"^p_halt: must be in \[0, 1\)"),
            (dict(max_len=-2), ValueError, "^max_len: the walk length cap"),
            (dict(k=0), ValueError, "^k: the number of nearest neighbours"),
            (dict(beta=float("nan")), ValueError, "^beta: must be finite"),
            (dict(kernel="gauss"), ValueError, "gauss"),
            (dict(nodes="5:2"), ValueError, "nodes"),
            (dict(nodes=(0, 64)), ValueError, "nodes"),
            (dict(nodes="x"), ValueError, "nodes"),
            (dict(walkers="many"), TypeError, "walkers"),
            (dict(seed=-1), ValueError, "seed"),
            (dict(wlakers=8), TypeError, "unknown option 'wlakers'"),
            (dict(sampling="antithetic", walkers=3), ValueError, "^walkers: antithetic termination pairs"),
        ]
        for options, error, text in cases:
            with self.subTest(options=options):
                with self.assertRaisesRegex(error, text):
                    topomask.grf_features(self.path, **options)
        with self.assertRaisesRegex(topomask.Error, "no-such-file"):
            topomask.grf_features(self.out("no-such-file.edges"))
        with self.assertRaisesRegex(ValueError, "negative"):
            topomask.grf_features(np.array([[0, 1], [-1, 2]]))
        with self.assertRaisesRegex(ValueError, "method"):
            topomask.attention(self.path, "softmaxx")
        with self.assertRaisesRegex(ValueError, "out of range"):
            topomask.exact_rows(self.path, [self.n])

    def test_gil_released_while_sampling(self):
        # A Python thread keeps running while the engine samples a larger graph.
        edges = grid_edges(300, 300)[:, :2].astype(np.int64)
        ticks = []
        done = threading.Event()

        def count():
            while not done.is_set():
                ticks.append(time.perf_counter())
                time.sleep(0.001)

        thread = threading.Thread(target=count)
        start = time.perf_counter()
        thread.start()
        try:
            topomask.grf_features(edges, walkers=16, threads=1)
        finally:
            done.set()
            thread.join()
        elapsed = time.perf_counter() - start
        during = [t for t in ticks if t < start + elapsed]
        if elapsed > 0.1:  # only meaningful when the call takes a while
            self.assertGreater(len(during), 10, f"{len(during)} ticks in {elapsed:.3f} s")


if __name__ == "__main__":
    unittest.main()
