"""Network group pages: the organisation's under /o/<organisation>/groups/, a member's own page
under /m/<token>/ and the anonymous member profile questionnaire under /p/<token>/.

Each part keeps its routes in its own module; this file only joins them.
"""

from imheval.web.network.urls_groups import urlpatterns as group_patterns
from imheval.web.network.urls_more import urlpatterns as more_patterns
from imheval.web.network.urls_profile import urlpatterns as profile_patterns

app_name = "network"

urlpatterns = [*group_patterns, *more_patterns, *profile_patterns]
