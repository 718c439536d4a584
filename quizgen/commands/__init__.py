"""One module per ``quizgen`` subcommand (see quizgen/cli.py)."""
