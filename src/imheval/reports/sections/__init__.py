"""The report's sections, one module each, in the order of ``reports.build.SECTION_BUILDERS``.

Each module exposes its builder, ``<name>_section(context) -> Section | None``. The level
sections share :mod:`.domain` (the detail of one domain) and :mod:`.deeper` (item analysis,
reliability, reliable change, the mixed model); otherwise sections do not import each other.
"""
