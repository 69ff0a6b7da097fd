"""Reports a Trust board can read: one report model rendered as HTML, PDF and Word."""
