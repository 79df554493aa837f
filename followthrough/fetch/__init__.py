"""Loading minutes straight from a council's ModernGov site (its mgWebService.asmx).

:func:`fetch_site` fetches the new meetings of the chosen committees and hands their
minutes to the ingest readers; :func:`list_committees` lists a site's committees.
"""

from followthrough.fetch.client import FetchError, Politeness, WebServiceOff
from followthrough.fetch.run import FetchOptions, FetchReport, MeetingResult, fetch_site, list_committees

__all__ = [
    "FetchError",
    "FetchOptions",
    "FetchReport",
    "MeetingResult",
    "Politeness",
    "WebServiceOff",
    "fetch_site",
    "list_committees",
]
