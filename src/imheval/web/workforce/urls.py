"""Workforce pages: an organisation's under /o/<organisation>/workforce/, a region's under
/r/<region>/. Each part keeps its routes in its own module; this file only joins them."""

from imheval.web.workforce.urls_board import urlpatterns as board_patterns
from imheval.web.workforce.urls_coverage import urlpatterns as coverage_patterns
from imheval.web.workforce.urls_establishment import urlpatterns as establishment_patterns
from imheval.web.workforce.urls_offer import urlpatterns as offer_patterns
from imheval.web.workforce.urls_outcomes import urlpatterns as outcome_patterns
from imheval.web.workforce.urls_region import urlpatterns as region_patterns
from imheval.web.workforce.urls_regional import urlpatterns as regional_patterns
from imheval.web.workforce.urls_register import urlpatterns as register_patterns
from imheval.web.workforce.urls_services import urlpatterns as services_patterns

app_name = "workforce"

urlpatterns = [
    *board_patterns,
    *coverage_patterns,
    *establishment_patterns,
    *offer_patterns,
    *outcome_patterns,
    *register_patterns,
    *region_patterns,
    *regional_patterns,
    *services_patterns,
]
