"""Serve the real ModernGov web-service samples on loopback, to try `followthrough fetch` by hand.

    python tools/serve_moderngov_samples.py [PORT]
    followthrough fetch http://127.0.0.1:PORT --committee "Audit Committee"

The replies are tests/fixtures/moderngov/webservice/ (see its SOURCES.tsv); their
document URLs point back at this server. Stop with Ctrl-C.
"""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from moderngov_server import SampleSite  # noqa: E402


def main() -> None:
    site = SampleSite()
    if len(sys.argv) > 1:
        site.server.server_close()
        site.server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), site.server.RequestHandlerClass)
        site.url = f"http://127.0.0.1:{sys.argv[1]}"
    print(f"Serving the ModernGov samples at {site.url} (Ctrl-C to stop)", flush=True)
    try:
        site.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        site.server.server_close()


if __name__ == "__main__":
    main()
