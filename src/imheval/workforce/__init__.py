"""Workforce coverage: who has been trained to which framework level, against how many staff
should be, by organisation, service and profession (seeds 001, 003, 004).

The package never imports Django: the web app turns its rows into these types and asks it.
"""
