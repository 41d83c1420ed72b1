#!/usr/bin/env python3
"""Consumer groups with real clients, against a running broker. Prints one JSON report.

    groups.py rebalance --client confluent|kafka-python|aiokafka --bootstrap HOST:PORT --topic T --count N
              [--assignor cooperative-sticky]
        Three consumers join one group on a 6-partition topic while a producer writes N messages. Once
        each holds two partitions, one closes; the other two take over its partitions. Every consumer
        commits after processing each batch. Reports the assignment sizes before and after, how long
        the takeover took, and whether every message was read exactly once.

    groups.py resume --client ... --bootstrap ... --topic T --count N
        A consumer reads part of the topic and commits; a new consumer in the same group reads the rest,
        starting at the committed offset.

    groups.py admin --bootstrap ... --topic T --count N
        confluent-kafka's AdminClient lists, describes and deletes a group and its offsets, with a member
        and without.

    groups.py first-assignment --client ... --bootstrap ... --topic T
        How long a lone consumer waits for its first assignment.

    groups.py static --bootstrap ... --topic T
        Two static members (group.instance.id); one restarts and gets its partitions back without a
        rebalance of the other.

    groups.py restart --client confluent --bootstrap ... --topic T --count N --kill-pid PID
        A consumer reads half the topic, then the Kafka gateway (PID) is killed and restarted by the
        supervisor. The consumer carries on by itself; committed offsets survive.

    groups.py slow-member --client confluent|kafka-python --bootstrap ... --topic T [--pause S]
        Two consumers of one group on a one-partition topic, max.poll.interval.ms=10000 (the rebalance
        timeout they send) and session.timeout.ms=6000. A reads one message, commits it and stops polling
        for S seconds (default 8, longer than the session timeout) while its client keeps heartbeating; B joins meanwhile; a producer writes a message every 100 ms
        throughout. Reports when B first receives a message, relative to when A polled again (which is
        when A can rejoin), and whether every message was read exactly once.
"""
import argparse, asyncio, json, logging, os, signal, threading, time

if os.environ.get("MONOLOG_GROUPS_DEBUG"):  # a folder for the clients' own logs, to see why a member is stuck
    logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(threadName)s %(name)s %(message)s",
                        filename=os.path.join(os.environ["MONOLOG_GROUPS_DEBUG"], "groups-%d.log" % os.getpid()))

# --- one consumer per client library, each run in its own thread ----------------------------------


