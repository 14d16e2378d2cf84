"""Events: public registration pages, capacity and waiting lists, billing and disclosures arrive
with the events issue (see ../shared/ROADMAP.md). Declare every field in events/personal_data.py."""
