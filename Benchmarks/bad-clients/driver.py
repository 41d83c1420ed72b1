#!/usr/bin/env python3
"""Load of bad clients: the driver behind scripts/bench-bad-clients.sh.

    driver.py run  --bin-dir DIR --work DIR --results FILE [--seconds 30] ...   one run, three phases
    driver.py good --bootstrap HOST:PORT --user U --password P --topic T --seconds S   (internal)
    driver.py bad  --host H --port P --user U --password P --seconds S --crc-lib SO    (internal)

`run` starts `monolog-supervisor start` on a fresh data directory with one SASL_PLAINTEXT Kafka
listener (so that the pre-authentication attack and the authenticated ones hit the same gateway),
adds a user, creates the topics, then runs three phases and appends one JSON line per phase to
--results:

  baseline  the good clients alone: 10 producers (acks=all, 512 B, each waiting for its ack) and one
            consumer, for --seconds;
  attack    the bad clients (1,000 connections, see BAD_CLASSES) start, --warmup seconds later the
            same good clients run for --seconds, then the bad clients stop;
  after     the good clients alone again.

Through all three the Kafka gateway's VmRSS is sampled every 0.2 s and /metrics every second.
The good and the bad clients run as separate processes, so neither's Python interpreter slows the other;
all of them share the machine's cores with the broker.
"""
import argparse
import asyncio
import ctypes
import json
import os
import random
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
import urllib.request

# The bad clients: connections per class, and the byte rate each class is paced to in all (bytes/s;
# None: unpaced, and small by construction). Totals: 1,000 connections, 15 MB/s paced.
BAD_CLASSES = {
    # random bytes from the first byte on, before authentication; the gateway closes, they reconnect
    "garbage": {"connections": 200, "rate": 2_000_000},
    # a frame size (300,000 B, under the 512 KiB pre-authentication limit) then one byte every 5 s
    "slow-loris": {"connections": 300, "rate": None},
    # authenticated, then a frame claiming 2 GiB - 1 followed by data; reconnect when closed
    "claim-2gib": {"connections": 100, "rate": 1_000_000},
    # unauthenticated, a frame claiming 64 MiB (over sasl.server.max.receive.size) followed by data
    "preauth-giant": {"connections": 100, "rate": 2_000_000},
    # authenticated, 250 Fetch v4 pipelined (max_wait 30 s, min_bytes 1) on an empty topic, each
    # answer replaced by a new fetch
    "fetch-pipeline": {"connections": 200, "rate": None},
    # authenticated, a valid Produce v9 frame of ~100 MiB (one record batch, one record), sent paced,
    # again and again
    "big-produce": {"connections": 100, "rate": 10_000_000},
}
FETCHES_PER_CONNECTION = 250
SLOW_LORIS_INTERVAL = 5.0
BIG_PRODUCE_BYTES = 100 * 1024 * 1024 - 4096  # the frame stays under --max-frame-bytes (100 MiB)


def log(message):
    print(f"[bad-clients] {message}", file=sys.stderr, flush=True)


# --- Kafka wire encoding (just what the bad clients send) ------------------------------------------

def uvarint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def varint(n):
    return uvarint((n << 1) ^ (n >> 63))


