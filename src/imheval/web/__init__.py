"""imheval's web application (Django): organisations, workspace and anonymous capture.

The web package is a caller of the core, never the other way round (an import-linter contract
in pyproject.toml keeps the core free of Django). Apps, one concern each:

* ``organisations``: organisations, members and roles, the scoping every query goes through,
  the audit log, sign-in with lockout, ``/healthz``;
* ``workspace``: the evaluator's and trainer's pages: programmes, cohorts, instruments, and the
  collections (one per cohort and timepoint) with their links, QR codes and posters;
* ``capture``: the participant's questionnaire, with no login and no names.

``settings`` reads its configuration from the environment (see docs/deployment.md); ``server``
starts gunicorn; ``demo`` builds the demo workspace.
"""
