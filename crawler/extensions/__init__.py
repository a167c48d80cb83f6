"""Extensions: run-level reporting."""
