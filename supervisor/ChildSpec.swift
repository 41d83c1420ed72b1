/// One supervised service: what to run, when it starts, and how long it gets to stop.
struct ChildSpec: Sendable, Hashable {
    enum Stage: Int, Sendable, Comparable {
        /// Started first and stopped last: everything else depends on it.
        case storage = 0
        /// Started once storage is ready, stopped first.
        case frontends = 1

        static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The service's name, used as its output prefix and in log lines.
    var id: String
    /// The executable's file name; it sits next to monolog-supervisor.
    var executable: String
    var arguments: [String]
    var stage: Stage
    /// Time between SIGTERM and SIGKILL when stopping it.
    var shutdownGrace: Duration

    /// The four services of a Monolog broker, in start order.
    static func standardTree(arguments: [String]) -> [ChildSpec] {
        [
            ChildSpec(id: "storage-writer", executable: "monolog-storage-writer", arguments: arguments, stage: .storage, shutdownGrace: .seconds(10)),
            ChildSpec(id: "kafka-gateway", executable: "monolog-kafka-gateway", arguments: arguments, stage: .frontends, shutdownGrace: .seconds(5)),
            ChildSpec(id: "http-gateway", executable: "monolog-http-gateway", arguments: arguments, stage: .frontends, shutdownGrace: .seconds(5)),
            ChildSpec(id: "retention-worker", executable: "monolog-retention-worker", arguments: arguments, stage: .frontends, shutdownGrace: .seconds(5)),
        ]
    }
}
