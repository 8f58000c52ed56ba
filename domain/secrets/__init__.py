"""The keys kept outside the database, and everything made with them, in one room: the store,
cache and checkpoint keys (:mod:`.keys`), the key files they live in (:mod:`.files`), the one
key-derivation function (:mod:`.derive`) and the cache MAC (:mod:`.mac`).

Below the store and integrity, which use these keys; above the settings and errors. Nothing here
reads or writes the store.
"""
