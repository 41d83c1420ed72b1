/// One supervised service: what to run, when it starts and stops, and how long it gets to stop.
struct ChildSpec: Sendable, Hashable {
    enum Stage: Int, Sendable, CaseIterable {
        /// The storage writer: started first; everything else depends on it.
        case storage
        /// Litestream: started once the writer has made the database, stopped after the writer so that
        /// its last commits are shipped.
        case replication
        /// The gateways and the retention worker: started once storage is ready, stopped first.
        case frontends

        /// Stages in the order they start.
        static let startOrder: [Stage] = [.storage, .replication, .frontends]
        /// Stages in the order they stop.
        static let stopOrder: [Stage] = [.frontends, .storage, .replication]
    }

    /// The service's name, used as its output prefix, in log lines and by `status` and `restart`.
    var id: String
    /// The executable's file name next to monolog-supervisor, or an absolute path (Litestream).
    var executable: String
    var arguments: [String]
    var stage: Stage
    /// Time between SIGTERM and SIGKILL when stopping it.
    var shutdownGrace: Duration
    /// Whether it counts as ready once spawned. Monolog's services say `READY=1` when they serve;
    /// Litestream has no such line.
    var readyWhenSpawned = false
    /// Whether its output is Litestream's log, whose errors `status` shows.
    var logsLitestreamErrors = false
    /// A file the pid is written to at each spawn, for a child that does not stop by itself when the
    /// supervisor dies (Litestream): the next supervisor on the data directory stops it first.
    var pidFile: String?

    /// The four services of a Monolog broker, in start order.
    static func standardTree(arguments: [String]) -> [ChildSpec] {
        [
            ChildSpec(id: "storage-writer", executable: "monolog-storage-writer", arguments: arguments, stage: .storage, shutdownGrace: .seconds(10)),
            ChildSpec(id: "kafka-gateway", executable: "monolog-kafka-gateway", arguments: arguments, stage: .frontends, shutdownGrace: .seconds(5)),
            ChildSpec(id: "http-gateway", executable: "monolog-http-gateway", arguments: arguments, stage: .frontends, shutdownGrace: .seconds(5)),
            ChildSpec(id: "retention-worker", executable: "monolog-retention-worker", arguments: arguments, stage: .frontends, shutdownGrace: .seconds(5)),
        ]
    }

    /// `litestream replicate` with its generated configuration. It syncs once more on SIGTERM, for
    /// up to its 30 s `shutdown-sync-timeout`, so it gets longer than that before SIGKILL.
    static func replication(litestream: String, configFile: String, pidFile: String) -> ChildSpec {
        ChildSpec(
            id: "replication", executable: litestream, arguments: ["replicate", "-config", configFile], stage: .replication,
            shutdownGrace: .seconds(35), readyWhenSpawned: true, logsLitestreamErrors: true, pidFile: pidFile)
    }
}
