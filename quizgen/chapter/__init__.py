"""The optimization chapter's topics beyond the update rules (issue 16): what their question families and pages
share. One module per topic (``init``, ``normalization``, ``clipping``): the drawn inputs, the executed key, the
named mistakes, the code lines to blank, the formulas to choose from and the sympy proofs the pages show.
``questions`` holds the parts every topic uses (a numeric four-choice question, a code blank, a formula choice).
"""
