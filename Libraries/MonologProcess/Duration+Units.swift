/// Durations in the units logs, metrics and Kafka settings use: one conversion each, for every process.
extension Duration {
    /// The duration in seconds, with its fraction (for metrics, logs and `Thread.sleep`).
    public var inSeconds: Double {
        Double(self.components.seconds) + Double(self.components.attoseconds) / 1e18
    }

    /// The duration in whole milliseconds (rounded towards zero), the unit Kafka settings use.
    public var wholeMilliseconds: Int64 {
        self.components.seconds * 1000 + self.components.attoseconds / 1_000_000_000_000_000
    }
}
