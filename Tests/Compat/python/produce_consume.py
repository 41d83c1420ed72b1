#!/usr/bin/env python3
"""Produces COUNT keyed messages with a real Kafka client (default settings, plus idempotence for
confluent-kafka, whose default is off), then reads every partition back from the beginning with an
assigned consumer and prints a JSON summary: how many messages came back, whether each partition's
values arrived in the order they were produced, and how many partitions were used.

    produce_consume.py --client confluent|kafka-python|aiokafka --bootstrap HOST:PORT --topic T --count N --partitions P
"""
import argparse, asyncio, json, sys, time


def produce_confluent(args):
    from confluent_kafka import Producer
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True})
    failures = []
    for i in range(args.count):
        while True:
            try:
                producer.produce(args.topic, key=b"k-%d" % i, value=b"%d" % i,
                                 on_delivery=lambda err, msg: failures.append(err) if err else None)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    producer.flush(60)
    return failures


def consume_confluent(args):
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "unused", "enable.auto.commit": False})
    consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in range(args.partitions)])
    seen, deadline = [], time.time() + 60
    while len(seen) < args.count and time.time() < deadline:
        message = consumer.poll(1.0)
        if message is not None and message.error() is None:
            seen.append((message.partition(), int(message.value())))
    consumer.close()
    return seen


def produce_kafka_python(args):
    from kafka import KafkaProducer
    producer = KafkaProducer(bootstrap_servers=args.bootstrap)
    futures = [producer.send(args.topic, key=b"k-%d" % i, value=b"%d" % i) for i in range(args.count)]
    producer.flush(60)
    failures = [f.exception for f in futures if f.failed()]
    producer.close()
    return failures


def consume_kafka_python(args):
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=args.bootstrap, enable_auto_commit=False, consumer_timeout_ms=10000)
    consumer.assign([TopicPartition(args.topic, p) for p in range(args.partitions)])
    consumer.seek_to_beginning()
    seen = []
    for message in consumer:
        seen.append((message.partition, int(message.value)))
        if len(seen) >= args.count:
            break
    consumer.close()
    return seen


async def aiokafka_round_trip(args):
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    from aiokafka.structs import TopicPartition
    producer = AIOKafkaProducer(bootstrap_servers=args.bootstrap)
    await producer.start()
    failures = []
    try:
        batch = [await producer.send(args.topic, key=b"k-%d" % i, value=b"%d" % i) for i in range(args.count)]
        for future in batch:
            try:
                await future
            except Exception as error:
                failures.append(error)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=args.bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    seen = []
    try:
        consumer.assign([TopicPartition(args.topic, p) for p in range(args.partitions)])
        await consumer.seek_to_beginning()
        deadline = time.time() + 60
        while len(seen) < args.count and time.time() < deadline:
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                seen.extend((record.partition, int(record.value)) for record in records)
    finally:
        await consumer.stop()
    return failures, seen


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--client", required=True)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--partitions", type=int, default=3)
    args = parser.parse_args()
    if args.client == "confluent":
        failures, seen = produce_confluent(args), consume_confluent(args)
    elif args.client == "kafka-python":
        failures, seen = produce_kafka_python(args), consume_kafka_python(args)
    elif args.client == "aiokafka":
        failures, seen = asyncio.run(aiokafka_round_trip(args))
    else:
        sys.exit("unknown client " + args.client)
    by_partition = {}
    for partition, value in seen:
        by_partition.setdefault(partition, []).append(value)
    print(json.dumps({
        "produce_failures": len(failures),
        "consumed": len(seen),
        "distinct": len({value for _, value in seen}),
        "partitions_used": len(by_partition),
        "in_order": all(values == sorted(values) for values in by_partition.values()),
    }))


if __name__ == "__main__":
    main()
