"""Benchmarks (``make bench``): scale-ratio measurements, never assertions.

Each benchmark loads data at a small and a large scale in ONE run on the same machine, times the same read many
times at each scale, and reports medians and the large/small ratio. A ratio near 1 means the read stays indexed as the
data grows (what the procedures need at ~1.5M customers); a ratio that grows with the scale factor means a scan.
"""
