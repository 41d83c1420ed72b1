#!/usr/bin/env python3
"""Transactions with real clients against the real broker. Each scenario prints one JSON report.

    transactions.py basic   --bootstrap HOST:PORT --topic T              commit, abort, commit (confluent-kafka)
    transactions.py clients --bootstrap HOST:PORT --topic T --client C   kafka-python or aiokafka: commit then abort
    transactions.py zombie  --bootstrap HOST:PORT --topic T              two producers, one transactional id
    transactions.py timeout --bootstrap HOST:PORT --topic T              a transaction left open past its timeout
    transactions.py open    --bootstrap HOST:PORT --topic T              5 records read and committed by group
                            "lagging", then 3 more in a transaction left open (the process exits)
    transactions.py ctp     --bootstrap HOST:PORT --input I --output O --count N
                            consume-transform-produce with send_offsets_to_transaction, riding out restarts
"""
import argparse, asyncio, json, os, sys, time
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition, OFFSET_BEGINNING


def read_all(bootstrap, topic, isolation, expected=None, seconds=20):
    """Every record of every partition, from the beginning, as (partition, offset, value)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "reader-%f" % time.time(), "enable.auto.commit": False,
                         "isolation.level": isolation, "enable.partition.eof": True})
    metadata = consumer.list_topics(topic, timeout=10).topics[topic]
    partitions = sorted(metadata.partitions)
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    records, ended, deadline = [], set(), time.time() + seconds
    while time.time() < deadline and (len(ended) < len(partitions) or (expected is not None and len(records) < expected)):
        message = consumer.poll(0.5)
        if message is None:
            continue
        if message.error():
            if message.error().code() == KafkaError._PARTITION_EOF:
                ended.add(message.partition())
            continue
        ended.discard(message.partition())
        records.append((message.partition(), message.offset(), message.value().decode()))
    high = sum(consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in partitions)
    consumer.close()
    return records, high


def transactional(bootstrap, transactional_id, **extra):
    config = {"bootstrap.servers": bootstrap, "transactional.id": transactional_id}
    config.update(extra)
    producer = Producer(config)
    producer.init_transactions(30)
    return producer


def basic(args):
    producer = transactional(args.bootstrap, "basic")
    for name, count, commit in (("a", 10, True), ("b", 5, False), ("c", 10, True)):
        producer.begin_transaction()
        for i in range(count):
            producer.produce(args.topic, value=("%s%d" % (name, i)).encode(), partition=i % 3)
        producer.flush(30)
        (producer.commit_transaction if commit else producer.abort_transaction)(30)
    committed, _ = read_all(args.bootstrap, args.topic, "read_committed")
    everything, high = read_all(args.bootstrap, args.topic, "read_uncommitted")
    return {"read_committed": sorted(v for _, _, v in committed), "read_uncommitted": sorted(v for _, _, v in everything),
            "high_watermark_total": high}


def clients(args):
    if args.client == "kafka-python":
        from kafka import KafkaProducer
        producer = KafkaProducer(bootstrap_servers=args.bootstrap, transactional_id="kp-tx")
        producer.init_transactions()
        producer.begin_transaction()
        for i in range(5):
            producer.send(args.topic, value=b"kp-commit-%d" % i)
        producer.commit_transaction()
        producer.begin_transaction()
        for i in range(5):
            producer.send(args.topic, value=b"kp-abort-%d" % i)
        producer.flush()
        producer.abort_transaction()
        producer.close()
    else:
        async def run():
            from aiokafka import AIOKafkaProducer
            producer = AIOKafkaProducer(bootstrap_servers=args.bootstrap, transactional_id="aio-tx")
            await producer.start()
            try:
                async with producer.transaction():
                    for i in range(5):
                        await producer.send_and_wait(args.topic, b"aio-commit-%d" % i)
                try:
                    async with producer.transaction():
                        for i in range(5):
                            await producer.send_and_wait(args.topic, b"aio-abort-%d" % i)
                        raise RuntimeError("abort on purpose")
                except RuntimeError:
                    pass
            finally:
                await producer.stop()
        asyncio.run(run())
    committed, _ = read_all(args.bootstrap, args.topic, "read_committed")
    everything, _ = read_all(args.bootstrap, args.topic, "read_uncommitted")
    return {"read_committed": sorted(v for _, _, v in committed), "read_uncommitted": sorted(v for _, _, v in everything)}


def zombie(args):
    first = transactional(args.bootstrap, "zombie")
    first.begin_transaction()
    first.produce(args.topic, value=b"from-the-zombie", partition=0)
    first.flush(30)
    second = transactional(args.bootstrap, "zombie")  # fences the first and aborts its transaction
    outcome = "committed"
    try:
        first.produce(args.topic, value=b"late-zombie-write", partition=0)
        first.flush(10)
        first.commit_transaction(10)
    except KafkaException as error:
        outcome = error.args[0].name()
    second.begin_transaction()
    second.produce(args.topic, value=b"from-the-new-producer", partition=0)
    second.flush(30)
    second.commit_transaction(30)
    committed, _ = read_all(args.bootstrap, args.topic, "read_committed")
    return {"zombie_outcome": outcome, "read_committed": sorted(v for _, _, v in committed)}


def timeout(args):
    producer = transactional(args.bootstrap, "slow", **{"transaction.timeout.ms": 2000})
    producer.begin_transaction()
    producer.produce(args.topic, value=b"never-committed", partition=0)
    producer.flush(30)
    time.sleep(4)  # past the timeout and at least one check (the test sets the check interval to 1 s)
    outcome = "committed"
    try:
        producer.commit_transaction(10)
    except KafkaException as error:
        outcome = error.args[0].name()
    committed, high = read_all(args.bootstrap, args.topic, "read_committed")
    everything, _ = read_all(args.bootstrap, args.topic, "read_uncommitted")
    return {"outcome": outcome, "read_committed": [v for _, _, v in committed], "read_uncommitted": [v for _, _, v in everything],
            "high_watermark_total": high}


def open_transaction(args):
    plain = Producer({"bootstrap.servers": args.bootstrap})
    for i in range(5):
        plain.produce(args.topic, value=b"plain-%d" % i, partition=0)
    plain.flush(30)
    group = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "lagging", "enable.auto.commit": False})
    group.commit(offsets=[TopicPartition(args.topic, 0, 5)], asynchronous=False)
    group.close()
    producer = transactional(args.bootstrap, "left-open", **{"transaction.timeout.ms": 600000})
    producer.begin_transaction()
    for i in range(3):
        producer.produce(args.topic, value=b"open-%d" % i, partition=0)
    producer.flush(30)
    # Leave without committing or aborting: the transaction stays open until its timeout.
    print(json.dumps({"open": 3}), flush=True)
    os._exit(0)


def ctp(args):
    """Reads the input in a group (read_committed), writes each value transformed to the output, and
    commits both in one transaction per batch. On an abortable error it aborts and rewinds to the
    group's committed offsets; on a fatal one it starts a new producer (which fences the old)."""
    seed = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True})
    for i in range(args.count):
        seed.produce(args.input, value=b"%d" % i, partition=i % 3)
        if i % 1000 == 0:
            seed.poll(0)
    seed.flush(60)
    probe = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "probe"})
    ends = [probe.get_watermark_offsets(TopicPartition(args.input, p), timeout=10)[1] for p in range(3)]
    probe.close()

    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "ctp", "enable.auto.commit": False,
                         "auto.offset.reset": "earliest", "isolation.level": "read_committed"})
    consumer.subscribe([args.input])
    # librdkafka 2.x re-bootstraps when every broker it knows is down at once, which a one-broker cluster
    # is whenever its Kafka listener restarts; a transactional producer caught in send_offsets_to_transaction
    # then waits forever for the group coordinator it forgot, past its own timeout (librdkafka issues #5511
    # and #5456, open; Apache Kafka with one broker hits the same). The run that restarts the gateway asks
    # the producer not to re-bootstrap; the broker is the same one either way.
    survive = {"metadata.recovery.strategy": "none"} if args.no_rebootstrap else {}
    producer = transactional(args.bootstrap, "ctp", **survive)
    processed, aborts, restarts, deadline = 0, 0, 0, time.time() + args.seconds

    def rewind():
        assignment = consumer.assignment()
        if assignment:
            for tp in consumer.committed(assignment, timeout=10):
                consumer.seek(TopicPartition(tp.topic, tp.partition, tp.offset if tp.offset >= 0 else OFFSET_BEGINNING))

    while time.time() < deadline:
        messages = [m for m in consumer.consume(500, 1.0) if m.error() is None]
        if not messages:
            committed = consumer.committed([TopicPartition(args.input, p) for p in range(3)], timeout=10)
            if [tp.offset for tp in committed] == ends:
                break
            continue
        try:
            producer.begin_transaction()
            for message in messages:
                producer.produce(args.output, value=b"out-" + message.value(), partition=message.partition())
            # A run that is to be killed holds each transaction open a while, so the loop lasts long enough
            # for the test to see it half done however fast the machine, and the kill mostly lands inside
            # a transaction.
            time.sleep(args.pause_ms / 1000)
            producer.send_offsets_to_transaction(consumer.position(consumer.assignment()), consumer.consumer_group_metadata(), 30)
            producer.commit_transaction(30)
            processed += len(messages)
        except KafkaException as error:
            kafka_error = error.args[0]
            if kafka_error.txn_requires_abort():
                aborts += 1
                try:
                    producer.abort_transaction(30)
                except KafkaException:
                    pass
            else:
                restarts += 1
                producer = transactional(args.bootstrap, "ctp", **survive)
            time.sleep(0.2)
            rewind()
    consumer.close()
    output, _ = read_all(args.bootstrap, args.output, "read_committed", expected=args.count, seconds=30)
    values = [v for _, _, v in output]
    check = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "ctp"})
    committed = check.committed([TopicPartition(args.input, p) for p in range(3)], timeout=10)
    ends = [check.get_watermark_offsets(TopicPartition(args.input, p), timeout=10)[1] for p in range(3)]
    check.close()
    return {"output": len(values), "distinct": len(set(values)), "missing": args.count - len(set(values)),
            "committed": [tp.offset for tp in committed], "input_ends": ends, "aborts": aborts, "restarts": restarts,
            "processed": processed}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario")
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic")
    parser.add_argument("--client", default="kafka-python")
    parser.add_argument("--input")
    parser.add_argument("--output")
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--pause-ms", type=int, default=0, help="ctp: how long each transaction stays open after its records are sent")
    parser.add_argument("--no-rebootstrap", action="store_true", help="ctp: metadata.recovery.strategy=none for the producer")
    args = parser.parse_args()
    scenario = {"basic": basic, "clients": clients, "zombie": zombie, "timeout": timeout, "open": open_transaction, "ctp": ctp}[args.scenario]
    print(json.dumps(scenario(args)))


if __name__ == "__main__":
    main()
