/// How to reach and talk to a Kafka cluster: bootstrap servers, client id, TLS, SASL and time limits.
public struct KafkaClientSettings: Sendable {
    /// Servers to ask first; the rest of the cluster is learnt from their Metadata answers.
    public var bootstrap: [KafkaBrokerAddress]
    /// Sent in every request header; brokers log it and use it for quotas.
    public var clientID: String
    /// Nil: plaintext.
    public var tls: KafkaClientTLS?
    /// Nil: no SASL. SASL works over plaintext (SASL_PLAINTEXT) and TLS (SASL_SSL) alike.
    public var sasl: KafkaClientSASL?
    /// How long one request may wait for its answer before the connection is given up.
    public var requestTimeout: Duration
    /// How long opening a TCP connection may take.
    public var connectTimeout: Duration

    public init(
        bootstrap: [KafkaBrokerAddress],
        clientID: String = "monolog",
        tls: KafkaClientTLS? = nil,
        sasl: KafkaClientSASL? = nil,
        requestTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(10)
    ) {
        self.bootstrap = bootstrap
        self.clientID = clientID
        self.tls = tls
        self.sasl = sasl
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
    }
}
