"""``python -m imheval`` runs the command line."""

from imheval.cli import main

main()
