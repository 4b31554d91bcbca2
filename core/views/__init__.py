"""What the pages show, computed without Streamlit: queries, charts and their palette, the timeline,
trends, evaluations, the vuosikello, the workshop, the final evaluation and the readable history."""