def string16(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b


def compact_string(s):
    b = s.encode()
    return uvarint(len(b) + 1) + b


def header_v1(api_key, version, correlation_id, client_id="bad-client"):
    return struct.pack(">hhi", api_key, version, correlation_id) + string16(client_id)


def header_v2(api_key, version, correlation_id, client_id="bad-client"):
    return header_v1(api_key, version, correlation_id, client_id) + b"\x00"


def frame(payload):
    return struct.pack(">i", len(payload)) + payload


def sasl_handshake(correlation_id):
    return frame(header_v1(17, 1, correlation_id) + string16("PLAIN"))


def sasl_authenticate(correlation_id, user, password):
    token = b"\x00" + user.encode() + b"\x00" + password.encode()
    return frame(header_v1(36, 1, correlation_id) + struct.pack(">i", len(token)) + token)


def fetch_v4(correlation_id, topic, offset=0, max_wait_ms=30_000):
    body = struct.pack(">iiiib", -1, max_wait_ms, 1, 1 << 20, 0)
    body += struct.pack(">i", 1) + string16(topic) + struct.pack(">i", 1) + struct.pack(">iqi", 0, offset, 1 << 20)
    return frame(header_v1(1, 4, correlation_id) + body)


def record_batch(value, crc32c):
    """A RecordBatch v2 holding one record with `value` (no key, no headers), not idempotent."""
    record_body = b"\x00" + varint(0) + varint(0) + varint(-1) + varint(len(value)) + value + varint(0)
    record = varint(len(record_body)) + record_body
    now = int(time.time() * 1000)
    after_crc = struct.pack(">hiqqqhii", 0, 0, now, now, -1, -1, -1, 1) + record
    crc = crc32c(after_crc)
    after_length = struct.pack(">ibI", 0, 2, crc) + after_crc  # partition leader epoch, magic, crc
    return struct.pack(">qi", 0, len(after_length)) + after_length


def produce_v9(correlation_id, topic, batch, acks=-1):
    body = uvarint(0)  # transactional id: null
    body += struct.pack(">hi", acks, 30_000)
    body += uvarint(2) + compact_string(topic)  # one topic
    body += uvarint(2) + struct.pack(">i", 0) + uvarint(len(batch) + 1) + batch + b"\x00"  # one partition
    body += b"\x00" + b"\x00"  # topic's and request's tagged fields
    return frame(header_v2(0, 9, correlation_id) + body)


def load_crc32c(path):
    library = ctypes.CDLL(path)
    library.monolog_crc32c.restype = ctypes.c_uint32
    library.monolog_crc32c.argtypes = [ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t]
    return lambda data: library.monolog_crc32c(0, data, len(data))


# --- the bad clients ---------------------------------------------------------------------------------

class Pacer:
    """Paces every connection of a class to one rate in all: each send reserves its bytes' time slot."""

    def __init__(self, rate):
        self.rate = rate
        self.next = time.monotonic()

    async def take(self, n):
        if not self.rate:
            return
        now = time.monotonic()
        start = max(self.next, now)
        self.next = start + n / self.rate
        if start > now:
            await asyncio.sleep(start - now)


class BadClients:
    def __init__(self, args):
        self.args = args
        self.stats = {name: {"connections": spec["connections"], "paced_bytes_per_second": spec["rate"], "bytes_sent": 0,
                             "connects": 0, "connect_failures": 0, "closed_by_broker": 0, "responses": 0}
                      for name, spec in BAD_CLASSES.items()}
        self.pacers = {name: Pacer(spec["rate"]) for name, spec in BAD_CLASSES.items()}
        self.noise = os.urandom(1 << 20)
        self.stopping = False
        crc32c = load_crc32c(args.crc_lib)
        self.big_frame = produce_v9(1, "bad-produce", record_batch(b"\x07" * (BIG_PRODUCE_BYTES - 200), crc32c))

    async def connect(self, name, authenticate):
        stat = self.stats[name]
        while not self.stopping:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(self.args.host, self.args.port), 10)
            except (OSError, asyncio.TimeoutError):
                stat["connect_failures"] += 1
                await asyncio.sleep(0.5)
                continue
            stat["connects"] += 1
            if not authenticate:
                return reader, writer
            try:
                writer.write(sasl_handshake(1))
                await read_frame(reader)
                writer.write(sasl_authenticate(2, self.args.user, self.args.password))
                response = await read_frame(reader)
                if struct.unpack(">h", response[4:6])[0] != 0:
                    raise RuntimeError(f"SASL authentication failed: {response[4:6].hex()}")
                return reader, writer
            except (OSError, asyncio.IncompleteReadError):
                stat["closed_by_broker"] += 1
                writer.close()
                await asyncio.sleep(0.5)
        return None, None

    async def send(self, name, writer, data, chunk=65536):
        """Writes `data` paced; False when the broker closed the connection."""
        view = memoryview(data)
        for at in range(0, len(view), chunk):
            if self.stopping:
                return False
            piece = view[at:at + chunk]
            await self.pacers[name].take(len(piece))
            try:
                writer.write(piece)
                await writer.drain()
            except OSError:
                return False
            self.stats[name]["bytes_sent"] += len(piece)
        return True

    async def closing_class(self, name, authenticate, first_bytes):
        """Garbage, 2 GiB claims and pre-authentication giants: send until the broker closes, reconnect."""
        while not self.stopping:
            reader, writer = await self.connect(name, authenticate)
            if writer is None:
                return
            head = first_bytes()
            ok = await self.send(name, writer, head)
            while ok and not reader.at_eof() and not self.stopping:
                offset = random.randrange(0, len(self.noise) - 65536)
                ok = await self.send(name, writer, self.noise[offset:offset + 65536])
                await asyncio.sleep(0)
            if not self.stopping:
                self.stats[name]["closed_by_broker"] += 1
            writer.close()

    async def slow_loris(self):
        name = "slow-loris"
        while not self.stopping:
            reader, writer = await self.connect(name, False)
            if writer is None:
                return
            ok = await self.send(name, writer, struct.pack(">i", 300_000))
            await asyncio.sleep(random.uniform(0, SLOW_LORIS_INTERVAL))
            while ok and not reader.at_eof() and not self.stopping:
                ok = await self.send(name, writer, self.noise[:1])
                await asyncio.sleep(SLOW_LORIS_INTERVAL)
            if not self.stopping:
                self.stats[name]["closed_by_broker"] += 1
            writer.close()

    async def fetch_pipeline(self):
        name = "fetch-pipeline"
        while not self.stopping:
            reader, writer = await self.connect(name, True)
            if writer is None:
                return
            correlation = 10
            ok = True
            for _ in range(FETCHES_PER_CONNECTION):
                correlation += 1
                ok = ok and await self.send(name, writer, fetch_v4(correlation, "bad-idle"))
            try:
                while ok and not self.stopping:
                    await read_frame(reader)
                    self.stats[name]["responses"] += 1
                    correlation += 1
                    ok = await self.send(name, writer, fetch_v4(correlation, "bad-idle"))
            except (OSError, asyncio.IncompleteReadError):
                ok = False
            if not self.stopping:
                self.stats[name]["closed_by_broker"] += 1
            writer.close()

    async def big_produce(self):
        name = "big-produce"
        while not self.stopping:
            reader, writer = await self.connect(name, True)
            if writer is None:
                return
            # A small send buffer: a connection the broker does not read blocks after a few hundred KiB
            # instead of filling megabytes of kernel buffers, so the class's paced rate goes to the
            # connections the broker does read and their frames complete.
            writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 16)
            ok = True
            try:
                while ok and not self.stopping:
                    ok = await self.send(name, writer, self.big_frame, chunk=1 << 20)
                    if ok:
                        code = produce_error_code(await read_frame(reader))
                        self.stats[name]["responses"] += 1
                        codes = self.stats[name].setdefault("produce_error_codes", {})
                        codes[str(code)] = codes.get(str(code), 0) + 1
            except (OSError, asyncio.IncompleteReadError):
                ok = False
            if not self.stopping:
                self.stats[name]["closed_by_broker"] += 1
            writer.close()

    async def run(self):
        tasks = []
        spawn = lambda n, make: tasks.extend(asyncio.create_task(make()) for _ in range(n))
        spawn(BAD_CLASSES["garbage"]["connections"],
              lambda: self.closing_class("garbage", False, lambda: os.urandom(4096)))
        spawn(BAD_CLASSES["claim-2gib"]["connections"],
              lambda: self.closing_class("claim-2gib", True, lambda: struct.pack(">i", 0x7FFFFFFF)))
        spawn(BAD_CLASSES["preauth-giant"]["connections"],
              lambda: self.closing_class("preauth-giant", False, lambda: struct.pack(">i", 64 << 20)))
        spawn(BAD_CLASSES["slow-loris"]["connections"], self.slow_loris)
        spawn(BAD_CLASSES["fetch-pipeline"]["connections"], self.fetch_pipeline)
        spawn(BAD_CLASSES["big-produce"]["connections"], self.big_produce)
        started = time.monotonic()
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        try:
            await asyncio.wait_for(stop.wait(), self.args.seconds)
        except asyncio.TimeoutError:
            pass
        self.stopping = True
        elapsed = time.monotonic() - started
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        total = sum(s["bytes_sent"] for s in self.stats.values())
        return {"seconds": round(elapsed, 2), "connections": sum(s["connections"] for s in BAD_CLASSES.values()),
                "paced_bytes_per_second": sum(s["rate"] or 0 for s in BAD_CLASSES.values()),
                "bytes_sent": total, "bytes_per_second_sent": round(total / elapsed), "classes": self.stats}


