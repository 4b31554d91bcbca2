"""Pure-Python core of the Kymenlaakso child and family welfare plan monitor.

Nothing in this package imports streamlit: the model, validation, status rules, chart
builders, storage and import/export live here and are tested without a browser.
"""
