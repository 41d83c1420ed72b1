#!/usr/bin/env python3
"""Per-record errors (KIP-467) with confluent-kafka, against a running broker. Prints one JSON report.

    record_errors.py --bootstrap HOST:PORT --topic T

Creates T with cleanup.policy=compact, then produces one batch of four records whose second and fourth
have no key. A compacted topic refuses the whole batch with INVALID_RECORD naming those records
(Produce v8+ record_errors); librdkafka then fails them with INVALID_RECORD and the other two with
_INVALID_DIFFERENT_RECORD. Nothing of the batch may be stored: a keyed batch produced next gets offset 0.
(Two keyless records, because librdkafka 2.16 reports INVALID_RECORD for every record of a batch whose
response names a single one. confluent-kafka, because Debian's kcat sends Produce v7 or older, which
has no record_errors.)
"""
import argparse, json
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def produce(args, records):
    """Sends `records` as one batch (linger lets them gather); returns each delivery's outcome, in order."""
    producer = Producer({"bootstrap.servers": args.bootstrap, "linger.ms": 200, "retries": 0})
    outcomes = [None] * len(records)

    def delivered(index):
        def callback(error, message):
            if error is None:
                outcomes[index] = {"offset": message.offset()}
            else:
                outcomes[index] = {"error": error.name(), "message": error.str()}
        return callback

    for index, (key, value) in enumerate(records):
        producer.produce(args.topic, key=key, value=value, partition=0, on_delivery=delivered(index))
    producer.flush(15)
    return outcomes


def high_watermark(args):
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "record-errors-reader"})
    low, high = consumer.get_watermark_offsets(TopicPartition(args.topic, 0), timeout=10)
    consumer.close()
    return high


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    args = parser.parse_args()
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    admin.create_topics([NewTopic(args.topic, 1, config={"cleanup.policy": "compact"})])[args.topic].result(15)

    report = {"refused": produce(args, [(b"a", b"1"), (None, b"2"), (b"c", b"3"), (None, b"4")])}
    report["high_watermark_after_refusal"] = high_watermark(args)
    report["accepted"] = produce(args, [(b"a", b"1"), (b"c", b"3")])
    report["invalid_different_record_code"] = KafkaError._INVALID_DIFFERENT_RECORD
    print(json.dumps(report))


if __name__ == "__main__":
    main()
