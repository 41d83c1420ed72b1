/// Where a Kafka broker listens. Bootstrap servers come in as "host:port" strings (the form every
/// Kafka tool takes); brokers found through Metadata and FindCoordinator arrive as host and port.
public struct KafkaBrokerAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// The port a bootstrap server without one is assumed to listen on, as Kafka's tools assume.
    public static let defaultPort = 9092

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses "host:port", "host" (port 9092), "[v6-address]:port" and a bare IPv6 address. Nil for an
    /// empty host or a port outside 1...65535.
    public init?(parsing text: String) {
        var text = Substring(text)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            // "[::1]:9092": the brackets keep the address's colons apart from the port's.
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            // No colon, or several (an IPv6 address without brackets): all of it is the host.
            host = text
        }
        guard !host.isEmpty else { return nil }
        var port = Self.defaultPort
        if let portText {
            guard let parsed = Int(portText), (1...65535).contains(parsed) else { return nil }
            port = parsed
        }
        self.init(host: String(host), port: port)
    }

    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }
}
