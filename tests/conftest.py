import os
import sys

# make tests/manufactured.py importable as a plain module from any test directory
sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("MPLBACKEND", "Agg")
