"""What feedback shows on the pages of the apps below it (motcua.core.panels)."""
