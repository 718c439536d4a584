"""quizgen: from the executed reference optimizers to learning material (traces, formulas,
questions, the study site, drill sheets, exports)."""
