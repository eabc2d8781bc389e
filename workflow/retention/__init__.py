"""Retention: how long a closed case's decision records and background papers are kept, and
removing them once that time is over (``councilflow retention purge [--dry-run]``).

The law sets the least time the council must keep them, counted from the decision:
- The written record of an officer's decision, "together with any background papers": the
  record is kept and open to inspection for six years, the background papers for four,
  beginning with the date of the decision (Openness of Local Government Bodies Regulations
  2014, SI 2014/2095, regulation 8, recording the decisions regulation 7 requires).
- The records of executive decisions (Local Authorities (Executive Arrangements) (Meetings and
  Access to Information) (England) Regulations 2012, SI 2012/2089, regulations 12 and 13) and
  the reports considered, open to inspection under regulation 14; the background papers to
  those reports under regulation 15, for four years. ("Background papers", regulation 2: the
  unpublished documents a report relied on to a material extent.)
- The same periods, worded "the period of six years" / "four years beginning with the date of
  the meeting", for a council's own meetings: Local Government Act 1972 ss.100C(1), 100D(2).

The texts read for this (the search tool's ``pages``): SI 2012/2089's contents (regs 12-15), reg
2, reg 12 and reg 21 (documents open to inspection "pursuant to regulation 15", the background
papers, may carry a fee); SI 2014/2095's opening (regs 1-3), reg 7 and the first words of reg
8(1) ("The written record, together with any background papers, must as soon as reasonably
practicable after…", quoted by nearlylegal.co.uk); LGA 1972 s.100C(1) ("until the expiration of
the period of six years beginning with the date of the meeting") and s.100D(2) ("the period of
four years beginning with the date of the meeting"); and the government's guide "Open and
accountable local government" (2014; its parish part, quoted by towncouncillor.com), which
states six years for the written record of officers' decisions and four for the background
papers, "beginning from the date of the meeting". The paragraphs that set the periods — SI
2014/2095 reg 8(2)-(3) and SI 2012/2089 regs 14-15 — were searched for again (issue 9) and are
not in the stored corpus: the search answers with the beginning of a page, and no stored page
begins at those regulations. The periods and the day they count from rest on the guide and on
ss.100C(1) and 100D(2); cite the paragraph numbers of regs 8, 14 and 15 only once their text has
been read.

Here (``plan``):
- a case is in scope only once it has ended (``ENDED_STATES``); a live case keeps everything;
- the periods count from the case's last decision: the latest of Cabinet's resolutions
  (``decided_on``) and the delegate's sign-offs (``signed_on``); a case that ended without
  any decision (withdrawn) counts from the day it ended;
- its background papers are its consultations (the consultees' responses, interests and
  dispensations that a sign-off relied on): they go once the four years are over;
- its decision material is everything else about it: the case and its report with the
  options, the resolutions, delegations, call-in requests, sign-offs, deadlines, reminders,
  the links to its agreements and its audit chain. It all goes once the six years are over.
  The agreements themselves stay: they are the register's, not the decision's.

The periods are ``Settings.decision_record_retention_years`` and
``background_papers_retention_years`` (at least six and four). A purge is one audited event in
the council chain (``workflow/audit/purged.py``), which is also what keeps ``councilflow audit
verify`` passing once a case's chain is gone.
"""

from workflow.retention.plan import CaseDue, RetentionPlan, plan_purge
from workflow.retention.purge import purge

__all__ = ["CaseDue", "RetentionPlan", "plan_purge", "purge"]
