"""Network groups in the core (seed 002): the attendance rule, the register read from files,
meeting calendars, readings' competency coverage, retention and the member profile table.
Nothing here imports Django; the web app (``imheval.web.network``) is one caller, the CLI
(``imheval network``) another."""
