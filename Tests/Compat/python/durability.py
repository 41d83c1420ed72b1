#!/usr/bin/env python3
"""Produces unique values with confluent-kafka (acks=all, idempotence on) for a while, across whatever
the test does to the broker meanwhile (kill -9 of a process, a restart), then reads the topic back and
prints one JSON report: how many values were acknowledged, how many of those were read back, how many
were lost (acknowledged, never read) and how many were read more than once.

    durability.py --bootstrap HOST:PORT --topic T --seconds S [--rate N]
"""
import argparse, collections, json, time
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition


def produce(args):
    config = {"bootstrap.servers": args.bootstrap, "enable.idempotence": True, "acks": "all", "linger.ms": 5}
    if args.debug:
        config["debug"] = args.debug
    producer = Producer(config)
    acknowledged, failed, errors = [], [], collections.Counter()

    def delivered(err, msg):
        (failed if err else acknowledged).append(msg.value())
        if err:
            errors[err.name()] += 1

    began, sent, fatal = time.time(), 0, None
    while time.time() - began < args.seconds:
        try:
            producer.produce(args.topic, key=b"%d" % (sent % 97), value=b"%d" % sent, on_delivery=delivered)
            sent += 1
        except BufferError:
            producer.poll(0.05)
            continue
        except KafkaException as error:  # the producer gave up for good (a fatal idempotence error)
            fatal = str(error)
            break
        producer.poll(0)
        ahead = sent / args.rate - (time.time() - began)
        if ahead > 0:
            time.sleep(ahead)
    remaining = flush(producer, 120, errors)
    return sent, acknowledged, failed, remaining, errors, fatal


def flush(producer, seconds, errors):
    """Waits for every delivery report. confluent-kafka 2.16's flush() sometimes raises SystemError
    ("returned NULL without setting an exception") when the storage writer is killed under load (about
    one round in ten with five brokers at once); the messages are still queued and their reports still
    come, so it waits again. Each time is counted in the report's errors as client_flush_error."""
    deadline = time.time() + seconds
    while True:
        try:
            return producer.flush(max(0.0, deadline - time.time()))
        except SystemError:
            errors["client_flush_error"] += 1
            if time.time() >= deadline:
                return len(producer)
            time.sleep(0.1)


def retried(call, attempts=10):
    """A metadata call, retried while the broker is still coming back (a transport error is retriable)."""
    for attempt in range(attempts):
        try:
            return call()
        except KafkaException:
            if attempt == attempts - 1:
                raise
            time.sleep(1)


def read_topic(bootstrap, topic):
    """Every message of every partition of the topic, from the start up to the high watermarks as they
    were when reading began: a list of (partition, offset, value)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "durability-check", "enable.auto.commit": False})
    partitions = retried(lambda: consumer.list_topics(topic, timeout=30)).topics[topic].partitions
    ends = {p: retried(lambda: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30))[1] for p in partitions}
    consumer.assign([TopicPartition(topic, p, -2) for p in partitions])
    messages, positions, deadline = [], {p: 0 for p in partitions}, time.time() + 120
    while any(positions[p] < ends[p] for p in partitions) and time.time() < deadline:
        for message in consumer.consume(num_messages=10000, timeout=1.0):
            if message.error() is not None:
                continue
            messages.append((message.partition(), message.offset(), message.value()))
            positions[message.partition()] = message.offset() + 1
    consumer.close()
    return messages


def read_back(args):
    return [value for _, _, value in read_topic(args.bootstrap, args.topic)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--rate", type=float, default=2000, help="messages a second")
    parser.add_argument("--debug", default="", help="librdkafka debug contexts, e.g. eos,msg")
    parser.add_argument("--log-file", default="", help="where librdkafka's log goes (standard error by default)")
    args = parser.parse_args()
    if args.log_file:
        import os
        os.dup2(os.open(args.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644), 2)
    sent, acknowledged, failed, unflushed, errors, fatal = produce(args)
    try:
        read = read_back(args)
    except Exception as error:  # say why, rather than leave the test an empty report
        print(json.dumps({"sent": sent, "acknowledged": len(set(acknowledged)), "read_back_error": repr(error)}))
        return
    counts = collections.Counter(read)
    acked = set(acknowledged)
    print(json.dumps({
        "sent": sent, "acknowledged": len(acked), "failed": len(failed), "unflushed": unflushed,
        "read": len(read), "recovered": sum(1 for v in acked if counts[v] >= 1),
        "lost": sum(1 for v in acked if counts[v] == 0),
        "duplicates": sum(c - 1 for c in counts.values() if c > 1),
        "errors": dict(errors), "fatal": 1 if fatal else 0, "fatal_error": fatal,
    }))


if __name__ == "__main__":
    main()
