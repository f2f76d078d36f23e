"""HTTP layer of the programs app, one module per subject; urls.py registers them all."""
