"""Printable drill sheets: one A4 sheet of questions and one answer key per student.

``quizgen drill`` (quizgen/commands/drill.py) is the command; this package holds the pieces:

- :mod:`.roster`: class rosters (CSV, id and name columns, UTF-8 with or without BOM);
- :mod:`.model`: the run's spec, one plan per sheet, and the seed rule
  ``seeds.derive("drill", seed, student_id, question_number)``;
- :mod:`.views`: what a sheet shows of each question (the question sheet never sees an answer), in one format;
- :mod:`.typst_sheet`, :mod:`.typst_markup`, :mod:`.texmath`: the printed sheets as Typst (Jinja templates,
  Markdown and the project's LaTeX math converted to Typst); :mod:`.typst_pdf`: Typst → PDF, fonts;
- :mod:`.render`: the same views as HTML (the site's printable sheets, ``drill --html``), KaTeX math;
- :mod:`.builder`: the whole run over the machine's cores, written atomically; :mod:`.procs`: signals and
  worker processes;
- :func:`site_sheet`: the printable sheet the study site offers (built at site-build time).
"""

from __future__ import annotations

from .builder import BuildResult, build
from .model import DrillSpec, SheetPlan, make_spec
from .roster import Student, parse_roster
from .site import SITE_SEEDS, site_sheet, site_sheets

__all__ = ["SITE_SEEDS", "BuildResult", "DrillSpec", "SheetPlan", "Student", "build", "make_spec", "parse_roster",
           "site_sheet", "site_sheets"]
