#!/usr/bin/env python3
"""Records the Kafka request frames that real clients send, for the protocol library's golden tests.

A small TCP proxy sits between each client and a running Monolog broker; every request frame a client
sends is written, size prefix removed, as hex to
Tests/MonologKafkaProtocolTests/Golden/<Api>Request_v<version>_<client>.hex (the first frame of each API
and version per client; Produce and Fetch frames also carry the codec). The broker must advertise the
proxy's address, so that clients come back through it after their first Metadata:

    monolog-supervisor start --kafka-addr 127.0.0.1:9092 --advertised-kafka-addr 127.0.0.1:19199 &
    scripts/capture-golden-frames.py --broker 127.0.0.1:9092 --listen 127.0.0.1:19199

The Python clients come from PyPI (confluent-kafka, kafka-python, aiokafka), kcat from Debian. Each client
is asked for the cluster's metadata, then produces a message with each codec it supports (the codec is
part of the recorded name) and fetches it back, then consumes in a group and commits (FindCoordinator,
JoinGroup, SyncGroup, OffsetFetch, OffsetCommit, Heartbeat, LeaveGroup); the frames it sends on the way
are what gets recorded.
"""
import argparse, asyncio, os, socket, struct, subprocess, sys, threading

API_NAMES = {0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata", 8: "OffsetCommit", 9: "OffsetFetch",
             10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup", 14: "SyncGroup",
             15: "DescribeGroups", 16: "ListGroups", 18: "ApiVersions", 19: "CreateTopics", 22: "InitProducerId",
             32: "DescribeConfigs", 42: "DeleteGroups", 47: "OffsetDelete", 60: "DescribeCluster"}
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "MonologKafkaProtocolTests", "Golden")


CURRENT = {"client": None}


def serve(listener, broker, seen):
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        upstream = socket.create_connection(broker)
        threading.Thread(target=pump, args=(upstream, conn, None, None, None), daemon=True).start()
        threading.Thread(target=pump, args=(conn, upstream, CURRENT["client"], seen, bytearray()), daemon=True).start()


def pump(source, sink, client_name, seen, pending):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            if pending is not None:
                pending.extend(data)
                while len(pending) >= 4:
                    size = struct.unpack(">i", pending[:4])[0]
                    if len(pending) < 4 + size:
                        break
                    record(bytes(pending[4:4 + size]), client_name, seen)
                    del pending[:4 + size]
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def record(frame, client_name, seen):
    api_key, version = struct.unpack(">hh", frame[:4])
    name = API_NAMES.get(api_key, "Api%d" % api_key)
    if client_name.endswith("-group") and api_key in (0, 1):
        return  # the group runs are for the group APIs; Produce and Fetch come from the codec runs
    if api_key not in (0, 1):  # only Produce and Fetch differ by codec
        client_name = client_name.split("-")[0] if not client_name.startswith("kafka-python") else "kafka-python"
    key = (client_name, api_key, version)
    if key in seen:
        return
    seen.add(key)
    path = os.path.join(OUT, "%sRequest_v%d_%s.hex" % (name, version, client_name))
    with open(path, "w") as f:
        f.write(frame.hex() + "\n")
    print("recorded", os.path.basename(path), flush=True)


# Compressible, so that every client really compresses (librdkafka sends a batch uncompressed when
# compression would not make it smaller).
VALUE = b"value" * 200

CODECS = {"kcat": ["none", "gzip", "snappy", "lz4", "zstd"], "confluent": ["none", "gzip", "snappy", "lz4", "zstd"],
          "kafka-python": ["none", "gzip"], "aiokafka": ["none", "gzip"]}


