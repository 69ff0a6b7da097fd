"""Workforce coverage in the web app (issue 16): programmes as offers, the training register,
places, the establishment, required levels, births, coverage, outcomes beside it, and regions
over organisations that share aggregates."""
