import Logging

/// The configuration every Monolog process shares, resolved from flags, environment, a YAML file and
/// defaults, in that order of precedence.
public struct MonologConfiguration: Hashable, Sendable {
    public var dataDirectory: String
    public var kafkaAddress: ListenAddress
    /// The address Kafka clients are told to connect to (Metadata); nil derives it from `kafkaAddress`.
    public var advertisedKafkaAddress: ListenAddress?
    public var httpAddress: ListenAddress
    public var logLevel: Logger.Level
    public var retention: RetentionSettings
    /// Broker behaviour Kafka users know by Kafka's property names.
    public var kafka: KafkaSettings
    /// TLS, SASL and HTTP authentication; all off by default.
    public var security = SecuritySettings()
    /// The HTTP gateway's connection limit and idle timeout.
    public var http = HTTPSettings()
    /// Continuous replication with Litestream; off by default.
    public var replication = ReplicationSettings()
    /// The YAML file the values came from, if any; passed on to child processes.
    public var configFile: String?

    public static let defaults = MonologConfiguration(
        dataDirectory: "./data",
        kafkaAddress: ListenAddress(host: "", port: 9092),
        advertisedKafkaAddress: nil,
        httpAddress: ListenAddress(host: "", port: 8080),
        logLevel: .info,
        retention: RetentionSettings(enabled: true, maxAge: .seconds(24 * 3600), checkInterval: .seconds(60)),
        kafka: KafkaSettings(autoCreateTopics: true, defaultPartitions: 1, groupInitialRebalanceDelayMs: 0),
        configFile: nil
    )
}

extension MonologConfiguration {
    /// What Metadata tells clients: the advertised address, else the listener's, with `localhost` for a
    /// wildcard bind (a client cannot connect to 0.0.0.0 or ::).
    public var effectiveAdvertisedKafkaAddress: ListenAddress {
        if let advertised = self.advertisedKafkaAddress { return advertised }
        let host = self.kafkaAddress.host
        let wildcard = host.isEmpty || host == "0.0.0.0" || host == "::"
        return ListenAddress(host: wildcard ? "localhost" : host, port: self.kafkaAddress.port)
    }
}

/// How the retention worker trims old data.
public struct RetentionSettings: Hashable, Sendable {
    public var enabled: Bool
    /// Batches whose newest record is older than this are deleted.
    public var maxAge: Duration
    public var checkInterval: Duration

    public init(enabled: Bool, maxAge: Duration, checkInterval: Duration) {
        self.enabled = enabled
        self.maxAge = maxAge
        self.checkInterval = checkInterval
    }
}

/// Settings named after Kafka's broker properties, with Monolog's defaults.
public struct KafkaSettings: Hashable, Sendable {
    /// `auto.create.topics.enable`: Metadata for an unknown topic (and an HTTP produce to one) creates it.
    public var autoCreateTopics: Bool
    /// `num.partitions`: partitions of an automatically created topic, and of CreateTopics with -1.
    public var defaultPartitions: Int32
    /// `group.initial.rebalance.delay.ms`: how long a new group's first rebalance waits for more members.
    /// Kafka's default is 3000; Monolog's is 0, so a lone consumer starts at once.
    public var groupInitialRebalanceDelayMs: Int64
    /// `transaction.max.timeout.ms`: the longest transaction timeout a producer may ask for (15 min).
    public var transactionMaxTimeoutMs: Int64 = 900_000
    /// `transaction.abort.timed.out.transaction.cleanup.interval.ms`: how often timed-out transactions
    /// are looked for and aborted (10 s).
    public var transactionCheckIntervalMs: Int64 = 10_000
    /// `transactional.id.expiration.ms`: how long an idle transactional id is kept (7 days).
    public var transactionalIDExpirationMs: Int64 = 604_800_000

    // Limits that keep a hostile or broken client from taking the gateway's memory (docs/COMPATIBILITY.md, Limits).

    /// `sasl.server.max.receive.size`: the largest frame a SASL listener reads from a connection that
    /// has not authenticated yet (512 KiB, as Kafka).
    public var saslServerMaxReceiveSize = 524_288
    /// `queued.max.requests`: requests being served at once across all connections (500, as Kafka);
    /// above it every connection stops reading.
    public var queuedMaxRequests = 500
    /// `queued.max.request.bytes`: the bytes of those requests; -1 for no limit. Kafka's default is -1;
    /// Monolog's is 100 MiB, so a flood of large produces cannot hold more than that.
    public var queuedMaxRequestBytes: Int64 = 104_857_600
    /// `max.connections`: open Kafka connections; at the limit the gateway stops accepting. Kafka's
    /// default is Int.max; Monolog's is 10,000, well below a default file-descriptor limit's reach.
    public var maxConnections = 10_000
    /// `max.connections.per.ip`: open connections from one address; the excess is closed (Int32.max, as Kafka).
    public var maxConnectionsPerIP = Int(Int32.max)
    /// `connections.max.idle.ms`: a connection that neither sends nor receives for this long, with no
    /// request of its own in progress, is closed (10 min, as Kafka).
    public var connectionsMaxIdleMs: Int64 = 600_000
    /// `fetch.max.bytes`: the most record bytes one Fetch answer carries, whatever the client asks
    /// (55 MiB, as Kafka); the first batch may still exceed it (KIP-74).
    public var fetchMaxBytes = 57_671_680

    public init(autoCreateTopics: Bool, defaultPartitions: Int32, groupInitialRebalanceDelayMs: Int64) {
        self.autoCreateTopics = autoCreateTopics
        self.defaultPartitions = defaultPartitions
        self.groupInitialRebalanceDelayMs = groupInitialRebalanceDelayMs
    }
}

/// The HTTP gateway's limits on connections (Kafka has no counterpart, so the names are Monolog's).
public struct HTTPSettings: Hashable, Sendable {
    /// Open HTTP connections; at the limit the gateway stops accepting until one closes.
    public var maxConnections = 10_000
    /// A connection with no request in progress (a long-poll consume is one) is closed after this long
    /// without reading anything: a minute, as common HTTP servers keep idle keep-alive connections.
    public var idleTimeoutMs: Int64 = 60_000

    public init() {}
}

/// `HOST:PORT`, `:PORT` (every interface) or `[IPv6]:PORT`.
public struct ListenAddress: Hashable, Sendable, CustomStringConvertible {
    /// Empty for every interface.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        guard !host.contains(" ") else { return nil }
        self.init(host: host, port: port)
    }

    /// The host to bind: every interface when none was given.
    public var bindHost: String { self.host.isEmpty ? "0.0.0.0" : self.host }

    /// The host a local client uses to reach this listener.
    public var connectHost: String {
        (self.host.isEmpty || self.host == "0.0.0.0" || self.host == "::") ? "127.0.0.1" : self.host
    }

    public var description: String { self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)" }
}