class Member(threading.Thread):
    """Polls, processes (records what it read), commits after each batch, and publishes how many
    partitions it holds, until told to stop. What it processed but could not commit yet (a commit can
    fail while the group rebalances) is committed with the next batch, or when the partition is
    revoked, as a careful Kafka application does."""

    def __init__(self, args, name, seen, lock, limit=None, instance_id=None):
        super().__init__(daemon=True)
        self.args, self.name, self.seen, self.lock, self.limit = args, name, seen, lock, limit
        self.instance_id = instance_id  # group.instance.id: a static member (KIP-345)
        self.assigned = 0
        self.partitions = set()
        self.revocations = 0
        self.processed = 0
        self.uncommitted = {}  # partition -> the next offset to commit
        self.commit_failures = []
        self.stop_event = threading.Event()
        self.closed = threading.Event()
        self.errors = []

    def process(self, records):
        """Records what was read (up to the limit) and returns the offsets to commit now."""
        if self.limit is not None:
            records = records[:max(self.limit - self.processed, 0)]
        with self.lock:
            self.seen.extend(records)
        self.processed += len(records)
        if self.limit is not None and self.processed >= self.limit:
            self.stop_event.set()
        for partition, offset, _ in records:
            self.uncommitted[partition] = max(self.uncommitted.get(partition, -1), offset + 1)
        return dict(self.uncommitted)

    def committed(self, positions):
        for partition, offset in positions.items():
            if self.uncommitted.get(partition) == offset:
                del self.uncommitted[partition]

    def revoked(self, partitions):
        """The offsets to commit before giving these partitions up; they are forgotten afterwards."""
        return {p: self.uncommitted.pop(p) for p in partitions if p in self.uncommitted}

    def commit_failed(self, error):
        # A commit can fail while the group rebalances (REBALANCE_IN_PROGRESS, or ILLEGAL_GENERATION when
        # sent for the generation a rebalance has just ended) or after a coordinator restart; the offsets
        # stay pending and go with the next commit.
        self.commit_failures.append(repr(error))

    def run(self):
        try:
            {"confluent": self.run_confluent, "kafka-python": self.run_kafka_python, "aiokafka": self.run_aiokafka}[self.args.client]()
        except Exception as error:  # reported, and the test fails on it
            self.errors.append(repr(error))
        finally:
            self.closed.set()

    def run_confluent(self):
        from confluent_kafka import Consumer, KafkaException, TopicPartition
        config = {"bootstrap.servers": self.args.bootstrap, "group.id": self.args.group, "enable.auto.commit": False,
                  "auto.offset.reset": "earliest"}
        if self.args.assignor:
            config["partition.assignment.strategy"] = self.args.assignor
        if self.instance_id:
            config["group.instance.id"] = self.instance_id
        consumer = Consumer(config)

        def commit(positions):
            if not positions:
                return
            try:
                consumer.commit(offsets=[TopicPartition(self.args.topic, p, o) for p, o in positions.items()],
                                asynchronous=False)
                self.committed(positions)
            except KafkaException as error:
                self.commit_failed(error)

        def on_revoke(_, partitions):
            self.revocations += 1
            commit(self.revoked([tp.partition for tp in partitions]))

        consumer.subscribe([self.args.topic], on_revoke=on_revoke)
        while not self.stop_event.is_set():
            batch = [m for m in consumer.consume(num_messages=500, timeout=0.2) if m.error() is None]
            if batch:
                commit(self.process([(m.partition(), m.offset(), m.value()) for m in batch]))
            self.partitions = {tp.partition for tp in consumer.assignment()}
            self.assigned = len(self.partitions)
        commit(dict(self.uncommitted))
        consumer.close()

    def run_kafka_python(self):
        from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata, TopicPartition
        from kafka.errors import KafkaError
        consumer = KafkaConsumer(bootstrap_servers=self.args.bootstrap, group_id=self.args.group,
                                 enable_auto_commit=False, auto_offset_reset="earliest")
        member = self

        def commit(positions):
            if not positions:
                return
            try:
                consumer.commit({TopicPartition(self.args.topic, p): OffsetAndMetadata(o, "", -1) for p, o in positions.items()})
                self.committed(positions)
            except KafkaError as error:
                self.commit_failed(error)

        class Listener(ConsumerRebalanceListener):
            # kafka-python 3 runs listeners on its IO thread, where blocking calls are refused: the
            # commit is queued ahead of the JoinGroup instead of awaited.
            def on_partitions_revoked(self, revoked):
                positions = member.revoked([tp.partition for tp in revoked])
                if positions:
                    consumer.commit_async({TopicPartition(member.args.topic, p): OffsetAndMetadata(o, "", -1)
                                           for p, o in positions.items()})

            def on_partitions_assigned(self, assigned):
                pass

        consumer.subscribe([self.args.topic], listener=Listener())
        while not self.stop_event.is_set():
            # A long poll: kafka-python 3.0.12 loses a leader's rejoin when the poll times out before
            # its JoinGroup and SyncGroup are answered (see docs/COMPATIBILITY.md).
            batches = consumer.poll(timeout_ms=3000, max_records=500)
            records = [(r.partition, r.offset, r.value) for rs in batches.values() for r in rs]
            if records:
                commit(self.process(records))
            self.assigned = len(consumer.assignment())
        commit(dict(self.uncommitted))
        consumer.close()

    def run_aiokafka(self):
        asyncio.run(self.aiokafka_loop())

    async def aiokafka_loop(self):
        from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
        from aiokafka.errors import KafkaError
        consumer = AIOKafkaConsumer(bootstrap_servers=self.args.bootstrap, group_id=self.args.group,
                                    enable_auto_commit=False, auto_offset_reset="earliest")
        member = self

        async def commit(positions):
            if not positions:
                return
            try:
                await consumer.commit({TopicPartition(self.args.topic, p): o for p, o in positions.items()})
                self.committed(positions)
            except KafkaError as error:
                self.commit_failed(error)

        class Listener(ConsumerRebalanceListener):
            async def on_partitions_revoked(self, revoked):
                await commit(member.revoked([tp.partition for tp in revoked]))

            async def on_partitions_assigned(self, assigned):
                pass

        consumer.subscribe([self.args.topic], listener=Listener())
        await consumer.start()
        try:
            while not self.stop_event.is_set():
                batches = await consumer.getmany(timeout_ms=200, max_records=500)
                records = [(r.partition, r.offset, r.value) for rs in batches.values() for r in rs]
                if records:
                    await commit(self.process(records))
                self.assigned = len(consumer.assignment())
            await commit(dict(self.uncommitted))
        finally:
            await consumer.stop()

    def close(self):
        self.stop_event.set()
        self.closed.wait(60)


