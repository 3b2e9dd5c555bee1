"""relunet — the application shell: command-line interface and demo, nothing else."""

__version__ = "0.1.0"
