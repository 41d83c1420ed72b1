#!/usr/bin/env python3
"""Power-loss rounds on a LazyFS mount, driven by scripts/powerloss.sh (which builds and mounts LazyFS).

    powerloss.py --mount M --work W --faults-fifo F --done-fifo D --report R broker --rounds N --bin-dir B
    powerloss.py ... broker-no-fsync --rounds 1 --bin-dir B --preload no-fsync.so
    powerloss.py ... sqlite-sync-off --rounds N --program sqlite-sync-off
    powerloss.py --report R summary [--markdown]

A broker round: a fresh data directory on the mount, `monolog-supervisor start`, a 3-partition topic
and a second one for transactions; a confluent-kafka idempotent acks=all producer, an HTTP producer
(500 messages a request) and a consumer group member committing after every batch it reads, all at full
speed, and a confluent-kafka transactional producer committing a transaction every 100 ms (every fifth
aborted), each recording what was acknowledged; once each has had an acknowledgement, 0.5 to 3.5 s
later (random), SIGKILL of the supervisor's process group and of every process running on the data
directory, and once all are gone `lazyfs::clear-cache`; then a new start on the same directory. It
passes when every acknowledged message is at its acknowledged offset, no message is stored twice, every
partition's committed offset is at least the last acknowledged commit, a read_committed consumer reads
every value of every transaction whose commit was acknowledged exactly once, none of an aborted one,
and of the transaction open at the power loss all or none, the tree stops with status 0, and
`PRAGMA integrity_check` says ok. `broker-no-fsync` is the same round with an LD_PRELOAD shim that makes fsync a no-op;
`sqlite-sync-off` rounds kill a SQLite program at synchronous=OFF instead. Both are negative controls:
they must lose data, or the simulation is not working.

Each round prints one line and appends one JSON line to the report; `summary` reads the report and
exits non-zero if a broker round failed or a control lost nothing.
"""
import argparse, collections, contextlib, http.client, json, multiprocessing, os, random, select, signal, socket, sqlite3
import subprocess, sys, time

from durability import read_topic, retried

TOPIC = "powerloss"
TX_TOPIC = "powerloss-tx"  # the transactional producer's own topic: its open transaction holds back read_committed
GROUP = "powerloss-member"


# ---------------------------------------------------------------------------------------------------
# The clients. Each runs in its own process and appends what was acknowledged to its own file as it
# goes (flushed at least every 50 ms), so being killed costs nothing already acknowledged.

