"""FHIR: Questionnaires in (:mod:`.questionnaire`) and out (:mod:`.export`), QuestionnaireResponses
in (:mod:`.responses`).
"""
