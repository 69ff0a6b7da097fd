"""Network groups (seed 002): standing groups of staff who meet monthly, read evidence mapped to
competencies, and keep an attendance target. Attendance is a named staff development record,
kept apart from the anonymous questionnaire answers and never joined to them."""
