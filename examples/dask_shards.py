#!/usr/bin/env python3
"""Graph random features of a graph in node-range shards on a Dask cluster.

Each Dask task samples the rows A..B-1 of Phi_Q (or Phi_K with --keys) with the topomask module,
exactly what `topomask export GRAPH --what grf --nodes A:B` writes. Every node's walks use their own
random stream (seed, node, ensemble), so the shards, stacked, are bit for bit the features of one
single-process run; the script checks that unless --no-check is given.

    # a LocalCluster of 4 worker processes on this machine
    PYTHONPATH=build/python /usr/bin/python3 examples/dask_shards.py GRAPH --workers 4 --shards 16
    # a running Dask scheduler (workers need the module on their PYTHONPATH and the graph file)
    PYTHONPATH=build/python /usr/bin/python3 examples/dask_shards.py GRAPH --scheduler tcp://host:8786

Memory: a shard of rows A..B-1 holds about (B - A) x walkers x (mean walk length + 1) non-zeros
(8 bytes each, int32 index and float32 value) plus about 8.3 bytes per graph node of scratch per
thread; every worker also loads the whole graph. The assembled matrix lives on the client.
"""
import argparse
import os
import sys
import time


def _import_topomask(module_dir):
    """Imports topomask, from module_dir or ../build/python when it is not on the path already."""
    candidates = [module_dir] if module_dir else []
    candidates.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "python"))
    try:
        import topomask  # noqa: F401
        return None
    except ImportError:
        pass
    for directory in candidates:
        directory = os.path.abspath(directory)
        if os.path.isdir(directory):
            sys.path.insert(0, directory)
            try:
                import topomask  # noqa: F401
                return directory
            except ImportError:
                sys.path.pop(0)
    sys.exit("dask_shards: cannot import the topomask module: build it (scripts/test or cmake --build build) "
             "and set PYTHONPATH=build/python, or pass --module-dir")


def sample_shard(graph, begin, end, keys, options):
    """One task: rows begin..end-1 of Phi_Q (or Phi_K). Runs on a worker."""
    import topomask
    function = topomask.grf_keys if keys else topomask.grf_features
    return begin, function(graph, nodes=(begin, end), **options)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("graph", help="mesh, point cloud, image or graph file (the same path on every worker)")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (default: a LocalCluster)")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    parser.add_argument("--shards", type=int, default=0, help="number of node ranges (default: 4 per worker)")
    parser.add_argument("--keys", action="store_true", help="the key side Phi_K instead of Phi_Q")
    parser.add_argument("--no-check", action="store_true", help="skip the single-process comparison")
    parser.add_argument("--out", help="write the assembled features as a SciPy .npz (scipy.sparse.save_npz)")
    parser.add_argument("--module-dir", help="directory holding the topomask module (default: build/python)")
    # The topomask options used here (the module takes every command-line option).
    parser.add_argument("--walkers", type=int, default=16)
    parser.add_argument("--p-halt", type=float, default=0.1)
    parser.add_argument("--max-len", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sampling", default="iid")
    parser.add_argument("--ensembles", default="shared")
    parser.add_argument("--kernel", default="heat")
    parser.add_argument("--beta", type=float, default=1.0)
    parser.add_argument("--norm", default="sym")
    parser.add_argument("--graph-kind", default="auto", help="topomask --graph (auto, mesh, knn, grid4, ...)")
    parser.add_argument("--threads", type=int, default=1, help="engine threads per task (results do not depend on it)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.shards < 0:
        parser.error("--shards must be positive")

    module_dir = _import_topomask(args.module_dir)
    if module_dir:  # worker processes inherit the environment
        os.environ["PYTHONPATH"] = module_dir + os.pathsep + os.environ.get("PYTHONPATH", "")
    import numpy as np
    import scipy.sparse as sp
    import topomask
    from dask.distributed import Client, LocalCluster

    graph = os.path.abspath(args.graph) if os.path.exists(args.graph) else args.graph
    options = dict(walkers=args.walkers, p_halt=args.p_halt, max_len=args.max_len, seed=args.seed,
                   sampling=args.sampling, ensembles=args.ensembles, kernel=args.kernel, beta=args.beta,
                   norm=args.norm, graph=args.graph_kind)
    # The node count, from one row (options are checked here, before any task is sent).
    nodes = topomask.grf_features(graph, nodes=(0, 1), threads=1, **options).shape[1]

    if args.scheduler:
        cluster = None
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        workers = max(1, len(client.scheduler_info()["workers"]))
        shards = min(nodes, args.shards or 4 * workers)
        bounds = [nodes * s // shards for s in range(shards + 1)]
        start = time.perf_counter()
        futures = [client.submit(sample_shard, graph, bounds[s], bounds[s + 1], args.keys,
                                 dict(options, threads=args.threads), pure=False)
                   for s in range(shards)]
        parts = dict(client.gather(futures))
        distributed_seconds = time.perf_counter() - start
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    assembled = sp.vstack([parts[bounds[s]] for s in range(shards)], format="csr")
    nnz = assembled.nnz
    print(f"{shards} shards of {nodes} nodes on {workers} workers: {distributed_seconds:.3f} s, "
          f"{nnz} non-zeros ({nnz / nodes:.1f} per row)")
    if args.out:
        sp.save_npz(args.out, assembled, compressed=False)
        print(f"wrote {args.out}")
    if args.no_check:
        return 0
    start = time.perf_counter()
    function = topomask.grf_keys if args.keys else topomask.grf_features
    single = function(graph, **options)
    single_seconds = time.perf_counter() - start
    same = (assembled.shape == single.shape
            and np.array_equal(assembled.indptr, single.indptr)
            and np.array_equal(assembled.indices, single.indices)
            and assembled.data.dtype == single.data.dtype
            and np.array_equal(assembled.data.view(np.uint32), single.data.view(np.uint32)))
    print(f"single process: {single_seconds:.3f} s; assembled shards equal it bit for bit: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
