"""The paper route and file import: printable questionnaires, fast keyed entry with optional
double entry, and uploading a CSV or XLSX of responses into a cohort."""
