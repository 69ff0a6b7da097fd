"""imheval's web application (Django) will live in this package.

Nothing is here yet: the capture and workspace apps come with the web issue. The package exists
now so that the import-linter contract in pyproject.toml ("the core never imports Django or
imheval.web") has both of its sides from the first commit.
"""
