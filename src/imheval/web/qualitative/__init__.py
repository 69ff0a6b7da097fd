"""Focus groups and thematic analysis in the web app: studies, transcripts, the codebook,
coding, the second reviewer, agreement, REFI-QDA exchange and the outputs.

The analysis itself (agreement, REFI-QDA, transcripts, the outputs) lives in the core
(``imheval.qualitative``); ``adapter.py`` turns these rows into the core's types.
"""