def client_setup(path):
    """Ends this client with the driver, however the driver ends, and sends its standard error
    (librdkafka's log) to a file beside its records."""
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    os.dup2(os.open(path + ".log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644), 2)


def kafka_producer(bootstrap, stop, path):
    from confluent_kafka import KafkaException, Producer
    client_setup(path)
    out = open(path, "w")
    errors = collections.Counter()

    def delivered(err, msg):
        if err is None:
            out.write("%d %d %s\n" % (msg.partition(), msg.offset(), msg.value().decode()))
        else:
            errors[err.name()] += 1

    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all", "linger.ms": 5})
    sent, last_flush = 0, time.monotonic()
    while not stop.is_set():
        try:
            producer.produce(TOPIC, key=b"%d" % (sent % 97), value=b"k-%d" % sent, on_delivery=delivered)
            sent += 1
        except BufferError:
            producer.poll(0.01)
        except KafkaException as error:  # fatal: the producer gave up for good
            errors["fatal: " + str(error)] += 1
            break
        if sent % 500 == 0:
            producer.poll(0)
        if time.monotonic() - last_flush > 0.05:
            out.flush()
            last_flush = time.monotonic()
    # The broker is gone: take in the acknowledgements already received, then give up the rest.
    producer.poll(0.2)
    producer.purge(in_queue=True, in_flight=True, blocking=False)
    producer.flush(1)
    out.write("# sent %d errors %s\n" % (sent, json.dumps(dict(errors))))
    out.close()
    os._exit(0)


def http_producer(port, stop, path):
    client_setup(path)
    out = open(path, "w")
    errors = collections.Counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sent = 0
    while not stop.is_set():
        values = ["h-%d" % n for n in range(sent, sent + 500)]
        sent += 500
        try:
            connection.request("POST", "/api/topics/%s/messages" % TOPIC, json.dumps([{"value": v} for v in values]),
                               {"Content-Type": "application/json"})
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            errors[type(error).__name__] += 1
            connection.close()
            time.sleep(0.02)
            continue
        if response.status != 200:
            errors["HTTP %d" % response.status] += 1
            continue
        results = json.loads(body)["results"]
        out.write("".join("%d %d %s\n" % (r["partition"], r["offset"], v) for v, r in zip(values, results)))
        out.flush()
    out.write("# sent %d errors %s\n" % (sent, json.dumps(dict(errors))))
    out.close()
    os._exit(0)


def group_member(bootstrap, stop, path):
    """Reads the topic in a consumer group and commits (synchronously) after every batch; records each
    commit the broker acknowledged ("c partition offset") and each one it was sent ("a partition offset")."""
    from confluent_kafka import Consumer, KafkaException, TopicPartition
    client_setup(path)
    out = open(path, "w", buffering=1)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": GROUP, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([TOPIC])
    read = 0
    while not stop.is_set():
        positions = {}
        for message in consumer.consume(num_messages=2000, timeout=0.1):
            if message.error() is None:
                positions[message.partition()] = message.offset() + 1
                read += 1
        if not positions:
            continue
        out.write("".join("a %d %d\n" % item for item in positions.items()))
        try:
            result = consumer.commit(offsets=[TopicPartition(TOPIC, p, o) for p, o in positions.items()], asynchronous=False)
        except KafkaException:
            continue
        out.write("".join("c %d %d\n" % (tp.partition, tp.offset) for tp in result if tp.error is None))
    out.write("# read %d\n" % read)
    out.close()
    os._exit(0)


def transactional_producer(bootstrap, stop, path):
    """A confluent-kafka transactional producer on TX_TOPIC: a transaction every 100 ms, each writing
    unique values t-N-0, t-N-1, ... (N the transaction's number) for 100 ms, then committed, except every
    fifth, which is aborted. Its file says, a line each: "b N" once transaction N began (values may be
    sent from then on), "e N COUNT commit" or "e N COUNT abort" just before commit_transaction() or
    abort_transaction() is called (COUNT values were produced), and "c N COUNT" once commit_transaction()
    returned (acknowledged) or "a N COUNT" once abort_transaction() did. Any error ends the client."""
    from confluent_kafka import KafkaException, Producer
    client_setup(path)
    out = open(path, "w", buffering=1)
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": "powerloss-tx", "linger.ms": 5,
                         "transaction.timeout.ms": 10000})
    note = ""
    try:
        producer.init_transactions(30)
        number = 0
        while not stop.is_set():
            number += 1
            producer.begin_transaction()
            out.write("b %d\n" % number)
            count, ends = 0, time.monotonic() + 0.1
            while time.monotonic() < ends and count < 2000 and not stop.is_set():
                try:
                    producer.produce(TX_TOPIC, key=b"%d" % (count % 97), value=b"t-%d-%d" % (number, count))
                    count += 1
                except BufferError:
                    producer.poll(0.01)
                if count % 200 == 0:
                    producer.poll(0)
            commit = number % 5 != 0
            out.write("e %d %d %s\n" % (number, count, "commit" if commit else "abort"))
            if commit:
                producer.commit_transaction(30)
                out.write("c %d %d\n" % (number, count))
            else:
                producer.abort_transaction(30)
                out.write("a %d %d\n" % (number, count))
    except KafkaException as error:  # the broker is gone, or a failure before it went: either ends it
        note = "error: %s" % error.args[0]
    out.write("# %s\n" % (note or "stopped"))
    out.close()
    os._exit(0)


def read_transactions(path):
    """The transactional producer's file: {N: COUNT} of the transactions acknowledged as committed, of
    those aborted or sent to be aborted, and the transaction open at the end, if any, as (N, COUNT or
    None if its end was never requested, whether commit was requested); and its closing note."""
    began, ended, committed, aborted, note = [], {}, {}, {}, ""
    if os.path.exists(path):
        for line in open(path):
            if not line.endswith("\n"):
                break
            if line.startswith("#"):
                note = line[1:].strip()
                continue
            fields = line.split()
            number = int(fields[1])
            if fields[0] == "b":
                began.append(number)
            elif fields[0] == "e":
                ended[number] = (int(fields[2]), fields[3] == "commit")
            elif fields[0] == "c":
                committed[number] = int(fields[2])
    for number, (count, commit) in ended.items():
        if not commit:
            aborted[number] = count
    open_transaction = None
    if began and began[-1] not in committed and began[-1] not in aborted:
        count, commit = ended.get(began[-1], (None, False))
        open_transaction = (began[-1], count, commit)
    return committed, aborted, open_transaction, note


