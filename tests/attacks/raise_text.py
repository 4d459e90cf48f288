# Crash at import with a message of the attacker's choosing, given as a Python literal (so
# it may hold what no UTF-8 byte string can: a lone surrogate).
raise RuntimeError(__TEXT__)
