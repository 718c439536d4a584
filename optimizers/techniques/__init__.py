"""The rest of the optimization chapter (E資格 syllabus 3-(2) and its neighbours), in the same idiom as the
optimizers: annotated numpy reference code, the formula as sympy, metadata. One module per topic
(weight initialization, learning-rate schedules, normalization, gradient clipping, early stopping, weight
averaging, second-order methods)."""
