# Crash at import with a message of the attacker's choosing.
raise RuntimeError(bytes.fromhex("__MESSAGE_HEX__").decode() * int("__REPEAT__"))
