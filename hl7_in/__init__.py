"""HL7v2 ADT in: MLLP framing, parsing, mapping to the upstream contract, and ACKs."""
