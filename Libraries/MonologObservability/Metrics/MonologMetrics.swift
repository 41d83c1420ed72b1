import CoreMetrics
import Prometheus

/// Metrics set-up shared by every Monolog process. Code that counts uses the swift-metrics API
/// (`Counter`, `Timer`, `Recorder`, `Gauge`); this backs it with one swift-prometheus registry per
/// process, which the process serves on its metrics socket.
public enum MonologMetrics {
    /// Makes `registry` the process's metrics backend. Only a process's entry point calls this, once.
    public static func bootstrap(_ registry: PrometheusCollectorRegistry) {
        MetricsSystem.bootstrap(MonologMetricsFactory(registry: registry))
    }

    /// A swift-metrics factory over `registry` that is not the process's global one: the HTTP gateway
    /// builds a fresh registry per scrape for the figures it derives from the database.
    public static func factory(for registry: PrometheusCollectorRegistry) -> any MetricsFactory {
        MonologMetricsFactory(registry: registry)
    }
}
