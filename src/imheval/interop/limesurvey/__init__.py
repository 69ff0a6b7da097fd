"""LimeSurvey: survey structures (.lss) in (:mod:`.structure`) and out (:mod:`.export`), response
exports in (:mod:`.responses`).
"""
