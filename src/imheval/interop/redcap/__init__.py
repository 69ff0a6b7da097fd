"""REDCap: data dictionaries and instrument ZIPs in (:mod:`.dictionary`) and out (:mod:`.export`),
flat record exports in (:mod:`.records`).
"""
