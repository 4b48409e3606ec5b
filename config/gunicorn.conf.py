"""gunicorn settings: which forwarded headers gunicorn itself believes (#13 F13), and
how often the workers' garbage collector runs (#19).

gunicorn sets wsgi.url_scheme to https when a request from `forwarded_allow_ips`
(loopback by default) carries X-Forwarded-Proto, X-Forwarded-Ssl or
X-Forwarded-Protocol, and Django takes that scheme for HTTPS whatever its own
SECURE_PROXY_SSL_HEADER says. So gunicorn follows the same switch as the settings:

- TRUST_X_FORWARDED_PROTO unset or false: no forwarded header from anyone.
- TRUST_X_FORWARDED_PROTO=true: X-Forwarded-Proto only (the header the proxy
  overwrites, as in config/settings.py), and only from FORWARDED_ALLOW_IPS (the
  proxy's addresses; loopback if unset).

    gunicorn --config config/gunicorn.conf.py config.wsgi --workers 2 --bind ...
"""

import gc

import environ

env = environ.Env()

if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    forwarded_allow_ips = env("FORWARDED_ALLOW_IPS", default="127.0.0.1,::1")
    secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
else:
    forwarded_allow_ips = ""
    secure_scheme_headers: dict[str, str] = {}

# With Python's default threshold (700 objects) the collector ran about once a
# request, and about once in fifty a full collection over every object of the
# app (some 200,000): tens of milliseconds for some request. Reference counting frees
# nearly all of a request's objects; cycles are rare here. Every 10,000 (the workers
# inherit it from this process, which reads this file before it forks them): #19.
GC_THRESHOLD = (10_000, 10, 10)
gc.set_threshold(*GC_THRESHOLD)
