"""The accountants' workbench in the Wagtail admin."""
