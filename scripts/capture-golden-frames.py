#!/usr/bin/env python3
"""Records the Kafka request frames that real clients send, for the protocol library's golden tests.

A small TCP proxy sits between each client and a running Monolog broker; every request frame a client
sends is written, size prefix removed, as hex to
Tests/MonologKafkaProtocolTests/Golden/<Api>Request_v<version>_<client>.hex (the first frame of each API
and version per client). Run it against a broker started with `monolog-supervisor start`:

    scripts/capture-golden-frames.py --broker 127.0.0.1:9092 [--clients kcat,confluent,kafka-python,aiokafka]

The Python clients come from PyPI (confluent-kafka, kafka-python, aiokafka), kcat from Debian. Each client
is asked for the cluster's metadata; the frames it sends on the way are what gets recorded.
"""
import argparse, asyncio, os, socket, struct, subprocess, sys, threading

API_NAMES = {0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata", 8: "OffsetCommit", 9: "OffsetFetch",
             10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup", 14: "SyncGroup",
             18: "ApiVersions", 19: "CreateTopics", 22: "InitProducerId", 32: "DescribeConfigs", 60: "DescribeCluster"}
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "MonologKafkaProtocolTests", "Golden")


def serve(listener, broker, client_name, seen):
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        upstream = socket.create_connection(broker)
        threading.Thread(target=pump, args=(upstream, conn, None, None, None), daemon=True).start()
        threading.Thread(target=pump, args=(conn, upstream, client_name, seen, bytearray()), daemon=True).start()


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
    key = (client_name, api_key, version)
    if key in seen:
        return
    seen.add(key)
    path = os.path.join(OUT, "%sRequest_v%d_%s.hex" % (name, version, client_name))
    with open(path, "w") as f:
        f.write(frame.hex() + "\n")
    print("recorded", os.path.basename(path))


def run_client(name, port):
    bootstrap = "127.0.0.1:%d" % port
    if name == "kcat":
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broker", default="127.0.0.1:9092")
    parser.add_argument("--clients", default="kcat,confluent,kafka-python,aiokafka")
    args = parser.parse_args()
    host, port = args.broker.rsplit(":", 1)
    os.makedirs(OUT, exist_ok=True)
    for client_name in args.clients.split(","):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        seen = set()
        threading.Thread(target=serve, args=(listener, (host, int(port)), client_name, seen), daemon=True).start()
        run_client(client_name, listener.getsockname()[1])
        listener.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
