#!/usr/bin/env python3
"""Produces unique values with confluent-kafka (acks=all, idempotence on) at a steady rate until it is
killed, and appends each acknowledged value with the wall-clock time of its acknowledgement to a file,
one "VALUE SECONDS" line each, flushed as it goes: whatever happens to the broker or to this process,
the file says what was acknowledged and when (the replication test kills the broker's whole tree).

    paced_producer.py --bootstrap HOST:PORT --topic T --rate N --acks-file F
"""
import argparse, time
from confluent_kafka import Producer


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--rate", type=float, default=1000, help="messages a second")
    parser.add_argument("--acks-file", required=True)
    args = parser.parse_args()
    acks = open(args.acks_file, "a", buffering=1)  # line-buffered: each acknowledgement is written at once
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True, "acks": "all", "linger.ms": 5})

    def delivered(err, msg):
        if err is None:
            acks.write("%s %.6f\n" % (msg.value().decode(), time.time()))

    began, sent = time.time(), 0
    while True:
        try:
            producer.produce(args.topic, value=b"v-%d" % sent, on_delivery=delivered)
            sent += 1
        except BufferError:
            producer.poll(0.05)
            continue
        producer.poll(0)
        ahead = sent / args.rate - (time.time() - began)
        if ahead > 0:
            producer.poll(ahead)


if __name__ == "__main__":
    main()