def acknowledged_once(path):
    try:
        with open(path) as f:
            lines = f.read(65536).split("\n")[:-1]  # complete lines; the first acknowledgement comes early
        return any(line[:1].isdigit() or line.startswith("c ") for line in lines)
    except OSError:
        return False


def read_acknowledged(path):
    """(partition, offset, value) lines of a producer's file, and its closing '#' line if it got that far."""
    acknowledged, note = [], ""
    if not os.path.exists(path):
        return acknowledged, "no file"
    for line in open(path):
        if not line.endswith("\n"):
            break  # the last line of a killed client
        if line.startswith("#"):
            note = line[1:].strip()
            continue
        partition, offset, value = line.split()
        acknowledged.append((int(partition), int(offset), value))
    return acknowledged, note


def read_commits(path):
    acknowledged, attempted = {}, {}
    if os.path.exists(path):
        for line in open(path):
            if not line.endswith("\n") or line.startswith("#"):
                continue
            kind, partition, offset = line.split()
            table = acknowledged if kind == "c" else attempted
            table[int(partition)] = max(table.get(int(partition), -1), int(offset))
    return acknowledged, attempted


# ---------------------------------------------------------------------------------------------------
# Processes, the mount, the clear.

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes_on(directory):
    """Live (not zombie) processes with the directory, or a path inside it, among their arguments."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                arguments = f.read().decode(errors="replace").split("\0")
            with open("/proc/%s/stat" % entry) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z" and any(a == directory or a.startswith(directory + "/") or a.endswith("=" + directory)
                                for a in arguments):
            found.append(int(entry))
    return found


class Tree:
    """One `monolog-supervisor start` in its own process group, on fresh ports."""

    def __init__(self, args, data, log_path, preload=None):
        self.data, self.log_path = data, log_path
        self.kafka_port, self.http_port = free_port(), free_port()
        environment = dict(os.environ)
        if preload:
            environment["LD_PRELOAD"] = preload
        self.log = open(log_path, "a")
        self.log_start = self.log.tell()
        self.process = subprocess.Popen(
            [os.path.join(args.bin_dir, "monolog-supervisor"), "start", "--data-dir", data,
             "--kafka-addr", "127.0.0.1:%d" % self.kafka_port, "--http-addr", "127.0.0.1:%d" % self.http_port,
             "--auto-create-topics", "false"] + self.replication_arguments(args, data),
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=environment,
            start_new_session=True)

    @staticmethod
    def replication_arguments(args, data):
        """With --replica-root: Litestream replicates the database to a directory off the LazyFS mount,
        so the round's power loss also hits a database that Litestream writes to and checkpoints."""
        if not getattr(args, "replica_root", None):
            return []
        return ["--replica", os.path.join(args.replica_root, os.path.basename(data)), "--litestream-bin", args.litestream_bin]

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.kafka_port

    def http(self, method, path, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        try:
            connection.request(method, path, body, {"Content-Type": "application/json"} if body else {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def wait_until_serving(self, timeout=60):
        """True once this tree's own gateways logged their binds and the HTTP API answers."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                return False
            with open(self.log_path, errors="replace") as f:
                f.seek(self.log_start)
                log = f.read()
            if "kafka gateway listening" in log and "Server started and listening" in log:
                try:
                    if self.http("GET", "/api/topics")[0] == 200:
                        socket.create_connection(("127.0.0.1", self.kafka_port), timeout=2).close()
                        return True
                except OSError:
                    pass
            time.sleep(0.05)
        return False

    def kill(self, timeout=15):
        """SIGKILL of the supervisor and every service at once; returns once none of them is left."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        deadline = time.time() + timeout
        while True:
            for pid in processes_on(self.data):  # anything that left the process group
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.process.poll()
            if self.process.returncode is not None and not processes_on(self.data):
                return
            if time.time() > deadline:
                raise RuntimeError("processes on %s outlived SIGKILL by %d s: %s" % (self.data, timeout, processes_on(self.data)))
            time.sleep(0.01)

    def stop(self, timeout=30):
        """SIGTERM to the supervisor; its exit status (None if it had to be killed)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                return None
        if processes_on(self.data):
            self.kill()
        return self.process.returncode


class LazyFS:
    def __init__(self, mount, faults_fifo, done_fifo):
        self.mount, self.faults_fifo = mount, faults_fifo
        self.done = os.open(done_fifo, os.O_RDONLY | os.O_NONBLOCK)

    def settle(self, timeout=10):
        """Waits until the FUSE connection has no request in flight (when fusectl is mounted; a pause
        otherwise), so no write of a killed process lands after the clear."""
        waiting = "/sys/fs/fuse/connections/%d/waiting" % os.minor(os.stat(self.mount).st_dev)
        if not os.path.exists(waiting):
            time.sleep(0.3)
            return
        deadline = time.time() + timeout
        while int(open(waiting).read()) > 0 and time.time() < deadline:
            time.sleep(0.01)

    def clear_cache(self, timeout=60):
        """The power loss: LazyFS drops every write that was not fsynced."""
        self.settle()
        with open(self.faults_fifo, "w") as fifo:
            fifo.write("lazyfs::clear-cache\n")
        answer, deadline = b"", time.time() + timeout
        while b"finished::clear-cache" not in answer:
            left = deadline - time.time()
            if left <= 0:
                raise RuntimeError("LazyFS did not confirm the clear within %d s" % timeout)
            if select.select([self.done], [], [], left)[0]:
                answer += os.read(self.done, 4096)


def integrity_check(path):
    try:
        connection = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=30)
        try:
            return "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
        finally:
            connection.close()
    except sqlite3.Error as error:
        return "error: %s" % error


def remove_tree(path):
    subprocess.run(["rm", "-rf", path], check=False)


# ---------------------------------------------------------------------------------------------------
# Rounds.

def broker_round(args, fs, number, rng, preload=None):
    name = "round-%d" % number if not preload else "no-fsync-%d" % number
    data = os.path.join(args.mount, name)
    work = os.path.join(args.work, name)
    remove_tree(data)
    os.makedirs(work, exist_ok=True)
    result = {"kind": args.command, "round": number, "replication": bool(getattr(args, "replica_root", None))}
    tree = Tree(args, data, os.path.join(work, "broker.log"), preload)
    clients = []
    try:
        if not tree.wait_until_serving():
            raise RuntimeError("the broker did not start serving")
        status, body = tree.http("POST", "/api/topics", json.dumps({"name": TOPIC, "partitions": 3}))
        if status != 201:
            raise RuntimeError("creating the topic: %d %s" % (status, body[:200]))
        status, body = tree.http("POST", "/api/topics", json.dumps({"name": TX_TOPIC, "partitions": 3}))
        if status != 201:
            raise RuntimeError("creating the transactional topic: %d %s" % (status, body[:200]))
        context = multiprocessing.get_context("fork")
        stop = context.Event()
        files = {"kafka": os.path.join(work, "kafka.acks"), "http": os.path.join(work, "http.acks"),
                 "commits": os.path.join(work, "commits"), "transactions": os.path.join(work, "transactions")}
        clients = [context.Process(target=kafka_producer, args=(tree.bootstrap, stop, files["kafka"])),
                   context.Process(target=http_producer, args=(tree.http_port, stop, files["http"])),
                   context.Process(target=group_member, args=(tree.bootstrap, stop, files["commits"])),
                   context.Process(target=transactional_producer, args=(tree.bootstrap, stop, files["transactions"]))]
        for client in clients:
            client.start()
        # The load is on once every client has had an acknowledgement; the power goes some time after.
        began = time.time()
        result["kill_after_s"] = round(rng.uniform(args.min_seconds, args.max_seconds), 2)
        while not all(acknowledged_once(path) for path in files.values()):
            if time.time() - began > 30:
                raise RuntimeError("a client had no acknowledgement within 30 s")
            time.sleep(0.02)
        result["load_after_s"] = round(time.time() - began, 2)
        time.sleep(result["kill_after_s"])
        tree.kill()
        stop.set()
        for client in clients:
            client.join(5)
            if client.is_alive():
                client.kill()
                client.join()
        fs.clear_cache()

        kafka, kafka_note = read_acknowledged(files["kafka"])
        http_acks, http_note = read_acknowledged(files["http"])
        commits, attempted = read_commits(files["commits"])
        result.update({"kafka_acknowledged": len(kafka), "http_acknowledged": len(http_acks),
                       "commits_acknowledged": sum(1 for line in open(files["commits"]) if line.startswith("c ")),
                       "kafka_producer": kafka_note, "http_producer": http_note})
        tx_committed, tx_aborted, tx_open, tx_note = read_transactions(files["transactions"])
        result.update({"tx_committed": len(tx_committed), "tx_committed_values": sum(tx_committed.values()),
                       "tx_aborted": len(tx_aborted), "tx_aborted_values": sum(tx_aborted.values()),
                       "tx_open": None if tx_open is None else {"values": tx_open[1], "commit_requested": tx_open[2]},
                       "tx_producer": tx_note})

        began = time.time()
        tree = Tree(args, data, os.path.join(work, "broker.log"))
        if not tree.wait_until_serving():
            result["restart"] = "failed"
            stored, committed = {}, {}
            tx_values = []
        else:
            result["restart_s"] = round(time.time() - began, 2)
            stored, committed = read_broker(tree, commits)
            tx_values = read_committed_values(tree, sum(tx_committed.values()))
        acknowledged = kafka + http_acks
        lost = [(p, o, v) for p, o, v in acknowledged if stored.get((p, o)) != v]
        counts = collections.Counter(stored.values())
        result["lost"] = len(lost)
        result["lost_examples"] = lost[:5]
        result["duplicates"] = sum(c - 1 for c in counts.values() if c > 1)
        result["commits_lost"] = sum(1 for p, o in commits.items() if committed.get(p, -1) < o)
        result["commits_beyond_sent"] = sum(1 for p, o in committed.items() if o > attempted.get(p, -1))
        result["stored"] = len(stored)
        result.update(check_transactions(tx_values, tx_committed, tx_aborted, tx_open))
        result["stop_status"] = tree.stop()
        result["integrity"] = integrity_check(os.path.join(data, "monolog.db"))
    except Exception as error:  # the round failed to run: say why, on its line
        result["error"] = "%s: %s" % (type(error).__name__, error)
    finally:
        for client in clients:
            if client.is_alive():
                client.kill()
        tree.stop()
        tree.kill()
    result["passed"] = ("error" not in result and result.get("restart") != "failed" and result["lost"] == 0
                        and result["duplicates"] == 0 and result["commits_lost"] == 0
                        and result["commits_beyond_sent"] == 0 and result["integrity"] == "ok"
                        and result["stop_status"] == 0 and result["kafka_acknowledged"] > 0
                        and result["http_acknowledged"] > 0 and result["commits_acknowledged"] > 0
                        and result["tx_committed"] > 0 and result["tx_lost"] == 0 and result["tx_duplicates"] == 0
                        and result["tx_aborted_visible"] == 0 and result["tx_open_outcome"] != "part"
                        and result["tx_unexpected"] == 0)
    if result["passed"] or preload:
        remove_tree(data)
        remove_tree(work)
    else:
        result["kept"] = True
    return result


def read_broker(tree, commits):
    """What the restarted broker holds: {(partition, offset): value} and {partition: committed offset}."""
    from confluent_kafka import Consumer, TopicPartition
    if tree.http("GET", "/api/topics/" + TOPIC)[0] == 404:
        return {}, {}  # the topic itself was lost
    stored = {}
    for partition, offset, value in read_topic(tree.bootstrap, TOPIC):
        stored[(partition, offset)] = value.decode(errors="replace")
    consumer = Consumer({"bootstrap.servers": tree.bootstrap, "group.id": GROUP, "enable.auto.commit": False})
    try:
        offsets = retried(lambda: consumer.committed([TopicPartition(TOPIC, p) for p in range(3)], timeout=30))
    finally:
        consumer.close()
    return stored, {tp.partition: tp.offset for tp in offsets if tp.error is None and tp.offset >= 0}


def read_committed_values(tree, expected, seconds=20):
    """The values of TX_TOPIC a read_committed consumer reads from the start, up to the last stable
    offset of each partition; it keeps reading until it has at least `expected` values or `seconds` pass
    (transaction markers may still be on their way after the restart)."""
    from confluent_kafka import Consumer, KafkaError, TopicPartition
    if tree.http("GET", "/api/topics/" + TX_TOPIC)[0] == 404:
        return []  # the topic itself was lost
    consumer = Consumer({"bootstrap.servers": tree.bootstrap, "group.id": "powerloss-tx-check", "enable.auto.commit": False,
                         "isolation.level": "read_committed", "enable.partition.eof": True})
    try:
        partitions = retried(lambda: consumer.list_topics(TX_TOPIC, timeout=30)).topics[TX_TOPIC].partitions
        consumer.assign([TopicPartition(TX_TOPIC, p, -2) for p in partitions])
        values, ended, deadline = [], set(), time.time() + seconds
        while time.time() < deadline and (len(ended) < len(partitions) or len(values) < expected):
            for message in consumer.consume(num_messages=10000, timeout=0.5):
                if message.error() is not None:
                    if message.error().code() == KafkaError._PARTITION_EOF:
                        ended.add(message.partition())
                    continue
                ended.discard(message.partition())
                values.append(message.value().decode(errors="replace"))
        return values
    finally:
        consumer.close()


def check_transactions(values, committed, aborted, open_transaction):
    """Every value of every acknowledged transaction read exactly once, none of an aborted one, and of
    the transaction open at the power loss all or none (all only if its commit had been requested)."""
    found = collections.Counter()
    unexpected = 0
    for value in values:
        try:
            number = int(value.split("-")[1])
        except (IndexError, ValueError):
            unexpected += 1
            continue
        found[number] += 1
    counts = collections.Counter(values)
    duplicates = sum(c - 1 for c in counts.values() if c > 1)
    lost = sum(max(0, count - len([1 for i in range(count) if counts["t-%d-%d" % (number, i)] > 0]))
               for number, count in committed.items())
    aborted_visible = sum(found[number] for number in aborted)
    known = set(committed) | set(aborted)
    outcome = "none"
    if open_transaction is not None:
        number, count, commit = open_transaction
        known.add(number)
        present = len({v for v in values if v.startswith("t-%d-" % number)})
        if present == 0:
            outcome = "absent"
        elif commit and present == count:
            outcome = "present"
        else:
            outcome = "part"  # some values only, or values of a transaction never sent to be committed
    unexpected += sum(n for number, n in found.items() if number not in known)
    return {"tx_lost": lost, "tx_duplicates": duplicates, "tx_aborted_visible": aborted_visible,
            "tx_open_outcome": outcome, "tx_unexpected": unexpected, "tx_read": len(values)}


def sqlite_round(args, fs, number, rng):
    """The negative control: a SQLite program at synchronous=OFF acknowledges rows it never fsynced."""
    data = os.path.join(args.mount, "sqlite-%d" % number)
    remove_tree(data)
    os.makedirs(data)
    database = os.path.join(data, "control.db")
    acks = os.path.join(args.work, "sqlite-%d.acks" % number)
    result = {"kind": args.command, "round": number, "kill_after_s": round(rng.uniform(args.min_seconds, args.max_seconds), 2)}
    with open(acks, "w") as out:
        program = subprocess.Popen([args.program, database], stdout=out, start_new_session=True)
    try:
        # As in a broker round, the power goes some time after the first acknowledgement.
        began = time.time()
        while not acknowledged_once(acks):
            if program.poll() is not None or time.time() - began > 30:
                raise RuntimeError("the program acknowledged nothing (exit status %s)" % program.poll())
            time.sleep(0.02)
        time.sleep(result["kill_after_s"])
    finally:
        os.killpg(program.pid, signal.SIGKILL)
        program.wait()
    lines = [line for line in open(acks).read().split("\n")[:-1] if line]
    acknowledged = int(lines[-1]) if lines else 0
    os.unlink(acks)
    fs.clear_cache()
    try:
        with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % database, uri=True)) as connection:
            present = connection.execute("SELECT count(*) FROM acked WHERE id <= ?", (acknowledged,)).fetchone()[0]
    except sqlite3.Error as error:
        present, result["read_error"] = 0, str(error)
    result.update({"acknowledged": acknowledged, "lost": acknowledged - present,
                   "integrity": integrity_check(database)})
    remove_tree(data)
    return result


def describe(result, rounds):
    head = "round %d/%d %s" % (result["round"], rounds, result["kind"])
    if "error" in result:
        return "%s: ERROR %s" % (head, result["error"])
    if result["kind"] == "sqlite-sync-off":
        return "%s: killed after %.2f s; %s rows acknowledged, %s lost; integrity %s" % (
            head, result["kill_after_s"], format(result["acknowledged"], ","), format(result["lost"], ","), result["integrity"])
    restart = "restart failed" if result.get("restart") == "failed" else "restart %.1f s" % result["restart_s"]
    verdict = "PASS" if result["passed"] else ("loses data, as it should" if result["kind"] == "broker-no-fsync" else "FAIL")
    if result["kind"] == "broker-no-fsync" and result["lost"] == 0 and result["commits_lost"] == 0 and result["tx_lost"] == 0:
        verdict = "lost nothing: the simulation is not working"
    return ("%s: killed %.2f s into the load; acknowledged %s Kafka + %s HTTP messages, %s offset commits; lost %s, read twice %d, "
            "commits lost %d; %d transactions committed (%s values), %d aborted: values lost %s, read twice %d, "
            "aborted visible %d, open one %s; integrity %s; %s; stop %s: %s%s") % (
        head, result["kill_after_s"], format(result["kafka_acknowledged"], ","), format(result["http_acknowledged"], ","),
        format(result["commits_acknowledged"], ","), format(result["lost"], ","), result["duplicates"],
        result["commits_lost"], result["tx_committed"], format(result["tx_committed_values"], ","), result["tx_aborted"],
        format(result["tx_lost"], ","), result["tx_duplicates"], result["tx_aborted_visible"], result["tx_open_outcome"],
        result["integrity"], restart, result["stop_status"], verdict,
        " (its files are kept)" if result.get("kept") else "")


def run_rounds(args):
    fs = LazyFS(args.mount, args.faults_fifo, args.done_fifo)
    seed = args.seed if args.seed is not None else int(time.time() * 1000) % 1000000
    rng = random.Random(seed)
    print("%s: %d round%s, seed %d" % (args.command, args.rounds, "" if args.rounds == 1 else "s", seed), flush=True)
    ok = True
    for number in range(1, args.rounds + 1):
        if args.command == "sqlite-sync-off":
            try:
                result = sqlite_round(args, fs, number, rng)
            except Exception as error:
                result = {"kind": args.command, "round": number, "error": "%s: %s" % (type(error).__name__, error)}
        else:
            result = broker_round(args, fs, number, rng, preload=args.preload if args.command == "broker-no-fsync" else None)
        result["seed"] = seed
        with open(args.report, "a") as report:
            report.write(json.dumps(result, sort_keys=True) + "\n")
        print(describe(result, args.rounds), flush=True)
        ok = ok and "error" not in result and (result.get("passed", True) or args.command != "broker")
    return ok


# ---------------------------------------------------------------------------------------------------
# The summary.

def summary(args):
    results = [json.loads(line) for line in open(args.report) if line.strip()]
    by_kind = collections.defaultdict(list)
    for result in results:
        by_kind[result["kind"]].append(result)
    broker, sqlite_off, no_fsync = by_kind["broker"], by_kind["sqlite-sync-off"], by_kind["broker-no-fsync"]
    passed = sum(1 for r in broker if r.get("passed"))
    totals = collections.Counter()
    for r in broker + no_fsync:
        for key in ("kafka_acknowledged", "http_acknowledged", "commits_acknowledged", "lost", "duplicates", "commits_lost",
                    "tx_committed", "tx_committed_values", "tx_aborted", "tx_aborted_values", "tx_lost", "tx_duplicates",
                    "tx_aborted_visible", "tx_unexpected"):
            totals[r["kind"], key] += r.get(key, 0)
    control_sqlite_lost = sum(r.get("lost", 0) for r in sqlite_off)
    control_broker_lost = (totals["broker-no-fsync", "lost"] + totals["broker-no-fsync", "commits_lost"]
                           + totals["broker-no-fsync", "tx_lost"])
    open_outcomes = collections.Counter(r.get("tx_open_outcome", "n/a") for r in broker)
    failures = []
    if not broker or passed < len(broker):
        failures.append("%d of %d broker rounds failed" % (len(broker) - passed, len(broker)))
    if not sqlite_off or control_sqlite_lost == 0 or any("error" in r for r in sqlite_off):
        failures.append("the synchronous=OFF control lost nothing or did not run")
    if not no_fsync or control_broker_lost == 0 or any("error" in r for r in no_fsync):
        failures.append("the no-fsync broker control lost nothing or did not run")
    if args.markdown:
        print(markdown(broker, sqlite_off, no_fsync))
        print()
        print(transactions_markdown(broker, no_fsync))
    print("power loss: %d/%d broker rounds passed (%s Kafka + %s HTTP messages and %s offset commits acknowledged; "
          "lost %d, read twice %d, commits lost %d; %s transactions committed with %s values, %s aborted with %s values: "
          "committed values lost %d, read twice %d, aborted values visible %d, unexpected %d; the transaction open at the "
          "power loss: %s); controls lost data: synchronous=OFF %s rows in %d rounds, "
          "broker without fsync %s messages, %d commits and %s committed transactional values in %d round%s: %s" % (
              passed, len(broker), format(totals["broker", "kafka_acknowledged"], ","),
              format(totals["broker", "http_acknowledged"], ","), format(totals["broker", "commits_acknowledged"], ","),
              totals["broker", "lost"], totals["broker", "duplicates"], totals["broker", "commits_lost"],
              format(totals["broker", "tx_committed"], ","), format(totals["broker", "tx_committed_values"], ","),
              format(totals["broker", "tx_aborted"], ","), format(totals["broker", "tx_aborted_values"], ","),
              totals["broker", "tx_lost"], totals["broker", "tx_duplicates"], totals["broker", "tx_aborted_visible"],
              totals["broker", "tx_unexpected"], ", ".join("%s %d" % item for item in sorted(open_outcomes.items())),
              format(control_sqlite_lost, ","), len(sqlite_off), format(totals["broker-no-fsync", "lost"], ","),
              totals["broker-no-fsync", "commits_lost"], format(totals["broker-no-fsync", "tx_lost"], ","),
              len(no_fsync), "" if len(no_fsync) == 1 else "s",
              "PASS" if not failures else "FAIL (" + "; ".join(failures) + ")"))
    return not failures


def transactions_markdown(broker, no_fsync):
    def row(label, results):
        outcomes = collections.Counter(r.get("tx_open_outcome", "n/a") for r in results)
        return "| %s | %d | %s (%s values) | %s (%s values) | %s | %d | %d | %s |" % (
            label, len(results), format(sum(r.get("tx_committed", 0) for r in results), ","),
            format(sum(r.get("tx_committed_values", 0) for r in results), ","),
            format(sum(r.get("tx_aborted", 0) for r in results), ","),
            format(sum(r.get("tx_aborted_values", 0) for r in results), ","),
            format(sum(r.get("tx_lost", 0) for r in results), ","), sum(r.get("tx_duplicates", 0) for r in results),
            sum(r.get("tx_aborted_visible", 0) for r in results),
            ", ".join("%s %d" % item for item in sorted(outcomes.items())))
    return "\n".join([
        "| run | rounds | transactions committed (acknowledged) | aborted | committed values lost | read twice | aborted values visible | transaction open at the power loss |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        row("the broker", broker),
        row("control: the broker with fsync and fdatasync made no-ops", no_fsync),
    ])


def markdown(broker, sqlite_off, no_fsync):
    def row(label, results, rows_label=False):
        if rows_label:
            acknowledged = sum(r.get("acknowledged", 0) for r in results)
            lost = sum(r.get("lost", 0) for r in results)
            losing = sum(1 for r in results if r.get("lost", 0) > 0)
            return "| %s | %d | %d | %s rows | %s rows | n/a | n/a |" % (label, len(results), losing, format(acknowledged, ","), format(lost, ","))
        kafka = sum(r.get("kafka_acknowledged", 0) for r in results)
        http_acks = sum(r.get("http_acknowledged", 0) for r in results)
        commits = sum(r.get("commits_acknowledged", 0) for r in results)
        lost = sum(r.get("lost", 0) for r in results)
        losing = sum(1 for r in results if r.get("lost", 0) > 0 or r.get("commits_lost", 0) > 0 or r.get("tx_lost", 0) > 0)
        return "| %s | %d | %d | %s (Kafka %s, HTTP %s), %s offset commits | %s | %d | %d |" % (
            label, len(results), losing, format(kafka + http_acks, ","), format(kafka, ","), format(http_acks, ","),
            format(commits, ","), format(lost, ","), sum(r.get("duplicates", 0) for r in results),
            sum(r.get("commits_lost", 0) for r in results))
    return "\n".join([
        "| run | rounds | rounds that lost data | acknowledged | messages lost | read twice | offset commits lost |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        row("the broker", broker),
        row("control: SQLite at `synchronous=OFF`", sqlite_off, rows_label=True),
        row("control: the broker with fsync and fdatasync made no-ops", no_fsync),
    ])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mount")
    parser.add_argument("--work")
    parser.add_argument("--faults-fifo")
    parser.add_argument("--done-fifo")
    parser.add_argument("--report", required=True)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--min-seconds", type=float, default=0.5,
                        help="earliest kill, in seconds after every client had its first acknowledgement")
    parser.add_argument("--max-seconds", type=float, default=3.5, help="latest kill")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("broker", "broker-no-fsync"):
        command = commands.add_parser(name)
        command.add_argument("--rounds", type=int, default=30)
        command.add_argument("--bin-dir", required=True)
        if name == "broker-no-fsync":
            command.add_argument("--preload", required=True)
        else:
            command.add_argument("--replica-root", help="replicate each round's database with Litestream to a directory here")
            command.add_argument("--litestream-bin", help="the litestream executable, with --replica-root")
    command = commands.add_parser("sqlite-sync-off")
    command.add_argument("--rounds", type=int, default=30)
    command.add_argument("--program", required=True)
    command = commands.add_parser("summary")
    command.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    if args.command != "summary":
        args.preload = getattr(args, "preload", None)
    sys.exit(0 if (summary(args) if args.command == "summary" else run_rounds(args)) else 1)


if __name__ == "__main__":
    main()
