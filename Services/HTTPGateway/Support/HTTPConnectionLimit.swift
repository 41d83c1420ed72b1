import HummingbirdCore
import Logging
import Metrics
import MonologObservability

/// `--http-max-connections`: at the limit Hummingbird stops accepting (the connections wait in the
/// kernel's listen backlog until one closes, rather than being accepted and dropped, which would send
/// clients into reconnect loops). Each time it stops is counted in `/metrics` and logged at most once
/// per 10 s with how many times it happened.
struct HTTPConnectionLimit: AvailableConnectionsDelegate {
    static let hits = Counter(label: MetricCatalog.httpConnectionLimitHits)

    let maxConnections: Int
    let logger: Logger
    private let log = OccasionalLog()
    private var open = 0

    init(maxConnections: Int, logger: Logger) {
        self.maxConnections = maxConnections
        self.logger = logger
    }

    mutating func connectionOpened() { self.open += 1 }

    mutating func connectionClosed() { self.open -= 1 }

    /// Asked before each accept round (and again when a connection closes while accepting is stopped).
    func isAcceptingNewConnections() -> Bool {
        guard self.open >= self.maxConnections else { return true }
        Self.hits.increment()
        self.log.record { times in
            self.logger.warning(
                "HTTP connection limit reached: not accepting new connections until one closes",
                metadata: ["limit": "\(self.maxConnections)", "times": "\(times)"]
            )
        }
        return false
    }
}
