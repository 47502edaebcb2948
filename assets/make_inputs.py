#!/usr/bin/env python3
"""Writes the generated inputs of the README's window pictures into the folder given (default .):
cloud100k.xyz, 100,000 points on an ellipsoid with a bump; landscape640.png, a 640 x 480 picture
with smooth sky, hills and a sun (regions and edges, as in a photograph); torus170k.obj, a bumpy
torus of 170,000 vertices; social300.edges, a 300-node preferential-attachment graph (seed 3)."""
import math, os, random, struct, sys, zlib

out = sys.argv[1] if len(sys.argv) > 1 else "."
random.seed(1)
with open(os.path.join(out, "cloud100k.xyz"), "w") as f:
    for _ in range(100000):
        z = random.uniform(-1, 1); t = random.uniform(0, 2 * math.pi); s = math.sqrt(1 - z * z)
        x, y = s * math.cos(t), s * math.sin(t)
        scale = 1 + 0.4 * math.exp(-((x - 0.6) ** 2 + (y - 0.3) ** 2 + (z - 0.5) ** 2) * 6)
        f.write("%f %f %f\n" % (1.6 * x * scale, y * scale, 0.8 * z * scale))

w, h = 640, 480
rows = []
for y in range(h):
    row = bytearray([0])
    for x in range(w):
        sky = y / h
        r, g, b = int(255 * (0.9 - 0.3 * sky)), int(255 * (0.55 - 0.25 * sky)), int(255 * (0.35 + 0.4 * sky))
        if y > 330 + 40 * math.sin(x / 70.0) + 25 * math.sin(x / 23.0 + 1):
            r, g, b = 40 + int(30 * math.sin(x / 15.0)), 110 + int(40 * math.sin((x + y) / 31.0)), 50
        if (x - 450) ** 2 + (y - 160) ** 2 < 55 ** 2:
            r, g, b = 255, 225, 120
        row += bytes((max(0, min(255, r)), max(0, min(255, g)), max(0, min(255, b))))
    rows.append(bytes(row))
chunk = lambda k, d: struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d) & 0xffffffff)
with open(os.path.join(out, "landscape640.png"), "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))

U, V = 680, 250  # bumpy torus, U x V vertices
with open(os.path.join(out, "torus170k.obj"), "w") as f:
    for i in range(U):
        u = 2 * math.pi * i / U
        for j in range(V):
            v = 2 * math.pi * j / V
            r = 0.35 + 0.05 * math.sin(5 * u) * math.cos(3 * v)
            f.write("v %f %f %f\n" % ((1 + r * math.cos(v)) * math.cos(u), (1 + r * math.cos(v)) * math.sin(u), r * math.sin(v)))
    for i in range(U):
        for j in range(V):
            a, b = i * V + j + 1, ((i + 1) % U) * V + j + 1
            c, d = ((i + 1) % U) * V + (j + 1) % V + 1, i * V + (j + 1) % V + 1
            f.write("f %d %d %d\nf %d %d %d\n" % (a, b, c, a, c, d))

random.seed(3)  # preferential attachment: each new node joins two earlier ones, chosen by degree
edges, degree = [(0, 1), (1, 2), (2, 0)], [2, 2, 2]
for v in range(3, 300):
    targets = set()
    while len(targets) < 2:
        targets.add(random.choices(range(v), weights=degree)[0])
    degree.append(0)
    for t in targets:
        edges.append((v, t)); degree[t] += 1; degree[v] += 1
with open(os.path.join(out, "social300.edges"), "w") as f:
    f.write("".join("%d %d\n" % e for e in edges))
