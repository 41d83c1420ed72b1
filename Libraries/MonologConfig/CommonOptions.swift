import ArgumentParser
import Foundation
import Logging
import MonologProcess
import Yams

/// The flags every Monolog process accepts. Each process resolves them the same way, so a child started
/// by the supervisor sees exactly the configuration the supervisor saw.
public struct CommonOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("data-dir"), help: "Directory for the database and sockets. Env MONOLOG_DATA_DIR. Default ./data")
    public var dataDirectory: String?

    @Option(
        name: .customLong("kafka-addr"),
        help: """
            Kafka listener, HOST:PORT or :PORT, optionally with Kafka's security protocol in front as in \
            its `listeners` setting (SASL_SSL://:9093). Env MONOLOG_KAFKA_ADDR. Default :9092 (PLAINTEXT)
            """
    )
    public var kafkaAddress: String?

    @Option(
        name: .customLong("kafka-security-protocol"),
        help: "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. Env MONOLOG_KAFKA_SECURITY_PROTOCOL. Default PLAINTEXT"
    )
    public var kafkaSecurityProtocol: String?

    @Option(
        name: .customLong("sasl-mechanisms"),
        help:
            "SASL mechanisms offered, comma-separated (Kafka's sasl.enabled.mechanisms). Env MONOLOG_SASL_MECHANISMS. Default PLAIN,SCRAM-SHA-256,SCRAM-SHA-512"
    )
    public var saslMechanisms: String?

    @Option(name: .customLong("tls-cert"), help: "PEM certificate (chain) for TLS on Kafka and HTTP. Env MONOLOG_TLS_CERT")
    public var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert. Env MONOLOG_TLS_KEY")
    public var tlsKey: String?

    @Option(
        name: .customLong("tls-client-ca"),
        help: "PEM CA: TLS clients must present a certificate it signed (mutual TLS). Env MONOLOG_TLS_CLIENT_CA"
    )
    public var tlsClientCA: String?

    @Option(name: .customLong("http-tls"), help: "true or false: HTTPS on --http-addr with --tls-cert and --tls-key. Env MONOLOG_HTTP_TLS. Default false")
    public var httpTLS: String?

    @Option(
        name: .customLong("http-auth"),
        help:
            "true or false: HTTP requests need a user's bearer token or basic credentials (see `monolog-supervisor users`). Env MONOLOG_HTTP_AUTH. Default false"
    )
    public var httpAuth: String?

    @Option(
        name: .customLong("advertised-kafka-addr"),
        help: "HOST:PORT Kafka clients are told to connect to. Env MONOLOG_ADVERTISED_KAFKA_ADDR. Default: --kafka-addr, localhost for a wildcard"
    )
    public var advertisedKafkaAddress: String?

    @Option(name: .customLong("http-addr"), help: "HTTP listener, HOST:PORT or :PORT. Env MONOLOG_HTTP_ADDR. Default :8080")
    public var httpAddress: String?

    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error or critical. Env MONOLOG_LOG_LEVEL. Default info"
    )
    public var logLevel: String?

    @Option(
        name: .customLong("auto-create-topics"),
        help: "true or false: create unknown topics on first use (Kafka's auto.create.topics.enable). Env MONOLOG_AUTO_CREATE_TOPICS. Default true"
    )
    public var autoCreateTopics: String?

    @Option(
        name: .customLong("num-partitions"),
        help: "Partitions of an automatically created topic (Kafka's num.partitions). Env MONOLOG_NUM_PARTITIONS. Default 1"
    )
    public var numPartitions: String?

    @Option(
        name: .customLong("group-initial-rebalance-delay-ms"),
        help: """
            How long a new consumer group's first rebalance waits for more members (Kafka's \
            group.initial.rebalance.delay.ms). Env MONOLOG_GROUP_INITIAL_REBALANCE_DELAY_MS. Default 0
            """
    )
    public var groupInitialRebalanceDelayMs: String?

    @Option(
        name: .customLong("transaction-max-timeout-ms"),
        help:
            "The longest transaction.timeout.ms a transactional producer may ask for (Kafka's transaction.max.timeout.ms). Env MONOLOG_TRANSACTION_MAX_TIMEOUT_MS. Default 900000"
    )
    public var transactionMaxTimeoutMs: String?

    @Option(
        name: .customLong("transaction-check-interval-ms"),
        help:
            "How often transactions open past their timeout are aborted (Kafka's transaction.abort.timed.out.transaction.cleanup.interval.ms). Env MONOLOG_TRANSACTION_CHECK_INTERVAL_MS. Default 10000"
    )
    public var transactionCheckIntervalMs: String?

    @Option(
        name: .customLong("transactional-id-expiration-ms"),
        help:
            "How long an idle transactional id is remembered (Kafka's transactional.id.expiration.ms). Env MONOLOG_TRANSACTIONAL_ID_EXPIRATION_MS. Default 604800000 (7 days)"
    )
    public var transactionalIDExpirationMs: String?

    @Option(
        name: .customLong("sasl-server-max-receive-size"),
        help:
            "Largest request frame a SASL listener reads before the client has authenticated; a larger one closes the connection unread (Kafka's sasl.server.max.receive.size). Env MONOLOG_SASL_SERVER_MAX_RECEIVE_SIZE. Default 524288"
    )
    public var saslServerMaxReceiveSize: String?

    @Option(
        name: .customLong("queued-max-requests"),
        help:
            "Kafka requests served at once across all connections (a parked long-poll fetch not counted); above it connections stop reading (Kafka's queued.max.requests). Env MONOLOG_QUEUED_MAX_REQUESTS. Default 500"
    )
    public var queuedMaxRequests: String?

    @Option(
        name: .customLong("queued-max-request-bytes"),
        parsing: .unconditional,  // so that -1 is a value, not a flag
        help:
            "Bytes of those requests; above it connections stop reading; -1 for no limit (Kafka's queued.max.request.bytes, whose default is -1). Env MONOLOG_QUEUED_MAX_REQUEST_BYTES. Default 104857600 (100 MiB)"
    )
    public var queuedMaxRequestBytes: String?

    @Option(
        name: .customLong("max-connections"),
        help:
            "Open Kafka connections; at the limit new ones wait in the listen backlog until one closes (Kafka's max.connections, whose default is unlimited). Env MONOLOG_MAX_CONNECTIONS. Default 10000"
    )
    public var maxConnections: String?

    @Option(
        name: .customLong("max-connections-per-ip"),
        help:
            "Open Kafka connections from one address; the excess is closed at once (Kafka's max.connections.per.ip). Env MONOLOG_MAX_CONNECTIONS_PER_IP. Default 2147483647"
    )
    public var maxConnectionsPerIP: String?

    @Option(
        name: .customLong("connections-max-idle-ms"),
        help:
            "Close a Kafka connection idle this long (a parked long-poll fetch is not idle) (Kafka's connections.max.idle.ms). Env MONOLOG_CONNECTIONS_MAX_IDLE_MS. Default 600000"
    )
    public var connectionsMaxIdleMs: String?

    @Option(
        name: .customLong("fetch-max-bytes"),
        help:
            "Most record bytes in one Fetch response whatever the client asks; the first batch may exceed it (Kafka's fetch.max.bytes). Env MONOLOG_FETCH_MAX_BYTES. Default 57671680 (55 MiB)"
    )
    public var fetchMaxBytes: String?

    @Option(
        name: .customLong("http-max-connections"),
        help: "Open HTTP connections; at the limit new ones wait in the listen backlog until one closes. Env MONOLOG_HTTP_MAX_CONNECTIONS. Default 10000"
    )
    public var httpMaxConnections: String?

    @Option(
        name: .customLong("http-idle-timeout-ms"),
        help:
            "Close an HTTP connection that has sent nothing for this long with no request in progress (a long-poll consume is one). Env MONOLOG_HTTP_IDLE_TIMEOUT_MS. Default 60000"
    )
    public var httpIdleTimeoutMs: String?

    @Option(
        name: .customLong("replica"),
        help: """
            Replicate the database continuously with Litestream to this URL (file:///DIR or an absolute path, \
            s3://BUCKET/PATH, gs://, abs://, sftp://, webdav://, nats://, oss://). Env MONOLOG_REPLICA. Default: off
            """
    )
    public var replica: String?

    @Option(
        name: .customLong("replication-sync-interval"),
        help: "How often Litestream ships new commits to the replica (500ms, 1s, 10s...). Env MONOLOG_REPLICATION_SYNC_INTERVAL. Default 1s"
    )
    public var replicationSyncInterval: String?

    @Option(
        name: .customLong("litestream-bin"),
        help: "The litestream executable (scripts/install-deps.sh --replication installs one). Env MONOLOG_LITESTREAM_BIN. Default: litestream on PATH"
    )
    public var litestreamBinary: String?

    @Option(
        name: .customLong("replication-metrics-addr"),
        help: "HOST:PORT where Litestream serves its metrics for /metrics. Env MONOLOG_REPLICATION_METRICS_ADDR. Default: a free loopback port"
    )
    public var replicationMetricsAddress: String?

    @Option(
        name: .customLong("config"),
        help: """
            YAML file with the same settings (data_dir, kafka_addr, http_addr, log_level, http_tls, http_auth, \
            http_max_connections, http_idle_timeout_ms, tls.*, retention.*, kafka.*, replication.*).
            """
    )
    public var configFile: String?

    public init() {}

    /// Flag, then environment, then file, then default. Throws `ConfigurationError` naming the bad value.
    public func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> MonologConfiguration {
        var config = MonologConfiguration.defaults
        if let path = self.configFile {
            config.configFile = path
            try ConfigFile.apply(path: path, to: &config)
        }
        let layers: [(source: String, values: [String: String])] = [
            (
                "environment",
                [
                    "data-dir": environment["MONOLOG_DATA_DIR"], "kafka-addr": environment["MONOLOG_KAFKA_ADDR"],
                    "advertised-kafka-addr": environment["MONOLOG_ADVERTISED_KAFKA_ADDR"],
                    "http-addr": environment["MONOLOG_HTTP_ADDR"], "log-level": environment["MONOLOG_LOG_LEVEL"],
                    "auto-create-topics": environment["MONOLOG_AUTO_CREATE_TOPICS"],
                    "num-partitions": environment["MONOLOG_NUM_PARTITIONS"],
                    "group-initial-rebalance-delay-ms": environment["MONOLOG_GROUP_INITIAL_REBALANCE_DELAY_MS"],
                    "transaction-max-timeout-ms": environment["MONOLOG_TRANSACTION_MAX_TIMEOUT_MS"],
                    "transaction-check-interval-ms": environment["MONOLOG_TRANSACTION_CHECK_INTERVAL_MS"],
                    "transactional-id-expiration-ms": environment["MONOLOG_TRANSACTIONAL_ID_EXPIRATION_MS"],
                    "kafka-security-protocol": environment["MONOLOG_KAFKA_SECURITY_PROTOCOL"],
                    "sasl-mechanisms": environment["MONOLOG_SASL_MECHANISMS"],
                    "tls-cert": environment["MONOLOG_TLS_CERT"], "tls-key": environment["MONOLOG_TLS_KEY"],
                    "tls-client-ca": environment["MONOLOG_TLS_CLIENT_CA"],
                    "http-tls": environment["MONOLOG_HTTP_TLS"], "http-auth": environment["MONOLOG_HTTP_AUTH"],
                    "sasl-server-max-receive-size": environment["MONOLOG_SASL_SERVER_MAX_RECEIVE_SIZE"],
                    "queued-max-requests": environment["MONOLOG_QUEUED_MAX_REQUESTS"],
                    "queued-max-request-bytes": environment["MONOLOG_QUEUED_MAX_REQUEST_BYTES"],
                    "max-connections": environment["MONOLOG_MAX_CONNECTIONS"],
                    "max-connections-per-ip": environment["MONOLOG_MAX_CONNECTIONS_PER_IP"],
                    "connections-max-idle-ms": environment["MONOLOG_CONNECTIONS_MAX_IDLE_MS"],
                    "fetch-max-bytes": environment["MONOLOG_FETCH_MAX_BYTES"],
                    "http-max-connections": environment["MONOLOG_HTTP_MAX_CONNECTIONS"],
                    "http-idle-timeout-ms": environment["MONOLOG_HTTP_IDLE_TIMEOUT_MS"],
                    "replica": environment["MONOLOG_REPLICA"],
                    "replication-sync-interval": environment["MONOLOG_REPLICATION_SYNC_INTERVAL"],
                    "litestream-bin": environment["MONOLOG_LITESTREAM_BIN"],
                    "replication-metrics-addr": environment["MONOLOG_REPLICATION_METRICS_ADDR"],
                ].compactMapValues { $0 }
            ),
            (
                "command line",
                [
                    "data-dir": self.dataDirectory, "kafka-addr": self.kafkaAddress, "http-addr": self.httpAddress,
                    "advertised-kafka-addr": self.advertisedKafkaAddress,
                    "log-level": self.logLevel,
                    "auto-create-topics": self.autoCreateTopics, "num-partitions": self.numPartitions,
                    "group-initial-rebalance-delay-ms": self.groupInitialRebalanceDelayMs,
                    "transaction-max-timeout-ms": self.transactionMaxTimeoutMs,
                    "transaction-check-interval-ms": self.transactionCheckIntervalMs,
                    "transactional-id-expiration-ms": self.transactionalIDExpirationMs,
                    "kafka-security-protocol": self.kafkaSecurityProtocol, "sasl-mechanisms": self.saslMechanisms,
                    "tls-cert": self.tlsCertificate, "tls-key": self.tlsKey, "tls-client-ca": self.tlsClientCA,
                    "http-tls": self.httpTLS, "http-auth": self.httpAuth,
                    "sasl-server-max-receive-size": self.saslServerMaxReceiveSize,
                    "queued-max-requests": self.queuedMaxRequests, "queued-max-request-bytes": self.queuedMaxRequestBytes,
                    "max-connections": self.maxConnections, "max-connections-per-ip": self.maxConnectionsPerIP,
                    "connections-max-idle-ms": self.connectionsMaxIdleMs, "fetch-max-bytes": self.fetchMaxBytes,
                    "http-max-connections": self.httpMaxConnections, "http-idle-timeout-ms": self.httpIdleTimeoutMs,
                    "replica": self.replica, "replication-sync-interval": self.replicationSyncInterval,
                    "litestream-bin": self.litestreamBinary, "replication-metrics-addr": self.replicationMetricsAddress,
                ].compactMapValues { $0 }
            ),
        ]
        for layer in layers {
            // A protocol given in kafka-addr and one given on its own: the separate setting wins.
            for (setting, value) in layer.values.sorted(by: {
                ($0.key == "kafka-security-protocol" ? 1 : 0, $0.key) < ($1.key == "kafka-security-protocol" ? 1 : 0, $1.key)
            }) {
                try config.set(setting, to: value, source: layer.source)
            }
        }
        try config.security.validate()
        return config
    }
}

