"""Speaker identity: one person however the records and the news write their name.

``names`` parses a name (nameparser), ``countries`` normalises a state or body (pycountry and
the UN's own names), ``offices`` names the holder of an office at a date, and ``directory``
resolves observations to people. All of it is pure; storing people is the caller's.
"""
