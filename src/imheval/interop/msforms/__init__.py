"""Microsoft Forms: response downloads in, the questionnaire inferred from them
(:mod:`.responses`).
"""
