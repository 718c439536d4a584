"""Printable drill sheets: one A4 sheet of questions and one answer key per student.

``quizgen drill`` (quizgen/commands/drill.py) is the command; this package holds the pieces:

- :mod:`.roster`: class rosters (CSV, id and name columns, UTF-8 with or without BOM);
- :mod:`.model`: the run's spec, one plan per sheet, and the seed rule
  ``seeds.derive("drill", seed, student_id, question_number)``;
- :mod:`.render`: Jinja templates → HTML (questions without answers; the key with worked solutions),
  math by the site's KaTeX renderer, figures by :func:`quizgen.plots.paths_svg`;
- :mod:`.pdf`: headless Chromium print-to-PDF (one browser, several pages at once), identical bytes;
- :mod:`.builder`: the whole run over the machine's cores, written atomically;
- :func:`site_sheet`: the printable sheet the study site offers (built at site-build time).
"""

from __future__ import annotations

from .builder import BuildResult, build
from .model import DrillSpec, SheetPlan, make_spec
from .roster import Student, parse_roster
from .site import SITE_SEEDS, site_sheet, site_sheets

__all__ = ["SITE_SEEDS", "BuildResult", "DrillSpec", "SheetPlan", "Student", "build", "make_spec", "parse_roster",
           "site_sheet", "site_sheets"]