def read_uvarint(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7


def produce_error_code(response):
    """The error code of the first partition in a Produce v9 response (header v1: correlation id, tags)."""
    at = 5
    _, at = read_uvarint(response, at)  # topics
    length, at = read_uvarint(response, at)
    at += length - 1  # topic name
    _, at = read_uvarint(response, at)  # partitions
    return struct.unpack(">h", response[at + 4:at + 6])[0]


async def read_frame(reader):
    size = struct.unpack(">i", await reader.readexactly(4))[0]
    return await reader.readexactly(size)


def command_bad(args):
    random.seed()
    clients = BadClients(args)
    log(f"bad clients: frame of {len(clients.big_frame)} bytes built")
    print(json.dumps(asyncio.run(clients.run())), flush=True)


# --- the good clients ----------------------------------------------------------------------------------

def command_good(args):
    from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

    security = {"security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "PLAIN",
                "sasl.username": args.user, "sasl.password": args.password}
    common = {"bootstrap.servers": args.bootstrap, **security}
    consumer = Consumer({**common, "group.id": "bad-clients-bench", "enable.auto.commit": False,
                         "enable.partition.eof": False})
    low, high = consumer.get_watermark_offsets(TopicPartition(args.topic, 0), timeout=10)
    consumer.assign([TopicPartition(args.topic, 0, high)])
    errors = []
    consumed = [0]
    done = threading.Event()

    def consume():
        while not done.is_set() or consumed[0] < sum(p["acknowledged"] for p in producers):
            message = consumer.poll(0.2)
            if message is None:
                if done.is_set() and time.monotonic() > drain_deadline[0]:
                    break
                continue
            if message.error():
                errors.append(f"consumer: {message.error()}")
            else:
                consumed[0] += 1

    producers = [{"acknowledged": 0, "failed": 0, "latencies": []} for _ in range(args.producers)]
    drain_deadline = [float("inf")]
    value = b"x" * args.size
    deadline = time.monotonic() + args.seconds

    def produce(state):
        producer = Producer({**common, "acks": "all", "linger.ms": 0, "message.timeout.ms": 10_000})
        outcome = {}

        def delivered(error, message):
            outcome["error"] = error

        while time.monotonic() < deadline:
            outcome.clear()
            sent = time.perf_counter()
            try:
                producer.produce(args.topic, value, partition=0, on_delivery=delivered)
            except (BufferError, KafkaException) as error:
                state["failed"] += 1
                errors.append(f"producer: {error}")
                continue
            while "error" not in outcome:
                producer.poll(1.0)
            if outcome["error"] is not None:
                state["failed"] += 1
                errors.append(f"producer: {outcome['error']}")
            else:
                state["acknowledged"] += 1
                state["latencies"].append(time.perf_counter() - sent)
        producer.flush(10)

    consumer_thread = threading.Thread(target=consume)
    consumer_thread.start()
    started = time.monotonic()
    threads = [threading.Thread(target=produce, args=(state,)) for state in producers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    drain_deadline[0] = time.monotonic() + 15
    done.set()
    consumer_thread.join()
    consumer.close()
    latencies = sorted(x for p in producers for x in p["latencies"])
    acknowledged = sum(p["acknowledged"] for p in producers)
    failed = sum(p["failed"] for p in producers)

    def percentile(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 3) if latencies else None

    print(json.dumps({
        "producers": args.producers, "message_bytes": args.size, "seconds": round(elapsed, 2),
        "acknowledged": acknowledged, "failed": failed, "messages_per_second": round(acknowledged / elapsed, 1),
        "p50_ms": percentile(0.50), "p99_ms": percentile(0.99), "max_ms": percentile(1.0),
        "consumed": consumed[0], "errors": len(errors), "first_errors": errors[:5],
    }), flush=True)


# --- one run: broker, phases, sampling, checks --------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    def __init__(self, args, data):
        self.args = args
        self.data = data
        self.kafka_port = free_port()
        self.http = f"127.0.0.1:{free_port()}"
        self.log_path = os.path.join(args.work, "broker.log")
        supervisor = os.path.join(args.bin_dir, "monolog-supervisor")
        self.supervisor = supervisor
        self.process = subprocess.Popen(
            [supervisor, "start", "--data-dir", data, "--kafka-addr", f"127.0.0.1:{self.kafka_port}",
             "--kafka-security-protocol", "SASL_PLAINTEXT", "--http-addr", self.http, "--log-level", "info"],
            stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)
        for _ in range(600):
            if "monolog ready" in open(self.log_path).read():
                break
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        else:
            pass
        if "monolog ready" not in open(self.log_path).read():
            sys.stderr.write(open(self.log_path).read())
            raise SystemExit("the broker did not start")

    def status(self):
        out = subprocess.run([self.supervisor, "status", "--json", "--data-dir", self.data],
                             capture_output=True, text=True, check=True).stdout
        return {s["service"]: s for s in json.loads(out)["services"]}

    def gateway_pid(self):
        return self.status()["kafka-gateway"]["pid"]

    def http_post(self, path, body):
        request = urllib.request.Request(f"http://{self.http}{path}", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        return urllib.request.urlopen(request, timeout=30).read()

    def metrics(self):
        text = urllib.request.urlopen(f"http://{self.http}/metrics", timeout=5).read().decode()
        wanted = {}
        for line in text.splitlines():
            m = re.match(r"^(monolog_kafka_(?:requests_in_flight|queued_requests|queued_request_bytes|connections"
                         r"|connection_limit_hits_total|idle_connections_closed_total))(\{[^}]*\})?\s+([0-9.eE+-]+)$", line)
            if m:
                wanted[m.group(1) + (m.group(2) or "")] = float(m.group(3))
        return wanted

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def vm_rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        return int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1))


class Sampler(threading.Thread):
    """The gateway's VmRSS every 0.2 s and the monolog_kafka_* gauges every second, per phase."""

    def __init__(self, broker):
        super().__init__(daemon=True)
        self.broker = broker
        self.phase = None
        self.samples = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def set_phase(self, phase):
        with self.lock:
            self.phase = phase
            self.samples.setdefault(phase, {"rss_kb": [], "metrics_max": {}, "pids": set()})

    def run(self):
        last_metrics = 0.0
        while not self.stopped.is_set():
            with self.lock:
                phase = self.phase
            if phase:
                record = self.samples[phase]
                try:
                    services = self.broker.status()
                    pid = services["kafka-gateway"]["pid"]
                    record["rss_kb"].append(vm_rss_kb(pid))
                    record["pids"].add(pid)
                    writer_rss = vm_rss_kb(services["storage-writer"]["pid"])
                    record["writer_rss_max_kb"] = max(writer_rss, record.get("writer_rss_max_kb", 0))
                except (OSError, AttributeError, subprocess.CalledProcessError, KeyError, ValueError):
                    pass
                if time.monotonic() - last_metrics >= 1.0:
                    last_metrics = time.monotonic()
                    try:
                        for key, value in self.broker.metrics().items():
                            record["metrics_max"][key] = max(value, record["metrics_max"].get(key, value))
                    except OSError:
                        pass
            time.sleep(0.2)

    def summary(self, phase):
        record = self.samples.get(phase, {"rss_kb": [], "metrics_max": {}, "pids": set()})
        rss = record["rss_kb"]
        return {"gateway_rss_max_mb": round(max(rss) / 1024, 1) if rss else None,
                "gateway_rss_median_mb": round(statistics.median(rss) / 1024, 1) if rss else None,
                "gateway_rss_samples": len(rss), "gateway_pids": sorted(record["pids"]),
                "writer_rss_max_mb": round(record["writer_rss_max_kb"] / 1024, 1) if "writer_rss_max_kb" in record else None,
                "metrics_max": record["metrics_max"]}


def run_good(args, broker, seconds):
    driver = os.path.abspath(__file__)
    out = subprocess.run([sys.executable, driver, "good", "--bootstrap", f"127.0.0.1:{broker.kafka_port}",
                          "--user", args.user, "--password", args.password, "--topic", "good",
                          "--seconds", str(seconds)], capture_output=True, text=True)
    if out.returncode != 0 or not out.stdout.strip():
        sys.stderr.write(out.stderr)
        return {"error": f"good clients exited {out.returncode}", "errors": 1, "failed": 0, "p99_ms": None}
    return json.loads(out.stdout.strip().splitlines()[-1])


def command_run(args):
    data = os.path.join(args.work, "data")
    os.makedirs(args.work, exist_ok=True)
    subprocess.run(["rm", "-rf", data], check=True)
    log(f"run {args.run}: starting the broker (SASL_PLAINTEXT)")
    broker = Broker(args, data)
    try:
        subprocess.run([broker.supervisor, "users", "add", args.user, "--password-stdin", "--data-dir", data],
                       input=args.password + "\n", text=True, check=True, capture_output=True)
        for topic in ("good", "bad-idle"):
            broker.http_post("/api/topics", {"name": topic, "partitions": 1})
        # The ~100 MiB batches are accepted and stored, not refused as over the default 1 MiB.
        broker.http_post("/api/topics", {"name": "bad-produce", "partitions": 1,
                                         "configs": {"max.message.bytes": str(100 * 1024 * 1024)}})
        sampler = Sampler(broker)
        sampler.start()
        gateway_pid = broker.gateway_pid()
        common = {"run": args.run, "date": time.strftime("%Y-%m-%d"), "good_seconds": args.seconds}
        results = {}

        log(f"run {args.run}: baseline, good clients alone for {args.seconds} s")
        sampler.set_phase("baseline")
        results["baseline"] = {"phase": "baseline", **common, "good": run_good(args, broker, args.seconds)}

        log(f"run {args.run}: attack, {sum(c['connections'] for c in BAD_CLASSES.values())} bad connections, "
            f"good clients after {args.warmup} s")
        sampler.set_phase("attack")
        bad_seconds = args.warmup + args.seconds + 5
        bad = subprocess.Popen([sys.executable, os.path.abspath(__file__), "bad", "--host", "127.0.0.1",
                                "--port", str(broker.kafka_port), "--user", args.user, "--password", args.password,
                                "--seconds", str(bad_seconds), "--crc-lib", args.crc_lib],
                               stdout=subprocess.PIPE, text=True)
        time.sleep(args.warmup)
        good = run_good(args, broker, args.seconds)
        bad.send_signal(signal.SIGTERM)
        bad_out, _ = bad.communicate(timeout=120)
        bad_report = json.loads(bad_out.strip().splitlines()[-1]) if bad_out.strip() else {"error": bad.returncode}
        results["attack"] = {"phase": "attack", **common, "good": good, "bad": bad_report}

        sampler.set_phase("settle")
        time.sleep(3)  # the bad connections close; what they held is released
        log(f"run {args.run}: after, good clients alone again for {args.seconds} s")
        sampler.set_phase("after")
        results["after"] = {"phase": "after", **common, "good": run_good(args, broker, args.seconds)}
        sampler.stopped.set()
        sampler.join()
        status = broker.status()
        restarts = {name: s.get("restarts", 0) for name, s in status.items()}
        for phase in ("baseline", "attack", "after"):
            results[phase].update(sampler.summary(phase))
            results[phase]["service_restarts"] = restarts
        results["after"]["gateway_rss_after_settle_mb"] = sampler.summary("settle")["gateway_rss_max_mb"]
        results["after"]["gateway_pid_unchanged"] = broker.gateway_pid() == gateway_pid
    finally:
        broker.stop()
    checks = evaluate(results, args.rss_limit_mb)
    results["attack"]["checks"] = checks
    with open(args.results, "a") as out:
        for phase in ("baseline", "attack", "after"):
            out.write(json.dumps(results[phase]) + "\n")
    for name, (ok, detail) in checks.items():
        print(f"[bad-clients] run {args.run}: {'PASS' if ok else 'FAIL'} {name}: {detail}", file=sys.stderr)
    subprocess.run(["rm", "-rf", data])
    return 0 if all(ok for ok, _ in checks.values()) else 1


def evaluate(results, rss_limit_mb):
    base, attack, after = (results[p]["good"] for p in ("baseline", "attack", "after"))
    checks = {}
    rss = max((results[p]["gateway_rss_max_mb"] or 0) for p in ("baseline", "attack", "after"))
    checks["gateway RSS max < %d MB" % rss_limit_mb] = (rss < rss_limit_mb, f"{rss} MB")
    bad_errors = attack.get("errors", 1) + attack.get("failed", 0)
    checks["good clients saw no errors under load"] = (
        bad_errors == 0 and attack.get("consumed") == attack.get("acknowledged"),
        f"{attack.get('errors')} errors, {attack.get('failed')} failed, {attack.get('acknowledged')} acknowledged, "
        f"{attack.get('consumed')} consumed")
    ratio = (attack["p99_ms"] / base["p99_ms"]) if attack.get("p99_ms") and base.get("p99_ms") else None
    checks["good p99 under load < 5x baseline"] = (
        ratio is not None and ratio < 5, f"{attack.get('p99_ms')} ms vs {base.get('p99_ms')} ms = "
        + (f"{ratio:.2f}x" if ratio else "n/a"))
    after_ratio = (after["p99_ms"] / base["p99_ms"]) if after.get("p99_ms") and base.get("p99_ms") else None
    normal = (after.get("errors", 1) == 0 and after.get("failed", 1) == 0 and after.get("consumed") == after.get("acknowledged")
              and after_ratio is not None and after_ratio < 2 and results["after"]["gateway_pid_unchanged"]
              and not any(results["after"]["service_restarts"].values())
              and (after.get("messages_per_second") or 0) > 0.5 * (base.get("messages_per_second") or 0))
    checks["normal service afterwards"] = (
        normal, f"{after.get('errors')} errors, {after.get('messages_per_second')} msg/s vs {base.get('messages_per_second')}, "
        f"p99 {after.get('p99_ms')} ms ({after_ratio:.2f}x baseline)" if after_ratio else f"{after}")
    return {name: [ok, detail] for name, (ok, detail) in checks.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run")
    run.add_argument("--bin-dir", required=True)
    run.add_argument("--work", required=True)
    run.add_argument("--results", required=True)
    run.add_argument("--crc-lib", required=True)
    run.add_argument("--run", type=int, default=1)
    run.add_argument("--seconds", type=float, default=30)
    run.add_argument("--warmup", type=float, default=5)
    run.add_argument("--rss-limit-mb", type=float, default=300)
    run.add_argument("--user", default="bench")
    run.add_argument("--password", default="bench-secret")
    good = commands.add_parser("good")
    good.add_argument("--bootstrap", required=True)
    good.add_argument("--user", required=True)
    good.add_argument("--password", required=True)
    good.add_argument("--topic", required=True)
    good.add_argument("--seconds", type=float, required=True)
    good.add_argument("--producers", type=int, default=10)
    good.add_argument("--size", type=int, default=512)
    bad = commands.add_parser("bad")
    bad.add_argument("--host", required=True)
    bad.add_argument("--port", type=int, required=True)
    bad.add_argument("--user", required=True)
    bad.add_argument("--password", required=True)
    bad.add_argument("--seconds", type=float, required=True)
    bad.add_argument("--crc-lib", required=True)
    args = parser.parse_args()
    if args.command == "run":
        sys.exit(command_run(args))
    elif args.command == "good":
        command_good(args)
    else:
        command_bad(args)


if __name__ == "__main__":
    main()
