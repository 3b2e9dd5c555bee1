"""One module per ``relunet`` subcommand; each defines ``register(subparsers)``.

A command's ``run(args)`` returns the process exit code: 0 success, 1 a negative
answer (e.g. a certificate that does not hold), 2 bad input.
"""
