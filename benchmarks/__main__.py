"""``python -m benchmarks --suite quick|full --out DIR``: same as ``relunet bench``."""

import sys

from .run import cli

sys.exit(cli())
