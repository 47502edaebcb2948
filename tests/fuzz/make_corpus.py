#!/usr/bin/env python3
"""Writes the committed fuzz corpora: small valid seeds of every format the loaders read, and
regression inputs that each reproduce one class of past findings (made here, not copied from any
reproducer). Run from anywhere; files go to corpus/load (named by extension, as the replay test
needs), corpus/options (one argument per line) and corpus/npz (token archives of --tokens)."""
import base64, io, json, os, struct, zipfile, zlib

here = os.path.dirname(os.path.abspath(__file__))
load = os.path.join(here, "corpus", "load")
opts = os.path.join(here, "corpus", "options")
os.makedirs(load, exist_ok=True)
os.makedirs(opts, exist_ok=True)
npz = os.path.join(here, "corpus", "npz")
os.makedirs(npz, exist_ok=True)

def put(name, data, folder=load):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)

# --- seeds: one small valid file per format -------------------------------------------------
tet_v = [(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1)]
tet_f = [(0, 1, 2), (0, 1, 3), (0, 2, 3), (1, 2, 3)]
put("seed_tet.off", "OFF\n4 4 0\n" + "".join("%g %g %g\n" % v for v in tet_v) + "".join("3 %d %d %d\n" % f for f in tet_f))
put("seed_tet.obj", "".join("v %g %g %g\n" % v for v in tet_v) + "".join("f %d %d %d\n" % (a + 1, b + 1, c + 1) for a, b, c in tet_f))
put("seed_tet.ply", "ply\nformat ascii 1.0\nelement vertex 4\nproperty float x\nproperty float y\nproperty float z\n"
    "element face 4\nproperty list uchar int vertex_indices\nend_header\n" + "".join("%g %g %g\n" % v for v in tet_v)
    + "".join("3 %d %d %d\n" % f for f in tet_f))
bin_ply = b"ply\nformat binary_little_endian 1.0\nelement vertex 4\nproperty float x\nproperty float y\nproperty float z\n" \
          b"element face 4\nproperty list uchar int vertex_indices\nend_header\n"
bin_ply += b"".join(struct.pack("<3f", *v) for v in tet_v) + b"".join(struct.pack("<B3i", 3, *f) for f in tet_f)
put("seed_tet_binary.ply", bin_ply)
put("seed_tet.stl", "solid t\n" + "".join("facet normal 0 0 0\nouter loop\n" + "".join("vertex %g %g %g\n" % tet_v[i] for i in f)
                                          + "endloop\nendfacet\n" for f in tet_f) + "endsolid t\n")
