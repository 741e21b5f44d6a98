"""Real-browser end-to-end and accessibility tests (Playwright driving Debian's Chromium)."""
