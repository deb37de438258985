"""Load and memory benchmarks: the real app in its own process, driven over HTTP on 127.0.0.1.

``python -m benchmarks.turns`` measures chat turns against a bare INSERT+COMMIT ceiling;
``python -m benchmarks.memory`` measures the server's memory with and without 100,000 paused
conversations in the database. Nothing here is part of the product.
"""
