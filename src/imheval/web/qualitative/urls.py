"""Qualitative study pages, under /o/<organisation>/qualitative/.

Each part keeps its routes in its own module; this file only joins them.
"""

from imheval.web.qualitative.urls_analysis import urlpatterns as analysis_patterns
from imheval.web.qualitative.urls_answers import urlpatterns as answers_patterns
from imheval.web.qualitative.urls_coding import urlpatterns as coding_patterns
from imheval.web.qualitative.urls_review import urlpatterns as review_patterns

app_name = "qualitative"

urlpatterns = [*analysis_patterns, *coding_patterns, *review_patterns, *answers_patterns]
