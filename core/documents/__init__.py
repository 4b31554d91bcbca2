"""Documents for a board or the minutes: the follow-up report (HTML, PDF, PNG), the workshop minutes
and the final evaluation (Word, HTML, PDF), with their Jinja templates."""
