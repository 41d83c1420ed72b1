#!/usr/bin/env python3
"""Exactly-once with a real stream-processing framework: a quixstreams application counts events per key
(state in RocksDB, backed by a changelog topic) with processing_guarantee="exactly-once", and writes each
new count to an output topic. Runs with quixstreams' own confluent-kafka (its own venv: quixstreams pins
an older one than the other compatibility scripts use).

    quixstreams_counts.py driver --bootstrap HOST:PORT --input I --output O --events N --keys K
                                 --state-dir DIR [--kill-at A] [--restart-at B --restart-command CMD] [--log FILE]
        produces N events over K keys (800 a second) while the application runs as a child process; kills it with -9 once
        A counts are committed and starts it again, runs CMD (a Kafka gateway restart) once B are, waits
        for all N, stops the application, and reports whether every key's counts are exactly 1..N/K,
        each once, read with read_committed.
    quixstreams_counts.py app --bootstrap HOST:PORT --input I --output O --state-dir DIR
        the application itself.
"""
import argparse, collections, json, os, signal, subprocess, sys, threading, time

GROUP = "quix-counter"


def app(args):
    from quixstreams import Application

    application = Application(
        broker_address=args.bootstrap,
        consumer_group=GROUP,
        processing_guarantee="exactly-once",
        auto_offset_reset="earliest",
        state_dir=args.state_dir,
        commit_interval=0.5,
        # The killed instance stays in the group until its session times out (45 s by default), and
        # the new one waits for that; 6 s (the broker's minimum) keeps the test short.
        consumer_extra_config={"session.timeout.ms": 6000},
    )
    events = application.topic(args.input, key_deserializer="str", value_deserializer="json")
    counts = application.topic(args.output, key_serializer="str", value_serializer="json")

    def count(value, state):
        total = state.get("count", 0) + 1
        state.set("count", total)
        return {"count": total}

    application.dataframe(events).apply(count, stateful=True).to_topic(counts)
    application.run()


def committed_outputs(consumer, seen):
    """Adds what a read_committed consumer has for now, up to 100 records, to `seen` (key -> counts)."""
    from confluent_kafka import KafkaError

    for message in consumer.consume(100, 0.2):
        if message.error():
            if message.error().code() != KafkaError._PARTITION_EOF:
                print("consumer: %s" % message.error(), file=sys.stderr)
            continue
        seen[message.key().decode()].append(json.loads(message.value())["count"])


def produce_events(args):
    """The input, at `rate` events a second, so that the faults land while the application counts."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True})
    began = time.time()
    for i in range(args.events):
        producer.produce(args.input, key="k%d" % (i % args.keys), value=json.dumps({"n": i}))
        if i % 50 == 49:
            producer.poll(0)
            time.sleep(max(0, began + (i + 1) / args.rate - time.time()))
    producer.flush(60)


def driver(args):
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING

    began = time.time()
    reader = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "quix-checker-%f" % time.time(),
                       "enable.auto.commit": False, "isolation.level": "read_committed"})
    partitions = sorted(reader.list_topics(args.output, timeout=10).topics[args.output].partitions)
    reader.assign([TopicPartition(args.output, p, OFFSET_BEGINNING) for p in partitions])

    def unblock_signals():
        # A test runner may start the driver with signals blocked; the application must see SIGTERM.
        signal.pthread_sigmask(signal.SIG_SETMASK, [])

    def start():
        return subprocess.Popen([sys.executable, os.path.abspath(__file__), "app", "--bootstrap", args.bootstrap,
                                 "--input", args.input, "--output", args.output, "--state-dir", args.state_dir],
                                stdout=sys.stderr, stderr=sys.stderr, preexec_fn=unblock_signals)

    child = start()
    producing = threading.Thread(target=produce_events, args=(args,))
    producing.start()
    seen = collections.defaultdict(list)
    killed_at = restarted_at = None
    deadline = time.time() + args.seconds
    while time.time() < deadline:
        committed_outputs(reader, seen)
        total = sum(len(counts) for counts in seen.values())
        if killed_at is None and args.kill_at and total >= args.kill_at:
            child.send_signal(signal.SIGKILL)
            child.wait()
            killed_at = total
            child = start()
        elif restarted_at is None and args.restart_at and total >= args.restart_at:
            restarted_at = total
            subprocess.run(args.restart_command, shell=True, check=True, stdout=sys.stderr)
        if total >= args.events:
            break
        if child.poll() is not None:
            print("the application exited with %s" % child.returncode, file=sys.stderr)
            break
    producing.join()
    time.sleep(2)  # anything written past the expected total (a duplicate) would be committed by now
    for _ in range(20):
        committed_outputs(reader, seen)
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(30)
    except subprocess.TimeoutExpired:
        print("the application did not stop within 30 s of SIGTERM", file=sys.stderr)
        child.kill()
    reader.close()

    per_key = args.events // args.keys
    exact = {key for key, counts in seen.items() if sorted(counts) == list(range(1, per_key + 1))}
    return {"seconds": round(time.time() - began, 1), "outputs": sum(len(counts) for counts in seen.values()), "keys": len(seen), "exact_keys": len(exact),
            "wrong": {key: sorted(counts)[-5:] + [len(counts)] for key, counts in seen.items() if key not in exact},
            "killed_at": killed_at, "restarted_at": restarted_at}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["driver", "app"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--input", default="events")
    parser.add_argument("--output", default="counts")
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--keys", type=int, default=50)
    parser.add_argument("--rate", type=int, default=800, help="driver: input events a second")
    parser.add_argument("--kill-at", type=int)
    parser.add_argument("--restart-at", type=int)
    parser.add_argument("--restart-command")
    parser.add_argument("--seconds", type=int, default=240)
    parser.add_argument("--log", help="driver: where its and the application's logs go (default: standard error)")
    args = parser.parse_args()
    if args.log:
        # quixstreams logs a lot; an unreadable standard error slows it down badly.
        sys.stderr = open(args.log, "a", buffering=1)
    if args.mode == "app":
        app(args)
    else:
        print(json.dumps(driver(args)))


if __name__ == "__main__":
    main()
