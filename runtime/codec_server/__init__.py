"""``ccm codec-server``: the HTTP codec endpoint the Temporal Web UI and CLI decode payloads with.

``app`` serves ``POST /encode`` and ``POST /decode`` in Temporal's codec-server JSON format;
``guard`` admits only the UI's origin (CORS) and holders of the access token; ``login`` lets a
browser present the token once and keep it as a cookie, the one credential the Web UI can send
(its "Include cross-origin credentials" setting); ``serve`` runs it inside an asyncio program.
"""
