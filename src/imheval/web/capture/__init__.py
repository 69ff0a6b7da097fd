"""The participant's questionnaire: no login, no names, answers kept page by page."""
