#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora from what the tests already hold, so that every run starts from
real inputs: the request frames captured from real clients (Tests/MonologKafkaProtocolTests/Golden),
the record batches inside their Produce requests (every codec, as those clients compress), the
batches' compressed payloads, writer protocol frames built like the gateways' (a handshake, a topic, an
append of a real batch), and HTTP bodies like the tests'.

    seeds.py OUTPUT_DIR      (makes OUTPUT_DIR/<FuzzTarget>/seed-N)
"""
import json, os, pathlib, struct, sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "Tests/MonologKafkaProtocolTests/Golden"


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def record_batches(frame):
    """Whole, CRC-valid RecordBatch v2 found in a frame (magic 2 at +16, length at +8, CRC at +17)."""
    found, index = [], 0
    while index + 61 <= len(frame):
        length = struct.unpack(">i", frame[index + 8:index + 12])[0]
        end = index + 12 + length
        if frame[index + 16] == 2 and 49 <= length and end <= len(frame):
            batch = frame[index:end]
            if struct.unpack(">I", batch[17:21])[0] == crc32c(batch[21:]):
                found.append(batch)
                index = end
                continue
        index += 1
    return found


def writer_frame(request_id, kind, body):
    payload = struct.pack(">QB", request_id, kind) + body
    return struct.pack(">I", len(payload)) + payload


def string(text):
    data = text.encode()
    return struct.pack(">H", len(data)) + data


def main():
    out = pathlib.Path(sys.argv[1])
    corpora = {name: [] for name in ["FuzzKafkaRequest", "FuzzRecordBatch", "FuzzWriterProtocol", "FuzzHTTPBody"]}
    batches = []
    for path in sorted(GOLDEN.glob("*.hex")):
        frame = bytes.fromhex(path.read_text().strip())
        corpora["FuzzKafkaRequest"].append(frame)
        batches += record_batches(frame)
    for batch in batches:
        corpora["FuzzRecordBatch"] += [batch, batch[61:]]  # the batch, and its (maybe compressed) payload
    hello = struct.pack(">IH", 0x4D4C5750, 1) + string("fuzz")
    create = string("t") + struct.pack(">iB", 3, 0) + struct.pack(">I", 1) + string("retention.ms") + string("1000")
    stream = writer_frame(1, 0x01, hello) + writer_frame(2, 0x10, create)
    for number, batch in enumerate(batches[:4]):
        stream += writer_frame(3 + number, 0x20, string("t") + struct.pack(">iI", 0, len(batch)) + batch)
    corpora["FuzzWriterProtocol"] += [writer_frame(1, 0x01, hello), stream]
    corpora["FuzzHTTPBody"] += [json.dumps(body).encode() for body in [
        {"value": "hello"},
        {"key": "k", "value_base64": "aGVsbG8=", "partition": 2, "headers": {"origin": "fuzz"}},
        [{"value": "a"}, {"key": "b", "value": "c"}],
        {"name": "topic", "partitions": 3, "configs": {"cleanup.policy": "compact"}},
    ]]
    for target, seeds in corpora.items():
        directory = out / target
        directory.mkdir(parents=True, exist_ok=True)
        for number, seed in enumerate(seeds):
            (directory / f"seed-{number}").write_bytes(seed)
        print(f"{target}: {len(seeds)} seeds", file=sys.stderr)


if __name__ == "__main__":
    main()
