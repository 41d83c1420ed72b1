#!/usr/bin/env python3
"""confluent-kafka against a secured listener. Prints one JSON report.

    security.py --bootstrap HOST:PORT --protocol SASL_SSL --ca CA.pem --user U --password P --topic T

For each of SCRAM-SHA-512 and PLAIN: produce 50 messages (acks=all) and read them back. Then a
producer with a wrong password: the error it reports, and whether anything was delivered.
"""
import argparse, json, time
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition


def settings(args, mechanism, password):
    config = {"bootstrap.servers": args.bootstrap, "security.protocol": args.protocol, "sasl.mechanisms": mechanism,
              "sasl.username": args.user, "sasl.password": password}
    if args.ca:
        config["ssl.ca.location"] = args.ca
    return config


def round_trip(args, mechanism):
    delivered, errors = [], []
    producer = Producer(settings(args, mechanism, args.password))
    for i in range(50):
        producer.produce(args.topic, value=f"{mechanism}-{i}".encode(),
                         on_delivery=lambda error, message: errors.append(str(error)) if error else delivered.append(message.offset()))
    producer.flush(30)
    consumer = Consumer({**settings(args, mechanism, args.password), "group.id": f"security-{mechanism}", "enable.auto.commit": False})
    consumer.assign([TopicPartition(args.topic, 0, delivered[0] if delivered else 0)])
    values, deadline = [], time.time() + 30
    while len(values) < len(delivered) and time.time() < deadline:
        message = consumer.poll(1)
        if message is not None and not message.error():
            values.append(message.value().decode())
    consumer.close()
    return {"delivered": len(delivered), "errors": errors[:3], "read_back": values == [f"{mechanism}-{i}" for i in range(50)]}


def wrong_password(args):
    reported, delivered = [], []
    config = {**settings(args, "SCRAM-SHA-512", args.password + "-wrong"), "error_cb": lambda error: reported.append(error),
              "message.timeout.ms": 5000}
    producer = Producer(config)
    producer.produce(args.topic, value=b"must-not-arrive", on_delivery=lambda error, message: delivered.append(error is None))
    producer.flush(10)
    return {"errors": sorted({error.name() for error in reported}), "messages": [str(error) for error in reported][:1],
            "delivered": any(delivered)}


def main():
    parser = argparse.ArgumentParser()
    for flag in ("--bootstrap", "--protocol", "--user", "--password", "--topic"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--ca")
    args = parser.parse_args()
    report = {mechanism: round_trip(args, mechanism) for mechanism in ("SCRAM-SHA-512", "PLAIN")}
    report["wrong_password"] = wrong_password(args)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
