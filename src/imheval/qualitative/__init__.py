"""The qualitative half of an evaluation: transcripts and open-text answers, a codebook of
themes, sub-themes and codes, codings by one or more coders, agreement between coders, REFI-QDA
exchange and the outputs (Table 3, quotes, the joint display, the code-by-speaker matrix).

The package never imports Django: the web app (``imheval.web.qualitative``) turns its rows into
these types and asks this package.
"""
