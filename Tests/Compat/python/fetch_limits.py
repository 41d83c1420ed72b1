#!/usr/bin/env python3
"""A confluent-kafka consumer whose fetch and receive limits are about 1 MB reads a topic whose three
partitions each hold 600 KB messages: every Fetch response must fit in receive.message.max.bytes
(librdkafka drops a connection that receives more), so the consumer reads everything. Prints a JSON
report: how many messages were produced and consumed, and the errors the consumer saw.

    fetch_limits.py --bootstrap HOST:PORT --topic T --partitions 3 --per-partition 4
"""
import argparse, json, time

from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--per-partition", type=int, default=4)
    args = parser.parse_args()

    value = b"v" * 600_000
    producer = Producer({"bootstrap.servers": args.bootstrap, "linger.ms": 0, "compression.type": "none"})
    failures = []
    for partition in range(args.partitions):
        for i in range(args.per_partition):
            producer.produce(args.topic, value=value, key=b"%d-%d" % (partition, i), partition=partition,
                             on_delivery=lambda err, msg: failures.append(str(err)) if err else None)
            producer.flush(30)  # one message per batch
    expected = args.partitions * args.per_partition

    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": "fetch-limits",
        "enable.auto.commit": False,
        "fetch.max.bytes": 1_000_000,
        "receive.message.max.bytes": 1_000_512,  # librdkafka's minimum: fetch.max.bytes + 512
    })
    consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in range(args.partitions)])
    consumed, errors, deadline = 0, [], time.time() + 30
    while consumed < expected and time.time() < deadline:
        message = consumer.poll(0.5)
        if message is None:
            continue
        if message.error() is not None:
            errors.append(str(message.error()))
        elif len(message.value()) == len(value):
            consumed += 1
    consumer.close()
    print(json.dumps({"produced": expected - len(failures), "produce_failures": failures,
                      "consumed": consumed, "errors": errors[:5]}))


if __name__ == "__main__":
    main()
