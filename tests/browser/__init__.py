"""Browser tests: a real JupyterLab / Notebook 7 driven by Playwright in headless chromium."""
