"""Payload encryption: every payload the project hands to Temporal is AES-256-GCM ciphertext.

``keyring`` defines the ``KeyRing`` interface (current key for encrypting, any key by id for
decrypting; ready for a KMS) and the rings built from ``CCM_CODEC_KEYS`` or the data dir's key
file (``keyfile``); ``codec`` is the Temporal ``PayloadCodec``; ``converter`` the one
``DataConverter`` every client, worker, test environment and Replayer uses; ``tokens`` the codec
server's access token.
"""
