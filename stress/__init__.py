"""Stress scripts: crashes, faults and bad input, bounded and on loopback only."""