extension MonologConfiguration {
    /// Sets one of the settings shared by flags, environment and file, by its flag name.
    mutating func set(_ setting: String, to value: String, source: String) throws(ConfigurationError) {
        switch setting {
        case "data-dir":
            guard !value.isEmpty else { throw ConfigurationError(setting: setting, source: source, problem: "empty path") }
            self.dataDirectory = value
        case "kafka-addr", "http-addr", "advertised-kafka-addr":
            var value = value
            if setting == "kafka-addr", let scheme = value.range(of: "://") {
                try self.set("kafka-security-protocol", to: String(value[..<scheme.lowerBound]), source: source)
                value = String(value[scheme.upperBound...])
            }
            guard let address = ListenAddress(parsing: value) else {
                throw ConfigurationError(
                    setting: setting,
                    source: source,
                    problem: "'\(value)' is not HOST:PORT or :PORT with a port from 0 to 65535"
                )
            }
            switch setting {
            case "kafka-addr": self.kafkaAddress = address
            case "http-addr": self.httpAddress = address
            default:
                guard !address.host.isEmpty, address.port > 0 else {
                    throw ConfigurationError(setting: setting, source: source, problem: "'\(value)' needs a host and a port clients can reach")
                }
                self.advertisedKafkaAddress = address
            }
        case "log-level":
            guard let level = Logger.Level(rawValue: value.lowercased()) else {
                throw ConfigurationError(
                    setting: setting,
                    source: source,
                    problem: "'\(value)' is not one of trace, debug, info, notice, warning, error, critical"
                )
            }
            self.logLevel = level
        case "auto-create-topics":
            switch value.lowercased() {
            case "true": self.kafka.autoCreateTopics = true
            case "false": self.kafka.autoCreateTopics = false
            default: throw ConfigurationError(setting: setting, source: source, problem: "'\(value)' is not true or false")
            }
        case "num-partitions":
            guard let count = Int32(value), count >= 1, count <= 10_000 else {  // the storage limit on partitions per topic
                throw ConfigurationError(
                    setting: setting,
                    source: source,
                    problem: "'\(value)' is not a partition count from 1 to 10000"
                )
            }
            self.kafka.defaultPartitions = count
        case "group-initial-rebalance-delay-ms":
            guard let delay = Int64(value), delay >= 0, delay <= 300_000 else {
                throw ConfigurationError(setting: setting, source: source, problem: "'\(value)' is not a delay in ms from 0 to 300000")
            }
            self.kafka.groupInitialRebalanceDelayMs = delay
        case "transaction-max-timeout-ms", "transaction-check-interval-ms", "transactional-id-expiration-ms":
            guard let milliseconds = Int64(value), milliseconds >= 1, milliseconds <= (setting == "transaction-max-timeout-ms" ? Int64(Int32.max) : 1 << 50)
            else {
                throw ConfigurationError(setting: setting, source: source, problem: "'\(value)' is not a positive number of milliseconds")
            }
            switch setting {
            case "transaction-max-timeout-ms": self.kafka.transactionMaxTimeoutMs = milliseconds
            case "transaction-check-interval-ms": self.kafka.transactionCheckIntervalMs = milliseconds
            default: self.kafka.transactionalIDExpirationMs = milliseconds
            }
        case "sasl-server-max-receive-size", "queued-max-requests", "max-connections", "max-connections-per-ip", "fetch-max-bytes",
            "http-max-connections":
            // Kafka's own lower bounds: fetch.max.bytes at least 1024, the others at least 1.
            let least = setting == "fetch-max-bytes" ? 1024 : 1
            guard let count = Int(value), count >= least, count <= Int(Int32.max) else {
                throw ConfigurationError(setting: setting, source: source, problem: "'\(value)' is not a whole number from \(least) to 2147483647")
            }
            switch setting {
            case "sasl-server-max-receive-size": self.kafka.saslServerMaxReceiveSize = count
            case "queued-max-requests": self.kafka.queuedMaxRequests = count
            case "max-connections": self.kafka.maxConnections = count
            case "max-connections-per-ip": self.kafka.maxConnectionsPerIP = count
            case "fetch-max-bytes": self.kafka.fetchMaxBytes = count
            default: self.http.maxConnections = count
            }
        case "queued-max-request-bytes":
            guard let bytes = Int64(value), bytes == -1 || bytes >= 1 else {
                throw ConfigurationError(setting: setting, source: source, problem: "'\(value)' is not -1 (no limit) or a positive number of bytes")
            }
            self.kafka.queuedMaxRequestBytes = bytes
        case "connections-max-idle-ms", "http-idle-timeout-ms":
            guard let milliseconds = Int64(value), milliseconds >= 1, milliseconds <= 1 << 50 else {
                throw ConfigurationError(setting: setting, source: source, problem: "'\(value)' is not a positive number of milliseconds")
            }
            if setting == "connections-max-idle-ms" { self.kafka.connectionsMaxIdleMs = milliseconds } else { self.http.idleTimeoutMs = milliseconds }
        case "replica":
            guard let url = ReplicationSettings.replicaURL(value) else {
                throw ConfigurationError(
                    setting: setting, source: source,
                    problem: "'\(value)' is not an absolute path or a URL Litestream replicates to (\(ReplicationSettings.schemes.joined(separator: ", ")))")
            }
            self.replication.replica = url
        case "replication-sync-interval":
            guard let interval = DurationParser.parse(value), interval >= .milliseconds(100) else {
                throw ConfigurationError(setting: setting, source: source, problem: "'\(value)' is not a duration of at least 100ms such as 500ms, 1s or 10s")
            }
            self.replication.syncInterval = interval
        case "litestream-bin":
            guard !value.isEmpty else { throw ConfigurationError(setting: setting, source: source, problem: "empty path") }
            self.replication.litestreamBinary = value
        case "replication-metrics-addr":
            guard let address = ListenAddress(parsing: value), !address.host.isEmpty, address.port > 0 else {
                throw ConfigurationError(setting: setting, source: source, problem: "'\(value)' is not HOST:PORT with a port from 1 to 65535")
            }
            self.replication.metricsAddress = address
        case "kafka-security-protocol":
            guard let proto = SecuritySettings.KafkaSecurityProtocol(rawValue: value.uppercased()) else {
                throw ConfigurationError(setting: setting, source: source, problem: "'\(value)' is not PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
            }
            self.security.kafkaProtocol = proto
        case "sasl-mechanisms":
            let mechanisms = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
            guard !mechanisms.isEmpty, mechanisms.allSatisfy(SecuritySettings.supportedMechanisms.contains) else {
                throw ConfigurationError(setting: setting, source: source, problem: "'\(value)' is not a list of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512")
            }
            self.security.saslMechanisms = mechanisms
        case "tls-cert": self.security.tlsCertificateFile = value
        case "tls-key": self.security.tlsKeyFile = value
        case "tls-client-ca": self.security.tlsClientCAFile = value
        case "http-tls", "http-auth":
            guard let flag = Bool(value.lowercased()) else {
                throw ConfigurationError(setting: setting, source: source, problem: "'\(value)' is not true or false")
            }
            if setting == "http-tls" { self.security.httpTLS = flag } else { self.security.httpAuthentication = flag }
        default:
            throw ConfigurationError(setting: setting, source: source, problem: "unknown setting")
        }
    }

    /// The flags that reproduce this configuration in a child process (flags win over everything else).
    public var commandLineArguments: [String] {
        var arguments = [
            "--data-dir", self.dataDirectory,
            "--kafka-addr", self.kafkaAddress.description,
            "--http-addr", self.httpAddress.description,
            "--log-level", self.logLevel.rawValue,
            "--auto-create-topics", "\(self.kafka.autoCreateTopics)",
            "--num-partitions", "\(self.kafka.defaultPartitions)",
            "--group-initial-rebalance-delay-ms", "\(self.kafka.groupInitialRebalanceDelayMs)",
            "--transaction-max-timeout-ms", "\(self.kafka.transactionMaxTimeoutMs)",
            "--transaction-check-interval-ms", "\(self.kafka.transactionCheckIntervalMs)",
            "--transactional-id-expiration-ms", "\(self.kafka.transactionalIDExpirationMs)",
            "--sasl-server-max-receive-size", "\(self.kafka.saslServerMaxReceiveSize)",
            "--queued-max-requests", "\(self.kafka.queuedMaxRequests)",
            "--queued-max-request-bytes", "\(self.kafka.queuedMaxRequestBytes)",
            "--max-connections", "\(self.kafka.maxConnections)",
            "--max-connections-per-ip", "\(self.kafka.maxConnectionsPerIP)",
            "--connections-max-idle-ms", "\(self.kafka.connectionsMaxIdleMs)",
            "--fetch-max-bytes", "\(self.kafka.fetchMaxBytes)",
            "--http-max-connections", "\(self.http.maxConnections)",
            "--http-idle-timeout-ms", "\(self.http.idleTimeoutMs)",
        ]
        if let advertised = self.advertisedKafkaAddress { arguments += ["--advertised-kafka-addr", advertised.description] }
        let security = self.security
        arguments += [
            "--kafka-security-protocol", security.kafkaProtocol.rawValue,
            "--sasl-mechanisms", security.saslMechanisms.joined(separator: ","),
            "--http-tls", "\(security.httpTLS)", "--http-auth", "\(security.httpAuthentication)",
        ]
        if let file = security.tlsCertificateFile { arguments += ["--tls-cert", file] }
        if let file = security.tlsKeyFile { arguments += ["--tls-key", file] }
        if let file = security.tlsClientCAFile { arguments += ["--tls-client-ca", file] }
        let replication = self.replication
        if let replica = replication.replica {
            arguments += ["--replica", replica, "--replication-sync-interval", "\(replication.syncInterval.wholeMilliseconds)ms"]
        }
        if let binary = replication.litestreamBinary { arguments += ["--litestream-bin", binary] }
        if let address = replication.metricsAddress { arguments += ["--replication-metrics-addr", address.description] }
        if let configFile { arguments += ["--config", configFile] }
        return arguments
    }
}

/// The optional YAML file: the shared settings (with underscores), `retention`, and `kafka` with
/// Kafka's own property names (`auto.create.topics.enable`, `num.partitions`,
/// `group.initial.rebalance.delay.ms`).
enum ConfigFile {
    static func apply(path: String, to config: inout MonologConfiguration) throws(ConfigurationError) {
        let source = "config file \(path)"
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(setting: "--config", source: "command line", problem: "cannot read \(path): \(error.localizedDescription)")
        }
        let parsed: Any?
        do {
            parsed = try Yams.load(yaml: text)
        } catch {
            throw ConfigurationError(setting: "--config", source: source, problem: "not valid YAML: \(error)")
        }
        guard let root = parsed as? [String: Any] else {
            if parsed == nil { return }  // an empty file sets nothing
            throw ConfigurationError(setting: "--config", source: source, problem: "the top level must be a mapping")
        }
        for (key, value) in root.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "data_dir", "kafka_addr", "http_addr", "log_level", "advertised_kafka_addr", "http_tls", "http_auth", "http_max_connections",
                "http_idle_timeout_ms":
                try config.set(key.replacingOccurrences(of: "_", with: "-"), to: "\(value)", source: source)
            case "tls":
                guard let tls = value as? [String: Any] else {
                    throw ConfigurationError(setting: "tls", source: source, problem: "must be a mapping")
                }
                for (name, path) in tls.sorted(by: { $0.key < $1.key }) {
                    let settings = ["cert_file": "tls-cert", "key_file": "tls-key", "client_ca_file": "tls-client-ca"]
                    guard let setting = settings[name] else {
                        throw ConfigurationError(setting: "tls.\(name)", source: source, problem: "unknown setting (cert_file, key_file, client_ca_file)")
                    }
                    try config.set(setting, to: "\(path)", source: source)
                }
            case "replication":
                guard let replication = value as? [String: Any] else {
                    throw ConfigurationError(setting: "replication", source: source, problem: "must be a mapping")
                }
                let settings = [
                    "replica": "replica", "sync_interval": "replication-sync-interval", "litestream_bin": "litestream-bin",
                    "metrics_addr": "replication-metrics-addr",
                ]
                for (name, value) in replication.sorted(by: { $0.key < $1.key }) {
                    guard let setting = settings[name] else {
                        throw ConfigurationError(
                            setting: "replication.\(name)", source: source, problem: "unknown setting (replica, sync_interval, litestream_bin, metrics_addr)")
                    }
                    try config.set(setting, to: "\(value)", source: source)
                }
            case "retention":
                guard let retention = value as? [String: Any] else {
                    throw ConfigurationError(setting: "retention", source: source, problem: "must be a mapping")
                }
                try applyRetention(retention, to: &config.retention, source: source)
            case "kafka":
                guard let kafka = value as? [String: Any] else {
                    throw ConfigurationError(setting: "kafka", source: source, problem: "must be a mapping")
                }
                for (property, value) in kafka.sorted(by: { $0.key < $1.key }) {
                    guard let setting = kafkaProperties[property] else {
                        throw ConfigurationError(setting: "kafka.\(property)", source: source, problem: "unknown setting")
                    }
                    try config.set(setting, to: "\(value)", source: source)
                }
            default:
                throw ConfigurationError(setting: key, source: source, problem: "unknown setting")
            }
        }
    }

    /// Kafka's property names, and the flag each one is.
    static let kafkaProperties = [
        "auto.create.topics.enable": "auto-create-topics",
        "num.partitions": "num-partitions",
        "group.initial.rebalance.delay.ms": "group-initial-rebalance-delay-ms",
        "transaction.max.timeout.ms": "transaction-max-timeout-ms",
        "transaction.abort.timed.out.transaction.cleanup.interval.ms": "transaction-check-interval-ms",
        "transactional.id.expiration.ms": "transactional-id-expiration-ms",
        "listeners": "kafka-addr",
        "security.protocol": "kafka-security-protocol",
        "sasl.enabled.mechanisms": "sasl-mechanisms",
        "sasl.server.max.receive.size": "sasl-server-max-receive-size",
        "queued.max.requests": "queued-max-requests",
        "queued.max.request.bytes": "queued-max-request-bytes",
        "max.connections": "max-connections",
        "max.connections.per.ip": "max-connections-per-ip",
        "connections.max.idle.ms": "connections-max-idle-ms",
        "fetch.max.bytes": "fetch-max-bytes",
    ]

    private static func applyRetention(
        _ values: [String: Any],
        to retention: inout RetentionSettings,
        source: String
    ) throws(ConfigurationError) {
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            let setting = "retention.\(key)"
            switch key {
            case "enabled":
                guard let enabled = value as? Bool else {
                    throw ConfigurationError(setting: setting, source: source, problem: "'\(value)' is not true or false")
                }
                retention.enabled = enabled
            case "max_age", "check_interval":
                guard let duration = DurationParser.parse("\(value)"), duration > .zero else {
                    throw ConfigurationError(
                        setting: setting,
                        source: source,
                        problem: "'\(value)' is not a positive duration such as 500ms, 30s, 1m, 24h or 7d"
                    )
                }
                if key == "max_age" { retention.maxAge = duration } else { retention.checkInterval = duration }
            default:
                throw ConfigurationError(setting: setting, source: source, problem: "unknown setting")
            }
        }
    }
}
