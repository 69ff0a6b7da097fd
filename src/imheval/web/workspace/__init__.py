"""The evaluator's and trainer's workspace: programmes, cohorts, instruments and collections."""
