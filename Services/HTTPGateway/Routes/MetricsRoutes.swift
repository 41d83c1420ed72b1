import Hummingbird
import Metrics
import MonologConfig
import MonologObservability
import MonologStorage
import Prometheus

/// `/metrics`: the whole broker's figures in Prometheus text format. Each process reports its own
/// numbers: this gateway's registry, then each other process's exposition read from its metrics
/// socket, then what is derived from the database at scrape time (consumer lag) and whether each
/// process answered (`monolog_process_up`).
struct MetricsRoutes {
    let registry: PrometheusCollectorRegistry
    let directory: DataDirectory
    let reads: StorageReads
    let replication: ReplicationSettings

    func register(on router: Router<some RequestContext>) {
        router.get("/metrics") { _, _ in try await self.exposition() }
    }

    func exposition() async throws -> Response {
        var text = self.registry.emitToString()
        let scrape = PrometheusCollectorRegistry()
        let factory = MonologMetrics.factory(for: scrape)
        Gauge(label: MetricCatalog.processUp, dimensions: [("process", "http-gateway")], factory: factory).record(1)
        for process in DataDirectory.processesWithMetricsSockets {
            let answer = await MetricsSocketReader.read(path: self.directory.metricsSocketPath(for: process))
            if let answer { text += answer }
            Gauge(label: MetricCatalog.processUp, dimensions: [("process", process)], factory: factory).record(answer == nil ? 0 : 1)
        }
        if self.replication.isEnabled { text += await self.replicationFigures(factory: factory) }
        let lags = try await self.reads.run { reader in
            try reader.snapshot {
                try reader.groupsWithOffsets().flatMap { group in try GroupRoutes.lags(of: group, reader: reader).map { (group, $0) } }
            }
        }
        for (group, lag) in lags {
            Gauge(
                label: MetricCatalog.consumerGroupLag,
                dimensions: [("group", group), ("topic", lag.topic), ("partition", "\(lag.partition)")],
                factory: factory
            ).record(lag.lag)
            Gauge(
                label: MetricCatalog.consumerGroupReadCommittedLag,
                dimensions: [("group", group), ("topic", lag.topic), ("partition", "\(lag.partition)")],
                factory: factory
            ).record(lag.read_committed_lag)
        }
        text += scrape.emitToString()
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: .init(string: text))
        )
    }

    /// Litestream's own metrics, whether it answered, and for a `file://` replica how far it is behind.
    private func replicationFigures(factory: some MetricsFactory) async -> String {
        var answer: String?
        if let address = self.replication.metricsAddress { answer = await LitestreamMetrics.read(from: address) }
        Gauge(label: MetricCatalog.processUp, dimensions: [("process", "replication")], factory: factory).record(answer == nil ? 0 : 1)
        if let replicaDirectory = self.replication.replicaDirectory {
            let progress = ReplicationProgress.read(directory: self.directory, replicaDirectory: replicaDirectory)
            Gauge(label: MetricCatalog.replicationPendingBytes, factory: factory).record(progress.pendingBytes)
            Gauge(label: MetricCatalog.replicationLagSeconds, factory: factory).record(progress.lagSeconds)
        }
        return answer ?? ""
    }
}
