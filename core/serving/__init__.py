"""Serving many people at once: sign-in and its throttling, the background worker, page-run turns, the
watcher of saved data behind the live updates, and what a link says (the view in the URL)."""
