"""Pure-Python core of the monitor of a regional child and family welfare plan.

Nothing in this package imports streamlit: the model, validation, status rules, chart
builders, storage and import/export live here and are tested without a browser.
"""
