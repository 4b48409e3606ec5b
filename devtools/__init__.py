"""Development tools: load-test sessions and generated test data (F14).

Never installed by production settings: config/settings.py adds this app only with
DEBUG=true or DEVTOOLS=true, and the test settings add it for its tests. Nothing in
screening/ imports it.
"""
