"""Work records in the Wagtail admin: entry and CSV/XLSX import."""