def run_client(name, port):
    bootstrap = "127.0.0.1:%d" % port
    if name.endswith("-group"):
        consume_in_group(name[:-len("-group")], bootstrap)
    elif name.startswith("kcat-"):
        codec = name.split("-", 1)[1]
        topic = "golden-" + codec
        subprocess.run(["kcat", "-b", bootstrap, "-P", "-t", topic, "-k", "key", "-z", codec, "-H", "h=v"],
                       input=VALUE + b"\n", capture_output=True, timeout=20)
        subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e"], capture_output=True, timeout=20)
    elif name.startswith("confluent-"):
        from confluent_kafka import Producer
        codec = name.split("-", 1)[1]
        producer = Producer({"bootstrap.servers": bootstrap, "client.id": "confluent", "enable.idempotence": True,
                             "compression.type": codec})
        producer.produce("golden-" + codec, key=b"key", value=VALUE, headers=[("h", b"v")])
        producer.flush(10)
    elif name.startswith("kafka-python-"):
        from kafka import KafkaConsumer, KafkaProducer, TopicPartition
        codec = name.split("-", 2)[2]
        producer = KafkaProducer(bootstrap_servers=bootstrap, client_id="kafka-python",
                                 compression_type=None if codec == "none" else codec)
        producer.send("golden-kp-" + codec, key=b"key", value=VALUE, headers=[("h", b"v")]).get(timeout=10)
        producer.close()
        consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="kafka-python", consumer_timeout_ms=3000)
        consumer.assign([TopicPartition("golden-kp-" + codec, 0)])
        consumer.seek_to_beginning()
        next(iter(consumer), None)
        consumer.close()
    elif name.startswith("aiokafka-"):
        from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
        from aiokafka.structs import TopicPartition
        codec = name.split("-", 1)[1]

        async def produce_and_fetch():
            producer = AIOKafkaProducer(bootstrap_servers=bootstrap, client_id="aiokafka",
                                        compression_type=None if codec == "none" else codec)
            await producer.start()
            try:
                await producer.send_and_wait("golden-aio-" + codec, key=b"key", value=VALUE, headers=[("h", b"v")])
            finally:
                await producer.stop()
            consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, client_id="aiokafka", auto_offset_reset="earliest")
            await consumer.start()
            try:
                consumer.assign([TopicPartition("golden-aio-" + codec, 0)])
                await asyncio.wait_for(consumer.getone(), 5)
            finally:
                await consumer.stop()
        asyncio.run(produce_and_fetch())
    elif name == "kcat":
        subprocess.run(["kcat", "-b", bootstrap, "-L", "-m", "3"], capture_output=True, timeout=20)
    elif name == "confluent":
        from confluent_kafka.admin import AdminClient
        try:
            AdminClient({"bootstrap.servers": bootstrap, "client.id": "confluent"}).list_topics(timeout=3)
        except Exception:
            pass
    elif name == "kafka-python":
        from kafka import KafkaConsumer
        try:
            KafkaConsumer(bootstrap_servers=bootstrap, client_id="kafka-python", request_timeout_ms=3000).topics()
        except Exception:
            pass
    elif name == "aiokafka":
        from aiokafka import AIOKafkaClient

        async def bootstrap_once():
            client = AIOKafkaClient(bootstrap_servers=bootstrap, client_id="aiokafka", request_timeout_ms=3000)
            try:
                await asyncio.wait_for(client.bootstrap(), 5)
            except Exception:
                pass
            finally:
                await client.close()
        asyncio.run(bootstrap_once())


def consume_in_group(client, bootstrap):
    """Joins a group, reads the codec runs' message and commits it, then leaves."""
    topic, group = "golden-none" if client in ("kcat", "confluent") else ("golden-kp-none" if client == "kafka-python" else "golden-aio-none"), "golden-" + client
    if client == "kcat":
        subprocess.run(["kcat", "-b", bootstrap, "-G", group, "-o", "beginning", "-e", "-X", "enable.auto.commit=false",
                        "-X", "client.id=kcat", topic], capture_output=True, timeout=30)
        # kcat -G has no commit flag; its commits come from librdkafka, like confluent's below.
    elif client == "confluent":
        from confluent_kafka import Consumer
        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "client.id": "confluent",
                             "auto.offset.reset": "earliest", "enable.auto.commit": False})
        consumer.subscribe([topic])
        message = consumer.poll(15)
        if message is not None:
            consumer.commit(message, asynchronous=False)
        consumer.close()
    elif client == "kafka-python":
        from kafka import KafkaConsumer
        consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, client_id="kafka-python",
                                 auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=10000)
        next(iter(consumer), None)
        consumer.commit()
        consumer.close()
    elif client == "aiokafka":
        from aiokafka import AIOKafkaConsumer

        async def consume():
            consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, client_id="aiokafka",
                                        auto_offset_reset="earliest", enable_auto_commit=False)
            await consumer.start()
            try:
                await asyncio.wait_for(consumer.getone(), 10)
                await consumer.commit()
            finally:
                await consumer.stop()
        asyncio.run(consume())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broker", default="127.0.0.1:9092")
    parser.add_argument("--listen", default="127.0.0.1:19199", help="the proxy's address; the broker must advertise it")
    parser.add_argument("--clients", default="kcat,confluent,kafka-python,aiokafka")
    parser.add_argument("--no-data", action="store_true", help="only metadata: do not produce or fetch")
    args = parser.parse_args()
    host, port = args.broker.rsplit(":", 1)
    os.makedirs(OUT, exist_ok=True)
    runs = []
    for client in args.clients.split(","):
        runs.append(client)
        if not args.no_data:
            runs += ["%s-%s" % (client, codec) for codec in CODECS.get(client, [])]
            runs.append(client + "-group")
    listen_host, listen_port = args.listen.rsplit(":", 1)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((listen_host, int(listen_port)))
    listener.listen(64)
    seen = set()
    threading.Thread(target=serve, args=(listener, (host, int(port)), seen), daemon=True).start()
    for client_name in runs:
        CURRENT["client"] = client_name
        try:
            run_client(client_name, int(listen_port))
        except Exception as error:
            print("client", client_name, "failed:", error, flush=True)
    listener.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
