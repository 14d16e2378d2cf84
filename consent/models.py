"""Consents: purposes with their legal basis and validity, versioned consent texts and the
append-only consent ledger arrive with the consents issue (see ../shared/ROADMAP.md). Declare
every field in consent/personal_data.py."""
