"""The shared basics every part of the app stands on: settings, the texts of both languages, safe
text for Markdown and names, times as people read them, the small shared rules (yes/no, sub-goal
order, real measures) and spreadsheet-cell helpers. Nothing here imports another folder of core."""
