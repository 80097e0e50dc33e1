"""MLLP framing (HL7 v2 minimal lower layer protocol): ``0x0b`` message ``0x1c 0x0d``."""

from __future__ import annotations

from hl7_in.parse import MAX_MESSAGE_BYTES

START, END = b"\x0b", b"\x1c\x0d"


class FrameTooLarge(ValueError):
    """A frame grew past the message size limit before its end block arrived."""


def frame(message: bytes) -> bytes:
    """``message`` wrapped in the start and end blocks."""
    return START + message + END


class MllpDecoder:
    """Cuts a byte stream into messages; bytes outside a start…end block are dropped (MLLP
    senders may send keep-alive newlines between frames)."""

    def __init__(self, limit: int = MAX_MESSAGE_BYTES) -> None:
        self._buffer = bytearray()
        self._limit = limit

    def feed(self, data: bytes) -> list[bytes]:
        """The messages completed by ``data``, in order; ``FrameTooLarge`` past the limit."""
        self._buffer += data
        messages: list[bytes] = []
        while True:
            start = self._buffer.find(START)
            if start < 0:
                self._buffer.clear()
                break
            del self._buffer[:start]
            end = self._buffer.find(END)
            if end < 0:
                if len(self._buffer) > self._limit + 1:
                    raise FrameTooLarge(f"an MLLP frame over {self._limit} bytes")
                break
            messages.append(bytes(self._buffer[1:end]))
            del self._buffer[: end + len(END)]
        return messages
