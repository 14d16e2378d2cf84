"""Contact imports from other systems' CSV files.

``parse`` reads a file, ``validate`` checks its rows, ``write`` writes them set-based with their
audit entries, and ``services`` is the door to all of it for the views (``views``, ``forms``)
and the tasks (crm/tasks.py).
"""