stl = b"\0" * 80 + struct.pack("<I", 4) + b"".join(struct.pack("<12fH", 0, 0, 0, *[c for i in f for c in tet_v[i]], 0) for f in tet_f)
put("seed_tet_binary.stl", stl)
cloud = [(i % 5, (i // 5) % 5, i // 25) for i in range(50)]
put("seed_cloud.xyz", "".join("%d %d %d\n" % p for p in cloud))
put("seed_cloud.pts", "%d\n" % len(cloud) + "".join("%d %d %d 0 128 128 128\n" % p for p in cloud))
put("seed_cloud.pcd", "# .PCD v0.7\nVERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH %d\nHEIGHT 1\n"
    "VIEWPOINT 0 0 0 1 0 0 0\nPOINTS %d\nDATA ascii\n" % (len(cloud), len(cloud)) + "".join("%d %d %d\n" % p for p in cloud))
put("seed_path.edges", "# path\n" + "".join("%d %d\n" % (i, i + 1) for i in range(9)))
put("seed_graph.mtx", "%%MatrixMarket matrix coordinate real symmetric\n5 5 4\n2 1 1.0\n3 2 1.0\n4 3 0.5\n5 4 2.0\n")

def png(width, height, rows, colour_type=0, depth=8):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff)
    raw = b"".join(b"\0" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
put("seed_grey.png", png(8, 6, [bytes((x * 30 + y * 10) % 256 for x in range(8)) for y in range(6)]))
put("seed_rgb.png", png(4, 4, [bytes(v for x in range(4) for v in (x * 60, y * 60, 100)) for y in range(4)], colour_type=2))

def bmp24(width, height):
    stride = (width * 3 + 3) // 4 * 4
    pixels = b"".join(bytes(v for x in range(width) for v in (x * 40, y * 40, 200)) + b"\0" * (stride - width * 3) for y in range(height))
    header = struct.pack("<2sIHHI", b"BM", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return header + info + pixels
put("seed_small.bmp", bmp24(5, 3))

def gltf_doc(positions, indices, extra=None):
    pos = b"".join(struct.pack("<3f", *p) for p in positions)
    idx = b"".join(struct.pack("<H", i) for i in indices)
    idx += b"\0" * (-len(idx) % 4)
    data = pos + idx
    doc = {"asset": {"version": "2.0"},
           "buffers": [{"byteLength": len(data)}],
           "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": len(pos)},
                           {"buffer": 0, "byteOffset": len(pos), "byteLength": len(idx)}],
           "accessors": [{"bufferView": 0, "componentType": 5126, "count": len(positions), "type": "VEC3",
                          "min": [0, 0, 0], "max": [1, 1, 1]},
                         {"bufferView": 1, "componentType": 5123, "count": len(indices), "type": "SCALAR"}],
           "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}]}
    if extra:
        extra(doc)
    return doc, data

def as_gltf(doc, data):
    doc["buffers"][0]["uri"] = "data:application/octet-stream;base64," + base64.b64encode(data).decode()
    return json.dumps(doc)

def as_glb(doc, data):
    js = json.dumps(doc).encode()
    js += b" " * (-len(js) % 4)
    data += b"\0" * (-len(data) % 4)
    body = struct.pack("<I4s", len(js), b"JSON") + js + struct.pack("<I4s", len(data), b"BIN\0") + data
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body

flat_tet_f = [i for f in tet_f for i in f]
put("seed_tet.gltf", as_gltf(*gltf_doc(tet_v, flat_tet_f)))
put("seed_tet.glb", as_glb(*gltf_doc(tet_v, flat_tet_f)))

# --- regressions: one input per class of past findings ---------------------------------------
# glTF JSON nested far deeper than any parser's stack allows (crashed inside the glTF library).
put("regress_gltf_deep_nesting.gltf", '{"asset":{"version":"2.0"},"x":' + "[" * 20000 + "]" * 20000 + "}")
# POSITION accessor whose byteOffset runs past its buffer view (stray bytes read as coordinates).
def past_view(doc):
    doc["accessors"][0]["byteOffset"] = 40
put("regress_gltf_offset_past_view.glb", as_glb(*gltf_doc(tet_v, flat_tet_f, past_view)))
# Sparse accessor with a huge count (read out of bounds).
def sparse_huge(doc):
    doc["accessors"][0]["sparse"] = {"count": 1000000000, "indices": {"bufferView": 1, "componentType": 5123},
                                     "values": {"bufferView": 0}}
put("regress_gltf_sparse_huge_count.gltf", as_gltf(*gltf_doc(tet_v, flat_tet_f, sparse_huge)))
# A 21-byte file named .bmp that a permissive decoder took for a 16.5-Mpixel TGA.
put("regress_tiny_as_tga.bmp", b"\0\0\x02" + b"\0" * 9 + b"\x00\x10\x00\x10\x18\x20" + b"\0\0\0")
# PNG whose header announces 30000 x 30000 pixels in a few hundred bytes (decompression bomb).
put("regress_png_bomb_header.png", png(30000, 30000, [b"\0" * 16]))
# Many copies of one point (the kNN search degenerated and took minutes).
put("regress_identical_points.xyz", "0.5 0.5 0.5\n" * 20000)

# --- options: one argument per line ----------------------------------------------------------
put("seed_defaults.txt", "--kernel\nheat\n--beta\n1\n--walkers\n16\n", opts)
put("seed_pstep.txt", "--kernel\npstep\n--p\n3\n--beta\n0.5\n--sampling\nantithetic\n", opts)
put("seed_custom.txt", "--kernel\ncustom\n--f\n1,0.5,0.25\n--ensembles\nasymmetric\n", opts)
put("regress_max_len_int_max.txt", "--max-len\n2147483647\n", opts)
put("regress_walkers_int_max.txt", "--walkers\n2147483647\n--p-halt\n0.5\n", opts)
put("regress_p_int_max.txt", "--kernel\npstep\n--p\n2147483647\n", opts)
put("regress_k_patch_int_max.txt", "--k\n2147483647\n--patch\n2147483647\n", opts)
put("regress_beta_nan.txt", "--beta\nnan\n--kernel\nbogus\n", opts)

# --- npz: token archives (q, k, v) as numpy.savez / savez_compressed write them ---------------
def npy(descr, shape, payload, fortran=False):
    dims = "".join("%d," % d for d in shape) if len(shape) == 1 else ", ".join("%d" % d for d in shape)
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (descr, "True" if fortran else "False", dims)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload

def zipped(members, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buf.getvalue()

def f8(values):
    return b"".join(struct.pack("<d", v) for v in values)

def f4(values):
    return b"".join(struct.pack("<f", v) for v in values)

n, d = 6, 3
vals = [((i * 7) % 11 - 5) / 4.0 for i in range(n * d)]
put("seed_tokens.npz", zipped([("q.npy", npy("<f8", (n, d), f8(vals))), ("k.npy", npy("<f8", (n, d), f8(vals[::-1]))),
                               ("v.npy", npy("<f8", (n, 2), f8(vals[: n * 2])))]), npz)
heads = 2
hv = [((i * 5) % 13 - 6) / 3.0 for i in range(heads * n * d)]
put("seed_heads_deflated.npz", zipped([("q.npy", npy("<f4", (heads, n, d), f4(hv))), ("k.npy", npy("<f4", (heads, n, d), f4(hv[::-1]))),
                                       ("v.npy", npy("<f4", (heads, n, d), f4(hv)))], zipfile.ZIP_DEFLATED), npz)
put("seed_fortran_int.npz", zipped([("q.npy", npy("<i4", (n, d), b"".join(struct.pack("<i", i) for i in range(n * d)), True)),
                                    ("k.npy", npy(">f8", (n, d), b"".join(struct.pack(">d", v) for v in vals))),
                                    ("v.npy", npy("|u1", (n, 1), bytes(range(n))))]), npz)
put("seed_csr.npz", zipped([("indices.npy", npy("<i4", (2,), struct.pack("<2i", 0, 1))),
                            ("indptr.npy", npy("<i4", (3,), struct.pack("<3i", 0, 1, 2))),
                            ("format.npy", npy("|S3", (), b"csr")), ("shape.npy", npy("<i8", (2,), struct.pack("<2q", 2, 2))),
                            ("data.npy", npy("<f4", (2,), f4([1.0, 2.0])))]), npz)
# A member whose .npy header announces far more data than the archive holds.
put("regress_npz_huge_shape.npz", zipped([("q.npy", npy("<f8", (1 << 40, 1 << 10), b"")), ("k.npy", b""), ("v.npy", b"")]), npz)