def produce(args, start, count, rate=None):
    """Writes values start..start+count-1 with the client's producer; returns how many failed."""
    from confluent_kafka import Producer
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True})
    failures = []
    began = time.time()
    for i in range(start, start + count):
        while True:
            try:
                producer.produce(args.topic, key=b"k-%d" % i, value=b"%d" % i,
                                 on_delivery=lambda err, msg: failures.append(str(err)) if err else None)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
        if rate and (i - start) % 500 == 499:
            ahead = (i - start + 1) / rate - (time.time() - began)
            if ahead > 0:
                time.sleep(ahead)
    producer.flush(120)
    return len(failures)


def wait_for(condition, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    if os.environ.get("MONOLOG_GROUPS_DEBUG"):  # where is each thread stuck?
        import faulthandler
        with open(os.path.join(os.environ["MONOLOG_GROUPS_DEBUG"], "stacks-%d.txt" % os.getpid()), "a") as out:
            faulthandler.dump_traceback(file=out, all_threads=True)
    return False


def exactly_once(seen, count):
    values = [int(v) for _, _, v in seen]
    positions = {(p, o) for p, o, _ in seen}
    return {"consumed": len(values), "distinct": len(set(values)), "distinct_positions": len(positions),
            "missing": count - len(set(values) & set(range(count))), "duplicates": len(values) - len(set(values))}


# --- scenarios ---------------------------------------------------------------------------------------


def rebalance(args):
    seen, lock = [], threading.Lock()
    members = [Member(args, "member-%d" % i, seen, lock) for i in range(3)]
    for member in members:
        member.start()
    report = {"stable_before": wait_for(lambda: [m.assigned for m in members] == [2, 2, 2], 60)}
    report["assigned_before"] = [m.assigned for m in members]
    failures = []
    producer = threading.Thread(target=lambda: failures.append(produce(args, 0, args.count, rate=args.count / 6)))
    producer.start()
    wait_for(lambda: len(seen) >= args.count // 3, 60)
    leaving_at = time.time()
    members[2].close()
    report["stable_after"] = wait_for(lambda: [m.assigned for m in members[:2]] == [3, 3], 60)
    report["takeover_seconds"] = round(time.time() - leaving_at, 2)
    report["assigned_after"] = [m.assigned for m in members[:2]]
    producer.join()
    wait_for(lambda: len({int(v) for _, _, v in seen}) >= args.count, 60)
    time.sleep(1)  # anything read twice would arrive now
    for member in members[:2]:
        member.close()
    report.update(exactly_once(seen, args.count))
    report["produce_failures"] = failures[0] if failures else -1
    report["errors"] = [e for m in members for e in m.errors]
    report["commit_failures"] = [e for m in members for e in m.commit_failures]
    return report


def resume(args):
    failures = produce(args, 0, args.count)
    seen, lock = [], threading.Lock()
    first = Member(args, "first", seen, lock, limit=args.count // 2)
    first.start()
    wait_for(first.closed.is_set, 60)
    read_first = len(seen)
    second_seen = []
    second = Member(args, "second", second_seen, threading.Lock())
    second.start()
    wait_for(lambda: read_first + len(second_seen) >= args.count, 60)
    time.sleep(1)
    second.close()
    report = exactly_once(seen + second_seen, args.count)
    report.update({"first_read": read_first, "second_read": len(second_seen), "produce_failures": failures,
                   "errors": first.errors + second.errors, "commit_failures": first.commit_failures + second.commit_failures})
    return report


def restart(args):
    from confluent_kafka import Consumer, TopicPartition
    failures = produce(args, 0, args.count // 2)
    seen, lock = [], threading.Lock()
    member = Member(args, "survivor", seen, lock)
    member.start()
    report = {"first_half_read": wait_for(lambda: len(seen) >= args.count // 2, 60)}
    os.kill(args.kill_pid, signal.SIGKILL)
    failures += produce(args, args.count // 2, args.count - args.count // 2)
    report["second_half_read"] = wait_for(lambda: len({int(v) for _, _, v in seen}) >= args.count, 90)
    member.close()
    report.update(exactly_once(seen, args.count))
    # The committed offsets, as a new member of the group sees them, cover every message.
    probe = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group})
    partitions = probe.list_topics(args.topic, timeout=10).topics[args.topic].partitions
    committed = probe.committed([TopicPartition(args.topic, p) for p in partitions], timeout=10)
    probe.close()
    report["committed_total"] = sum(max(tp.offset, 0) for tp in committed)
    report["produce_failures"] = failures
    report["errors"] = member.errors
    report["commit_failures"] = member.commit_failures
    return report


def first_assignment(args):
    """How long a lone consumer waits for its first assignment (group.initial.rebalance.delay.ms)."""
    seen, lock = [], threading.Lock()
    member = Member(args, "lone", seen, lock)
    started = time.time()
    member.start()
    assigned = wait_for(lambda: member.assigned > 0, 60)
    report = {"assigned": assigned, "seconds": round(time.time() - started, 2)}
    member.close()
    report["errors"] = member.errors
    return report


def static(args):
    """Two static members (group.instance.id) share four partitions. One restarts under the same
    instance id within its session timeout: it gets its partitions back, and the other member is
    not disturbed by a rebalance (KIP-345)."""
    seen, lock = [], threading.Lock()
    first = Member(args, "static-1", seen, lock, instance_id="worker-1")
    first.start()
    report = {"first_alone": wait_for(lambda: first.assigned == 4, 60)}
    second = Member(args, "static-2", seen, lock, instance_id="worker-2")
    second.start()
    report["shared"] = wait_for(lambda: first.assigned == 2 and second.assigned == 2, 60)
    before, revocations = set(second.partitions), first.revocations
    second.close()  # a static member leaves no LeaveGroup behind: its place is kept
    restarted = Member(args, "static-2-again", seen, lock, instance_id="worker-2")
    restarted.start()
    report["restarted_assigned"] = wait_for(lambda: restarted.assigned == 2, 60)
    time.sleep(1)
    report["same_partitions"] = restarted.partitions == before
    report["other_member_rebalanced"] = first.revocations != revocations
    first.close()
    restarted.close()
    report["errors"] = first.errors + second.errors + restarted.errors
    return report


class Processor(threading.Thread):
    """A member for slow_member: reads, records what it read and when, commits after each batch, and
    commits what it still holds when a partition is revoked. With `pause`, it takes one message only,
    commits it and then stops polling for `pause` seconds, as an application busy with a message does;
    its client keeps heartbeating meanwhile."""

    def __init__(self, args, client_id, seen, lock, pause=0.0):
        super().__init__(daemon=True)
        self.args, self.client_id, self.seen, self.lock, self.pause = args, client_id, seen, lock, pause
        self.started_at = self.first_at = self.paused_at = self.resumed_at = None
        self.read = 0
        self.partitions = set()
        self.uncommitted = {}
        self.commit_failures = []
        self.errors = []
        self.pausing = threading.Event()
        self.stop_event = threading.Event()
        self.closed = threading.Event()

    def process(self, records):
        now = time.time()
        if records and self.first_at is None:
            self.first_at = now
        with self.lock:
            self.seen.extend(records)
        self.read += len(records)
        for partition, offset, _ in records:
            self.uncommitted[partition] = max(self.uncommitted.get(partition, -1), offset + 1)
        return dict(self.uncommitted)

    def committed(self, positions):
        for partition, offset in positions.items():
            if self.uncommitted.get(partition) == offset:
                del self.uncommitted[partition]

    def revoked(self, partitions):
        return {p: self.uncommitted.pop(p) for p in partitions if p in self.uncommitted}

    def batch_size(self):
        return 1 if self.pause and self.paused_at is None else 500

    def after_batch(self, records):
        """The pause: once, after the first message, nothing is polled for `pause` seconds."""
        if records and self.pause and self.paused_at is None:
            self.paused_at = time.time()
            self.pausing.set()
            time.sleep(self.pause)
            self.resumed_at = time.time()

    def run(self):
        self.started_at = time.time()
        try:
            {"confluent": self.run_confluent, "kafka-python": self.run_kafka_python}[self.args.client]()
        except Exception as error:  # reported, and the test fails on it
            self.errors.append(repr(error))
        finally:
            self.closed.set()

    def run_confluent(self):
        from confluent_kafka import Consumer, KafkaException, TopicPartition
        consumer = Consumer({"bootstrap.servers": self.args.bootstrap, "group.id": self.args.group,
                             "client.id": self.client_id, "group.protocol": "classic",
                             "enable.auto.commit": False, "auto.offset.reset": "earliest",
                             "max.poll.interval.ms": 10000, "session.timeout.ms": 6000})

        def commit(positions):
            if not positions:
                return
            try:
                consumer.commit(offsets=[TopicPartition(self.args.topic, p, o) for p, o in positions.items()],
                                asynchronous=False)
                self.committed(positions)
            except KafkaException as error:
                self.commit_failures.append(repr(error))

        def on_revoke(_, partitions):
            commit(self.revoked([tp.partition for tp in partitions]))

        consumer.subscribe([self.args.topic], on_revoke=on_revoke)
        while not self.stop_event.is_set():
            batch = [m for m in consumer.consume(num_messages=self.batch_size(), timeout=0.2) if m.error() is None]
            records = [(m.partition(), m.offset(), m.value()) for m in batch]
            if records:
                commit(self.process(records))
            self.partitions = {tp.partition for tp in consumer.assignment()}
            self.after_batch(records)
        commit(dict(self.uncommitted))
        consumer.close()

    def run_kafka_python(self):
        from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata, TopicPartition
        from kafka.errors import KafkaError
        consumer = KafkaConsumer(bootstrap_servers=self.args.bootstrap, group_id=self.args.group,
                                 client_id=self.client_id, enable_auto_commit=False,
                                 auto_offset_reset="earliest", max_poll_interval_ms=10000,
                                 session_timeout_ms=6000)
        member = self

        def commit(positions):
            if not positions:
                return
            try:
                consumer.commit({TopicPartition(self.args.topic, p): OffsetAndMetadata(o, "", -1) for p, o in positions.items()})
                self.committed(positions)
            except KafkaError as error:
                self.commit_failures.append(repr(error))

        class Listener(ConsumerRebalanceListener):
            # On kafka-python's IO thread, where blocking calls are refused (see Member).
            def on_partitions_revoked(self, revoked):
                positions = member.revoked([tp.partition for tp in revoked])
                if positions:
                    consumer.commit_async({TopicPartition(member.args.topic, p): OffsetAndMetadata(o, "", -1)
                                           for p, o in positions.items()})

            def on_partitions_assigned(self, assigned):
                pass

        consumer.subscribe([self.args.topic], listener=Listener())
        while not self.stop_event.is_set():
            # kafka-python rejoins only inside poll(); a long poll, as in Member.
            batches = consumer.poll(timeout_ms=1000 if self.batch_size() == 1 else 3000, max_records=self.batch_size())
            records = [(r.partition, r.offset, r.value) for rs in batches.values() for r in rs]
            if records:
                commit(self.process(records))
            self.partitions = {tp.partition for tp in consumer.assignment()}
            self.after_batch(records)
        commit(dict(self.uncommitted))
        consumer.close()

    def close(self):
        self.stop_event.set()
        self.closed.wait(60)


def trickle(args, stop, produced, failures):
    """Writes one message every 100 ms until `stop` is set: values 0, 1, 2, … (count in `produced`)."""
    from confluent_kafka import Producer
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True, "linger.ms": 0})
    while not stop.is_set():
        producer.produce(args.topic, value=b"%d" % produced[0],
                         on_delivery=lambda err, msg: failures.append(str(err)) if err else None)
        produced[0] += 1
        producer.poll(0)
        stop.wait(0.1)
    producer.flush(30)


def slow_member(args):
    """B joins while A, which holds the only partition, processes a message for `pause` seconds
    without polling. Kafka's coordinator holds the rebalance until every known member has rejoined
    or the rebalance timeout (the largest max.poll.interval.ms) has passed, so B must get nothing
    before A polls again. B's client id sorts first, so the range assignor then gives B the partition."""
    seen, lock = [], threading.Lock()
    stop, produced, failures = threading.Event(), [0], []
    producer = threading.Thread(target=trickle, args=(args, stop, produced, failures), daemon=True)
    producer.start()
    a = Processor(args, "z-busy", seen, lock, pause=args.pause)
    b = Processor(args, "a-waiting", seen, lock)
    a.start()
    report = {"a_paused": a.pausing.wait(30)}
    b.start()
    report["a_resumed"] = wait_for(lambda: a.resumed_at is not None, args.pause + 10)
    report["b_read_any"] = wait_for(lambda: b.first_at is not None, 20)
    time.sleep(1)
    stop.set()
    producer.join(30)
    wait_for(lambda: len({int(v) for _, _, v in seen}) >= produced[0], 20)
    time.sleep(0.5)  # anything read twice would arrive now
    a.close()
    b.close()
    report.update(exactly_once(seen, produced[0]))
    report["produced"] = produced[0]

    def since(moment, reference):
        return round(moment - reference, 2) if moment is not None and reference is not None else None

    report["paused_seconds"] = since(a.resumed_at, a.paused_at)
    report["b_started_before_a_resumed"] = since(a.resumed_at, b.started_at)
    report["b_first_after_a_resumed"] = since(b.first_at, a.resumed_at)
    report["b_first_after_b_started"] = since(b.first_at, b.started_at)
    report["a_read"], report["b_read"] = a.read, b.read
    report["b_partitions"] = sorted(b.partitions)
    report["produce_failures"] = len(failures)
    report["errors"] = a.errors + b.errors
    report["commit_failures"] = a.commit_failures + b.commit_failures
    return report


def admin_outcome(future):
    try:
        return future.result(10)
    except Exception as error:
        return error.args[0].name() if error.args and hasattr(error.args[0], "name") else str(error)


def admin(args):
    """confluent-kafka's AdminClient on a group: list (with a state filter), describe, list offsets,
    delete offsets and delete the group, while it has a member and after."""
    from confluent_kafka import ConsumerGroupState, ConsumerGroupTopicPartitions, TopicPartition
    from confluent_kafka.admin import AdminClient
    client = AdminClient({"bootstrap.servers": args.bootstrap})
    produce(args, 0, args.count)
    seen, lock = [], threading.Lock()
    member = Member(args, "inspected", seen, lock)
    member.start()
    report = {"read": wait_for(lambda: len(seen) >= args.count and member.assigned == 2, 60)}
    time.sleep(0.5)

    def listed(states=None):
        result = admin_outcome(client.list_consumer_groups(states=states) if states else client.list_consumer_groups())
        return {g.group_id: g.state.name for g in result.valid} if hasattr(result, "valid") else result

    def described():
        result = admin_outcome(client.describe_consumer_groups([args.group])[args.group])
        if isinstance(result, str):
            return result
        return {"state": result.state.name, "protocol": result.partition_assignor,
                "members": [sorted(tp.partition for tp in m.assignment.topic_partitions) for m in result.members]}

    def offsets():
        request = [ConsumerGroupTopicPartitions(args.group, [TopicPartition(args.topic, 0), TopicPartition(args.topic, 1)])]
        result = admin_outcome(client.list_consumer_group_offsets(request)[args.group])
        return result if isinstance(result, str) else [tp.offset for tp in result.topic_partitions]

    # confluent-kafka has no OffsetDelete call; kafka-python's admin client does.
    from kafka import TopicPartition as KafkaPythonTopicPartition
    from kafka.admin import KafkaAdminClient
    kafka_python = KafkaAdminClient(bootstrap_servers=args.bootstrap)

    def delete_offsets(partition):
        try:
            result = kafka_python.delete_group_offsets(args.group, [KafkaPythonTopicPartition(args.topic, partition)])
        except Exception as error:
            return type(error).__name__
        return [getattr(v, "__name__", str(v)) for v in result.values()][0]

    # A commit's metadata round-trips; OffsetFetch v8 answers several groups in one request.
    from confluent_kafka import Consumer as PlainConsumer
    other = PlainConsumer({"bootstrap.servers": args.bootstrap, "group.id": args.group + "-other"})
    other.commit(offsets=[TopicPartition(args.topic, 1, 7, metadata="checkpoint-7")], asynchronous=False)
    report["metadata_round_trip"] = [tp.metadata for tp in other.committed([TopicPartition(args.topic, 1)], timeout=10)]
    other.close()
    both = kafka_python.list_group_offsets({args.group: None, args.group + "-other": None})
    report["multi_group_fetch"] = {group: sorted(tp.partition for tp in offsets) for group, offsets in both.items()}

    report["listed_active"] = listed().get(args.group)
    report["described_active"] = described()
    report["offsets_active"] = offsets()
    report["delete_group_active"] = admin_outcome(client.delete_consumer_groups([args.group])[args.group])
    report["delete_offsets_active"] = delete_offsets(0)
    member.close()
    report["listed_empty"] = listed({ConsumerGroupState.EMPTY}).get(args.group)
    report["listed_stable_filter"] = args.group in listed({ConsumerGroupState.STABLE})
    report["delete_offsets_empty"] = delete_offsets(0)
    report["offsets_after_delete"] = offsets()
    result = admin_outcome(client.delete_consumer_groups([args.group])[args.group])
    report["delete_group_empty"] = "ok" if result is None else result
    report["listed_after_delete"] = args.group in listed()
    report["described_after_delete"] = described()
    result = admin_outcome(client.delete_consumer_groups([args.group])[args.group])
    report["delete_group_again"] = "ok" if result is None else result
    report["errors"] = member.errors
    kafka_python.close()
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=["rebalance", "resume", "restart", "admin", "first-assignment", "static",
                                             "slow-member"])
    parser.add_argument("--client", default="confluent", choices=["confluent", "kafka-python", "aiokafka"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", default=None)
    parser.add_argument("--count", type=int, default=30000)
    parser.add_argument("--assignor", default=None)
    parser.add_argument("--kill-pid", type=int, default=0)
    parser.add_argument("--pause", type=float, default=8.0)
    args = parser.parse_args()
    args.group = args.group or "group-%s-%s" % (args.scenario, args.client)
    report = {"rebalance": rebalance, "resume": resume, "restart": restart, "admin": admin,
              "first-assignment": first_assignment, "static": static, "slow-member": slow_member}[args.scenario](args)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
