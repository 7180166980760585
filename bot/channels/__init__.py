"""The chat platforms, one module or small package each: `base.py` is the protocol, `registry.py` the list."""
